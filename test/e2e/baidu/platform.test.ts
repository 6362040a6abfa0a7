/**
 * Hard days and administration against the real service on a loopback port: slow clients are
 * dropped at their deadline while others are served, one client cannot hold more than its
 * share of connections, huge URLs answer in the caller's dialect, and the admin API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../../../src/server.js';
import { fixture, testConfig, TEST_API_KEY, TEST_SECRET_KEY } from '../../helpers/helpers.js';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';
let server: RunningServer;
let base: string;
let port: number;
let dir: string;
let token: string;
const skier = readFileSync(fixture('coco-000000000785.jpg')).toString('base64');

before(async () => {
  const { startServer } = await import('../../../src/server.js');
  dir = mkdtempSync(join(tmpdir(), 'bodylens-platform-'));
  server = await startServer(
    testConfig(dir, {
      BODYLENS_API_KEY: TEST_API_KEY,
      BODYLENS_SECRET_KEY: TEST_SECRET_KEY,
      BODYLENS_APP_ID: '10000015',
      BODYLENS_BODY_TIMEOUT_MS: '2000',
      BODYLENS_HEADERS_TIMEOUT_MS: '1500',
      BODYLENS_KEEPALIVE_TIMEOUT_MS: '1000',
      BODYLENS_MAX_CONNECTIONS_PER_CLIENT: '40',
      BODYLENS_ADMIN_KEY: ADMIN_KEY,
    }),
  );
  base = server.address;
  port = Number(new URL(base).port);
  await server.engine.ready;
  const res = await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${TEST_API_KEY}&client_secret=${TEST_SECRET_KEY}`);
  token = (await res.json()).access_token;
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function openSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves with the ms until the server closes the socket, and what it wrote. */
function closedAfter(s: Socket, started: number): Promise<{ ms: number; data: string }> {
  return new Promise((resolve) => {
    let data = '';
    s.on('data', (d) => (data += d.toString()));
    s.on('error', () => undefined);
    s.once('close', () => resolve({ ms: Date.now() - started, data }));
  });
}

const callBaidu = (api: string, image: string) =>
  fetch(`${base}/rest/2.0/image-classify/v1/${api}?access_token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ image }).toString(),
  }).then((r) => r.json());

describe('slow clients', () => {
  test('a client trickling its body is dropped at the deadline while 20 normal requests answer', async () => {
    const slow = await openSocket();
    const started = Date.now();
    const closed = closedAfter(slow, started);
    slow.write(`POST /rest/2.0/image-classify/v1/body_analysis?access_token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nimage=`);
    const trickle = setInterval(() => slow.writable && slow.write('A'), 250);
    // 20 normal calls meanwhile: 4 full analyses and 16 that stop at the image check.
    const calls = await Promise.all([
      ...Array.from({ length: 4 }, () => callBaidu('body_analysis', skier)),
      ...Array.from({ length: 16 }, () => callBaidu('body_analysis', '###')),
    ]);
    assert.equal(calls.filter((c) => c.person_num === 1).length, 4, JSON.stringify(calls.slice(0, 4)).slice(0, 300));
    assert.ok(calls.slice(4).every((c) => c.error_code === 216203));
    const { ms, data } = await closed;
    clearInterval(trickle);
    assert.ok(ms >= 1900 && ms < 4500, `trickling client dropped after ${ms} ms (deadline 2000 ms, checked every second)`);
    assert.match(data, /^HTTP\/1.1 408/);
  });

  test('headers that never finish are dropped at the header deadline', async () => {
    const s = await openSocket();
    const closed = closedAfter(s, Date.now());
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const { ms } = await closed;
    assert.ok(ms >= 1400 && ms < 4000, `dropped after ${ms} ms`);
  });

  test('an idle keep-alive connection is closed after the keep-alive deadline', async () => {
    const s = await openSocket();
    const started = Date.now();
    const closed = closedAfter(s, started);
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const { ms, data } = await closed;
    assert.match(data, /^HTTP\/1.1 200/);
    assert.ok(ms >= 900 && ms < 3500, `idle connection closed after ${ms} ms (deadline 1000 ms)`);
  });

  test('one client gets at most its connection share; others are closed at once and it is served again after', async () => {
    const sockets = await Promise.all(Array.from({ length: 40 }, openSocket));
    const extra = await openSocket();
    const { ms } = await closedAfter(extra, Date.now());
    assert.ok(ms < 1000, `the 41st connection was closed after ${ms} ms`);
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });
});

describe('callers that have gone', () => {
  test('a queued call whose client hung up never reaches the worker', async () => {
    const pool = server.engine as unknown as { stats(): { dispatched: number; shed: number } };
    const before = pool.stats();
    // Three real analyses keep the one worker busy; a fourth waits behind them, then its client leaves.
    const busy = [1, 2, 3].map(() => callBaidu('body_analysis', skier));
    await new Promise((r) => setTimeout(r, 50));
    const s = await openSocket();
    s.on('error', () => undefined);
    const body = `image=${encodeURIComponent(skier)}`;
    s.write(`POST /rest/2.0/image-classify/v1/body_analysis?access_token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await new Promise((r) => setTimeout(r, 100));
    s.destroy();
    const answers = await Promise.all(busy);
    assert.ok(answers.every((a) => a.person_num === 1), JSON.stringify(answers).slice(0, 300));
    await new Promise((r) => setTimeout(r, 200));
    const after = pool.stats();
    assert.equal(after.dispatched - before.dispatched, 3, 'only the three callers still waiting were run');
    assert.equal(after.shed - before.shed, 1);
  });
});

