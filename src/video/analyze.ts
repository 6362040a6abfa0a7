/**
 * Pose analysis of a whole video: decode → body pipeline per frame → tracker → smoothing →
 * Kakao person objects. Shared by the job runner (src/video/jobs.ts), the CLI, eval and bench.
 */
import { toKakaoPerson, type KakaoPerson } from '../api/kakao/format.js';
import type { Person, RgbImage } from '../types.js';
import { FrameReader, probeVideo, type VideoFrame, type VideoInfo } from './decode.js';
import { PoseSmoother } from './smoothing.js';
import { DEFAULT_TRACKER_OPTIONS, PoseTracker, type TrackedPerson } from './tracker.js';

export interface VideoAnalysisOptions {
  /** Body keypoints of one frame (the worker pool's `pose_frame`, or an in-process analyzer). */
  analyzeFrame(image: RgbImage): Promise<Person[]>;
  /** One-Euro smoothing of each tracked person's keypoints. */
  smoothing: boolean;
  /** Only the first this many seconds are analysed. */
  maxSeconds: number;
  /** Analyse every n-th frame. */
  frameStride: number;
  signal?: AbortSignal;
  /** Fraction done, 0-1 (estimated from the container's duration), after each analysed frame. */
  onProgress?(fraction: number): void;
  /** Each analysed frame with its final (tracked, possibly smoothed) persons, e.g. for rendering; `video` is the probe. */
  onFrame?(frame: VideoFrame, persons: TrackedPerson[], video: VideoInfo): void | Promise<void>;
}

export interface FrameAnnotation {
  /** The frame's number in the source video (0-based, skipped frames counted). */
  frame_num: number;
  objects: KakaoPerson[];
}

export interface VideoPoseResult {
  video: {
    fps: number;
    /** Source frames in the analysed window (the first maxSeconds); frame_num is below this. */
    frames: number;
    width: number;
    height: number;
  };
  /** One entry per analysed frame (every frame_stride-th source frame), in order. */
  annotations: FrameAnnotation[];
}

/** Tracks are kept this long after a person was last seen (an occlusion, a missed detection). */
const TRACK_MEMORY_SECONDS = 1;

export async function analyzeVideo(path: string, options: VideoAnalysisOptions): Promise<VideoPoseResult> {
  const info = await probeVideo(path, options.signal);
  const stride = Math.max(1, Math.floor(options.frameStride));
  const windowFrames = Math.floor(options.maxSeconds * info.fps);
  const expectedFrames = info.frameCount > 0 ? Math.min(info.frameCount, windowFrames) : windowFrames;
  const expectedAnalysed = Math.max(1, Math.ceil(expectedFrames / stride));

  const tracker = new PoseTracker({
    ...DEFAULT_TRACKER_OPTIONS,
    maxAgeFrames: Math.max(1, Math.round(TRACK_MEMORY_SECONDS * info.fps)),
  });
  const smoother = options.smoothing ? new PoseSmoother() : undefined;
  const reader = new FrameReader(path, { maxSeconds: options.maxSeconds, stride, signal: options.signal });
  const annotations: FrameAnnotation[] = [];
  let size = { width: info.width, height: info.height };

  for await (const frame of reader.frames()) {
    size = { width: frame.image.width, height: frame.image.height };
    const detected = await options.analyzeFrame(frame.image);
    options.signal?.throwIfAborted();
    let tracked = tracker.update(detected, frame.index);
    if (smoother) {
      const time = frame.index / info.fps;
      tracked = tracked.map(({ trackId, person }) =>
        trackId === undefined ? { person } : { trackId, person: smoother.smooth(trackId, person, time, size) },
      );
      smoother.retain(tracker.liveIds);
    }
    annotations.push({ frame_num: frame.index, objects: tracked.map((t) => toKakaoPerson(t.person)) });
    await options.onFrame?.(frame, tracked, info);
    options.onProgress?.(Math.min(0.99, annotations.length / expectedAnalysed));
  }
  return {
    video: { fps: info.fps, frames: reader.framesSeen, width: size.width, height: size.height },
    annotations,
  };
}
