/**
 * Nothing secret in the logs: the real app (Fastify, AuthService on a SQLite file, the token,
 * Baidu, Kakao and admin routes) at log level info, with every request carrying a secret in the
 * places clients put them; the captured log lines must hold none of them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/api/app.js';
import { AuthService } from '../../../src/auth/index.js';
import { createApp } from '../../../src/auth/apps.js';
import { baiduScopes } from '../../../src/api/baidu/endpoints.js';
import { createInProcessEngine } from '../../../src/engine/in-process.js';
import { createAddressPolicy } from '../../../src/net/address-policy.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { offlineJobs } from '../../helpers/jobs.js';

const ADMIN = 'log-test-admin-key-0123456789';
let dir: string;
let db: Db;
let app: FastifyInstance;
const lines: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bodylens-logs-'));
  db = openDatabase(dir);
  const auth = new AuthService(db, { scopes: baiduScopes() });
  const engine = createInProcessEngine({ capabilities: ['body_analysis'], warmup: false });
  const jobs = offlineJobs(db, dir, engine);
  app = await buildApp({
    engine,
    auth,
    logLevel: 'info',
    logStream: { write: (line: string) => void lines.push(line) },
    urlPolicy: createAddressPolicy([]),
    kakaoLimits: { imageMaxBytes: 1 << 20, imageFetchTimeoutMs: 1000, videoMaxBytes: 1 << 20 },
    jobs,
    uploadDir: join(dir, 'uploads'),
    admin: { adminKey: ADMIN, context: { db, quotaUtcOffsetMinutes: 480 } },
  });
});

after(async () => {
  await app?.close();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('tokens, secret keys, the admin key and Authorization headers never reach the log', async () => {
  const secret = 'LogTestSecretKey0123456789abcdef';
  const made = createApp(db, { apiKey: 'LogTestApiKey00000000000', secretKey: secret });
  const tok = await app.inject({ method: 'GET', url: `/oauth/2.0/token?grant_type=client_credentials&client_id=${made.apiKey}&client_secret=${secret}` });
  const { access_token, refresh_token } = tok.json();
  assert.ok(access_token);
  await app.inject({ method: 'POST', url: `/oauth/2.0/token?grant_type=refresh_token&refresh_token=${refresh_token}&client_id=${made.apiKey}&client_secret=${secret}` });
  await app.inject({ method: 'POST', url: `/rest/2.0/image-classify/v1/body_analysis?access_token=${access_token}`, payload: 'image=%23%23%23', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  await app.inject({ method: 'POST', url: '/pose', headers: { authorization: `KakaoAK ${made.apiKey}` } });
  const created = await app.inject({ method: 'POST', url: '/admin/apps', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, payload: { secret_key: 'AdminGivenSecret0123456789abcdef', api_key: 'AdminGivenKey00000000000' } });
  assert.equal(created.statusCode, 201);
  await app.inject({ method: 'GET', url: '/admin/apps', headers: { authorization: `Bearer wrong-${ADMIN}` } });
  const log = lines.join('');
  assert.ok(log.includes('/rest/2.0/image-classify/v1/body_analysis'), 'requests are logged');
  for (const s of [secret, access_token, refresh_token, ADMIN, 'AdminGivenSecret0123456789abcdef', `KakaoAK ${made.apiKey}`]) {
    assert.ok(!log.includes(s), `found ${s.slice(0, 12)}... in the log`);
  }
});
