/**
 * The private dialect's HTTP side: `POST /GeneralClassifyService/classify` for one service, on
 * the main port under `/private/<service>` and, when configured, on the service's own port. Every
 * outcome is HTTP 200 with `{err_no, err_msg, result?, format?}` (services.ts); no body, bad
 * JSON, bad base64 or a body over the limit all answer the service's own err_no.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../../auth/apps.js';
import { ServiceError, toServiceError, transportError } from '../../errors.js';
import { BAIDU_INTAKE, decodeBase64Field } from '../../intake/index.js';
import type { Engine } from '../../engine/engine.js';
import { callerGone } from '../caller-gone.js';
import { noteOutcome } from '../outcome.js';
import { errorReply, isServedService, privateService, successReply, type PrivateParams, type PrivateService, type PlannedPrivateService } from './services.js';

export const PRIVATE_PATH = '/GeneralClassifyService/classify';

/** Largest request body: a 4 MB base64 image, JSON-quoted, base64-encoded again (4/3), with room. */
export const PRIVATE_BODY_LIMIT = 8 * 1024 * 1024;

const readJson = (text: string, what: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceError('invalid_parameters', `${what} is not JSON`);
  }
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The request's image bytes and inner parameters. The envelope is `{"data": base64(JSON)}` with
 * the image as base64 in the inner JSON's `image`; services with the plain form also take a
 * top-level `image`, or `data` holding the image's own base64.
 */
export function readEnvelope(row: PrivateService | PlannedPrivateService, body: unknown): { bytes: Buffer; params: PrivateParams } {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (text.trim() === '') throw new ServiceError('missing_param', 'empty request body');
  const outer = readJson(text, 'the body');
  if (!isObject(outer)) throw new ServiceError('invalid_parameters', 'the body must be a JSON object');
  let params: PrivateParams | undefined;
  if (outer.data !== undefined) {
    if (typeof outer.data !== 'string') throw new ServiceError('invalid_parameters', 'data must be a base64 string');
    let decoded: Buffer;
    try {
      decoded = decodeBase64Field(outer.data, { field: 'data', maxEncodedLength: PRIVATE_BODY_LIMIT });
    } catch (err) {
      const e = toServiceError(err);
      throw e.kind === 'image_empty' || e.kind === 'image_size' ? e : new ServiceError('invalid_parameters', e.detail);
    }
    const first = decoded.subarray(0, 64).toString('latin1').trimStart()[0];
    if (first === '{') {
      const inner = readJson(decoded.toString('utf8'), 'data');
      if (!isObject(inner)) throw new ServiceError('invalid_parameters', 'data must hold a JSON object');
      params = inner;
    } else if (row.plain) {
      return { bytes: decoded, params: outer };
    } else {
      throw new ServiceError('invalid_parameters', 'data must be base64 of a JSON object');
    }
  } else if (row.plain && outer.image !== undefined) {
    params = outer;
  }
  if (!params || params.image === undefined || params.image === null) throw new ServiceError('missing_param', 'no image');
  if (typeof params.image !== 'string') throw new ServiceError('invalid_parameters', 'image must be a base64 string');
  return { bytes: decodeBase64Field(params.image), params };
}

/** One call: envelope, options, capability, reply. Never throws. */
export async function callPrivate(engine: Engine, row: PrivateService | PlannedPrivateService, body: unknown, reply?: FastifyReply): Promise<object> {
  return (await runPrivate(engine, row, body, reply)).body;
}

/** `callPrivate` with how the call ended: 'ok' or the error kind. */
async function runPrivate(engine: Engine, row: PrivateService | PlannedPrivateService, body: unknown, reply?: FastifyReply): Promise<{ outcome: string; body: object }> {
  try {
    if (!isServedService(row)) throw new ServiceError('not_served', `${row.name}: ${row.reason}`);
    if (!engine.serves(row.capability)) throw new ServiceError('not_served', `${row.name} needs capability ${row.capability}, not served here`);
    const { bytes, params } = readEnvelope(row, body);
    const options = row.options(params);
    const result = await engine.run(row.capability, { bytes, intake: BAIDU_INTAKE }, options as never, reply ? { signal: callerGone(reply) } : undefined);
    return { outcome: 'ok', body: successReply(row, row.shape(result as never)) };
  } catch (err) {
    const error = toServiceError(err);
    if (reply && (error.kind === 'internal' || error.kind === 'unknown')) reply.log.error({ err }, `private ${row.name} failed`);
    return { outcome: error.kind, body: errorReply(row, error.kind) };
  }
}

/** A failure outside the handler (body too large, aborted upload) on a private path, or undefined. */
export function privateRouteError(path: string, error: ServiceError): object | undefined {
  const m = /^\/private\/([a-z]+)\//.exec(path);
  const row = m ? privateService(m[1]) : undefined;
  return row ? errorReply(row, error.kind) : undefined;
}

/** Who may call and how much at once (config `private`). */
export interface PrivateAccess {
  /** When set, the `X-Private-Key` header must equal it. */
  key?: string;
  /** Calls one service runs at once; more answer its busy number. */
  concurrency: number;
}

export const DEFAULT_PRIVATE_ACCESS: PrivateAccess = { concurrency: 32 };

/** In-flight calls per engine and service, shared by the main-port path and the service's own port. */
const inFlight = new WeakMap<Engine, Map<string, number>>();

export interface PrivateRoutesOptions {
  engine: Engine;
  access: PrivateAccess;
  /** Services under `/private/<name>` (default: all). */
  services: ReadonlyArray<PrivateService | PlannedPrivateService>;
  /** Path prefix before `/GeneralClassifyService/classify`: `(name) => '/private/' + name`, or '' on a service's own port. */
  pathFor(name: string): string;
}

/**
 * The routes, in an encapsulated scope whose bodies arrive as text whatever their declared type
 * (the handler parses the JSON itself, so bad JSON is the service's own error).
 */
export async function privateRoutes(app: FastifyInstance, opts: PrivateRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: PRIVATE_BODY_LIMIT }, (_req, body, done) => done(null, body));
  const counts = inFlight.get(opts.engine) ?? new Map<string, number>();
  inFlight.set(opts.engine, counts);
  for (const row of opts.services) {
    // Every call's outcome is noted (api/observe.ts): it is counted as the service's usage and in /metrics.
    const refuse = (request: FastifyRequest, kind: 'no_permission' | 'overloaded') => {
      const body = errorReply(row, kind);
      noteOutcome(request, { api: row.name, outcome: kind, code: body.err_no });
      return body;
    };
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      if (opts.access.key !== undefined && !(typeof request.headers['x-private-key'] === 'string' && safeEqual(request.headers['x-private-key'], opts.access.key))) return refuse(request, 'no_permission');
      const running = counts.get(row.name) ?? 0;
      if (running >= opts.access.concurrency) return refuse(request, 'overloaded');
      counts.set(row.name, running + 1);
      try {
        const { outcome, body } = await runPrivate(opts.engine, row, request.body, reply);
        noteOutcome(request, { api: row.name, outcome, code: (body as { err_no: number }).err_no });
        return body;
      } finally {
        counts.set(row.name, (counts.get(row.name) ?? 1) - 1);
      }
    };
    app.post(`${opts.pathFor(row.name)}${PRIVATE_PATH}`, handler);
  }
}
