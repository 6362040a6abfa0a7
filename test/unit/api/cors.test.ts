/**
 * Cross-origin calls (BODYLENS_CORS_ORIGINS, src/api/cors.ts) on the real app: off by default;
 * an allowed origin's preflight of a dialect API answers 204 with what it asked for and its
 * calls carry the origin back with the exposed headers; another origin's preflight answers 403;
 * the admin API and /metrics never answer another origin; a private service's own port follows
 * the same rule. The setting's parser refuses what is not an origin.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildPrivateServiceApp, type AppDeps } from '../../../src/api/app.js';
import { realApp } from '../../helpers/real-app.js';
import { createApp } from '../../../src/auth/apps.js';
import { privateService } from '../../../src/api/private/services.js';
import { loadConfig, parseCorsOrigins } from '../../../src/config.js';

const ADMIN = 'cors-test-admin-key-0123456789ab';
const ORIGIN = 'https://app.example.com';
const real = realApp('cors', ADMIN);
const app = (extra: Partial<AppDeps> = {}) => real.app(extra);

const preflight = (server: FastifyInstance, url: string, origin = ORIGIN, headers = 'content-type, x-bce-date') =>
  server.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });

describe('BODYLENS_CORS_ORIGINS parsing', () => {
  test('empty is off, * is any, origins are kept; anything else is refused with the reason', () => {
    assert.equal(parseCorsOrigins(undefined), undefined);
    assert.equal(parseCorsOrigins('  '), undefined);
    assert.equal(parseCorsOrigins('*'), '*');
    assert.deepEqual(parseCorsOrigins('https://a.example.com, http://localhost:3000'), ['https://a.example.com', 'http://localhost:3000']);
    for (const bad of ['https://a.example.com/', 'https://a.example.com/app', 'a.example.com', 'ftp://a.example.com', 'https://a.example.com,*']) {
      assert.throws(() => parseCorsOrigins(bad), /BODYLENS_CORS_ORIGINS/, bad);
    }
    assert.throws(() => loadConfig({ BODYLENS_CORS_ORIGINS: 'example.com' }), /not an origin/);
    assert.deepEqual(loadConfig({ BODYLENS_CORS_ORIGINS: ORIGIN }).corsOrigins, [ORIGIN]);
  });
});

describe('cross-origin calls', () => {
  let off: FastifyInstance;
  let on: FastifyInstance;
  let any: FastifyInstance;
  let token: string;
  before(async () => {
    off = await app();
    on = await app({ corsOrigins: [ORIGIN, 'http://localhost:5173'] });
    any = await app({ corsOrigins: '*' });
    const made = createApp(real.db, { apiKey: 'CorsApiKey00000000000000', secretKey: 'CorsSecretKey0123456789abcdefghij' });
    token = (await on.inject({ method: 'GET', url: `/oauth/2.0/token?grant_type=client_credentials&client_id=${made.apiKey}&client_secret=CorsSecretKey0123456789abcdefghij` })).json().access_token;
  });

  test('off by default: no CORS header on a preflight or a call', async () => {
    const pre = await preflight(off, '/rest/2.0/image-classify/v1/body_analysis');
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    assert.notEqual(pre.statusCode, 204);
    const call = await off.inject({ method: 'POST', url: '/rest/2.0/image-classify/v1/body_analysis', headers: { origin: ORIGIN } });
    assert.equal(call.headers['access-control-allow-origin'], undefined);
  });

  test("an allowed origin's preflight answers 204 with the method and headers it asked for", async () => {
    for (const url of ['/rest/2.0/image-classify/v1/body_analysis', '/oauth/2.0/token', '/pose', '/pose/job', '/openapi.json']) {
      const pre = await preflight(on, url, ORIGIN, 'authorization, content-type, x-bce-date');
      assert.equal(pre.statusCode, 204, url);
      assert.equal(pre.headers['access-control-allow-origin'], ORIGIN, url);
      assert.match(String(pre.headers['access-control-allow-methods']), /POST/);
      assert.equal(pre.headers['access-control-allow-headers'], 'authorization, content-type, x-bce-date');
      assert.equal(pre.headers['access-control-max-age'], '600');
      assert.match(String(pre.headers.vary), /Origin/);
      assert.equal(pre.headers['access-control-allow-credentials'], undefined, 'no cookies: credentials are never allowed');
    }
    // A header list that is not one is not echoed.
    const odd = await preflight(on, '/pose', ORIGIN, 'content-type,\r\nx: y');
    assert.equal(odd.headers['access-control-allow-headers'], undefined);
  });

  test("another origin's preflight answers 403 with the reason; its calls carry no CORS header", async () => {
    const pre = await preflight(on, '/rest/2.0/image-classify/v1/body_analysis', 'https://evil.example');
    assert.equal(pre.statusCode, 403);
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    assert.match(pre.json().message, /evil\.example/);
    const call = await on.inject({ method: 'GET', url: `/oauth/2.0/token?grant_type=client_credentials&client_id=x&client_secret=y`, headers: { origin: 'https://evil.example' } });
    assert.equal(call.headers['access-control-allow-origin'], undefined);
    assert.match(String(call.headers.vary), /Origin/);
  });

  test('calls from an allowed origin carry it back and expose the log id, success or Baidu error alike', async () => {
    const ok = await on.inject({
      method: 'POST',
      url: `/rest/2.0/image-classify/v1/body_analysis?access_token=${token}`,
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'image=',
    });
    assert.equal(ok.headers['access-control-allow-origin'], ORIGIN);
    assert.match(String(ok.headers['access-control-expose-headers']), /X-Log-Id/);
    assert.ok(ok.json().error_code, 'an empty image is a Baidu error, still readable by the page');
    const unsigned = await on.inject({ method: 'POST', url: '/rest/2.0/image-classify/v1/body_analysis', headers: { origin: 'http://localhost:5173' } });
    assert.equal(unsigned.headers['access-control-allow-origin'], 'http://localhost:5173');
    assert.equal(typeof unsigned.json().error_code, 'number', 'no token: a Baidu error the page can read');
  });

  test('refusals written before the route (a URL too long) carry the header; Vary goes out with or without an Origin', async () => {
    const long = await on.inject({ method: 'POST', url: `/rest/2.0/image-classify/v1/body_analysis?access_token=${'x'.repeat(1200)}`, headers: { origin: ORIGIN } });
    assert.equal(long.json().error_code, 282114);
    assert.equal(long.headers['access-control-allow-origin'], ORIGIN);
    const plain = await on.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(plain.headers['access-control-allow-origin'], undefined);
    assert.match(String(plain.headers.vary), /Origin/, 'a cache keeps per-origin copies apart');
  });

  test('the admin API, the console routes and /metrics never answer another origin', async () => {
    for (const url of ['/admin/apps', '/metrics', '/console/api/apis', '/healthz']) {
      const pre = await preflight(on, url);
      assert.equal(pre.headers['access-control-allow-origin'], undefined, url);
      const call = await on.inject({ method: 'GET', url, headers: { origin: ORIGIN, 'x-admin-key': ADMIN } });
      assert.equal(call.headers['access-control-allow-origin'], undefined, url);
    }
  });

  test('* answers any origin with *, without Vary', async () => {
    const pre = await preflight(any, '/pose', 'https://anyone.example');
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.equal(pre.headers.vary, undefined);
  });

  test("a private service's own port follows the same rule", async () => {
    const own = await buildPrivateServiceApp(real.engine, privateService('keypoints')!, {}, undefined, { corsOrigins: [ORIGIN] });
    real.adopt(own);
    const pre = await preflight(own, '/GeneralClassifyService/classify');
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], ORIGIN);
    const refused = await preflight(own, '/GeneralClassifyService/classify', 'https://evil.example');
    assert.equal(refused.statusCode, 403);
    // Paths the port does not serve are no CORS paths there.
    const elsewhere = await preflight(own, '/rest/2.0/image-classify/v1/body_analysis');
    assert.notEqual(elsewhere.statusCode, 204);
    assert.equal(elsewhere.headers['access-control-allow-origin'], undefined);
  });
});
