/**
 * Inference worker thread: an executor over the served capabilities (their models loaded once
 * and warmed up), then calls one at a time. A ServiceError travels back as its
 * catalogue kind so the caller's dialect can render it.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ServiceError } from '../errors.js';
import type { AssistShared } from './assist.js';
import type { EngineCall, EngineSettings } from './engine.js';
import { createExecutor } from './executor.js';

/** Message from the pool to a worker: a call, or a channel to a peer worker it may lend runs to (assist.ts). */
export type WorkerMessage = CallMessage | PeerMessage;
export interface CallMessage { id: number; call: EngineCall }
export interface PeerMessage { type: 'peer'; index: number; port: MessagePort }

/** What a pool worker starts with: the engine settings, its index, the shared assist state and its channels to the live peers. */
export interface WorkerData extends EngineSettings {
  assist?: { shared: AssistShared; self: number; peers: Array<{ index: number; port: MessagePort }> };
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
  /** Of those runs, how many an idle peer worker ran (assist.ts). */
  lent: number;
}

const port = parentPort;
if (port) {
  const reply = (message: WorkerReply) => port.postMessage(message);
  const data = workerData as WorkerData;
  // Peers that appear while the models load are kept until the executor can take them.
  const early: PeerMessage[] = [];
  const onEarly = (msg: WorkerMessage) => 'type' in msg && early.push(msg);
  port.on('message', onEarly);
  createExecutor(data, { timeRuns: true, lendAs: data.assist && { shared: data.assist.shared, self: data.assist.self } }).then(
    (executor) => {
      port.off('message', onEarly);
      for (const p of [...(data.assist?.peers ?? []), ...early]) executor.assist?.addPeer(p.index, p.port);
      port.on('message', async (msg: WorkerMessage) => {
        if ('type' in msg) {
          executor.assist?.addPeer(msg.index, msg.port);
          return;
        }
        const t0 = performance.now();
        const lentBefore = executor.assist?.counts.lent ?? 0;
        const timing = (): CallTiming => ({ seconds: (performance.now() - t0) / 1000, runs: executor.takeRuns(), lent: (executor.assist?.counts.lent ?? 0) - lentBefore });
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
