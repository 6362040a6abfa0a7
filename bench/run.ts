/**
 * Load benchmark: `npm run bench [-- --case body_analysis --levels 1:40,4:80]`.
 *
 * Starts the real service (`node dist/src/server.js`) on a free loopback port with a fresh data
 * dir, waits for /healthz, gets a token, then replays pre-encoded images against one API at
 * each concurrency level. Prints one JSON line with latency percentiles, throughput, errors and
 * the server's peak RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from './stats.js';
import { evalDataRoot } from '../eval/suite.js';
import { runVideoBench, VIDEO_BENCH_CASE } from './video.js';
import { LIMITS_BENCH_CASE, runLimitsBench } from './limits.js';
import { CONSOLE_BENCH_CASE, runConsoleBench } from './console.js';
import { packageRoot } from '../src/runtime/models.js';
import { availableParallelism } from 'node:os';
import type { CapabilityName } from '../src/capabilities/index.js';
import { createEnginePool, defaultWarmupImage } from '../src/engine/pool.js';
import { loadConfig } from '../src/config.js';
import { FrameReader } from '../src/video/decode.js';
import sharp from 'sharp';

/** One API to benchmark; later capabilities register their own. */
export interface BenchCase {
  name: string;
  /** API path, called with ?access_token=… appended. */
  path: string;
  /** Extra form fields sent with every request besides `image`. */
  fields?: Record<string, string>;
  /** Image folders (or single image files) under the eval root, first existing wins; then test/fixtures. */
  evalImages: string[];
  /** Exact images instead (paths relative to the repo root), e.g. committed fixtures. */
  images?: string[];
  /**
   * Capabilities no dialect serves over HTTP yet are measured on the engine itself: a worker pool
   * in this process (one worker per core), the same concurrency levels; RSS is this process's.
   */
  inProcess?: { capability: CapabilityName };
  /**
   * Consecutive frames of a video under the eval root instead of images, sent in order (a
   * tracking case as a client streams it; run it at concurrency 1): every `stride`-th frame,
   * `frames` of them, as JPEG.
   */
  video?: { file: string; stride: number; frames: number };
  /**
   * A private-dialect service (docs/private.md) on its own port, with the JSON envelope; the same
   * server, images and levels are then also measured on the online `path`, in the same sitting.
   */
  private?: { service: string };
}

const cases = new Map<string, BenchCase>();

/** Every bench case name, the video case included (the registry test checks each capability has one). */
export function benchCaseNames(): string[] {
  return [...cases.keys(), VIDEO_BENCH_CASE, LIMITS_BENCH_CASE, CONSOLE_BENCH_CASE];
}

export function registerBenchCase(c: BenchCase): void {
  if (cases.has(c.name)) throw new Error(`bench case "${c.name}" registered twice`);
  cases.set(c.name, c);
}

