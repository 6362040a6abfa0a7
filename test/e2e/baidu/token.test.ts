import { after, before, describe, test } from 'node:test';
import { baiduCode, BAIDU_ERRORS } from '../../../src/api/baidu/errors.js';
import { baiduScopes } from '../../../src/api/baidu/endpoints.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';

import { ServiceError, toServiceError } from '../../../src/errors.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { createApp, revokeApp, type App } from '../../../src/auth/apps.js';
import { AuthService, type AuthRequest } from '../../../src/auth/index.js';
import { tokenRoutes } from '../../../src/api/baidu/token.js';

const require = createRequire(import.meta.url);
const sdk = require('baidu-aip-sdk');
const AipBodyAnalysisClient = sdk.bodyAnalysis;
const HttpClient = sdk.HttpClient;

let dir: string;
let db: Db;
let auth: AuthService;
let app: App;
let server: FastifyInstance;
let base: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bodylens-token-'));
  db = openDatabase(dir);
  auth = new AuthService(db, { scopes: baiduScopes() });
  app = createApp(db, { name: 'route-test' });

  server = Fastify();
  await server.register(formbody);
  await server.register(tokenRoutes, { auth });
  // Stand-in for the real body_analysis route: only authenticates, in Baidu's error format.
  server.post('/rest/2.0/image-classify/v1/body_analysis', async (req) => {
    try {
      const who = auth.authenticate(req as unknown as AuthRequest, 'body_analysis');
      return { log_id: 1, person_num: 0, person_info: [], who };
    } catch (err) {
      const e = toServiceError(err);
      return { error_code: baiduCode(e.kind), error_msg: BAIDU_ERRORS[e.kind].msg };
    }
  });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  assert.ok(address && typeof address === 'object');
  base = `http://127.0.0.1:${address.port}`;
});

after(async () => {
  HttpClient.setRequestInterceptor(null);
  await server.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

describe('/oauth/2.0/token', () => {
  test('POST form body issues a token', async () => {
    const res = await server.inject({
      method: 'POST',
      url: '/oauth/2.0/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey }),
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.equal(body.expires_in, 2592000);
    assert.ok(body.scope.split(' ').includes('brain_all_scope'));
    // Baidu's order of the BODY scopes, as real token responses list them.
    assert.equal(
      body.scope,
      'public brain_all_scope brain_body_analysis brain_body_attr brain_body_number brain_driver_behavior brain_body_seg brain_gesture_detect brain_body_tracking brain_hand_analysis wise_adapt',
    );
    assert.equal(auth.verifyToken(body.access_token).appId, app.appId);
  });

  test('GET with query parameters (Baidu curl example) and POST with query + empty JSON body', async () => {
    const qs = form({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey });
    const get = await server.inject({ method: 'GET', url: `/oauth/2.0/token?${qs}` });
    assert.equal(get.statusCode, 200);
    assert.equal(auth.verifyToken(get.json().access_token).appId, app.appId);

    const post = await server.inject({
      method: 'POST',
      url: `/oauth/2.0/token?${qs}`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: '',
    });
    assert.equal(post.statusCode, 200);
    assert.match(post.json().access_token, /^24\./);

    const bare = await server.inject({ method: 'POST', url: `/oauth/2.0/token?${qs}` });
    assert.equal(bare.statusCode, 200);
  });

  test('wrong secret, unknown or revoked client, wrong grant type', async () => {
    const wrong = await server.inject({
      method: 'POST',
      url: '/oauth/2.0/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: 'nope' }),
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.body, '{"error_description":"Client authentication failed","error":"invalid_client"}');

    const unknown = await server.inject({
      method: 'GET',
      url: `/oauth/2.0/token?${form({ grant_type: 'client_credentials', client_id: 'someoneElse', client_secret: 'x' })}`,
    });
    assert.equal(unknown.statusCode, 401);
    assert.equal(unknown.body, '{"error_description":"unknown client id","error":"invalid_client"}');

    const grant = await server.inject({
      method: 'POST',
      url: '/oauth/2.0/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ grant_type: 'authorization_code', client_id: app.apiKey, client_secret: app.secretKey }),
    });
    assert.equal(grant.statusCode, 400);
    assert.deepEqual(grant.json(), { error_description: 'The authorization grant type is not supported', error: 'unsupported_grant_type' });

    const missing = await server.inject({ method: 'POST', url: '/oauth/2.0/token' });
    assert.equal(missing.statusCode, 400);

    const gone = createApp(db, { name: 'gone' });
    revokeApp(db, gone.appId);
    const revoked = await server.inject({
      method: 'GET',
      url: `/oauth/2.0/token?${form({ grant_type: 'client_credentials', client_id: gone.apiKey, client_secret: gone.secretKey })}`,
    });
    assert.equal(revoked.statusCode, 401);
    assert.equal(revoked.json().error_description, 'unknown client id');
  });

  test('works when the parent app registered no form parser', async () => {
    const bare = Fastify();
    await bare.register(tokenRoutes, { auth });
    const res = await bare.inject({
      method: 'POST',
      url: '/oauth/2.0/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey }),
    });
    assert.equal(res.statusCode, 200);
    await bare.close();
  });
});

describe('official baidu-aip-sdk against the local server', () => {
  /** Points the SDK at our server; `mutate` may alter each request's options further. */
  function redirect(mutate: (options: Record<string, any>) => void = () => {}) {
    HttpClient.setRequestInterceptor((options: Record<string, any>) => {
      options.url = String(options.url).replace('https://aip.baidubce.com', base);
      mutate(options);
      return options;
    });
  }

  test('obtains a token, accepts its scope, and calls with it', async () => {
    redirect();
    const client = new AipBodyAnalysisClient('12345678', app.apiKey, app.secretKey);
    await client.pms;
    // 3 = AUTHTYPE_DEV_OR_BCE: token obtained; hasScope: brain_all_scope was found in the scope.
    assert.equal(client.authType, 3);
    assert.equal(client.devAccessToken.hasScope(), true);
    assert.equal(client.devAccessToken.isExpired(), false);
    assert.equal(auth.verifyToken(client.devAccessToken.token).appId, app.appId);

    const result = await client.bodyAnalysisV1(Buffer.from('not really an image').toString('base64'));
    assert.deepEqual(result.who, { appId: app.appId, apiKey: app.apiKey, name: 'route-test', method: 'access_token' });
  });

  test('falls back to bce-auth-v1 signing when no token is had, and the signature verifies', async () => {
    // Spoil only the token request's secret: the SDK then signs requests with the real AK/SK.
    redirect((options) => {
      if (String(options.url).includes('/oauth/2.0/token')) options.form = { ...options.form, client_secret: 'spoiled' };
    });
    const client = new AipBodyAnalysisClient('12345678', app.apiKey, app.secretKey);
    await client.pms;
    assert.equal(client.authType, 1); // AUTHTYPE_BCE
    const result = await client.bodyAnalysisV1(Buffer.from('x').toString('base64'));
    assert.deepEqual(result.who, { appId: app.appId, apiKey: app.apiKey, name: 'route-test', method: 'signature' });

    const wrongKey = new AipBodyAnalysisClient('12345678', app.apiKey, 'not-the-secret');
    await wrongKey.pms;
    assert.deepEqual(await wrongKey.bodyAnalysisV1('eA=='), { error_code: 14, error_msg: 'IAM Certification failed' });
    assert.ok(baiduCode(new ServiceError('iam_failed').kind) === 14);
  });
});
