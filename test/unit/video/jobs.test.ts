/**
 * Video pose jobs end to end with real SQLite, real ffmpeg and the real body models: results in
 * Kakao's shape, progress, callbacks, failures, expiry, and restarts (graceful and SIGKILL).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInProcessEngine } from '../../../src/engine/in-process.js';
import type { Engine } from '../../../src/engine/engine.js';
import type { BodyFrameState } from '../../../src/capabilities/body_analysis/index.js';
import { KAKAO_CATEGORIES, kakaoJobView } from '../../../src/api/kakao/format.js';
import { DEFAULT_VIDEO_SETTINGS } from '../../../src/config.js';
import { ServiceError } from '../../../src/errors.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import type { RgbImage } from '../../../src/types.js';
import { PoseJobs, POSE_JOB_MIGRATIONS, type PoseJobsDeps } from '../../../src/video/jobs.js';
import { makeSkierClip } from '../../helpers/video-clip.js';

/** A job as Kakao's GET /pose/job/{id} answers it. */
const kakaoView = (jobs: PoseJobs, id: string): any => kakaoJobView(jobs.view(id));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let root: string;
let shortClip: string;
let longClip: string;
let engine: Engine;
/** The body_analysis frame call on the test engine. */
const frame = (image: RgbImage, state: BodyFrameState | undefined, t: number, options: { smoothing: boolean }) =>
  engine.frame('body_analysis', image, state, t, options);

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'bodylens-jobs-'));
  shortClip = makeSkierClip(join(root, 'short.mp4'), { frames: 6, fps: 10 });
  longClip = makeSkierClip(join(root, 'long.mp4'), { frames: 30, fps: 10 });
  engine = createInProcessEngine({ capabilities: ['body_analysis'] });
  await engine.ready;
});

