/**
 * The engine as a fixed set of inference worker threads with a FIFO queue; a crashed worker is
 * replaced. Each worker serves the configured capabilities and loads only their models.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ServiceError, isErrorKind } from '../errors.js';
import type { RgbImage } from '../types.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../runtime/models.js';
import { assertServed, frameInput, type CallControl, type Engine, type EngineCall, type EngineSettings } from './engine.js';
import type { CallMessage, CallTiming, WorkerData, WorkerMessage, WorkerReply } from './worker.js';
import { createAssistShared, markBusy, resetWorker } from './assist.js';

/** Told about each call a worker finished (the server's metrics, src/metrics). */
export interface PoolObserver {
  /** `waitSeconds` in the queue; `timing` as the worker measured it (the call, and every model run in it). */
  call(capability: string, waitSeconds: number, timing: CallTiming): void;
}

/** The committed photo workers warm up on, so the first request is not slow (absent in a trimmed install). */
export function defaultWarmupImage(): string | undefined {
  const path = join(packageRoot(), 'test', 'fixtures', 'coco-000000000785.jpg');
  return existsSync(path) ? path : undefined;
}

export interface PoolOptions extends EngineSettings {
  /** Worker threads; each loads the models of the served capabilities once. */
  workers: number;
  /** Jobs allowed to wait for a worker before new ones are refused with `overloaded` (Baidu 4). */
  maxQueue?: number;
  /**
   * How long a call may wait for a worker (ms, default 8000); past it the call is shed with
   * `overloaded` and never reaches a worker. 0 = no deadline.
   */
  queueTimeoutMs?: number;
  observer?: PoolObserver;
  /** Idle workers run model runs for a busy one (assist.ts; default true; nothing to lend with one worker). */
  lendRuns?: boolean;
}

/** Below the official Node SDK's 10 s HTTP timeout: a caller that has given up gets no work done for it. */
export const DEFAULT_QUEUE_TIMEOUT_MS = 8000;

interface Job {
  id: number;
  message: CallMessage;
  transfer: ArrayBuffer[];
  /** When it was queued (performance.now()). */
  queuedAt: number;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  /** Runs when the job leaves the queue (timer and abort listener cleanup). */
  settle?(): void;
}

