/**
 * End to end for Kakao's video jobs: the real service (in-process, and as a child process that
 * is killed mid-job), real clips made with ffmpeg, real HTTP for uploads, URLs and callbacks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '../../../src/server.js';
import { openDatabase } from '../../../src/store/db.js';
import { createApp } from '../../../src/auth/apps.js';
import { KAKAO_CATEGORIES } from '../../../src/api/kakao/format.js';
import { expectKakaoError, startKakaoTestServer, startMediaServer, type MediaServer } from '../../helpers/kakao.js';
import { makeSkierClip } from '../../helpers/video-clip.js';

const API_KEY = 'kakaoJobsKey0123456789ab';
const SECRET_KEY = 'kakaoJobsSecret0123456789abcdefg';
const auth = { authorization: `KakaoAK ${API_KEY}` };
const OTHER_KEY = 'kakaoOtherKey0123456789a';

let dir: string;
let clipDir: string;
let shortClip: string;
let server: RunningServer;
let base: string;
let media: MediaServer;
let mediaBase: string;
const callbacks: string[] = [];

function submitFile(bytes: Uint8Array, fields: Record<string, string> = {}, base_ = base): Promise<Response> {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(bytes)]), 'clip.mp4');
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return fetch(`${base_}/pose/job`, { method: 'POST', headers: auth, body });
}

function submitForm(fields: Record<string, string>): Promise<Response> {
  return fetch(`${base}/pose/job`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

async function jobId(res: Response): Promise<string> {
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.deepEqual(Object.keys(body), ['job_id']);
  assert.match(body.job_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  return body.job_id;
}

async function view(id: string, base_ = base): Promise<any> {
  const res = await fetch(`${base_}/pose/job/${id}`, { headers: auth });
  assert.equal(res.status, 200);
  return res.json();
}

/** Polls until the job is done; returns the final view and every progress value seen. */
async function settle(id: string, base_ = base, timeoutMs = 120_000): Promise<{ result: any; progress: number[] }> {
  const progress: number[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await view(id, base_);
    if (v.status === 'processing') progress.push(v.progress);
    if (v.status === 'success' || v.status === 'failed') return { result: v, progress };
    assert.ok(['waiting', 'processing'].includes(v.status), JSON.stringify(v));
    assert.ok(Date.now() < deadline, `job ${id} still ${v.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bodylens-jobs-'));
  clipDir = mkdtempSync(join(tmpdir(), 'bodylens-clips-'));
  shortClip = makeSkierClip(join(clipDir, 'short.mp4'), { frames: 8, fps: 10 });
  media = await startMediaServer({
    '/clip.mp4': (_req, res) => res.end(readFileSync(shortClip)),
    '/done': (req, res) => { callbacks.push(req.url!); res.end('ok'); },
  });
  mediaBase = media.base;
  server = await startKakaoTestServer(dir, { apiKey: API_KEY, secretKey: SECRET_KEY }, { BODYLENS_VIDEO_MAX_BYTES: '2000000' });
  base = server.address;
});

after(async () => {
  await server.close();
  media.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(clipDir, { recursive: true, force: true });
});

describe('POST /pose/job and GET /pose/job/{id}', () => {
  test('an uploaded clip: every frame, one person each, Kakao categories, video info, a callback', async () => {
    const id = await jobId(await submitFile(readFileSync(shortClip), { callback_url: `${mediaBase}/done?from=test` }));
    const { result, progress } = await settle(id);
    assert.equal(result.status, 'success', JSON.stringify(result));
    assert.equal(result.job_id, id);
    assert.deepEqual(result.video, { fps: 10, frames: 8, height: 401, width: 601 });
    assert.deepEqual(result.categories, KAKAO_CATEGORIES);
    assert.equal(typeof result.info, 'object');
    assert.deepEqual(result.annotations.map((a: any) => a.frame_num), [0, 1, 2, 3, 4, 5, 6, 7]);
    for (const frame of result.annotations) {
      assert.equal(frame.objects.length, 1, `frame ${frame.frame_num}`);
      assert.equal(frame.objects[0].keypoints.length, 51);
      assert.equal(frame.objects[0].category_id, 1);
    }
    for (const p of progress) assert.ok(p >= 0 && p <= 1);
    // The callback is a single GET with the job id, sent once.
    const deadline = Date.now() + 5000;
    while (!callbacks.some((c) => c.includes(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const mine = callbacks.filter((c) => c.includes(id));
    assert.equal(mine.length, 1);
    assert.equal(new URL(mine[0], mediaBase).searchParams.get('job_id'), id);
    assert.equal(new URL(mine[0], mediaBase).searchParams.get('from'), 'test');
  });

  test('a job belongs to its app: another key reads "not found"; polling uses no QPS', async () => {
    // A second app, limited to one call per second, added while the server runs.
    const db = openDatabase(dir);
    createApp(db, { apiKey: OTHER_KEY, secretKey: 'kakaoOtherSecret0123456789abcdef', qpsLimit: 1 });
    db.close();
    const id = await jobId(await submitFile(Buffer.from('not a video, but a job all the same')));
    const other = { authorization: `KakaoAK ${OTHER_KEY}` };
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${base}/pose/job/${id}`, { headers: other });
      assert.equal(res.status, 200, 'polling five times a second is not limited by the QPS of 1');
      assert.deepEqual(await res.json(), { job_id: id, status: 'not found' });
    }
    assert.notEqual((await view(id)).status, 'not found', 'the owner still sees it');
    // Submitting does use the QPS: the second submission within a second answers 429.
    const form = () => {
      const body = new FormData();
      body.append('file', new Blob([new Uint8Array(8)]), 'x.mp4');
      return fetch(`${base}/pose/job`, { method: 'POST', headers: other, body });
    };
    const [a, b] = [await form(), await form()];
    assert.deepEqual([a.status, b.status], [200, 429]);
    await settle(id);
    // Usage by outcome: one admitted submission, one refused; the polls are not counted.
    const db2 = openDatabase(dir);
    await new Promise((r) => setTimeout(r, 1200)); // outcome counts are written once a second
    const rows = db2.prepare("SELECT api, outcome, count FROM usage_outcomes WHERE app_id = (SELECT app_id FROM apps WHERE api_key = ?) ORDER BY outcome").all(OTHER_KEY);
    db2.close();
    assert.deepEqual(rows, [{ api: 'pose_job', outcome: 'ok', count: 1 }, { api: 'pose_job', outcome: 'qps_limit', count: 1 }]);
  });

  test('a video_url is fetched by the job; smoothing=false is accepted', async () => {
    const id = await jobId(await submitForm({ video_url: `${mediaBase}/clip.mp4`, smoothing: 'false' }));
    const { result } = await settle(id);
    assert.equal(result.status, 'success', JSON.stringify(result));
    assert.equal(result.annotations.length, 8);
  });

  test('bytes that are not a video, or a URL that answers 404, end as failed with a description', async () => {
    const junk = await jobId(await submitFile(Buffer.from('this is not a video at all')));
    const a = (await settle(junk)).result;
    assert.equal(a.status, 'failed');
    assert.equal(typeof a.description, 'string');
    assert.equal(a.annotations, undefined);
    const missing = await jobId(await submitForm({ video_url: `${mediaBase}/missing.mp4` }));
    const b = (await settle(missing)).result;
    assert.equal(b.status, 'failed');
    assert.match(b.description, /video/i);
  });

  test('unknown job ids answer "not found"', async () => {
    assert.deepEqual(await view('bb91c265-341d-4661-813b-870cff0de1d3'), { job_id: 'bb91c265-341d-4661-813b-870cff0de1d3', status: 'not found' });
    assert.equal((await view('not-a-uuid')).status, 'not found');
  });

  test('bad submissions are refused at once and leave no upload behind', async () => {
    await expectKakaoError(await fetch(`${base}/pose/job`, { method: 'POST' }), 401, -401);
    await expectKakaoError(await fetch(`${base}/pose/job/x`), 401, -401);
    await expectKakaoError(await submitForm({}), 400, -2, /file or video_url/);
    await expectKakaoError(await submitFile(readFileSync(shortClip), { video_url: `${mediaBase}/clip.mp4` }), 400, -2, /not both/);
    await expectKakaoError(await submitFile(readFileSync(shortClip), { smoothing: 'maybe' }), 400, -2, /smoothing/);
    await expectKakaoError(await submitForm({ video_url: 'http://169.254.169.254/video.mp4' }), 400, -2, /169\.254/);
    await expectKakaoError(await submitForm({ video_url: 'ftp://example.com/video.mp4' }), 400, -2, /scheme/);
    await expectKakaoError(await submitFile(readFileSync(shortClip), { callback_url: 'http://[::1]/cb' }), 400, -2);
    await expectKakaoError(await submitFile(Buffer.alloc(2_100_000, 1)), 413, -602);
    assert.deepEqual(readdirSync(join(dir, 'uploads')), []);
  });
  test('a client that disconnects mid-upload leaves no file behind and the service answers on', async () => {
    const url = new URL(`${base}/pose/job`);
    const boundary = 'bodylensTestBoundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\n`;
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
        headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(1_000_000) },
      });
      req.on('error', () => resolve());
      req.write(head);
      req.write(Buffer.alloc(200_000, 7), () => setTimeout(() => { req.destroy(); resolve(); }, 200));
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(readdirSync(join(dir, 'uploads')), []);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });
});