registerBenchCase({ name: 'body_analysis', path: '/rest/2.0/image-classify/v1/body_analysis', evalImages: ['pose/coco'] });
// Everyday scenes: 36 COCO photos, mostly small people (issue 10's speed target).
registerBenchCase({ name: 'body_analysis_coco_mini', path: '/rest/2.0/image-classify/v1/body_analysis', evalImages: ['pose/coco-mini'] });
// One 1920×1080 street frame with a crowd of pedestrians (MOT17-02).
registerBenchCase({
  name: 'body_detection_coco_mini',
  path: '/rest/2.0/image-classify/v1/body_detection',
  evalImages: ['pose/coco-mini'],
  inProcess: { capability: 'body_detection' },
});
registerBenchCase({
  name: 'body_detection_mot17',
  path: '/rest/2.0/image-classify/v1/body_detection',
  evalImages: ['tracking/mot17-mini/MOT17-02-FRCNN/img1/000001.jpg'],
  inProcess: { capability: 'body_detection' },
});
registerBenchCase({ name: 'body_analysis_mot17', path: '/rest/2.0/image-classify/v1/body_analysis', evalImages: ['tracking/mot17-mini/MOT17-02-FRCNN/img1/000001.jpg'] });
// body_num on one 1920×1080 street frame with a crowd of pedestrians (MOT17-02), no picture.
registerBenchCase({ name: 'body_num', path: '/rest/2.0/image-classify/v1/body_num', evalImages: ['tracking/mot17-mini/MOT17-02-FRCNN/img1/000001.jpg'] });
// body_attr on the same 1080p MOT17 frame, the 17 default attributes; person detection alone (crops) and single-person attributes on a committed photo.
registerBenchCase({ name: 'body_attr', path: '/rest/2.0/image-classify/v1/body_attr', evalImages: ['tracking/mot17-mini/MOT17-02-FRCNN/img1/000001.jpg'] });
registerBenchCase({
  name: 'person_detection_mot17',
  path: '/rest/2.0/image-classify/v1/person_detection',
  evalImages: ['tracking/mot17-mini/MOT17-02-FRCNN/img1/000001.jpg'],
  inProcess: { capability: 'person_detection' },
});
registerBenchCase({ name: 'person_attributes', path: '/rest/2.0/image-classify/v1/person_attributes', evalImages: [], images: ['test/fixtures/coco-000000000785.jpg'], inProcess: { capability: 'person_attributes' } });
// A real 1280×720 photo (one woman, full body, in a garden), all three result images.
registerBenchCase({
  name: 'body_seg',
  path: '/rest/2.0/image-classify/v1/body_seg',
  fields: { type: 'labelmap,scoremap,foreground' },
  evalImages: ['segmentation/human-seg/images/72.jpg'],
});
// A close-up portrait that suits an ID photo (committed fixture).
// One tracking case over the walking video at 5 fps (every 5th frame of 25), frames in order.
registerBenchCase({
  name: 'body_tracking',
  path: '/rest/2.0/image-classify/v1/body_tracking',
  fields: { dynamic: 'true', case_id: '1', case_init: 'false', area: '640,1,1279,1,1279,719,640,719' },
  evalImages: [],
  video: { file: 'video/walking-topdown/vtest.avi', stride: 5, frames: 60 },
});
// The private dialect's keypoints service on its own port, then the online body_analysis in the same sitting.
registerBenchCase({ name: 'private_keypoints', path: '/rest/2.0/image-classify/v1/body_analysis', evalImages: ['pose/coco-mini'], private: { service: 'keypoints' } });
registerBenchCase({ name: 'body_seg_photo', path: '/rest/2.0/image-classify/v1/body_seg_photo', evalImages: [], images: ['test/fixtures/hands-96_pic00005.jpg'] });
registerBenchCase({ name: 'hand_analysis_1hand', path: '/rest/2.0/image-classify/v1/hand_analysis', evalImages: [], images: ['test/fixtures/hands-3_1528499009.07_pic00009.jpg'] });
registerBenchCase({ name: 'hand_analysis_4hands', path: '/rest/2.0/image-classify/v1/hand_analysis', evalImages: [], images: ['test/fixtures/hands-four.jpg'] });
registerBenchCase({ name: 'gesture_4hands', path: '/rest/2.0/image-classify/v1/gesture', evalImages: [], images: ['test/fixtures/hands-four.jpg'] });
// A 1280x720 cabin-style frame (two people, the driver large on the right), made from a committed fixture.
registerBenchCase({ name: 'driver_behavior', path: '/rest/2.0/image-classify/v1/driver_behavior', evalImages: [], images: ['test/fixtures/driver-cabin.jpg'] });

const API_KEY = 'bench-key';
const SECRET_KEY = 'bench-secret';
const IMAGE_EXT = /\.(jpe?g|png|bmp)$/i;

function imagesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return IMAGE_EXT.test(dir) ? [dir] : [];
  return readdirSync(dir).filter((f) => IMAGE_EXT.test(f)).sort().map((f) => join(dir, f));
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** kB value of a field of /proc/<pid>/status (VmRSS, VmHWM), or 0 when unreadable. */
function procStatusKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

interface LevelResult {
  p50_ms: number;
  p95_ms: number;
  mean_ms: number;
  ips: number;
  requests: number;
  errors: number;
}

interface Target {
  url: string;
  bodies: Uint8Array<ArrayBuffer>[];
  /** Default: a form, failures carrying `error_code`; private: JSON, failures a non-zero `err_no`. */
  private?: boolean;
}

interface ErrorSample { status: number; body: string }

async function once(target: Target, body: Uint8Array<ArrayBuffer>): Promise<ErrorSample | null> {
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': target.private ? 'application/json' : 'application/x-www-form-urlencoded' },
      body,
    });
    const text = await res.text();
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch { /* not JSON: an error below */ }
    const isError = !res.ok || typeof parsed !== 'object' || parsed === null || (target.private ? (parsed as { err_no?: unknown }).err_no !== 0 : 'error_code' in parsed);
    return isError ? { status: res.status, body: text.slice(0, 300) } : null;
  } catch (e) {
    // undici hides the socket error in `cause` ("fetch failed" alone says nothing).
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, body: [(e as Error).message, cause?.code, cause?.message].filter(Boolean).join(': ') };
  }
}