interface Slot {
  worker: Worker;
  /** Its place in the pool (and in the assist state). */
  index: number;
  ready: boolean;
  /** Crashed or exited: never marked idle again (a replacement takes its index). */
  gone?: boolean;
  job?: Job;
  /** When the current job was handed to the worker (performance.now()). */
  since?: number;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** A copy of the call whose pixel or byte buffer the pool owns, so it can be transferred. */
function transferable(call: EngineCall): { call: EngineCall; transfer: ArrayBuffer[] } {
  const own = (data: Uint8Array) => new Uint8Array(data);
  if ('bytes' in call.input) {
    const bytes = own(call.input.bytes);
    return { call: { ...call, input: { ...call.input, bytes } }, transfer: [bytes.buffer] };
  }
  const image: RgbImage = { ...call.input.image, data: own(call.input.image.data) };
  return { call: { ...call, input: { image } }, transfer: [image.data.buffer as ArrayBuffer] };
}

/** Counters for tests, the bench and /metrics: calls handed to a worker, calls shed from the queue, workers busy now and worker-seconds spent busy. */
export interface PoolStats {
  queued: number;
  dispatched: number;
  shed: number;
  workers: number;
  busy: number;
  busySeconds: number;
  /** Model runs workers handed to idle peers (assist.ts). */
  lentRuns: number;
}

export type EnginePool = Engine & { stats(): PoolStats };

export function createEnginePool(opts: PoolOptions): EnginePool {
  const maxQueue = opts.maxQueue ?? 256;
  const queueTimeoutMs = opts.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS;
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let dispatched = 0;
  let shed = 0;
  /** Worker-seconds of finished calls; running calls are added when stats are read. */
  let busyDone = 0;
  let lentRuns = 0;
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
  const shared = opts.workers > 1 && opts.lendRuns !== false ? createAssistShared(opts.workers) : undefined;

  function dispatch(): void {
    for (const slot of slots) {
      if (!queue.length) return;
      if (!slot.ready || slot.gone || slot.job) continue;
      const job = queue.shift()!;
      job.settle?.();
      dispatched++;
      slot.job = job;
      slot.since = performance.now();
      if (shared) markBusy(shared, slot.index, true);
      slot.worker.postMessage(job.message, job.transfer);
    }
  }

  /** Channels from a new worker to every live peer: its ends go in its workerData, theirs by message. */
  function peerChannels(index: number): { peers: Array<{ index: number; port: MessagePort }>; transfer: MessagePort[] } {
    const peers: Array<{ index: number; port: MessagePort }> = [];
    slots.forEach((peer, j) => {
      if (!peer || j === index) return;
      const { port1, port2 } = new MessageChannel();
      peers.push({ index: j, port: port1 });
      peer.worker.postMessage({ type: 'peer', index, port: port2 } satisfies WorkerMessage, [port2]);
    });
    return { peers, transfer: peers.map((p) => p.port) };
  }

  function spawn(index: number): void {
    const settings: EngineSettings = { capabilities: opts.capabilities, threads: opts.threads, warmup: opts.warmup };
    let workerData: WorkerData = settings;
    let transferList: MessagePort[] = [];
    if (shared) {
      // Busy (lends nothing, is lent nothing) until it has warmed up.
      resetWorker(shared, index);
      const { peers, transfer } = peerChannels(index);
      workerData = { ...settings, assist: { shared, self: index, peers } };
      transferList = transfer;
    }
    const worker = new Worker(WORKER_URL, { workerData, transferList });
    const slot: Slot = { worker, index, ready: false };
    slots[index] = slot;
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        if (shared) markBusy(shared, index, false);
        if (++readyCount === opts.workers) resolveReady();
        dispatch();
      } else if (msg.type === 'failed_to_start') {
        startFailed = true;
        rejectReady(new Error(`inference worker failed to start: ${msg.message}`));
        for (const job of queue.splice(0)) {
          job.settle?.();
          job.reject(new ServiceError('unavailable', 'inference workers could not start'));
        }
      } else {
        const job = slot.job;
        const waited = job && slot.since !== undefined ? (slot.since - job.queuedAt) / 1000 : 0;
        free(slot);
        if (job && job.id === msg.id) {
          lentRuns += msg.timing.lent;
          opts.observer?.call(job.message.call.capability, waited, msg.timing);
          if (msg.type === 'result') job.resolve(msg.result);
          else job.reject(new ServiceError(isErrorKind(msg.kind) ? msg.kind : 'internal', msg.detail));
        }
        dispatch();
      }
    });
    worker.on('error', (err) => {
      slot.gone = true;
      slot.job?.reject(new ServiceError('recognize_error', `inference worker crashed: ${err.message}`));
      free(slot);
    });
    worker.on('exit', () => {
      slot.gone = true;
      if (closing || startFailed) return;
      slot.job?.reject(new ServiceError('recognize_error', 'inference worker exited'));
      free(slot);
      if (slot.ready) readyCount--;
      // Replace it; readiness counts back up when the new worker has warmed up.
      spawn(index);
    });
  }

  /** The slot's job is over: its busy time counts. */
  function free(slot: Slot): void {
    if (slot.job && slot.since !== undefined) busyDone += (performance.now() - slot.since) / 1000;
    slot.job = undefined;
    slot.since = undefined;
    if (shared && slot.ready && !slot.gone) markBusy(shared, slot.index, false);
  }

  function stats(): PoolStats {
    const now = performance.now();
    let busy = 0;
    let running = 0;
    for (const slot of slots) {
      if (!slot?.job) continue;
      busy++;
      running += (now - (slot.since ?? now)) / 1000;
    }
    return { queued: queue.length, dispatched, shed, workers: opts.workers, busy, busySeconds: busyDone + running, lentRuns };
  }

  for (let i = 0; i < opts.workers; i++) spawn(i);

  /** Takes a still-waiting job out of the queue and fails it; false when a worker already has it. */
  function drop(job: Job, error: ServiceError): boolean {
    const i = queue.indexOf(job);
    if (i < 0) return false;
    queue.splice(i, 1);
    shed++;
    job.settle?.();
    job.reject(error);
    return true;
  }

  function submit(call: EngineCall, control: CallControl = {}): Promise<never> {
    try {
      assertServed(opts.capabilities, call.capability);
    } catch (err) {
      return Promise.reject(err);
    }
    if (closing) return Promise.reject(new ServiceError('unavailable', 'service is shutting down'));
    if (startFailed) return Promise.reject(new ServiceError('unavailable', 'inference workers could not start'));
    if (control.signal?.aborted) return Promise.reject(new ServiceError('overloaded', 'the caller has gone'));
    if (queue.length >= maxQueue) {
      shed++;
      return Promise.reject(new ServiceError('overloaded', `${queue.length} requests queued`));
    }
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const { call: owned, transfer } = transferable(call);
      const job: Job = { id, message: { id, call: owned }, transfer, queuedAt: performance.now(), resolve: resolve as (v: unknown) => void, reject };
      const timer =
        queueTimeoutMs > 0 ? setTimeout(() => drop(job, new ServiceError('overloaded', `waited ${queueTimeoutMs} ms for a worker`)), queueTimeoutMs) : undefined;
      timer?.unref();
      const onAbort = () => drop(job, new ServiceError('overloaded', 'the caller has gone'));
      control.signal?.addEventListener('abort', onAbort, { once: true });
      job.settle = () => {
        clearTimeout(timer);
        control.signal?.removeEventListener('abort', onAbort);
      };
      queue.push(job);
      dispatch();
    });
  }

  return {
    capabilities: opts.capabilities,
    serves: (name) => (opts.capabilities as readonly string[]).includes(name),
    ready,
    isReady: () => readyCount === opts.workers && !closing,
    run: (capability, input, options, control) => submit({ kind: 'run', capability, input, options }, control),
    draw: (capability, input, options, control) => submit({ kind: 'draw', capability, input, options }, control),
    stats,
    frame: (capability, image, state, timestamp, options) => submit({ kind: 'frame', capability, input: frameInput(image), state, timestamp, options }),
    async close() {
      closing = true;
      for (const job of queue.splice(0)) {
        job.settle?.();
        job.reject(new ServiceError('unavailable', 'service is shutting down'));
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
