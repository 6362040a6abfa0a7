import type { FastifyReply } from 'fastify';

/**
 * A signal that aborts when the caller hangs up before its answer is sent, so queued work for
 * it is dropped instead of run (the engine pool checks it before handing work to a worker).
 */
export function callerGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.once('close', onClose);
  return controller.signal;
}