describe('huge URLs answer in the caller\'s dialect', () => {
  const q = 'x='.concat('a'.repeat(60_000));
  test('Baidu: HTTP 200 with 282114; Kakao: 431 {code, msg}; elsewhere 431 {error, message}', async () => {
    const baidu = await fetch(`${base}/rest/2.0/image-classify/v1/body_analysis?${q}`, { method: 'POST' });
    assert.equal(baidu.status, 200);
    const b = await baidu.json();
    assert.deepEqual([b.error_code, b.error_msg, typeof b.log_id], [282114, 'url size error', 'number']);
    const kakao = await fetch(`${base}/pose?${q}`, { method: 'POST' });
    assert.equal(kakao.status, 431);
    assert.equal((await kakao.json()).code, -2);
    const other = await fetch(`${base}/nope?${q}`);
    assert.equal(other.status, 431);
    assert.equal((await other.json()).error, 'url_size');
  });

  test('200 k characters still answer 282114; past the parser\'s 256 KiB a JSON 431 closes the connection', async () => {
    const long = await fetch(`${base}/rest/2.0/image-classify/v1/body_analysis?x=${'a'.repeat(200_000)}`, { method: 'POST' });
    assert.equal((await long.json()).error_code, 282114);
    const s = await openSocket();
    const closed = closedAfter(s, Date.now());
    s.write(`GET /rest/2.0/image-classify/v1/body_analysis?x=${'a'.repeat(400_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const { data } = await closed;
    assert.match(data, /^HTTP\/1.1 431/);
    const body = JSON.parse(data.slice(data.indexOf('\r\n\r\n') + 4));
    assert.ok(body.error_code === 282114 || body.error === 'url_size', JSON.stringify(body));
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'others are still served');
  });
});

describe('admin API', () => {
  const admin = (path: string, init: RequestInit = {}, key = ADMIN_KEY) =>
    fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  test('needs the admin key', async () => {
    assert.equal((await fetch(`${base}/admin/apps`)).status, 401);
    assert.equal((await admin('/admin/apps', {}, 'wrong-key-wrong-key-wrong')).status, 401);
  });

  test('create, limits enforced at once, usage by outcome, rotate, revoke', async () => {
    const created = await admin('/admin/apps', { method: 'POST', body: JSON.stringify({ name: 'shop', qps_limit: 2, apis: 'body_analysis' }) });
    assert.equal(created.status, 201);
    const app = await created.json();
    assert.equal(app.secret_key.length, 32);
    const tok = await (await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${app.api_key}&client_secret=${app.secret_key}`)).json();
    const call = (api = 'body_analysis') =>
      fetch(`${base}/rest/2.0/image-classify/v1/${api}?access_token=${tok.access_token}`, { method: 'POST', body: 'image=%23%23%23', headers: { 'content-type': 'application/x-www-form-urlencoded' } }).then((r) => r.json());
    const burst = await Promise.all(Array.from({ length: 5 }, () => call()));
    assert.deepEqual(burst.map((r) => r.error_code).sort(), [18, 18, 18, 216203, 216203]);
    assert.equal((await call('gesture')).error_code, 6);

    const usage = await (await admin(`/admin/apps/${app.app_id}/usage`)).json();
    const counts = Object.fromEntries(usage.usage.map((u: any) => [`${u.api}:${u.outcome}`, u.count]));
    assert.deepEqual(counts, { 'body_analysis:image_base64': 2, 'body_analysis:qps_limit': 3, 'gesture:no_permission': 1 });

    const patched = await (await admin(`/admin/apps/${app.app_id}`, { method: 'PATCH', body: JSON.stringify({ qps_limit: null, daily_limit: 1 }) })).json();
    assert.deepEqual([patched.qps_limit, patched.daily_limit], [null, 1]);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await call()).error_code, 17, 'today already used up by the two admitted calls');

    const rotated = await (await admin(`/admin/apps/${app.app_id}/rotate-secret`, { method: 'POST' })).json();
    assert.notEqual(rotated.secret_key, app.secret_key);
    assert.equal((await call()).error_code, 110, 'rotating ends the tokens at once');

    assert.equal((await admin(`/admin/apps/${app.app_id}/revoke`, { method: 'POST' })).status, 200);
    const list = await (await admin('/admin/apps?all=1')).json();
    assert.ok(list.apps.some((a: any) => a.app_id === app.app_id && a.revoked_at && a.secret_key.endsWith('****')));
    assert.equal((await admin('/admin/apps/nobody')).status, 404);
    assert.equal((await admin('/admin/apps', { method: 'POST', body: JSON.stringify({ qps_limit: -1 }) })).status, 400);
    assert.equal((await admin('/admin/apps', { method: 'POST', body: '{not json' })).status, 400);
  });

  test('revoking one token over HTTP', async () => {
    const tok = await (await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${TEST_API_KEY}&client_secret=${TEST_SECRET_KEY}`)).json();
    const res = await admin('/admin/tokens/revoke', { method: 'POST', body: JSON.stringify({ token: tok.access_token }) });
    assert.deepEqual(await res.json(), { revoked: true });
    const r = await fetch(`${base}/rest/2.0/image-classify/v1/body_analysis?access_token=${tok.access_token}`, { method: 'POST', body: 'image=x' });
    assert.equal((await r.json()).error_code, 110);
  });

  test('the data directory and its files are private', () => {
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of ['bodylens.db', 'server.key']) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  });
});
