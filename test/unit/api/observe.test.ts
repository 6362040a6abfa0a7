/**
 * The request log and /metrics access on the real app (Fastify, AuthService on SQLite, an
 * in-process engine, real models): each request's lines carry its log_id, the same the Baidu
 * answer and the X-Log-Id header carry; the completion line names the app and the code the
 * caller got; health checks stay below info; X-Response-Time on every answer; /metrics only for
 * loopback or the admin key unless opened, and absent when off.
 */
import { before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { type AppDeps } from '../../../src/api/app.js';
import { realApp } from '../../helpers/real-app.js';
import { createApp } from '../../../src/auth/apps.js';
import { fixture } from '../../helpers/helpers.js';

const ADMIN = 'observe-test-admin-key-0123456789';
const real = realApp('observe', ADMIN);
const app = (extra: Partial<AppDeps> = {}) => real.app(extra);

describe('request log', () => {
  const lines: Array<Record<string, any>> = [];
  let server: FastifyInstance;
  let token: string;
  let appId: string;
  before(async () => {
    server = await app({ logLevel: 'info', logStream: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const made = createApp(real.db, { apiKey: 'ObserveApiKey00000000000', secretKey: 'ObserveSecretKey0123456789abcdef' });
    appId = made.appId;
    token = (await server.inject({ method: 'GET', url: `/oauth/2.0/token?grant_type=client_credentials&client_id=${made.apiKey}&client_secret=ObserveSecretKey0123456789abcdef` })).json().access_token;
  });
  const post = (image: string) =>
    server.inject({
      method: 'POST',
      url: `/rest/2.0/image-classify/v1/body_analysis?access_token=${token}`,
      payload: new URLSearchParams({ image }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  const linesOf = (logId: number | string) => lines.filter((l) => l.log_id === String(logId));

  test("a Baidu call's log_id is on its lines, in its answer and header; the completion line has the app and error_code", async () => {
    const ok = await post(readFileSync(fixture('coco-000000000785.jpg')).toString('base64'));
    const bad = await post(Buffer.from('no picture').toString('base64'));
    for (const [res, code] of [
      [ok, 0],
      [bad, bad.json().error_code],
    ] as const) {
      const body = res.json();
      assert.equal(res.headers['x-log-id'], String(body.log_id));
      assert.match(String(res.headers['x-response-time']), /^\d+\.\dms$/);
      const mine = linesOf(body.log_id);
      assert.ok(mine.length >= 1, `lines of log_id ${body.log_id}`);
      const done = mine.find((l) => l.msg === 'request completed');
      assert.ok(done, JSON.stringify(mine));
      assert.equal(done.app, appId);
      assert.equal(done.error_code, code);
      assert.equal(done.dialect, 'baidu');
      assert.equal(done.api, 'body_analysis');
      assert.equal(done.url, '/rest/2.0/image-classify/v1/body_analysis', 'no query string (it holds the token)');
      assert.equal(typeof done.ms, 'number');
    }
    assert.ok(bad.json().error_code > 0);
    assert.notEqual(ok.json().log_id, bad.json().log_id);
  });

  test('a failure outside a route carries the same log_id in the Baidu answer and the log', async () => {
    const res = await server.inject({ method: 'POST', url: '/rest/2.0/image-classify/v1/body_analysis', payload: '{"not": "a form"', headers: { 'content-type': 'application/json' } });
    const body = res.json();
    assert.ok(body.error_code);
    const done = linesOf(body.log_id).find((l) => l.msg === 'request completed');
    assert.equal(done?.error_code, body.error_code);
  });

  test('Kakao answers name their code; health checks and scrapes are not logged at info', async () => {
    const before = lines.length;
    const kakao = await server.inject({ method: 'POST', url: '/pose', headers: { authorization: 'KakaoAK nobody-at-all' } });
    assert.equal(kakao.statusCode, 401);
    const id = String(kakao.headers['x-log-id']);
    const done = linesOf(id).find((l) => l.msg === 'request completed');
    assert.equal(done?.dialect, 'kakao');
    assert.equal(done?.error_code, kakao.json().code);
    const health = await server.inject({ method: 'GET', url: '/healthz' });
    assert.ok(health.headers['x-response-time']);
    await server.inject({ method: 'GET', url: '/metrics' });
    assert.equal(lines.slice(before).filter((l) => l.url === '/healthz' || l.url === '/metrics').length, 0);
  });
});

describe('/metrics access', () => {
  const scrape = (server: FastifyInstance, remoteAddress: string, authorization?: string) =>
    server.inject({ method: 'GET', url: '/metrics', remoteAddress, headers: authorization ? { authorization } : {} });

  test('default (loopback): loopback callers and the admin key; others 403', async () => {
    const server = await app();
    assert.equal((await scrape(server, '127.0.0.1')).statusCode, 200);
    assert.equal((await scrape(server, '::1')).statusCode, 200);
    const outside = await scrape(server, '10.1.2.3');
    assert.equal(outside.statusCode, 403);
    assert.equal(outside.json().error, 'no_permission');
    assert.equal((await scrape(server, '10.1.2.3', `Bearer wrong-${ADMIN}`)).statusCode, 403);
    const withKey = await scrape(server, '10.1.2.3', `Bearer ${ADMIN}`);
    assert.equal(withKey.statusCode, 200);
    assert.match(withKey.body, /^# HELP bodylens_/m);
  });

  test('key: only the admin key, loopback included (a reverse proxy on the same host)', async () => {
    const server = await app({ metricsAccess: { mode: 'key' } });
    assert.equal((await scrape(server, '127.0.0.1')).statusCode, 403);
    assert.equal((await scrape(server, '10.1.2.3')).statusCode, 403);
    assert.equal((await scrape(server, '127.0.0.1', `Bearer ${ADMIN}`)).statusCode, 200);
    assert.equal((await scrape(server, '10.1.2.3', `Bearer ${ADMIN}`)).statusCode, 200);
  });

  test('open: anyone; off: no route', async () => {
    assert.equal((await scrape(await app({ metricsAccess: { mode: 'open' } }), '10.1.2.3')).statusCode, 200);
    assert.equal((await scrape(await app({ metricsAccess: { mode: 'off' } }), '127.0.0.1')).statusCode, 404);
  });
});
