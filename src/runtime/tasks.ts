import type { IntakeOptions } from '../intake/index.js';
import type { BodyAnalysis } from '../analysis/types.js';
import type { GestureAnalysis, HandAnalysis } from '../analysis/hands.js';

/**
 * The analyses a worker can run, by name. Each entry maps a request (encoded image bytes plus
 * options) to a neutral, structured-cloneable result. Adding a capability = adding an entry here
 * and its loader/handler in worker.ts.
 */
export interface TaskMap {
  body_analysis: { request: { bytes: Uint8Array; intake?: IntakeOptions }; result: BodyAnalysis };
  /** Hands with 21 keypoints each (hand_analysis and fingertip). */
  hand_analysis: { request: { bytes: Uint8Array; intake?: IntakeOptions }; result: HandAnalysis };
  /** Gestures per hand or hand pair, plus faces. */
  gesture: { request: { bytes: Uint8Array; intake?: IntakeOptions }; result: GestureAnalysis };
}

export type TaskName = keyof TaskMap;

export const TASK_NAMES: readonly TaskName[] = ['body_analysis', 'hand_analysis', 'gesture'];

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