describe('restart safety', () => {
  const serverScript = fileURLToPath(new URL('../../../src/server.js', import.meta.url));
  let child: ChildProcess | undefined;

  function startChild(dataDir: string): Promise<{ proc: ChildProcess; base: string }> {
    const proc = spawn(process.execPath, [serverScript], {
      env: {
        ...process.env, PORT: '0', HOST: '127.0.0.1', BODYLENS_DATA_DIR: dataDir, BODYLENS_WORKERS: '1',
        BODYLENS_API_KEY: API_KEY, BODYLENS_SECRET_KEY: SECRET_KEY, BODYLENS_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    return new Promise((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (chunk) => {
        out += chunk;
        const ready = /bodylens ready on (http:\/\/[\d.:]+)/.exec(out);
        if (ready) resolve({ proc, base: ready[1] });
      });
      proc.once('exit', (code) => reject(new Error(`server exited (${code}) before ready: ${out}`)));
    });
  }

  after(() => child?.kill('SIGKILL'));

  test('a job interrupted by SIGKILL completes after the service restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bodylens-restart-'));
    try {
      const longClip = makeSkierClip(join(clipDir, 'long.mp4'), { frames: 60, fps: 30, dx: 1, dy: 0 });
      const first = await startChild(dataDir);
      const id = await jobId(await submitFile(readFileSync(longClip), {}, first.base));
      // Wait until it is really being processed, then kill without any chance to clean up.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const v = await view(id, first.base);
        if (v.status === 'processing' && v.progress > 0) break;
        assert.ok(v.status !== 'success', 'the clip finished before the kill; make it longer');
        assert.ok(Date.now() < deadline, 'job never started');
        await new Promise((r) => setTimeout(r, 50));
      }
      first.proc.kill('SIGKILL');
      await new Promise((r) => first.proc.once('exit', r));

      const second = await startChild(dataDir);
      const { result } = await settle(id, second.base);
      assert.equal(result.status, 'success', JSON.stringify(result).slice(0, 300));
      assert.equal(result.annotations.length, 60);
      second.proc.kill('SIGTERM');
      await new Promise((r) => second.proc.once('exit', r));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
