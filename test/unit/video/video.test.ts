/**
 * Video core: decoding with the real ffmpeg, tracking, One-Euro smoothing and the whole
 * video pipeline with the real body models on a clip made from a committed photo.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInProcessEngine } from '../../../src/engine/in-process.js';
import { createEnginePool } from '../../../src/engine/pool.js';
import type { Engine } from '../../../src/engine/engine.js';
import { kakaoVideoResult, type KakaoPerson } from '../../../src/api/kakao/format.js';
import type { ServiceError } from '../../../src/errors.js';
import { BODY21_KEYPOINTS, type Person, type RgbImage } from '../../../src/types.js';
import { minCostAssignment } from '../../../src/tracking/assignment.js';
import { analyzeVideo, type VideoPoseResult } from '../../../src/video/analyze.js';
import { FrameReader, PpmStreamParser, VideoError, parseProbeOutput, probeVideo } from '../../../src/video/decode.js';
import { TrackRecorder, keypointJitter } from '../../../src/video/jitter.js';
import { oneEuro, type OneEuroState } from '../../../src/tracking/smoothing.js';
import { DEFAULT_TRACKER_OPTIONS, initialTrackerState, track } from '../../../src/tracking/tracker.js';
import { fixture } from '../../helpers/helpers.js';
import { makeSkierClip } from '../../helpers/video-clip.js';

let dir: string;
let clip: string;
let engine: Engine;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bodylens-video-'));
  clip = makeSkierClip(join(dir, 'skier.mp4'), { frames: 12, fps: 10, dx: 3, dy: 1 });
  engine = createInProcessEngine({ capabilities: ['body_analysis'] });
  await engine.ready;
});

after(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function collect(reader: FrameReader): Promise<Array<{ index: number; width: number; height: number; bytes: number }>> {
  const out = [];
  for await (const f of reader.frames()) out.push({ index: f.index, width: f.image.width, height: f.image.height, bytes: f.image.data.length });
  return out;
}

async function assertVideoError(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof VideoError, `expected VideoError, got ${String(err)}`);
    assert.match(err.reason, reason);
    return true;
  });
}

describe('decode', () => {
  test('probe reports fps, odd frame size, duration and frame count', async () => {
    const info = await probeVideo(clip);
    assert.equal(info.fps, 10);
    assert.equal(info.width, 601);
    assert.equal(info.height, 401);
    assert.equal(info.frameCount, 12);
    assert.ok(Math.abs(info.durationSeconds - 1.2) < 0.05, String(info.durationSeconds));
  });

  test('probe output parsing: AVI doubled fps, timebase-like tbr, display matrix rotation', () => {
    const avi = parseProbeOutput(`Input #0, avi, from 'x.avi':
  Duration: 00:00:13.82, start: 0.000000, bitrate: 1750 kb/s
    Stream #0:0: Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 1280x720 [SAR 1:1 DAR 16:9], 1624 kb/s, 50 fps, 25 tbr, 50 tbn, 50 tbc
    Stream #0:1: Audio: aac (LC), 44100 Hz, stereo, fltp, 127 kb/s`);
    assert.deepEqual(avi, { fps: 25, width: 1280, height: 720, durationSeconds: 13.82, frameCount: 346, rotation: 0, codec: 'h264' });
    const phone = parseProbeOutput(`Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Duration: 00:00:02.00, start: 0.000000, bitrate: 9000 kb/s
    Stream #0:0(und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv), 1920x1080, 8900 kb/s, 29.97 fps, 90k tbr, 90k tbn, 90k tbc (default)
    Side data:
      displaymatrix: rotation of -90.00 degrees`);
    assert.deepEqual([phone.fps, phone.width, phone.height, phone.rotation, phone.frameCount], [29.97, 1080, 1920, 90, 60]);
    assert.throws(() => parseProbeOutput(`Input #0, mp3, from 'x.mp3':\n    Stream #0:0: Audio: mp3, 44100 Hz`), /no video stream/);
  });

  test('streams every frame as packed RGB of the odd size', async () => {
    const frames = await collect(new FrameReader(clip));
    assert.deepEqual(frames.map((f) => f.index), [...Array(12).keys()]);
    for (const f of frames) assert.deepEqual([f.width, f.height, f.bytes], [601, 401, 601 * 401 * 3]);
  });

  test('stride keeps real frame numbers; maxSeconds cuts the window', async () => {
    const strided = new FrameReader(clip, { stride: 5 });
    assert.deepEqual((await collect(strided)).map((f) => f.index), [0, 5, 10]);
    assert.equal(strided.framesSeen, 12);
    const cut = new FrameReader(clip, { maxSeconds: 0.5 });
    assert.deepEqual((await collect(cut)).map((f) => f.index), [0, 1, 2, 3, 4]);
    assert.equal(cut.framesSeen, 5);
  });

  test('rotation metadata: frames come upright and probe agrees', async () => {
    const rotated = makeSkierClip(join(dir, 'rotated.mp4'), { frames: 3, fps: 10, rotate: 90 });
    const info = await probeVideo(rotated);
    assert.equal(info.rotation % 180, 90);
    assert.deepEqual([info.width, info.height], [401, 601]);
    const frames = await collect(new FrameReader(rotated));
    assert.equal(frames.length, 3);
    for (const f of frames) assert.deepEqual([f.width, f.height], [401, 601]);
  });

  test('bad inputs are VideoErrors with a clear reason', async () => {
    const text = join(dir, 'notes.mp4');
    writeFileSync(text, 'this is not a video\n'.repeat(50));
    const empty = join(dir, 'empty.mp4');
    writeFileSync(empty, '');
    const truncated = join(dir, 'truncated.mp4');
    writeFileSync(truncated, (await readFile(clip)).subarray(0, 4000));
    await assertVideoError(probeVideo(text), /not a video file/);
    await assertVideoError(probeVideo(empty), /not a video file/);
    await assertVideoError(probeVideo(truncated), /not a video file/);
    await assertVideoError(probeVideo(join(dir, 'missing.mp4')), /not found/);
    await assertVideoError(collect(new FrameReader(text)), /not a video file/);
    await assertVideoError(probeVideo(fixture('coco-000000000785.jpg')), /not a video file/);
  });

  test('playlists that would make ffmpeg fetch URLs or read other files are refused', async () => {
    let contacted = false;
    const server = createServer((_req, res) => {
      contacted = true;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const playlist = join(dir, 'upload');
    writeFileSync(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nhttp://127.0.0.1:${port}/segment.ts\n#EXT-X-ENDLIST\n`);
    const concat = join(dir, 'upload2');
    writeFileSync(concat, `ffconcat version 1.0\nfile '${clip}'\n`);
    try {
      await assertVideoError(probeVideo(playlist), /not a video file/);
      await assertVideoError(collect(new FrameReader(playlist)), /not a video file/);
      await assertVideoError(probeVideo(concat), /not a video file/);
    } finally {
      server.close();
    }
    assert.equal(contacted, false, 'ffmpeg must not fetch the playlist URL');
  });

  test('abort stops decoding at once', async () => {
    const controller = new AbortController();
    const reader = new FrameReader(clip, { signal: controller.signal });
    let seen = 0;
    await assert.rejects(
      (async () => {
        for await (const _frame of reader.frames()) {
          seen++;
          if (seen === 2) controller.abort(new Error('stop'));
        }
      })(),
      /stop/,
    );
    assert.equal(seen, 2);
  });

  test('PPM stream parser handles frames split at any byte', () => {
    const frame = (w: number, h: number, v: number) =>
      Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), Buffer.alloc(w * h * 3, v)]);
    const stream = Buffer.concat([frame(3, 2, 7), frame(1, 1, 9), frame(2, 2, 5)]);
    const parser = new PpmStreamParser((i) => i !== 1);
    const out = [];
    for (const byte of stream) out.push(...parser.push(Uint8Array.of(byte)));
    assert.deepEqual(out.map((f) => [f.index, f.image.width, f.image.height, f.image.data[0]]), [[0, 3, 2, 7], [2, 2, 2, 5]]);
    assert.equal(parser.framesSeen, 3);
    assert.ok(parser.complete);
  });
});

describe('assignment', () => {
  test('matches brute force on random matrices', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const permutations = (n: number, k: number): number[][] =>
      k === 0 ? [[]] : permutations(n, k - 1).flatMap((p) => [...Array(n).keys()].filter((c) => !p.includes(c)).map((c) => [...p, c]));
    for (let trial = 0; trial < 30; trial++) {
      const rows = 1 + Math.floor(rand() * 4);
      const cols = 1 + Math.floor(rand() * 4);
      const cost = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round(rand() * 100) / 10));
      const pairs = minCostAssignment(cost);
      assert.equal(pairs.length, Math.min(rows, cols));
      const total = pairs.reduce((s, [r, c]) => s + cost[r][c], 0);
      const k = Math.min(rows, cols);
      let best = Infinity;
      if (rows <= cols) for (const p of permutations(cols, rows)) best = Math.min(best, p.reduce((s, c, r) => s + cost[r][c], 0));
      else for (const p of permutations(rows, cols)) best = Math.min(best, p.reduce((s, r, c) => s + cost[r][c], 0));
      assert.ok(Math.abs(total - best) < 1e-9, `trial ${trial}: ${total} vs ${best} (k=${k})`);
    }
  });
});

/** A synthetic person standing in a box at (x, y), 50 × 100 px. */
function personAt(x: number, y: number, score: number): Person {
  const keypoints = Object.fromEntries(
    BODY21_KEYPOINTS.map((name, i) => [name, { x: x + (i % 5) * 10, y: y + i * 4.5, score }]),
  ) as Person['keypoints'];
  return { box: { left: x, top: y, width: 50, height: 100 }, score, keypoints };
}

