/**
 * /metrics, the request log and private-dialect usage against the real service (SQLite, an
 * inference worker, Fastify on a loopback port): real calls of each dialect over HTTP, then a
 * scrape, and the numbers must have moved exactly as the calls say.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, testConfig } from '../../helpers/helpers.js';
import type { RunningServer } from '../../../src/server.js';
import { modelsFor } from '../../../src/capabilities/index.js';
import { runAppsCommand } from '../../../src/cli/apps.js';
import { makeSkierClip } from '../../helpers/video-clip.js';

const ADMIN = 'metrics-test-admin-key-0123456789';
const API_KEY = 'metricsApiKey0123456789a';
const SECRET = 'metricsSecretKey0123456789abcdef';
let server: RunningServer;
let dir: string;
let base: string;
const skier = readFileSync(fixture('coco-000000000785.jpg'));
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

before(async () => {
  const { startServer } = await import('../../../src/server.js');
  dir = mkdtempSync(join(tmpdir(), 'bodylens-metrics-'));
  server = await startServer(
    testConfig(dir, {
      BODYLENS_CAPABILITIES: 'body_analysis',
      BODYLENS_PRIVATE: 'on',
      BODYLENS_PRIVATE_PORTS: 'keypoints:0',
      BODYLENS_PRIVATE_CONCURRENCY: '1',
      BODYLENS_ADMIN_KEY: ADMIN,
      BODYLENS_API_KEY: API_KEY,
      BODYLENS_SECRET_KEY: SECRET,
    }),
  );
  base = server.address;
  await server.engine.ready;
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Prometheus text → value of the sample `name{labels}` (labels given must match; 0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[3]);
  }
  return total;
}

async function scrape(): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}

async function baidu(api: string, token: string, fields: Record<string, string>) {
  const res = await fetch(`${base}/rest/2.0/image-classify/v1/${api}?access_token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('x-response-time') ?? '', /^\d+(\.\d)?ms$/, 'X-Response-Time on every answer');
  const body = await res.json();
  assert.equal(res.headers.get('x-log-id'), String(body.log_id), 'the X-Log-Id header is the answer\'s log_id');
  return body;
}

async function tokenFor(apiKey: string, secret: string): Promise<string> {
  const res = await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${apiKey}&client_secret=${secret}`);
  return (await res.json()).access_token;
}

const privateCall = (url: string, body: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.json());

test('requests, latency, inference per model, engine gauges, limit rejections and private usage move as the calls say', async () => {
  const token = await tokenFor(API_KEY, SECRET);
  // An app allowed 1 request/s: its second call in the same second is refused with 18.
  const created = await fetch(`${base}/admin/apps`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ qps_limit: 1 }),
  }).then((r) => r.json());
  const slowToken = await tokenFor(created.api_key, created.secret_key);
  // Apps allowed one request a day, and one in all: their second call is refused with 17 and 19.
  const limited: Record<string, string> = {};
  for (const limit of ['daily_limit', 'total_limit']) {
    const app = await fetch(`${base}/admin/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ [limit]: 1 }),
    }).then((r) => r.json());
    limited[limit] = await tokenFor(app.api_key, app.secret_key);
  }

  const before = await scrape();
  const ok = await baidu('body_analysis', token, { image: b64(skier) });
  assert.ok(ok.person_num >= 1, JSON.stringify(ok).slice(0, 200));
  const bad = await baidu('body_analysis', token, { image: b64('not an image at all') });
  assert.ok(bad.error_code, 'a bad image is an error');
  const first = await baidu('body_analysis', slowToken, { image: b64('x') });
  const second = await baidu('body_analysis', slowToken, { image: b64('x') });
  assert.notEqual(first.error_code, 18);
  assert.equal(second.error_code, 18, 'QPS limit');
  const quotaCodes: Record<string, number> = {};
  for (const [limit, limitedToken] of Object.entries(limited)) {
    await baidu('body_analysis', limitedToken, { image: b64('x') });
    quotaCodes[limit] = (await baidu('body_analysis', limitedToken, { image: b64('x') })).error_code;
  }
  assert.deepEqual(quotaCodes, { daily_limit: 17, total_limit: 19 });
  const form = new FormData();
  form.set('file', new Blob([skier], { type: 'image/jpeg' }), 'skier.jpg');
  const pose = await fetch(`${base}/pose`, { method: 'POST', headers: { authorization: `KakaoAK ${API_KEY}` }, body: form });
  assert.equal(pose.status, 200);
  assert.ok(pose.headers.get('x-response-time'));
  const unauthorized = await fetch(`${base}/pose`, { method: 'POST', headers: { authorization: 'KakaoAK nobody' }, body: form });
  assert.equal(unauthorized.status, 401);
  // The private keypoints service, on the main port's prefix and on its own port; and one bad call.
  const envelope = JSON.stringify({ data: b64(JSON.stringify({ image: b64(skier) })) });
  const viaPrefix = await privateCall(`${base}/private/keypoints/GeneralClassifyService/classify`, envelope);
  const viaPort = await privateCall(`${server.privateAddresses.keypoints}/GeneralClassifyService/classify`, envelope);
  assert.equal(viaPrefix.err_no, 0);
  assert.equal(viaPort.err_no, 0);
  const privateBad = await privateCall(`${base}/private/keypoints/GeneralClassifyService/classify`, '{"data": 12}');
  assert.notEqual(privateBad.err_no, 0);
  const notServed = await privateCall(`${base}/private/hand/GeneralClassifyService/classify`, envelope);
  assert.notEqual(notServed.err_no, 0, 'hand is not served (BODYLENS_CAPABILITIES=body_analysis)');
  // Three at once against a cap of one call per service: those past the cap are refused (overloaded).
  const burst = await Promise.all([1, 2, 3].map(() => privateCall(`${base}/private/keypoints/GeneralClassifyService/classify`, envelope)));
  const refusedNo = burst.find((r) => r.err_no !== 0)?.err_no;
  const overloaded = burst.filter((r) => r.err_no !== 0).length;
  assert.ok(overloaded >= 1 && overloaded <= 2, `refused ${overloaded} of 3`);

  const after = await scrape();
  if (process.env.SHOW_METRICS) console.log(after);
  const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
  assert.equal(delta('bodylens_requests_total', { dialect: 'baidu', api: 'body_analysis', outcome: 'ok', code: '0' }), 1);
  // The bad image and the QPS-limited app's first call (also not an image) end with the same error code.
  assert.equal(first.error_code, bad.error_code);
  assert.equal(delta('bodylens_requests_total', { dialect: 'baidu', api: 'body_analysis', code: String(bad.error_code) }), 4, 'with the quota-limited apps\' first calls');
  assert.equal(delta('bodylens_requests_total', { dialect: 'baidu', api: 'body_analysis', outcome: 'qps_limit', code: '18' }), 1);
  assert.equal(delta('bodylens_requests_total', { dialect: 'baidu', api: 'body_analysis' }), 8);
  assert.equal(delta('bodylens_request_duration_seconds_count', { dialect: 'baidu', api: 'body_analysis' }), 8);
  assert.equal(delta('bodylens_limit_rejections_total', { dialect: 'baidu', api: 'body_analysis', reason: 'qps_limit' }), 1);
  assert.equal(delta('bodylens_limit_rejections_total', { dialect: 'baidu', api: 'body_analysis', reason: 'daily_limit' }), 1);
  assert.equal(delta('bodylens_limit_rejections_total', { dialect: 'baidu', api: 'body_analysis', reason: 'total_limit' }), 1);
  assert.equal(delta('bodylens_requests_total', { dialect: 'baidu', api: 'body_analysis', outcome: 'daily_limit', code: '17' }), 1);
  assert.equal(delta('bodylens_requests_total', { dialect: 'baidu', api: 'body_analysis', outcome: 'total_limit', code: '19' }), 1);
  assert.equal(delta('bodylens_requests_total', { dialect: 'kakao', api: 'pose', outcome: 'ok' }), 1);
  assert.equal(delta('bodylens_requests_total', { dialect: 'kakao', api: 'pose', code: '-401' }), 1);
  assert.equal(delta('bodylens_requests_total', { dialect: 'oauth' }), 0, 'tokens were fetched before the first scrape');
  assert.equal(delta('bodylens_requests_total', { dialect: 'private', api: 'keypoints', outcome: 'ok', code: '0' }), 2 + 3 - overloaded);
  assert.equal(delta('bodylens_requests_total', { dialect: 'private', api: 'keypoints', outcome: 'overloaded', code: String(refusedNo) }), overloaded);
  assert.equal(delta('bodylens_limit_rejections_total', { dialect: 'private', api: 'keypoints', reason: 'overloaded' }), overloaded);
  assert.equal(delta('bodylens_requests_total', { dialect: 'private', api: 'keypoints', outcome: 'invalid_parameters' }), 1);
  assert.equal(delta('bodylens_requests_total', { dialect: 'private', api: 'hand', outcome: 'not_served' }), 1);
  assert.equal(delta('bodylens_requests_total', { dialect: 'service', api: '/metrics' }), 1, 'the first scrape is counted by the second');
  // Four analyses reached a worker (Baidu ok, Kakao, two private): each ran every body_analysis model at least once.
  assert.equal(delta('bodylens_engine_call_seconds_count', { capability: 'body_analysis' }), 8 + 3 - overloaded, 'the four bad images failed in the worker (decoding is engine-side)');
  // Model runs are timed in the worker: only body_analysis's models ran, the pose model in every analysis.
  const ran = [...after.matchAll(/^bodylens_inference_seconds_count\{model="([^"]+)"\}/gm)].map((m) => m[1]);
  assert.ok(ran.length > 0);
  for (const model of ran) assert.ok(modelsFor(['body_analysis']).includes(model as never), `${model} is a body_analysis model`);
  assert.ok(Math.max(...ran.map((model) => delta('bodylens_inference_seconds_count', { model }))) >= 4, 'a model ran at least once per analysis');
  for (const model of ran) assert.ok(sample(after, 'bodylens_inference_seconds_sum', { model }) > 0, `${model} took time`);
  assert.ok(delta('bodylens_engine_busy_seconds_total') > 0, 'workers were busy');
  const ratio = sample(after, 'bodylens_engine_busy_ratio');
  assert.ok(ratio > 0 && ratio <= 1, `busy ratio ${ratio}`);
  assert.equal(sample(after, 'bodylens_engine_queue_depth'), 0);
  assert.equal(sample(after, 'bodylens_engine_workers', { state: 'idle' }), 1);
  assert.equal(sample(after, 'bodylens_jobs', { state: 'waiting' }), 0);
  assert.ok(after.includes('bodylens_process_resident_memory_bytes'), 'process metrics are there too');

  // Private usage: counted per service and outcome, read by the admin API and the CLI.
  const usage = await fetch(`${base}/admin/private/usage?service=keypoints`, { headers: { authorization: `Bearer ${ADMIN}` } }).then((r) => r.json());
  const count = (outcome: string) => usage.usage.filter((u: { outcome: string }) => u.outcome === outcome).reduce((n: number, u: { count: number }) => n + u.count, 0);
  assert.equal(count('ok'), 2 + 3 - overloaded);
  assert.equal(count('invalid_parameters'), 1);
  assert.equal(count('overloaded'), overloaded);
  assert.deepEqual(usage.totals, [{ service: 'keypoints', count: 6 }]);
  for (const q of ['service=keypoints&service=crowd', 'from=2026-01-01&from=2026-01-02', 'service=a;drop']) {
    const bad = await fetch(`${base}/admin/private/usage?${q}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(bad.status, 400, q);
    assert.equal((await bad.json()).error, 'invalid_request');
  }
  const lines: string[] = [];
  const code = await runAppsCommand(['private-usage', '--json'], { dataDir: dir }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  assert.equal(code, 0, lines.join('\n'));
  const cli = JSON.parse(lines.join('\n'));
  assert.deepEqual(
    cli.totals.sort((a: { service: string }, b: { service: string }) => a.service.localeCompare(b.service)),
    [
      { service: 'hand', count: 1 },
      { service: 'keypoints', count: 6 },
    ],
  );
});

test('Kakao video jobs are counted by state, and their routes by API', { timeout: 120_000 }, async () => {
  const before = await scrape();
  const body = new FormData();
  body.append('file', new Blob([readFileSync(makeSkierClip(join(dir, 'clip.mp4'), { frames: 6, fps: 6 }))]), 'clip.mp4');
  const submitted = await fetch(`${base}/pose/job`, { method: 'POST', headers: { authorization: `KakaoAK ${API_KEY}` }, body });
  assert.equal(submitted.status, 200);
  const { job_id } = await submitted.json();
  let status = '';
  let polls = 0;
  for (const deadline = Date.now() + 90_000; Date.now() < deadline && status !== 'success' && status !== 'failed'; polls++) {
    status = (await (await fetch(`${base}/pose/job/${job_id}`, { headers: { authorization: `KakaoAK ${API_KEY}` } })).json()).status;
    if (status !== 'success') await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(status, 'success');
  const after = await scrape();
  const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
  assert.equal(delta('bodylens_jobs', { state: 'success' }), 1);
  assert.equal(sample(after, 'bodylens_jobs', { state: 'processing' }) + sample(after, 'bodylens_jobs', { state: 'waiting' }), 0);
  assert.equal(delta('bodylens_requests_total', { dialect: 'kakao', api: 'pose_job', outcome: 'ok' }), 1);
  assert.equal(delta('bodylens_requests_total', { dialect: 'kakao', api: 'pose_job_status', outcome: 'ok' }), polls);
  // Each analysed frame of the job was one engine call.
  assert.ok(delta('bodylens_engine_call_seconds_count', { capability: 'body_analysis' }) >= 5);
});