/** Sends request number i; null when it succeeded. */
type Send = (i: number) => Promise<ErrorSample | null>;

async function runLevel(send: Send, concurrency: number, requests: number, onError: (e: ErrorSample) => void): Promise<LevelResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const i = next++;
      const t0 = performance.now();
      const err = await send(i);
      latencies.push(performance.now() - t0);
      if (err) { errors++; onError(err); }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallS = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const r1 = (v: number) => Number(v.toFixed(1));
  return {
    p50_ms: r1(percentile(latencies, 50)),
    p95_ms: r1(percentile(latencies, 95)),
    mean_ms: r1(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
    ips: Number((requests / wallS).toFixed(2)),
    requests,
    errors,
  };
}

function parseLevels(spec: string): Array<{ concurrency: number; requests: number }> {
  return spec.split(',').map((part) => {
    const m = /^(\d+):(\d+)$/.exec(part.trim());
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`bad level "${part}" (want CONCURRENCY:REQUESTS)`);
    return { concurrency: Number(m[1]), requests: Number(m[2]) };
  });
}

const USAGE = 'usage: node dist/bench/run.js [--case body_analysis|pose_video|limits|console] [--video-source walking|studio] [--video-seconds 10] [--probe-images] [--path /rest/...] [--server dist/src/server.js] [--images DIR] [--levels 1:40,4:80] [--warmup 3] [--startup-timeout SECONDS] [--eval-dir DIR]';

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function main(argv: string[]): Promise<number> {
  const out = (line: Record<string, unknown>) => process.stdout.write(JSON.stringify(line) + '\n');
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        case: { type: 'string', default: 'body_analysis' },
        path: { type: 'string' },
        server: { type: 'string' },
        images: { type: 'string' },
        levels: { type: 'string', default: '1:40,4:80' },
        warmup: { type: 'string', default: '3' },
        'startup-timeout': { type: 'string', default: '600' },
        'eval-dir': { type: 'string' },
        'video-seconds': { type: 'string', default: '10' },
        'video-source': { type: 'string', default: 'walking' },
        'probe-images': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) { process.stdout.write(USAGE + '\n'); return 0; }
  const evalRoot = evalDataRoot(args['eval-dir']);
  if (args.case === VIDEO_BENCH_CASE) {
    return runVideoBench(evalRoot, args['video-source']!, Math.max(1, Number(args['video-seconds']) || 10), out, Boolean(args['probe-images']));
  }
  if (args.case === CONSOLE_BENCH_CASE) {
    return runConsoleBench({ port: await freePort(), startupTimeoutMs: Math.max(1, Number(args['startup-timeout']) || 600) * 1000, runs: 10 }, out);
  }
  if (args.case === LIMITS_BENCH_CASE) {
    return runLimitsBench({ port: await freePort(), startupTimeoutMs: Math.max(1, Number(args['startup-timeout']) || 600) * 1000 }, out);
  }
  const benchCase = cases.get(args.case!);
  if (!benchCase) { process.stderr.write(`unknown case "${args.case}"; known: ${[...cases.keys()].join(', ')}\n`); return 2; }
  const name = benchCase.name;
  let levels;
  try { levels = parseLevels(args.levels!); } catch (e) { process.stderr.write(`${(e as Error).message}\n`); return 2; }
  const warmup = Math.max(0, Number(args.warmup) || 0);
  const startupTimeoutMs = Math.max(1, Number(args['startup-timeout']) || 600) * 1000;

  const root = packageRoot();
  let images: string[] = [];
  let imageSource = '';
  const candidates = args.images ? [resolve(args.images)] : [...benchCase.evalImages.map((d) => join(evalRoot, d)), join(root, 'test', 'fixtures')];
  if (!args.images && benchCase.images) {
    images = benchCase.images.map((f) => join(root, f)).filter((f) => existsSync(f));
    imageSource = benchCase.images.join(',');
  }
  let videoFrames: Buffer[] | undefined;
  if (benchCase.video) {
    const file = join(evalRoot, benchCase.video.file);
    if (!existsSync(file)) {
      out({ bench: name, skipped: true, reason: `no ${benchCase.video.file} under ${evalRoot}` });
      return 0;
    }
    videoFrames = await videoJpegs(file, benchCase.video.stride, benchCase.video.frames);
    images = videoFrames.map((_, i) => `frame ${i}`);
    imageSource = `${benchCase.video.file} every ${benchCase.video.stride}th frame`;
  }
  for (const dir of images.length ? [] : candidates) {
    images = imagesIn(dir);
    if (images.length) { imageSource = dir; break; }
  }
  if (images.length === 0) {
    out({ bench: name, skipped: true, reason: `no images in ${candidates.join(' or ')}` });
    return 0;
  }
  if (benchCase.inProcess) return runEngineBench(benchCase, benchCase.inProcess.capability, images, imageSource, levels, warmup, out);
  const serverJs = args.server ? resolve(args.server) : join(root, 'dist', 'src', 'server.js');
  if (!existsSync(serverJs)) {
    out({ bench: name, error: `${serverJs} not found; build first (npm run build)` });
    return 1;
  }

  // Pre-encode every body once so the loop only measures the server.
  const extra = Object.entries(benchCase.fields ?? {}).map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('');
  const encoded = videoFrames ?? images.map((f) => readFileSync(f));
  const bodies = encoded.map((bytes) => new Uint8Array(Buffer.from(`image=${encodeURIComponent(bytes.toString('base64'))}${extra}`)));
  const privateBodies = encoded.map((bytes) =>
    new Uint8Array(Buffer.from(JSON.stringify({ data: Buffer.from(JSON.stringify({ image: bytes.toString('base64'), ...benchCase.fields })).toString('base64') }))));
  const privatePort = benchCase.private ? await freePort() : 0;

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'bodylens-bench-'));
  const logTail: string[] = [];
  const keepTail = (chunk: Buffer) => {
    logTail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (logTail.length > 40) logTail.splice(0, logTail.length - 40);
  };
  const child = spawn(process.execPath, [serverJs], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      BODYLENS_DATA_DIR: dataDir,
      BODYLENS_API_KEY: API_KEY,
      BODYLENS_SECRET_KEY: SECRET_KEY,
      // Per-request info logs would be measured too; a deployment choosing info pays that itself.
      BODYLENS_LOG_LEVEL: process.env.BODYLENS_LOG_LEVEL ?? 'warn',
      ...(benchCase.private ? { BODYLENS_PRIVATE: 'on', BODYLENS_PRIVATE_PORTS: `${benchCase.private.service}:${privatePort}` } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', keepTail);
  child.stderr!.on('data', keepTail);
  const onSignal = () => { child.kill('SIGKILL'); process.exit(130); };
  process.once('SIGINT', onSignal);

  let rssPeakKb = 0;
  const sampler = setInterval(() => { rssPeakKb = Math.max(rssPeakKb, procStatusKb(child.pid!, 'VmRSS')); }, 100);
  const fail = (message: string) => {
    out({ bench: name, error: message, server_log_tail: logTail.slice(-15) });
    return 1;
  };

  try {
    const t0 = performance.now();
    let healthy = false;
    while (performance.now() - t0 < startupTimeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null) return fail(`server exited during start-up (code ${child.exitCode ?? child.signalCode})`);
      try {
        const res = await fetch(`${base}/healthz`);
        await res.arrayBuffer();
        if (res.status === 200) { healthy = true; break; }
      } catch { /* not listening yet */ }
      await sleep(250);
    }
    if (!healthy) return fail(`/healthz not 200 within ${startupTimeoutMs / 1000}s`);
    const startupMs = Math.round(performance.now() - t0);

    const tokenUrl = `${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${API_KEY}&client_secret=${SECRET_KEY}`;
    const tokenRes = await fetch(tokenUrl, { method: 'POST' });
    const tokenBody = (await tokenRes.json().catch(() => ({}))) as { access_token?: string };
    if (!tokenBody.access_token) return fail(`no access_token from /oauth/2.0/token (HTTP ${tokenRes.status}): ${JSON.stringify(tokenBody).slice(0, 300)}`);

    const online: Target = { url: `${base}${args.path ?? benchCase.path}?access_token=${encodeURIComponent(tokenBody.access_token)}`, bodies };
    const target: Target = benchCase.private
      ? { url: `http://127.0.0.1:${privatePort}/GeneralClassifyService/classify`, bodies: privateBodies, private: true }
      : online;
    let firstError: ErrorSample | undefined;
    const onError = (e: ErrorSample) => { firstError ??= e; };
    for (let i = 0; i < warmup; i++) {
      const e = await once(target, target.bodies[i % target.bodies.length]);
      if (e) onError(e);
    }

    const line: Record<string, unknown> = {
      bench: name,
      images: images.length,
      image_source: imageSource,
      capabilities: process.env.BODYLENS_CAPABILITIES || 'all',
    };
    let errors = 0;
    for (const level of levels) {
      const r = await runLevel((i) => once(target, target.bodies[i % target.bodies.length]), level.concurrency, level.requests, onError);
      line[`c${level.concurrency}`] = r;
      errors += r.errors;
    }
    if (benchCase.private) {
      // The online route of the same capability, same server and images, right after.
      const onlineLine: Record<string, unknown> = { path: benchCase.path };
      for (const level of levels) {
        const r = await runLevel((i) => once(online, bodies[i % bodies.length]), level.concurrency, level.requests, onError);
        onlineLine[`c${level.concurrency}`] = r;
        errors += r.errors;
      }
      line.online = onlineLine;
    }
    rssPeakKb = Math.max(rssPeakKb, procStatusKb(child.pid!, 'VmHWM'), procStatusKb(child.pid!, 'VmRSS'));
    Object.assign(line, {
      peak_rss_mb: Math.round(rssPeakKb / 1024),
      errors,
      warmup,
      startup_ms: startupMs,
      ...(firstError ? { first_error: firstError } : {}),
    });
    if (child.exitCode !== null || child.signalCode !== null) {
      line.server_exited = child.exitCode ?? child.signalCode;
      line.server_log_tail = logTail.slice(-15);
    }
    out(line);
    return errors > 0 ? 1 : 0;
  } finally {
    clearInterval(sampler);
    process.off('SIGINT', onSignal);
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** `count` frames of a video, every `stride`-th, as JPEG (what a client streaming a camera sends). */
async function videoJpegs(file: string, stride: number, count: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const { image } of new FrameReader(file, { stride, maxSeconds: 3600 }).frames()) {
    out.push(await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
    if (out.length === count) break;
  }
  return out;
}

/** A capability on a worker pool in this process (see BenchCase.inProcess): one JSON line. */
async function runEngineBench(
  benchCase: BenchCase,
  capability: CapabilityName,
  images: string[],
  imageSource: string,
  levels: Array<{ concurrency: number; requests: number }>,
  warmup: number,
  out: (line: Record<string, unknown>) => void,
): Promise<number> {
  const inputs = images.map((f) => new Uint8Array(readFileSync(f)));
  const t0 = performance.now();
  const workers = availableParallelism();
  // As the server would run it: BODYLENS_LEND_RUNS decides whether idle workers take runs.
  const { lendRuns } = loadConfig();
  const pool = createEnginePool({ capabilities: [capability], workers, threads: 1, lendRuns, warmup: { image: defaultWarmupImage() } });
  try {
    await pool.ready;
    const startupMs = Math.round(performance.now() - t0);
    let firstError: ErrorSample | undefined;
    const onError = (e: ErrorSample) => { firstError ??= e; };
    const send: Send = (i) => pool.run(capability, { bytes: inputs[i % inputs.length] }).then(() => null, (e: Error) => ({ status: 0, body: e.message }));
    for (let i = 0; i < warmup; i++) { const e = await send(i); if (e) onError(e); }
    const line: Record<string, unknown> = { bench: benchCase.name, via: 'engine pool in-process', capability, images: images.length, image_source: imageSource, workers, lend_runs: lendRuns };
    let errors = 0;
    for (const level of levels) {
      const r = await runLevel(send, level.concurrency, level.requests, onError);
      line[`c${level.concurrency}`] = r;
      errors += r.errors;
    }
    Object.assign(line, { peak_rss_mb: Math.round(procStatusKb(process.pid, 'VmHWM') / 1024), errors, warmup, startup_ms: startupMs, lent_runs: pool.stats().lentRuns, ...(firstError ? { first_error: firstError } : {}) });
    out(line);
    return errors > 0 ? 1 : 0;
  } finally {
    await pool.close();
  }
}

const entry = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : '';
if (import.meta.url === entry) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exitCode = 1; },
  );
}