describe('tracker', () => {
  /** Runs the pure tracker over frames (t = frame / 10 fps), threading its state. */
  function tracker(options = DEFAULT_TRACKER_OPTIONS) {
    let state = initialTrackerState();
    return {
      update(persons: Person[], frame: number) {
        const out = track(state, persons, frame / 10, options);
        state = out.state;
        return out.tracks;
      },
      get state() { return state; },
    };
  }

  test('keeps ids of two people moving apart, in any detection order', () => {
    const t = tracker();
    const ids: Array<[number | undefined, number | undefined]> = [];
    for (let f = 0; f < 10; f++) {
      const a = personAt(100 + 5 * f, 100, 0.8);
      const b = personAt(300 - 5 * f, 120, 0.7);
      const out = t.update(f % 2 ? [b, a] : [a, b], f);
      const [ta, tb] = f % 2 ? [out[1], out[0]] : [out[0], out[1]];
      ids.push([ta.trackId, tb.trackId]);
    }
    assert.ok(ids.every(([a, b]) => a === ids[0][0] && b === ids[0][1]));
    assert.notEqual(ids[0][0], ids[0][1]);
  });

  test('a weak detection continues a track but never starts one', () => {
    const t = tracker();
    const [first] = t.update([personAt(100, 100, 0.9)], 0);
    const [weakSame] = t.update([personAt(104, 100, 0.2)], 1);
    assert.equal(weakSame.trackId, first.trackId);
    const [, weakElsewhere] = t.update([personAt(108, 100, 0.9), personAt(400, 300, 0.2)], 2);
    assert.equal(weakElsewhere.trackId, undefined);
  });

  test('a lost person keeps their id within maxAge, gets a new one after', () => {
    const t = tracker({ ...DEFAULT_TRACKER_OPTIONS, maxAgeSeconds: 0.5 });
    const [a] = t.update([personAt(100, 100, 0.9)], 0);
    const [back] = t.update([personAt(100, 100, 0.9)], 4);
    assert.equal(back.trackId, a.trackId);
    const [reborn] = t.update([personAt(100, 100, 0.9)], 20);
    assert.notEqual(reborn.trackId, a.trackId);
    assert.deepEqual(t.state.tracks.map((r) => r.id), [reborn.trackId]);
  });

  test('state is plain data: a JSON round trip between frames changes nothing, and the input state is not modified', () => {
    const direct = tracker();
    let state = initialTrackerState();
    for (let f = 0; f < 8; f++) {
      const persons = [personAt(100 + 7 * f, 100, 0.9), personAt(300 - 3 * f, 150, 0.3 + 0.05 * f)];
      const frozen = JSON.stringify(state);
      const viaJson = track(JSON.parse(frozen), persons, f / 10);
      assert.equal(JSON.stringify(state), frozen, 'track() left its input alone');
      state = viaJson.state;
      assert.deepEqual(viaJson.tracks.map((x) => x.trackId), direct.update(persons, f).map((x) => x.trackId));
    }
  });
});

