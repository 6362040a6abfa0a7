/**
 * The SDK (`bodylens/client`, imported by its package name) against the real server: every
 * method on committed fixtures, its answers checked against the schemas the server documents;
 * typed errors with the dialect's code; a new token after one is revoked; the refresh grant;
 * retries on Baidu's QPS error (a real app with qps_limit 1) and on a real network error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Client from '../../../src/client/index.js';
import { startBaiduTestServer, fixture, TEST_API_KEY, TEST_SECRET_KEY, type BaiduTestServer } from '../../helpers/helpers.js';
import { makeSkierClip } from '../../helpers/video-clip.js';
import { documentedRoutes } from '../../../src/api/openapi.js';
import { schemaErrors } from '../../../src/api/schema.js';
import { baiduEndpoint } from '../../../src/api/baidu/endpoints.js';

const ADMIN_KEY = 'clientAdminKey0123456789ab';
// By package name, as a user imports it (package.json "exports"); typed by the source.
const { BodylensClient, BodylensError } = (await import('bodylens/client' as string)) as typeof Client;

let baidu: BaiduTestServer;
let clipDir: string;
let clip: string;
const skier = readFileSync(fixture('coco-000000000785.jpg'));
const hands = readFileSync(fixture('hands-four.jpg'));
const schemas = new Map(documentedRoutes().map((r) => [r.operationId, r.success.schema]));
const conforms = (operationId: string, value: unknown) => assert.deepEqual(schemaErrors(schemas.get(operationId)!, value), [], operationId);

/** fetch that records each request's URL and body. */
function recording() {
  const seen: Array<{ url: string; body: string }> = [];
  const f: typeof fetch = async (input, init) => {
    seen.push({ url: String(input), body: typeof init?.body === 'string' ? init.body : '' });
    return fetch(input, init);
  };
  return { seen, fetch: f };
}

async function admin(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${baidu.base}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return res.json();
}

before(async () => {
  clipDir = mkdtempSync(join(tmpdir(), 'bodylens-client-'));
  clip = makeSkierClip(join(clipDir, 'clip.mp4'), { frames: 6, fps: 10 });
  baidu = await startBaiduTestServer('9000003', { BODYLENS_ADMIN_KEY: ADMIN_KEY });
});

after(async () => {
  await baidu?.close();
  rmSync(clipDir, { recursive: true, force: true });
});

describe('BodylensClient methods', () => {
  let client: Client.BodylensClient;
  before(() => {
    client = new BodylensClient({ baseUrl: baidu.base, apiKey: TEST_API_KEY, secretKey: TEST_SECRET_KEY });
  });

  test('Baidu online methods answer the documented shapes', async () => {
    const analysis = await client.bodyAnalysis(skier);
    assert.equal(analysis.person_num, 1);
    conforms('body_analysis', analysis);
    conforms('body_attr', await client.bodyAttr(skier, { type: 'gender,age' }));
    const num = await client.bodyNum(skier, { show: true });
    assert.ok(num.image && num.image.length > 1000, 'show=true sends the heat map');
    conforms('body_num', num);
    const seg = await client.bodySeg(skier.toString('base64'), { type: 'foreground' });
    assert.deepEqual(Object.keys(seg).filter((k) => k.endsWith('map') || k === 'foreground'), ['foreground']);
    conforms('body_seg', seg);
    conforms('gesture', await client.gesture(hands));
    conforms('hand_analysis', await client.handAnalysis(new Blob([hands])));
    conforms('fingertip', await client.fingertip(hands.buffer.slice(hands.byteOffset, hands.byteOffset + hands.byteLength)));
    conforms('body_seg_photo', await client.bodySegPhoto(readFileSync(fixture('hands-96_pic00005.jpg'))));
    const frame = await client.bodyTracking(skier, { dynamic: true, case_id: 3, case_init: true, area: '1,1,639,1,639,424,1,424' });
    assert.ok('person_count' in frame);
    conforms('body_tracking', frame);
  });

  test('driverBehavior: answers once the server has its row, else Baidu error 3', async () => {
    if (baiduEndpoint('driver_behavior')) {
      conforms('driver_behavior', await client.driverBehavior(skier));
      return;
    }
    await assert.rejects(client.driverBehavior(skier), (e: unknown) => e instanceof BodylensError && e.dialect === 'baidu' && e.code === 3);
  });

  test('Kakao pose, poseJob and waitForJob with progress', async () => {
    const people = await client.pose(skier);
    assert.equal(people.length, 1);
    conforms('kakaoPose', people);
    const { job_id } = await client.poseJob(readFileSync(clip), { smoothing: true });
    const progress: number[] = [];
    const done = await client.waitForJob(job_id, { intervalMs: 50, progress: (f) => progress.push(f) });
    assert.equal(done.status, 'success');
    assert.ok(done.annotations.length > 0);
    conforms('kakaoPoseJobResult', done);
    assert.equal(progress.at(-1), 1);
    assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]), `progress rises: ${progress}`);
    await assert.rejects(client.waitForJob('00000000-0000-4000-8000-000000000000'), (e: unknown) => e instanceof BodylensError && e.code === 'not found');
  });

  test('failures are BodylensErrors with the dialect code', async () => {
    await assert.rejects(client.bodyAnalysis(new TextEncoder().encode('not a picture')), (e: unknown) => {
      assert.ok(e instanceof BodylensError);
      assert.equal(e.dialect, 'baidu');
      assert.equal(e.code, 216201);
      assert.equal(typeof e.logId, 'number');
      assert.equal(e.retryable, false);
      return true;
    });
    const stranger = new BodylensClient({ baseUrl: baidu.base, apiKey: 'nobodysKey0123456789abcd', secretKey: 'x' });
    await assert.rejects(stranger.pose(skier), (e: unknown) => e instanceof BodylensError && e.dialect === 'kakao' && e.code === -401 && e.status === 401);
    await assert.rejects(stranger.bodyAnalysis(skier), (e: unknown) => e instanceof BodylensError && e.dialect === 'oauth' && e.code === 'invalid_client' && e.status === 401);
  });
});

