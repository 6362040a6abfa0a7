/**
 * Inference worker thread: loads every model once, warms them up, then serves tasks one at a
 * time. A ServiceError travels back as its catalogue kind so the caller's dialect can render it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createBodyAnalyzer, loadBodyModels } from '../analysis/body.js';
import { runBodySeg } from '../analysis/body-seg.js';
import { runIdPhoto } from '../analysis/id-photo.js';
import { createSegmenter } from '../analysis/segmentation.js';
import { loadModel } from './session.js';
import { createHandAnalyzer } from '../analysis/hands.js';
import { ServiceError } from '../errors.js';
import type { TaskMessage, TaskName, WorkerReply } from './tasks.js';

const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread');

interface WorkerInit {
  threads: number;
  /** An image that exercises every model once before the worker reports ready. */
  warmupImage?: string;
}

const init = workerData as WorkerInit;

type Handler = (request: any) => Promise<unknown>;

async function start(): Promise<Record<TaskName, Handler>> {
  const bodyModels = await loadBodyModels(init.threads);
  const body = await createBodyAnalyzer({ threads: init.threads, models: bodyModels });
  const segmenter = await createSegmenter({ threads: init.threads, body: bodyModels });
  const faceModel = await loadModel('blazeface', { threads: init.threads });
  const hands = await createHandAnalyzer({ threads: init.threads, faceModel });
  // Every model runs once before the worker reports ready: on a real photo if we have one
  // (realistic kernels and allocations), else on mid-grey. body_seg runs the body models too.
  if (init.warmupImage) {
    const bytes = readFileSync(init.warmupImage);
    await runBodySeg(segmenter, { bytes, types: ['labelmap'] });
    await hands.gesture(bytes);
    await runIdPhoto(segmenter, faceModel, { bytes }).catch(() => undefined); // the photo need not suit an ID photo
  } else {
    const grey = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(128) };
    await body.analyzeImage(grey);
    await hands.gestureImage(grey);
  }
  return {
    body_analysis: ({ bytes, intake }) => body.analyze(bytes, intake),
    pose_frame: ({ image }) => body.analyzeImage(image),
    body_seg: (request) => runBodySeg(segmenter, request),
    body_seg_photo: (request) => runIdPhoto(segmenter, faceModel, request),
    hand_analysis: ({ bytes, intake }) => hands.analyze(bytes, intake),
    gesture: ({ bytes, intake }) => hands.gesture(bytes, intake),
  };
}

function reply(message: WorkerReply): void {
  port!.postMessage(message);
}

start().then(
  (handlers) => {
    port.on('message', async (msg: TaskMessage) => {
      try {
        const handler = handlers[msg.task];
        if (!handler) throw new ServiceError('unsupported_method', `no task ${msg.task}`);
        reply({ type: 'result', id: msg.id, result: await handler(msg.request) });
      } catch (err) {
        if (err instanceof ServiceError) reply({ type: 'error', id: msg.id, kind: err.kind, detail: err.detail });
        else reply({ type: 'error', id: msg.id, kind: 'internal', detail: err instanceof Error ? err.stack ?? err.message : String(err) });
      }
    });
    reply({ type: 'ready' });
  },
  (err) => reply({ type: 'failed_to_start', message: err instanceof Error ? err.stack ?? err.message : String(err) }),
);