/** A One-Euro filter as a closure over its plain state. */
function euro() {
  let state: OneEuroState | undefined;
  return (sample: number, t: number, scale = 1) => {
    const out = oneEuro(state, sample, t, scale);
    state = out.state;
    return out.value;
  };
}

describe('One-Euro filter', () => {
  test('a still signal stays put; noise shrinks; a ramp is followed', () => {
    const still = euro();
    for (let i = 0; i < 20; i++) assert.equal(still(5, i / 30), 5);

    let seed = 3;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 4;
    const noisy = euro();
    let rawErr = 0;
    let outErr = 0;
    for (let i = 0; i < 300; i++) {
      const n = noise();
      const out = noisy(100 + n, i / 30, 100);
      if (i > 30) { rawErr += Math.abs(n); outErr += Math.abs(out - 100); }
    }
    assert.ok(outErr < rawErr * 0.5, `${outErr} vs ${rawErr}`);

    const ramp = euro();
    let last = 0;
    for (let i = 0; i < 60; i++) last = ramp(i * 10, i / 30, 100);
    assert.ok(Math.abs(last - 590) < 30, `ramp lag ${590 - last}`);
  });

  test('parameters mean the same at any frame rate', () => {
    const at = (fps: number) => {
      const f = euro();
      let v = 0;
      for (let i = 0; i <= fps; i++) v = f(i < fps / 2 ? 0 : 100, i / fps, 100);
      return v;
    };
    assert.ok(Math.abs(at(30) - at(60)) < 5, `${at(30)} vs ${at(60)}`);
  });
});