describe('tokens', () => {
  test('a revoked token is replaced once, and the call succeeds', async () => {
    const rec = recording();
    const client = new BodylensClient({ baseUrl: baidu.base, apiKey: TEST_API_KEY, secretKey: TEST_SECRET_KEY, fetch: rec.fetch });
    await client.bodyAnalysis(skier);
    const token = await client.accessToken();
    assert.deepEqual(await admin('POST', '/admin/tokens/revoke', { token }), { revoked: true });
    conforms('body_analysis', await client.bodyAnalysis(skier));
    assert.equal(rec.seen.filter((r) => r.url.endsWith('/oauth/2.0/token')).length, 2);
    assert.notEqual(await client.accessToken(), token);
  });

  test('near expiry the token is refreshed with the refresh_token grant', async () => {
    let clock = Date.now();
    const rec = recording();
    const client = new BodylensClient({ baseUrl: baidu.base, apiKey: TEST_API_KEY, secretKey: TEST_SECRET_KEY, fetch: rec.fetch, now: () => clock });
    const first = await client.accessToken();
    clock += 30 * 86400_000 - 30_000; // 30 s before the 30-day expiry
    const second = await client.accessToken();
    assert.notEqual(second, first);
    const grants = rec.seen.filter((r) => r.url.endsWith('/oauth/2.0/token')).map((r) => new URLSearchParams(r.body).get('grant_type'));
    assert.deepEqual(grants, ['client_credentials', 'refresh_token']);
    conforms('gesture', await client.gesture(hands));
  });
});

describe('retries', () => {
  test('Baidu 18 (QPS) is retried with back-off; without retries it is a retryable error', async () => {
    const app = await admin('POST', '/admin/apps', { name: 'slow', qps_limit: 1 });
    const rec = recording();
    const patient = new BodylensClient({ baseUrl: baidu.base, apiKey: app.api_key, secretKey: app.secret_key, fetch: rec.fetch, retries: 6, retryDelayMs: 200 });
    const answers = await Promise.all([0, 1, 2].map(() => patient.bodyNum(skier)));
    for (const a of answers) conforms('body_num', a);
    const calls = rec.seen.filter((r) => r.url.includes('/body_num'));
    assert.ok(calls.length > 3, `some calls were refused and retried (${calls.length} requests for 3 answers)`);
    const hasty = new BodylensClient({ baseUrl: baidu.base, apiKey: app.api_key, secretKey: app.secret_key, retries: 0 });
    const results = await Promise.allSettled([0, 1, 2].map(() => hasty.bodyNum(skier)));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    assert.ok(refused.length >= 1, 'a burst over qps 1 is refused');
    for (const e of refused) assert.ok(e instanceof BodylensError && e.code === 18 && e.retryable, String(e));
  });

  test('network errors are retried, then reported', async () => {
    // A port that was open a moment ago and is closed now: connections are refused.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const rec = recording();
    const client = new BodylensClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', accessToken: 't', fetch: rec.fetch, retries: 2, retryDelayMs: 10 });
    await assert.rejects(client.bodyAnalysis(skier), (e: unknown) => e instanceof BodylensError && e.dialect === 'network' && e.retryable);
    assert.equal(rec.seen.length, 3);
  });

  test('a lost answer is not retried for a request that must not run twice (a video job, a tracking frame)', async () => {
    // A server that reads each request and hangs up without answering: the request may have run.
    const sockets = new Set<import('node:net').Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => socket.destroy());
    });
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    try {
      const client = (rec: ReturnType<typeof recording>) => new BodylensClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', accessToken: 't', fetch: rec.fetch, retries: 2, retryDelayMs: 10 });
      const network = (e: unknown) => e instanceof BodylensError && e.dialect === 'network';
      const job = recording();
      await assert.rejects(client(job).poseJob(new Uint8Array([0, 0, 0, 24])), network);
      assert.equal(job.seen.length, 1, 'the job was sent once');
      const frame = recording();
      await assert.rejects(client(frame).bodyTracking(skier, { dynamic: true, case_id: 1, case_init: false, area: '1,1,9,1,9,9,1,9' }), network);
      assert.equal(frame.seen.length, 1, 'the case frame was sent once');
      const still = recording();
      await assert.rejects(client(still).bodyAnalysis(skier), network);
      assert.equal(still.seen.length, 3, 'a still image is retried');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
