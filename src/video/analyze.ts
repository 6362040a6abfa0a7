/**
 * Pose analysis of a whole video: decode → the body_analysis frame call per frame (detection,
 * tracking and smoothing, with the state carried from frame to frame explicitly) → a neutral,
 * versioned result that each dialect formats when it is read (Kakao: api/kakao/format.ts).
 * Shared by the job runner (src/video/jobs.ts), the CLI, eval and bench.
 */
import type { BodyFrameState, TrackedPerson } from '../capabilities/body_analysis/index.js';
import { DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from '../tracking/tracker.js';
import type { RgbImage } from '../types.js';
import { FrameReader, probeVideo, type VideoFrame, type VideoInfo } from './decode.js';

/** The body_analysis frame call (an engine's `frame('body_analysis', ...)`). */
export type BodyFrameFn = (
  image: RgbImage,
  state: BodyFrameState | undefined,
  timestamp: number,
  options: BodyFrameOptions,
) => Promise<{ state: BodyFrameState; result: TrackedPerson[] }>;

/** The options a video passes to each frame call. */
export interface BodyFrameOptions {
  smoothing: boolean;
  tracker: TrackerOptions;
}



export interface VideoAnalysisOptions {
  frame: BodyFrameFn;
  /** One-Euro smoothing of each tracked person's keypoints. */
  smoothing: boolean;
  /** Only the first this many seconds are analysed. */
  maxSeconds: number;
  /** Analyse every n-th frame. */
  frameStride: number;
  signal?: AbortSignal;
  /** Fraction done, 0-1 (estimated from the container's duration), after each analysed frame; also frames analysed and expected. */
  onProgress?(fraction: number, frames: { done: number; expected: number }): void;
  /** Each analysed frame with its final (tracked, possibly smoothed) persons, e.g. for rendering; `video` is the probe. */
  onFrame?(frame: VideoFrame, persons: TrackedPerson[], video: VideoInfo): void | Promise<void>;
}

export interface VideoFrameResult {
  /** The frame's number in the source video (0-based, skipped frames counted). */
  frame_num: number;
  persons: TrackedPerson[];
}

/** The neutral result of a video analysis, as stored by jobs; `version` changes with its shape. */
export interface VideoPoseResult {
  version: 1;
  video: {
    fps: number;
    /** Source frames in the analysed window (the first maxSeconds); frame_num is below this. */
    frames: number;
    width: number;
    height: number;
  };
  /** One entry per analysed frame (every frame_stride-th source frame), in order. */
  frames: VideoFrameResult[];
}

/** How many frames an analysis of the first `maxSeconds`, every `stride`-th frame, should see (an estimate: containers' durations are approximate). */
export function expectedAnalysedFrames(info: VideoInfo, maxSeconds: number, stride: number): number {
  const windowFrames = Math.floor(maxSeconds * info.fps);
  const expectedFrames = info.frameCount > 0 ? Math.min(info.frameCount, windowFrames) : windowFrames;
  return Math.max(1, Math.ceil(expectedFrames / Math.max(1, Math.floor(stride))));
}

export async function analyzeVideo(path: string, options: VideoAnalysisOptions): Promise<VideoPoseResult> {
  const info = await probeVideo(path, options.signal);
  const stride = Math.max(1, Math.floor(options.frameStride));
  const expectedAnalysed = expectedAnalysedFrames(info, options.maxSeconds, stride);

  const reader = new FrameReader(path, { maxSeconds: options.maxSeconds, stride, signal: options.signal });
  const frames: VideoFrameResult[] = [];
  let size = { width: info.width, height: info.height };
  let state: BodyFrameState | undefined;
  // The tracker's memory as a whole number of this video's frames (at least one).
  const memory = DEFAULT_TRACKER_OPTIONS.maxAgeSeconds;
  const tracker = { ...DEFAULT_TRACKER_OPTIONS, maxAgeSeconds: Math.max(1, Math.round(memory * info.fps)) / info.fps };

  for await (const frame of reader.frames()) {
    size = { width: frame.image.width, height: frame.image.height };
    const out = await options.frame(frame.image, state, frame.index / info.fps, { smoothing: options.smoothing, tracker });
    options.signal?.throwIfAborted();
    state = out.state;
    frames.push({ frame_num: frame.index, persons: out.result });
    await options.onFrame?.(frame, out.result, info);
    options.onProgress?.(Math.min(0.99, frames.length / expectedAnalysed), { done: frames.length, expected: expectedAnalysed });
  }
  return {
    version: 1,
    video: { fps: info.fps, frames: reader.framesSeen, width: size.width, height: size.height },
    frames,
  };
}
