import type { IntakeOptions } from '../intake/index.js';
import type { BodyAnalysis } from '../analysis/types.js';
import type { Person, RgbImage } from '../types.js';
import type { BodySegRequest, BodySegResult } from '../analysis/body-seg.js';
import type { IdPhotoResult } from '../analysis/id-photo.js';
import type { GestureAnalysis, HandAnalysis } from '../analysis/hands.js';

/**
 * The analyses a worker can run, by name. Each entry maps a request (encoded image bytes plus
 * options) to a neutral, structured-cloneable result. Adding a capability = adding an entry here
 * and its loader/handler in worker.ts.
 */
export interface TaskMap {
  body_analysis: { request: { bytes: Uint8Array; intake?: IntakeOptions }; result: BodyAnalysis };
  /** Body keypoints on an already decoded frame (video jobs); the pixel buffer is transferred. */
  pose_frame: { request: { image: RgbImage }; result: Person[] };
  body_seg: { request: BodySegRequest; result: BodySegResult };
  body_seg_photo: { request: { bytes: Uint8Array; intake?: IntakeOptions }; result: IdPhotoResult };
  /** Hands with 21 keypoints each (hand_analysis and fingertip). */
  hand_analysis: { request: { bytes: Uint8Array; intake?: IntakeOptions }; result: HandAnalysis };
  /** Gestures per hand or hand pair, plus faces. */
  gesture: { request: { bytes: Uint8Array; intake?: IntakeOptions }; result: GestureAnalysis };
}

export type TaskName = keyof TaskMap;

/** Message from the pool to a worker. */
export interface TaskMessage<N extends TaskName = TaskName> {
  id: number;
  task: N;
  request: TaskMap[N]['request'];
}

/** Message from a worker back to the pool. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'failed_to_start'; message: string }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; kind: string; detail?: string };
