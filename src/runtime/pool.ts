import { Worker } from 'node:worker_threads';
import { ServiceError, ERRORS, type ErrorKind } from '../errors.js';
import type { TaskMap, TaskMessage, TaskName, WorkerReply } from './tasks.js';
import type { RgbImage } from '../types.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './models.js';

/** The committed photo workers warm up on, so the first request is not slow (absent in a trimmed install). */
export function defaultWarmupImage(): string | undefined {
  const path = join(packageRoot(), 'test', 'fixtures', 'coco-000000000785.jpg');
  return existsSync(path) ? path : undefined;
}

export interface PoolOptions {
  /** Worker threads; each loads every model once. */
  workers: number;
  /** ONNX Runtime intra-op threads per worker. */
  threadsPerWorker: number;
  /** Image file used to warm each worker up before it takes requests. */
  warmupImage?: string;
  /** Jobs allowed to wait for a worker before new ones are refused with error 2. */
  maxQueue?: number;
}

export interface AnalysisPool {
  run<N extends TaskName>(task: N, request: TaskMap[N]['request']): Promise<TaskMap[N]['result']>;
  /** Resolves when every worker has loaded and warmed up its models; rejects if one cannot. */
  readonly ready: Promise<void>;
  isReady(): boolean;
  close(): Promise<void>;
}

interface Job {
  id: number;
  message: TaskMessage;
  transfer: ArrayBuffer[];
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** A fixed set of inference workers with a FIFO queue; a crashed worker is replaced. */
export function createAnalysisPool(opts: PoolOptions): AnalysisPool {
  const maxQueue = opts.maxQueue ?? 256;
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closing = false;
  // A worker that cannot load its models would fail the same way again: no respawn loop.
  let startFailed = false;
  let readyCount = 0;
  let resolveReady!: () => void;
  let rejectReady!: (err: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  // Callers that never await `ready` must not crash the process with an unhandled rejection.
  ready.catch(() => undefined);

  function dispatch(): void {
    for (const slot of slots) {
      if (!queue.length) return;
      if (!slot.ready || slot.job) continue;
      const job = queue.shift()!;
      slot.job = job;
      slot.worker.postMessage(job.message, job.transfer);
    }
  }

  function spawn(index: number): void {
    const worker = new Worker(WORKER_URL, {
      workerData: { threads: opts.threadsPerWorker, warmupImage: opts.warmupImage },
    });
    const slot: Slot = { worker, ready: false };
    slots[index] = slot;
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        if (++readyCount === opts.workers) resolveReady();
        dispatch();
      } else if (msg.type === 'failed_to_start') {
        startFailed = true;
        rejectReady(new Error(`inference worker failed to start: ${msg.message}`));
        for (const job of queue.splice(0)) job.reject(new ServiceError('unavailable', 'inference workers could not start'));
      } else {
        const job = slot.job;
        slot.job = undefined;
        if (job && job.id === msg.id) {
          if (msg.type === 'result') job.resolve(msg.result);
          else job.reject(new ServiceError((msg.kind in ERRORS ? msg.kind : 'internal') as ErrorKind, msg.detail));
        }
        dispatch();
      }
    });
    worker.on('error', (err) => {
      slot.job?.reject(new ServiceError('internal', `inference worker crashed: ${err.message}`));
      slot.job = undefined;
    });
    worker.on('exit', () => {
      if (closing || startFailed) return;
      slot.job?.reject(new ServiceError('internal', 'inference worker exited'));
      if (slot.ready) readyCount--;
      // Replace it; readiness counts back up when the new worker has warmed up.
      spawn(index);
    });
  }

  for (let i = 0; i < opts.workers; i++) spawn(i);

  return {
    ready,
    isReady: () => readyCount === opts.workers && !closing,
    run(task, request) {
      if (closing) return Promise.reject(new ServiceError('unavailable', 'service is shutting down'));
      if (startFailed) return Promise.reject(new ServiceError('unavailable', 'inference workers could not start'));
      if (queue.length >= maxQueue) return Promise.reject(new ServiceError('unavailable', 'too many requests queued'));
      return new Promise((resolve, reject) => {
        const id = nextId++;
        // Copy image bytes (or decoded pixels) into a buffer we own so it can be transferred
        // without copying again.
        const { bytes, image } = request as { bytes?: Uint8Array; image?: RgbImage };
        const transfer: ArrayBuffer[] = [];
        let message: TaskMessage = { id, task, request };
        if (bytes) {
          const owned = new Uint8Array(bytes);
          transfer.push(owned.buffer);
          message = { id, task, request: { ...request, bytes: owned } };
        } else if (image) {
          const owned = new Uint8Array(image.data);
          transfer.push(owned.buffer);
          message = { id, task, request: { ...request, image: { ...image, data: owned } } };
        }
        queue.push({ id, message, transfer, resolve: resolve as (v: unknown) => void, reject });
        dispatch();
      });
    },
    async close() {
      closing = true;
      for (const job of queue.splice(0)) job.reject(new ServiceError('unavailable', 'service is shutting down'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