describe('analyzeVideo (real models)', () => {
  test('every frame analysed, one skier each, smoothing on reduces jitter', async () => {
    const runs: Record<string, { result: Awaited<ReturnType<typeof analyzeVideo>>; recorder: TrackRecorder; progress: number[] }> = {};
    for (const smoothing of [false, true]) {
      const recorder = new TrackRecorder();
      const progress: number[] = [];
      const result = await analyzeVideo(clip, {
        frame: (image, state, t, options) => engine.frame('body_analysis', image, state, t, options),
        smoothing,
        maxSeconds: 30,
        frameStride: 1,
        onFrame: (frame, persons) => recorder.add(frame.index, persons),
        onProgress: (p) => progress.push(p),
      });
      runs[String(smoothing)] = { result, recorder, progress };
    }
    const off = runs.false;
    const on = runs.true;
    assert.deepEqual(off.result.video, { fps: 10, frames: 12, width: 601, height: 401 });
    assert.equal(off.result.version, 1);
    const annotations = (r: VideoPoseResult) => kakaoVideoResult(r, new Date()).annotations as Array<{ frame_num: number; objects: KakaoPerson[] }>;
    assert.deepEqual(annotations(off.result).map((a) => a.frame_num), [...Array(12).keys()]);
    for (const a of annotations(off.result)) {
      assert.equal(a.objects.length, 1, `frame ${a.frame_num}`);
      assert.equal(a.objects[0].keypoints.length, 51);
      assert.equal(a.objects[0].category_id, 1);
    }
    assert.equal(off.recorder.tracks.size, 1, 'one identity throughout');
    assert.notDeepEqual(annotations(on.result)[5].objects[0].keypoints, annotations(off.result)[5].objects[0].keypoints);
    // The camera pans at constant speed, so any keypoint acceleration is estimation noise.
    const jOff = keypointJitter(off.recorder.tracks.values());
    const jOn = keypointJitter(on.recorder.tracks.values());
    assert.ok(jOff.samples > 100);
    assert.ok(jOn.meanAccelerationPx < jOff.meanAccelerationPx * 0.8, `${jOn.meanAccelerationPx} vs ${jOff.meanAccelerationPx}`);
    assert.equal(off.progress.length, 12);
    assert.ok(off.progress.every((p, i) => p > 0 && p <= 0.99 && (i === 0 || p >= off.progress[i - 1])));
  });

  test('with a stride, annotations carry the source frame numbers', async () => {
    const result = await analyzeVideo(clip, {
      frame: (image, state, t, options) => engine.frame('body_analysis', image, state, t, options),
      smoothing: true,
      maxSeconds: 30,
      frameStride: 4,
    });
    assert.deepEqual(result.frames.map((f) => f.frame_num), [0, 4, 8]);
    assert.equal(result.video.frames, 12);
  });
});