after(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

type Finished = { id: string; status: 'success' | 'failed'; callbackUrl?: string };

interface Harness {
  jobs: PoseJobs;
  db: Db;
  dataDir: string;
  finished: Finished[];
  clock: { now: number };
  waitFinished(id: string, timeoutMs?: number): Promise<Finished>;
  copyOf(clip: string): string;
}

let harnessCount = 0;

function harness(overrides: Partial<PoseJobsDeps> = {}, dataDir = join(root, `data-${++harnessCount}`)): Harness {
  const db = openDatabase(dataDir, { migrations: [POSE_JOB_MIGRATIONS] });
  const finished: Finished[] = [];
  const clock = { now: Date.now() };
  const jobs = new PoseJobs({
    db,
    dataDir,
    frame,
    download: async (url, dest) => {
      if (!url.startsWith('file://')) throw new Error('host refused');
      copyFileSync(new URL(url), dest);
    },
    settings: { ...DEFAULT_VIDEO_SETTINGS },
    onFinished: (job) => {
      finished.push(job);
    },
    now: () => clock.now,
    ...overrides,
  });
  let uploads = 0;
  return {
    jobs,
    db,
    dataDir,
    finished,
    clock,
    async waitFinished(id, timeoutMs = 60_000) {
      const t0 = Date.now();
      for (;;) {
        const hit = finished.find((f) => f.id === id);
        if (hit) return hit;
        if (Date.now() - t0 > timeoutMs) throw new Error(`job ${id} did not finish: ${JSON.stringify(jobs.view(id))}`);
        await sleep(20);
      }
    },
    copyOf(clip) {
      // Jobs take ownership of (move) uploaded files, so give each one its own copy.
      const path = join(root, `upload-${harnessCount}-${++uploads}.mp4`);
      copyFileSync(clip, path);
      return path;
    },
  };
}

describe('PoseJobs', () => {
  test('a file job: waiting, processing with progress, then the seed\'s success shape', async () => {
    const h = harness({
      // Slow frames down a little so the polling below sees the job in progress.
      frame: async (...args) => {
        await sleep(60);
        return frame(...args);
      },
    });
    const upload = h.copyOf(longClip);
    const id = h.jobs.submit({ kind: 'file', path: upload }, { smoothing: true, callbackUrl: 'https://example.com/cb' });
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(existsSync(upload), false, 'the upload was moved into the job folder');
    assert.deepEqual(kakaoView(h.jobs, id), { job_id: id, status: 'waiting' }, 'nothing runs before start()');

    h.jobs.start();
    const progress: number[] = [];
    for (;;) {
      const v = kakaoView(h.jobs, id) as { status: string; progress?: number };
      if (v.status === 'processing') progress.push(v.progress!);
      else if (v.status !== 'waiting') break;
      await sleep(30);
    }
    assert.ok(progress.some((p) => p > 0 && p < 1), `progress seen: ${progress}`);
    assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]), 'progress never goes back');

    const done = await h.waitFinished(id);
    assert.deepEqual(done, { id, status: 'success', callbackUrl: 'https://example.com/cb' });
    const view = kakaoView(h.jobs, id) as any;
    assert.deepEqual(Object.keys(view), ['annotations', 'categories', 'info', 'job_id', 'status', 'video']);
    assert.equal(view.status, 'success');
    assert.equal(view.job_id, id);
    assert.deepEqual(view.video, { fps: 10, frames: 30, width: 601, height: 401 });
    assert.equal(view.annotations.length, 30);
    assert.deepEqual(view.annotations.map((a: any) => a.frame_num), [...Array(30).keys()]);
    for (const a of view.annotations) {
      assert.equal(a.objects.length, 1);
      const o = a.objects[0];
      assert.deepEqual(Object.keys(o), ['area', 'bbox', 'category_id', 'keypoints', 'score']);
      // Seed 004's video example: the person box clamped to the frame, unseen points 0, 0, 0.
      const [x, y, w, hh] = o.bbox;
      assert.ok(x >= 0 && y >= 0 && x + w <= 601 + 1e-3 && y + hh <= 401 + 1e-3, `bbox ${o.bbox} leaves the frame`);
      for (let k = 0; k < 17; k++) {
        const [px, py, ps] = o.keypoints.slice(3 * k, 3 * k + 3);
        if (ps === 0) assert.deepEqual([px, py], [0, 0], 'an unseen point is 0, 0, 0');
        else assert.ok(ps >= 0.2 && px >= x - 1 && px <= x + w + 1 && py >= y - 1 && py <= y + hh + 1, `point ${k} ${[px, py, ps]} vs box ${o.bbox}`);
      }
    }
    assert.deepEqual(view.categories, KAKAO_CATEGORIES);
    assert.equal(view.info.contributor, 'bodylens');
    assert.match(view.info.date_created, /^\d{4}\/\d{2}\/\d{2}$/);
    assert.deepEqual(readdirSync(join(h.dataDir, 'jobs', id)), ['result.json'], 'input deleted, result kept');
    // Callers' results are private to the service's user.
    assert.equal(statSync(join(h.dataDir, 'jobs')).mode & 0o777, 0o700);
    assert.equal(statSync(join(h.dataDir, 'jobs', id)).mode & 0o777, 0o700);
    assert.equal(statSync(join(h.dataDir, 'jobs', id, 'result.json')).mode & 0o777, 0o600);
    await h.jobs.close();
    h.db.close();
  });

  test('URL jobs: a failed download fails the job with a reason; a good one succeeds', async () => {
    const h = harness();
    h.jobs.start();
    const bad = h.jobs.submit({ kind: 'url', url: 'http://10.0.0.1/video.mp4' }, { smoothing: false, callbackUrl: 'https://example.com/cb' });
    const good = h.jobs.submit({ kind: 'url', url: new URL(`file://${shortClip}`).href }, { smoothing: false });
    assert.deepEqual(await h.waitFinished(bad), { id: bad, status: 'failed', callbackUrl: 'https://example.com/cb' });
    assert.deepEqual(kakaoView(h.jobs, bad), { description: 'Failed to get video: host refused', job_id: bad, status: 'failed' });
    assert.deepEqual(await h.waitFinished(good), { id: good, status: 'success', callbackUrl: undefined });
    assert.equal((kakaoView(h.jobs, good) as any).annotations.length, 6);
    await h.jobs.close();
    h.db.close();
  });

  test('bad video files fail cleanly, too large files are refused, unknown ids are not found', async () => {
    const h = harness({ settings: { ...DEFAULT_VIDEO_SETTINGS, maxBytes: 20_000 } });
    h.jobs.start();
    const text = join(root, 'not-a-video.mp4');
    writeFileSync(text, 'hello\n'.repeat(100));
    const notVideo = h.jobs.submit({ kind: 'file', path: text }, { smoothing: true });
    const tooBig = h.jobs.submit({ kind: 'file', path: h.copyOf(longClip) }, { smoothing: true });
    await h.waitFinished(notVideo);
    await h.waitFinished(tooBig);
    assert.deepEqual(kakaoView(h.jobs, notVideo), {
      description: 'Failed to analyze video: not a video file or unsupported video format',
      job_id: notVideo,
      status: 'failed',
    });
    assert.match((kakaoView(h.jobs, tooBig) as any).description, /larger than 20000 bytes/);
    assert.deepEqual(kakaoView(h.jobs, 'no-such-job'), { job_id: 'no-such-job', status: 'not found' });
    assert.throws(() => h.jobs.submit({ kind: 'file', path: join(root, 'missing.mp4') }, { smoothing: true }), /ENOENT/);
    assert.equal(readdirSync(join(h.dataDir, 'jobs')).length, 2, 'no folder left for the refused submit');
    await h.jobs.close();
    h.db.close();
  });

  test('a job belongs to the app that created it: another app reads "not found"', async () => {
    const h = harness();
    const text = join(root, 'owned.mp4');
    writeFileSync(text, 'not a video');
    const id = h.jobs.submit({ kind: 'file', path: text }, { smoothing: true, appId: 'owner-app' });
    assert.deepEqual(h.jobs.view(id, 'owner-app'), { job_id: id, status: 'waiting' });
    assert.deepEqual(h.jobs.view(id, 'other-app'), { job_id: id, status: 'not found' });
    await h.jobs.close();
    h.db.close();
  });

  test('one job at a time by default; the next waits', async () => {
    const h = harness();
    h.jobs.start();
    const first = h.jobs.submit({ kind: 'file', path: h.copyOf(shortClip) }, { smoothing: true });
    const second = h.jobs.submit({ kind: 'file', path: h.copyOf(shortClip) }, { smoothing: true });
    assert.equal((kakaoView(h.jobs, first) as any).status, 'processing');
    assert.equal((kakaoView(h.jobs, second) as any).status, 'waiting');
    await h.waitFinished(second);
    assert.deepEqual(h.finished.map((f) => f.id), [first, second]);
    await h.jobs.close();
    h.db.close();
  });

  test('a full worker queue delays frames instead of failing the job', async () => {
    let refusals = 0;
    const h = harness({
      frame: async (...args) => {
        if (refusals < 3) {
          refusals++;
          throw new ServiceError('overloaded', 'too many requests queued');
        }
        return frame(...args);
      },
    });
    h.jobs.start();
    const id = h.jobs.submit({ kind: 'file', path: h.copyOf(shortClip) }, { smoothing: true });
    assert.equal((await h.waitFinished(id)).status, 'success');
    assert.equal(refusals, 3);
    assert.equal((kakaoView(h.jobs, id) as any).annotations.length, 6);
    await h.jobs.close();
    h.db.close();
  });

  test('results expire after the retention period: not found, row and files deleted', async () => {
    const h = harness();
    h.jobs.start();
    const id = h.jobs.submit({ kind: 'file', path: h.copyOf(shortClip) }, { smoothing: true });
    await h.waitFinished(id);
    h.clock.now += 6.9 * 24 * 3600 * 1000;
    assert.equal((kakaoView(h.jobs, id) as any).status, 'success');
    h.clock.now += 0.2 * 24 * 3600 * 1000;
    assert.deepEqual(kakaoView(h.jobs, id), { job_id: id, status: 'not found' }, 'expired before any sweep ran');
    assert.equal(h.jobs.sweepExpired(), 1);
    assert.equal(existsSync(join(h.dataDir, 'jobs', id)), false);
    assert.equal((h.db.prepare('SELECT COUNT(*) AS n FROM pose_jobs').get() as { n: number }).n, 0);
    await h.jobs.close();
    h.db.close();
  });

  test('the stored result is neutral and versioned; a Kakao-shaped file from before versioning is still answered', async () => {
    const h = harness();
    h.jobs.start();
    const id = h.jobs.submit({ kind: 'file', path: h.copyOf(shortClip) }, { smoothing: true });
    await h.waitFinished(id);
    const file = join(h.dataDir, 'jobs', id, 'result.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(stored.version, 1);
    assert.equal(stored.frames.length, 6);
    assert.equal(Object.keys(stored.frames[0].persons[0].person.keypoints).length, 21, 'Baidu\'s 21 points, not a dialect\'s');
    const fresh = kakaoView(h.jobs, id);
    // The same file as an earlier version wrote it: Kakao's annotations.
    writeFileSync(file, JSON.stringify({ video: fresh.video, annotations: fresh.annotations }));
    const legacy = kakaoView(h.jobs, id);
    assert.deepEqual(legacy.annotations, fresh.annotations);
    assert.equal(legacy.status, 'success');
    await h.jobs.close();
    h.db.close();
  });

  test('close() mid-job leaves it processing; the next start runs it to success', async () => {
    const dataDir = join(root, 'graceful');
    const first = harness({}, dataDir);
    first.jobs.start();
    const id = first.jobs.submit({ kind: 'file', path: first.copyOf(longClip) }, { smoothing: true });
    while ((kakaoView(first.jobs, id) as any).progress === undefined || (kakaoView(first.jobs, id) as any).progress === 0) await sleep(20);
    await first.jobs.close();
    assert.equal((kakaoView(first.jobs, id) as any).status, 'processing');
    assert.equal(first.finished.length, 0);
    first.db.close();

    const second = harness({}, dataDir);
    second.jobs.start();
    assert.equal((await second.waitFinished(id)).status, 'success');
    assert.equal((kakaoView(second.jobs, id) as any).annotations.length, 30);
    await second.jobs.close();
    second.db.close();
  });

  test('a job interrupted twice is failed with a reason (and reported)', async () => {
    const h = harness();
    const id = h.jobs.submit({ kind: 'file', path: h.copyOf(shortClip) }, { smoothing: true, callbackUrl: 'https://example.com/cb' });
    h.db.prepare(`UPDATE pose_jobs SET status = 'processing', attempts = 2 WHERE id = ?`).run(id);
    h.jobs.start();
    assert.deepEqual(await h.waitFinished(id), { id, status: 'failed', callbackUrl: 'https://example.com/cb' });
    assert.match((kakaoView(h.jobs, id) as any).description, /interrupted/);
    await h.jobs.close();
    h.db.close();
  });

  test('SIGKILL mid-job: a new process on the same data dir finishes the job', async () => {
    const dataDir = join(root, 'killed');
    const submitter = harness({}, dataDir);
    const id = submitter.jobs.submit({ kind: 'file', path: submitter.copyOf(longClip) }, { smoothing: true });
    submitter.db.close();

    // A separate service process that runs the job until it is killed.
    const mod = (p: string) => JSON.stringify(new URL(p, import.meta.url).href);
    const script = `
      import { createInProcessEngine } from ${mod('../../../src/engine/in-process.js')};
      import { kakaoJobView } from ${mod('../../../src/api/kakao/format.js')};
      import { DEFAULT_VIDEO_SETTINGS } from ${mod('../../../src/config.js')};
      import { openDatabase } from ${mod('../../../src/store/db.js')};
      import { PoseJobs } from ${mod('../../../src/video/jobs.js')};
      const engine = createInProcessEngine({ capabilities: ['body_analysis'] });
      const jobs = new PoseJobs({
        db: openDatabase(${JSON.stringify(dataDir)}),
        dataDir: ${JSON.stringify(dataDir)},
        frame: async (...a) => { await new Promise((r) => setTimeout(r, 50)); return engine.frame('body_analysis', ...a); },
        download: async () => { throw new Error('unused'); },
        settings: DEFAULT_VIDEO_SETTINGS,
      });
      jobs.start();
      setInterval(() => process.stdout.write(JSON.stringify(kakaoJobView(jobs.view(${JSON.stringify(id)}))) + '\\n'), 50);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(`child never got going: ${buffer.slice(-300)}`)), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        if (/"progress":0\.[1-9]/.test(buffer)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await exited;

    const restarted = harness({}, dataDir);
    const row = restarted.db.prepare('SELECT status, attempts FROM pose_jobs WHERE id = ?').get(id) as { status: string; attempts: number };
    assert.deepEqual(row, { status: 'processing', attempts: 1 }, 'the kill left the job mid-way');
    restarted.jobs.start();
    assert.equal((await restarted.waitFinished(id)).status, 'success');
    const view = kakaoView(restarted.jobs, id) as any;
    assert.equal(view.annotations.length, 30);
    assert.deepEqual(readdirSync(join(dataDir, 'jobs', id)), ['result.json'], 'no temporary files left');
    await restarted.jobs.close();
    restarted.db.close();
  });
});
