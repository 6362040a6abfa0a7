/**
 * Video job throughput: `npm run bench -- --case pose_video [--video-source walking|studio]
 * [--video-seconds 10]`.
 *
 * Makes a 720p clip (first N seconds of a clip from ../shared/eval, never committed) in a
 * temporary folder, then runs it as one video job
 * the way the service does: PoseJobs on a fresh SQLite data dir, frames through the worker pool's
 * `body_analysis` frame call, tracking and smoothing on, result written to disk. Prints one JSON line
 * with analysed frames per second.
 *
 * `--probe-images` also measures whether image requests stay responsive while the job runs:
 * body_analysis on the skier photo through the same pool, one request at a time, first with the
 * pool idle and then for as long as the job runs (the job's fps then includes that load).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_VIDEO_SETTINGS } from '../src/config.js';
import { createEnginePool, defaultWarmupImage } from '../src/engine/pool.js';
import { lendRunsSetting } from '../src/config.js';
import { openDatabase } from '../src/store/db.js';
import { ffmpegPath, probeVideo } from '../src/video/decode.js';
import { PoseJobs } from '../src/video/jobs.js';
import type { Engine } from '../src/engine/engine.js';
import { percentile } from './stats.js';

export const VIDEO_BENCH_CASE = 'pose_video';

/** Source clips under the eval root, with the filter that makes them 720p. */
export const VIDEO_BENCH_SOURCES: Record<string, { path: string; filter: string; loop?: boolean }> = {
  // A crowd from above (about 9 people a frame): the heavy case.
  walking: { path: 'video/walking-topdown/vtest.avi', filter: 'scale=1280:720' },
  // One person (the typical fitness / sports upload), padded to 16:9 and looped to length.
  studio: {
    path: 'smoke/mmpose/demo/resources/body3d_demo.mp4',
    filter: 'scale=-2:720,pad=1280:720:(ow-iw)/2:0',
    loop: true,
  },
};


export async function runVideoBench(
  evalRoot: string,
  sourceName: string,
  seconds: number,
  out: (line: Record<string, unknown>) => void,
  probeImages = false,
): Promise<number> {
  const spec = VIDEO_BENCH_SOURCES[sourceName];
  if (!spec) {
    out({ bench: VIDEO_BENCH_CASE, error: `unknown --video-source "${sourceName}"; known: ${Object.keys(VIDEO_BENCH_SOURCES).join(', ')}` });
    return 2;
  }
  const source = { ...spec, path: join(evalRoot, spec.path) };
  if (!existsSync(source.path)) {
    out({ bench: VIDEO_BENCH_CASE, skipped: true, reason: `no ${spec.path} under ${evalRoot}` });
    return 0;
  }
  const work = await mkdtemp(join(tmpdir(), 'bodylens-video-bench-'));
  const workers = availableParallelism();
  // A pose job and the image probes only need body_analysis (as BODYLENS_CAPABILITIES=body_analysis would load).
  const pool = createEnginePool({ capabilities: ['body_analysis'], workers, threads: 1, lendRuns: lendRunsSetting(), warmup: { image: defaultWarmupImage() } });
  const db = openDatabase(join(work, 'data'));
  let jobs: PoseJobs | undefined;
  try {
    const clip = join(work, 'clip.mp4');
    execFileSync(ffmpegPath(), [
      '-hide_banner', '-loglevel', 'error', '-y', ...(source.loop ? ['-stream_loop', '-1'] : []), '-i', source.path,
      '-vf', source.filter, '-t', String(seconds), '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', clip,
    ]);
    const info = await probeVideo(clip);
    await pool.ready;
    let finished: (status: string) => void = () => undefined;
    const done = new Promise<string>((r) => (finished = r));
    jobs = new PoseJobs({
      db,
      dataDir: join(work, 'data'),
      frame: (image, state, t, options) => pool.frame('body_analysis', image, state, t, options),
      download: async () => {
        throw new Error('not used');
      },
      settings: { ...DEFAULT_VIDEO_SETTINGS, maxSeconds: Math.max(seconds, DEFAULT_VIDEO_SETTINGS.maxSeconds) },
      onFinished: (job) => finished(job.status),
    });
    jobs.start();
    const idleLatency = probeImages ? await imageLatencies(pool, () => false, 10) : [];
    let jobRunning = true;
    const t0 = performance.now();
    const id = jobs.submit({ kind: 'file', path: clip }, { smoothing: true });
    const duringJob = probeImages ? imageLatencies(pool, () => !jobRunning) : Promise.resolve([]);
    const status = await done;
    jobRunning = false;
    const busyLatency = await duringJob;
    const wallS = (performance.now() - t0) / 1000;
    const view = jobs.view(id);
    if (view.status !== 'success' || view.result.version !== 1) {
      out({ bench: VIDEO_BENCH_CASE, error: `job ${status}: ${'description' in view ? view.description : ''}` });
      return 1;
    }
    const frames = view.result.frames.length;
    const persons = view.result.frames.reduce((s, f) => s + f.persons.length, 0);
    out({
      bench: VIDEO_BENCH_CASE,
      source: sourceName,
      clip: { width: info.width, height: info.height, fps: info.fps, seconds },
      frames,
      wall_s: Number(wallS.toFixed(1)),
      fps: Number((frames / wallS).toFixed(2)),
      ms_per_frame: Number(((wallS * 1000) / frames).toFixed(1)),
      persons_per_frame: Number((persons / frames).toFixed(2)),
      result_kb: Math.round((await stat(join(work, 'data', 'jobs', id, 'result.json'))).size / 1024),
      workers,
      smoothing: true,
      ...(probeImages ? { image_latency_ms: { idle_p50: p50(idleLatency), during_job_p50: p50(busyLatency), during_job_p95: percentile(busyLatency, 95), during_job_requests: busyLatency.length } } : {}),
    });
    return 0;
  } finally {
    await jobs?.close();
    await pool.close();
    db.close();
    await rm(work, { recursive: true, force: true });
  }
}

const p50 = (sorted: number[]) => percentile(sorted, 50);

/** Sequential body_analysis requests on the pool until `stop()` (or `count` of them); sorted ms. */
async function imageLatencies(pool: Engine, stop: () => boolean, count = Infinity): Promise<number[]> {
  const photo = defaultWarmupImage();
  if (!photo) throw new Error('--probe-images needs test/fixtures/coco-000000000785.jpg');
  const bytes = readFileSync(photo);
  const ms: number[] = [];
  while (ms.length < count && !stop()) {
    const t = performance.now();
    await pool.run('body_analysis', { bytes });
    ms.push(Number((performance.now() - t).toFixed(1)));
    await new Promise((r) => setTimeout(r, 100)); // a client's pace, not a flood
  }
  return ms.sort((a, b) => a - b);
}
