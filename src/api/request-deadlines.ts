/**
 * How long a request may take to arrive. Ordinary requests (images are at most a few MB) must
 * arrive whole within `bodyTimeoutMs`. Upload routes (a 50 MB video to `POST /pose/job`) get a
 * minimum-rate rule instead: after `uploadGraceMs`, the bytes received since the request began
 * must average at least `uploadMinBytesPerSec`, so an honest slow upload finishes however long
 * it takes while a trickle is dropped. With the upload size capped, the rule also caps the time:
 * a 50 MB upload at 32 KiB/s takes at most about 27 minutes.
 *
 * Node's own `requestTimeout` is one deadline for every request, so the server runs with it off
 * and this checker (once a second, like Node's) enforces both rules. Bytes are counted on the
 * socket (`bytesRead`), never by reading the request stream, so the routes consume it as before.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface RequestDeadlines {
  /** An ordinary request must have arrived whole within this, ms. */
  bodyTimeoutMs: number;
  /** Upload routes: no rate check before this, ms. */
  uploadGraceMs: number;
  /** Upload routes: after the grace, average bytes per second since the request began must stay at least this. */
  uploadMinBytesPerSec: number;
  /** Whether a request is an upload (method and path known from the request line). */
  isUpload(method: string, path: string): boolean;
  /** Ends a request that missed its deadline (the server answers 408 and closes). */
  expire(req: IncomingMessage, res: ServerResponse): void;
}

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  started: number;
  bytesAtStart: number;
  upload: boolean;
}

/** Why a request still arriving after `elapsedMs` with `received` body bytes must end, or null. */
export function deadlineMissed(
  rules: Pick<RequestDeadlines, 'bodyTimeoutMs' | 'uploadGraceMs' | 'uploadMinBytesPerSec'>,
  upload: boolean,
  elapsedMs: number,
  received: number,
): 'deadline' | 'too slow' | null {
  if (!upload) return elapsedMs > rules.bodyTimeoutMs ? 'deadline' : null;
  if (elapsedMs <= rules.uploadGraceMs) return null;
  return received / (elapsedMs / 1000) < rules.uploadMinBytesPerSec ? 'too slow' : null;
}

/** Watches every request of `server` until it has fully arrived (or its response ended). */
export function enforceRequestDeadlines(server: Server, rules: RequestDeadlines, checkEveryMs = 1000): void {
  const watched = new Set<Watched>();
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const now = Date.now();
    for (const w of watched) {
      if (w.req.complete || w.req.socket.destroyed) {
        watched.delete(w);
        continue;
      }
      const received = w.req.socket.bytesRead - w.bytesAtStart;
      if (deadlineMissed(rules, w.upload, now - w.started, received)) {
        watched.delete(w);
        rules.expire(w.req, w.res);
      }
    }
    if (!watched.size) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.complete) return;
    const path = (req.url ?? '').split('?')[0];
    const w: Watched = { req, res, started: Date.now(), bytesAtStart: req.socket.bytesRead, upload: rules.isUpload(req.method ?? '', path) };
    watched.add(w);
    res.once('close', () => watched.delete(w));
    if (!timer) {
      timer = setInterval(check, checkEveryMs);
      timer.unref();
    }
  });
  server.once('close', () => clearInterval(timer));
}
