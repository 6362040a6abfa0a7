/**
 * What every answer of every listener goes through (docs/operations.md): the request's id is
 * its Baidu `log_id` (on every log line of the request, in the Baidu answer, and in the
 * `X-Log-Id` header); `X-Response-Time` on every answer; one completion line per request with
 * the dialect, API, app and the code the caller got (health checks and scrapes at debug level);
 * the request counted in /metrics; and, while shutting down, new requests refused in their
 * dialect while the ones in flight complete.
 */
import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { ServiceError } from '../errors.js';
import type { Metrics } from '../metrics/index.js';
import { newLogId } from './baidu/log-id.js';
import { routeError } from './route-errors.js';
import { privateService } from './private/services.js';
import { noteOutcome, outcomeOf } from './outcome.js';

/** The Baidu log_id of a request: its request id (observe's genReqId), or a fresh one for a request from elsewhere. */
export function logIdOf(request: FastifyRequest): number {
  const n = Number(request.id);
  return Number.isSafeInteger(n) && n > 0 ? n : newLogId();
}

/** The dialect code inside an error answer of any dialect. */
function codeIn(body: object, status: number): string | number {
  const b = body as { error_code?: number; err_no?: number; code?: number };
  return b.error_code ?? b.err_no ?? b.code ?? status;
}

/**
 * A failure answered outside a route (transport errors, unknown paths) in the dialect of its
 * path (route-errors.ts), noted as the request's outcome; the private service of a
 * `/private/<service>/` path is its API, so the failure counts in that service's usage.
 */
export function answerRouteError(request: FastifyRequest, reply: FastifyReply, error: ServiceError): FastifyReply {
  const path = request.url.split('?')[0];
  const { status, body } = routeError(path, error, logIdOf(request));
  const service = /^\/private\/([a-z]+)\//.exec(path)?.[1];
  noteOutcome(request, { outcome: error.kind, code: codeIn(body, status), ...(service && privateService(service) ? { api: service } : {}) });
  return reply.code(status).send(body);
}

export function dialectOf(path: string): string {
  if (path.startsWith('/rest/2.0/')) return 'baidu';
  if (path.startsWith('/oauth/')) return 'oauth';
  if (path === '/pose' || path.startsWith('/pose/')) return 'kakao';
  if (path.startsWith('/private/')) return 'private';
  if (path.startsWith('/admin/')) return 'admin';
  if (path === '/console' || path.startsWith('/console/')) return 'console';
  return 'service';
}

/** Paths polled by machines: their completion lines are at debug level. */
const QUIET_PATHS = new Set(['/healthz', '/metrics']);

/** Fastify options giving each request its log_id: on every log line of the request (`log_id`), no built-in request lines (ours is `request completed`). */
export function requestLogOptions(level: string | undefined, stream?: { write(line: string): void }): Partial<FastifyServerOptions> {
  return {
    genReqId: () => String(newLogId()),
    logController: new LogController({ requestIdLogLabel: 'log_id', disableRequestLogging: true }),
    // Refused in the caller's dialect by `observe` instead of Fastify's plain 503.
    return503OnClosing: false,
    logger: level
      ? {
          level,
          // Query strings carry access tokens (and client secrets on /oauth): never log them.
          serializers: { req: (req) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }) },
          ...(stream ? { stream } : {}),
        }
      : false,
  };
}

export interface ObserveOptions {
  metrics?: Metrics;
  /** A listener of one dialect and API (a private service on its own port); default: from the path. */
  fixed?: { dialect: string; api: string };
  /** Counts a private-dialect call: service and outcome (private usage, auth/private-usage.ts). */
  privateUsage?(service: string, outcome: string): void;
  /** How this listener answers a refusal (while draining); default: in the dialect of the path (`answerRouteError`). */
  refuse?(request: FastifyRequest, reply: FastifyReply, error: ServiceError): FastifyReply;
}

/** Requests in flight per listener (the shutdown log says how many it waits for). */
const drains = new WeakMap<FastifyInstance, { inFlight: number; closing: boolean }>();

export function inFlight(app: FastifyInstance): number {
  return drains.get(app)?.inFlight ?? 0;
}

/** Installs the hooks on `app` (before its routes are registered, so every scope inherits them). */
export function observe(app: FastifyInstance, options: ObserveOptions = {}): void {
  const state = { inFlight: 0, closing: false };
  drains.set(app, state);
  app.addHook('preClose', async () => {
    state.closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (state.closing) {
      reply.header('connection', 'close');
      return (options.refuse ?? answerRouteError)(request, reply, new ServiceError('unavailable', 'the service is shutting down'));
    }
    state.inFlight++;
    // 'close' follows every response, also one whose client went away before it was sent.
    reply.raw.once('close', () => state.inFlight--);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-response-time', `${reply.elapsedTime.toFixed(1)}ms`);
    reply.header('x-log-id', request.id);
    // Draining: the connection ends with this answer, so the client's next request opens a new one (refused once the port closes).
    if (state.closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0];
    const note = outcomeOf(request);
    const status = reply.statusCode;
    const dialect = options.fixed?.dialect ?? dialectOf(path);
    const api = options.fixed?.api ?? note.api ?? request.routeOptions.url ?? 'unmatched';
    const outcome = note.outcome ?? (status < 400 ? 'ok' : `http_${status}`);
    const code = String(note.code ?? (status < 400 ? 0 : status));
    const seconds = reply.elapsedTime / 1000;
    options.metrics?.request({ dialect, api, outcome, code, seconds });
    const service = options.fixed?.api ?? note.api;
    if (dialect === 'private' && service) options.privateUsage?.(service, outcome);
    const line = {
      method: request.method,
      // A refused over-long path (url_size) is not copied whole into the log.
      url: path.length > 2048 ? `${path.slice(0, 2048)}...` : path,
      status,
      dialect,
      api,
      ...(note.app ? { app: note.app } : {}),
      outcome,
      error_code: Number.isFinite(Number(code)) ? Number(code) : code,
      ms: Number(reply.elapsedTime.toFixed(1)),
    };
    if (QUIET_PATHS.has(path)) request.log.debug(line, 'request completed');
    else request.log.info(line, 'request completed');
  });
}
