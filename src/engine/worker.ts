/**
 * Inference worker thread: an executor over the served capabilities (their models loaded once
 * and warmed up), then calls one at a time. A ServiceError travels back as its
 * catalogue kind so the caller's dialect can render it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ServiceError } from '../errors.js';
import type { EngineCall, EngineSettings } from './engine.js';
import { createExecutor } from './executor.js';

/** Message from the pool to a worker. */
export interface WorkerMessage {
  id: number;
  call: EngineCall;
}

/** Message from a worker back to the pool. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'failed_to_start'; message: string }
  | { type: 'result'; id: number; result: unknown; timing: CallTiming }
  | { type: 'error'; id: number; kind: string; detail?: string; timing: CallTiming };

/** How long a call took in the worker, and each model run in it (seconds), for the main thread's metrics. */
export interface CallTiming {
  seconds: number;
  runs: Array<[string, number]>;
}

const port = parentPort;
if (port) {
  const reply = (message: WorkerReply) => port.postMessage(message);
  createExecutor(workerData as EngineSettings, { timeRuns: true }).then(
    (executor) => {
      port.on('message', async (msg: WorkerMessage) => {
        const t0 = performance.now();
        const timing = (): CallTiming => ({ seconds: (performance.now() - t0) / 1000, runs: executor.takeRuns() });
        try {
          const result = await executor.execute(msg.call);
          reply({ type: 'result', id: msg.id, result, timing: timing() });
        } catch (err) {
          if (err instanceof ServiceError) reply({ type: 'error', id: msg.id, kind: err.kind, detail: err.detail, timing: timing() });
          else reply({ type: 'error', id: msg.id, kind: 'internal', detail: err instanceof Error ? err.stack ?? err.message : String(err), timing: timing() });
        }
      });
      reply({ type: 'ready' });
    },
    (err) => reply({ type: 'failed_to_start', message: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
}