describe('CLI: bodylens analyze pose', () => {
  const cli = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
  const run = (args: string[]) => spawnSync(process.execPath, [cli, 'analyze', 'pose', ...args], { encoding: 'utf8', env: { ...process.env, BODYLENS_VIDEO_FRAME_STRIDE: '2' } });

  test('a video prints the result document and renders an overlay video', async () => {
    const out = join(dir, 'overlay.mp4');
    const short = makeSkierClip(join(dir, 'cli.mp4'), { frames: 6, fps: 10 });
    const res = run([short, '--render', out]);
    assert.equal(res.status, 0, res.stderr);
    const doc = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(doc), ['annotations', 'categories', 'info', 'video']);
    assert.deepEqual(doc.annotations.map((a: { frame_num: number }) => a.frame_num), [0, 2, 4]);
    const rendered = await probeVideo(out);
    assert.deepEqual([rendered.width, rendered.height, rendered.fps, rendered.frameCount], [602, 402, 5, 3]);
  });

  test('an image prints the POST /pose array; a non-video fails with a message', () => {
    const res = run([fixture('coco-000000000785.jpg')]);
    assert.equal(res.status, 0, res.stderr);
    const persons = JSON.parse(res.stdout);
    assert.equal(persons.length, 1);
    assert.equal(persons[0].keypoints.length, 51);
    const text = join(dir, 'readme.txt');
    writeFileSync(text, 'not a video');
    const bad = run([text]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /not a video file/);
  });
});

describe('body_analysis frame call through the worker pool', () => {
  test('gives the in-process engine\'s persons and state, and leaves the caller\'s frame intact', async () => {
    const pool = createEnginePool({ capabilities: ['body_analysis'], workers: 1, threads: 1, warmup: false });
    try {
      await pool.ready;
      let first: RgbImage | undefined;
      for await (const frame of new FrameReader(clip).frames()) {
        first = frame.image;
        break;
      }
      const before = Buffer.from(first!.data);
      const viaPool = await pool.frame('body_analysis', first!, undefined, 0, { smoothing: true });
      assert.ok(Buffer.from(first!.data).equals(before), 'frame buffer still usable after the call');
      const inProcess = await engine.frame('body_analysis', first!, undefined, 0, { smoothing: true });
      assert.equal(viaPool.result.length, 1);
      assert.equal(viaPool.result.length, inProcess.result.length);
      assert.equal(viaPool.result[0].trackId, 1);
      assert.deepEqual(viaPool.state.tracker.tracks.map((t) => t.id), [1]);
      for (const name of BODY21_KEYPOINTS) {
        assert.ok(Math.abs(viaPool.result[0].person.keypoints[name].x - inProcess.result[0].person.keypoints[name].x) < 0.5, name);
        assert.ok(Math.abs(viaPool.result[0].person.keypoints[name].y - inProcess.result[0].person.keypoints[name].y) < 0.5, name);
      }
      // The second frame continues the first's track from the returned state.
      const next = await pool.frame('body_analysis', first!, viaPool.state, 0.1, { smoothing: true });
      assert.equal(next.result[0].trackId, 1);
    } finally {
      await pool.close();
    }
  });

  test('a capability the pool does not serve is refused as not_served', async () => {
    const pool = createEnginePool({ capabilities: ['gesture'], workers: 1, threads: 1, warmup: false });
    try {
      await assert.rejects(pool.run('body_analysis', { bytes: new Uint8Array([1, 2, 3]) }), (e: ServiceError) => e.kind === 'not_served');
    } finally {
      await pool.close();
    }
  });
});
