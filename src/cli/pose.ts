/**
 * `bodylens analyze pose <image|video> [--render out] [--no-smoothing]`: Kakao Pose API results
 * computed in this process (no server). An image prints the `POST /pose` array; a video prints
 * the result document of `GET /pose/job/{id}` (without job fields) and can render a skeleton
 * overlay video.
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { refuseMissingInput } from './input-file.js';
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { createInProcessEngine } from '../engine/in-process.js';
import type { Engine } from '../engine/engine.js';
import { kakaoBox, kakaoVideoResult, toKakaoPerson, toKakaoVideoPerson } from '../api/kakao/format.js';
import { loadVideoSettings } from '../config.js';
import { decodeImage, KAKAO_INTAKE, sniffFormat } from '../intake/index.js';
import { renderPersons, renderPersonsRgb } from '../render/skeleton.js';
import { analyzeVideo } from '../video/analyze.js';
import { VideoWriter } from '../video/render.js';
import { Progress } from './progress.js';

export const POSE_USAGE = `usage: bodylens analyze pose <image|video> [--render out.png|out.mp4] [--no-smoothing]

Kakao Pose API results without a server. An image prints the POST /pose JSON array; a video
prints the GET /pose/job/{id} result (first BODYLENS_VIDEO_MAX_SECONDS seconds, every
BODYLENS_VIDEO_FRAME_STRIDE-th frame).
  --render <file>   also draw the skeletons: a PNG for an image, an MP4 for a video
  --no-smoothing    video: report raw per-frame keypoints (smoothing is on by default)`;

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function analyzeImageFile(engine: Engine, path: string, render?: string): Promise<void> {
  const image = await decodeImage(await readFile(path), KAKAO_INTAKE);
  const { persons } = await engine.run('body_analysis', { image });
  console.log(JSON.stringify(persons.map(toKakaoPerson), null, 2));
  // The drawing shows what the JSON says: Kakao's bbox (the keypoint extent), not the detection box.
  if (render) await writeFile(render, await renderPersons(image, persons, { box: (p) => kakaoBox(toKakaoPerson(p).bbox) }));
}

async function analyzeVideoFile(engine: Engine, path: string, smoothing: boolean, render?: string): Promise<void> {
  const settings = loadVideoSettings();
  let writer: VideoWriter | undefined;
  let progress: Progress | undefined;
  try {
    const result = await analyzeVideo(path, {
      frame: (image, state, t, options) => engine.frame('body_analysis', image, state, t, options),
      smoothing,
      maxSeconds: settings.maxSeconds,
      frameStride: settings.frameStride,
      onProgress: (_fraction, frames) => (progress ??= new Progress('pose', frames.expected)).update(frames.done, frames.expected),
      onFrame: render
        ? async (frame, tracked, video) => {
            const fps = video.fps / settings.frameStride;
            writer ??= new VideoWriter(render, { width: frame.image.width, height: frame.image.height, fps });
            await writer.write(await renderPersonsRgb(frame.image, tracked.map((t) => t.person), { box: (p) => kakaoBox(toKakaoVideoPerson(p, frame.image).bbox) }));
          }
        : undefined,
    });
    await writer?.close();
    writer = undefined;
    progress?.finish();
    console.log(JSON.stringify(kakaoVideoResult(result, new Date())));
  } finally {
    writer?.abort();
  }
}

/** Returns the process exit code. */
export async function runPoseCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { render: { type: 'string' }, 'no-smoothing': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${POSE_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [file] = positionals;
  if (values.help || !file || positionals.length > 1) {
    console.error(POSE_USAGE);
    return values.help ? 0 : 2;
  }
  const missing = refuseMissingInput(file);
  if (missing !== undefined) return missing;
  let engine: Engine | undefined;
  try {
    // Content decides, not the file name: images by their magic bytes, anything else is tried as video.
    const isImage = sniffFormat(await readHead(file, 64)) !== undefined;
    engine = createInProcessEngine({ capabilities: ['body_analysis'], threads: availableParallelism() });
    if (isImage) await analyzeImageFile(engine, file, values.render);
    else await analyzeVideoFile(engine, file, !values['no-smoothing'], values.render);
    return 0;
  } catch (err) {
    // ServiceError (image intake) and VideoError messages are written for the user.
    console.error(`bodylens: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await engine?.close();
  }
}
