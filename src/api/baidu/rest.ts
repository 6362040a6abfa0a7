import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError, toServiceError } from '../../errors.js';
import { BAIDU_INTAKE, decodeBase64Field } from '../../intake/index.js';
import type { CallControl, Drawn, Engine } from '../../engine/engine.js';
import { callerGone } from '../caller-gone.js';
import type { FrameCapabilityName } from '../../capabilities/index.js';
import type { Cases } from '../../store/cases.js';
import { baiduEndpoint, type BaiduEndpoint, type Form } from './endpoints.js';
import { errorResponse } from './errors.js';
import { logIdOf } from '../observe.js';
import { noteOutcome } from '../outcome.js';

/** Checks the caller of an online API (token or signature, permission, limits) and returns its app id; throws ServiceError. */
export type Authenticate = (request: FastifyRequest, api: string) => { appId: string };

/** What stateful APIs need besides the engine: the calling app and the case store. */
export interface CaseContext {
  appId: string;
  cases: Cases;
  /** Arrival clock, unix ms: a case frame's timestamp (tests inject one). */
  now?: () => number;
}

/** Baidu reads the body as a form whatever its declared type; text bodies are parsed as one too. */
export function formFields(body: unknown): Form {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string') return Object.fromEntries(new URLSearchParams(body));
  if (typeof body === 'object' && !Array.isArray(body)) return textFields(body as Record<string, unknown>);
  throw new ServiceError('invalid_parameters', 'body must be form-urlencoded');
}

/**
 * Every field as text, as a form carries it: a JSON body's numbers and booleans become their
 * text; a repeated form field or a JSON array or object is refused (216100) rather than reaching
 * a parser that expects text.
 */
function textFields(body: Record<string, unknown>): Form {
  const form: Form = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') form[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') form[key] = String(value);
    else throw new ServiceError('invalid_param', `${key} must be one text value`);
  }
  return form;
}

/**
 * One call of an endpoint row: decode the base64 `image` field, read the row's case and options
 * (after the image, so a missing image is the error reported first), run its capability, shape.
 * A request of a case (body_tracking dynamic=true) runs the capability's frame call on the
 * state the case store keeps for (caller, case id), after the case's earlier requests, with its
 * arrival time as the frame's timestamp.
 */
export async function callEndpoint(
  engine: Engine,
  row: BaiduEndpoint,
  form: Form,
  logId: number,
  control?: CallControl,
  context?: CaseContext,
  observe?: Observer,
): Promise<object> {
  const bytes = decodeBase64Field(form.image);
  const ref = row.case?.(form);
  const options = row.options(form);
  const input = { bytes, intake: BAIDU_INTAKE };
  if (!ref) {
    // An observer gets the picture too, drawn by the engine where the image was decoded.
    const drawn = observe
      ? await engine.draw(row.capability, input, options as never, control)
      : { result: await engine.run(row.capability, input, options as never, control), picture: null };
    observe?.({ ...drawn, frame: false });
    return row.shape(logId, drawn.result);
  }
  if (!context || !row.shapeFrame) throw new ServiceError('internal', `${row.name}: no case store for a case request`);
  const timestamp = (context.now ?? Date.now)() / 1000;
  // A case's frame runs even when its caller has gone: the case's state must follow every frame that arrived.
  const result = await context.cases.update({ appId: context.appId, caseId: ref.id }, ref.reset, (state) =>
    engine.frame(row.capability as FrameCapabilityName, input, state as never, timestamp, options as never),
  );
  observe?.({ result, frame: true, picture: null });
  return row.shapeFrame(logId, result as never, form);
}

/**
 * Sees a call's neutral result (the console shows it): a still image's call comes with the
 * capability's picture, drawn by the engine (PNG, null when it draws none); a case frame's with
 * null (its `show` picture is in the result).
 */
export type Observer = (seen: Drawn<unknown> & { frame: boolean }) => void;

export interface RestRoutesOptions {
  engine: Engine;
  authenticate: Authenticate;
  /** Counts how an admitted call ended ('ok' or its error kind), for usage reports. */
  record?(appId: string, api: string, outcome: string): void;
  /** Tracking cases (body_tracking). */
  cases: Cases;
}

/**
 * One request of an online API, as the routes and the console answer it: the row, refusal of a
 * capability this process does not serve (before authentication, so it costs no quota), the
 * caller, the call, its outcome counted; failures become the Baidu error body. `observe` sees
 * the neutral result (the console draws it).
 */
export async function answerBaiduCall(
  opts: RestRoutesOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  api: string,
  observe?: (row: BaiduEndpoint, seen: Parameters<Observer>[0]) => void,
): Promise<object> {
  const logId = logIdOf(request);
  let caller: { appId: string; api: string } | undefined;
  try {
    const row = baiduEndpoint(api);
    if (!row) throw new ServiceError('unsupported_method', `no API named ${api}`);
    noteOutcome(request, { api: row.name });
    if (!opts.engine.serves(row.capability)) {
      throw new ServiceError('not_served', `${row.name} needs capability ${row.capability}, not served here (BODYLENS_CAPABILITIES)`);
    }
    caller = { appId: opts.authenticate(request, row.name).appId, api: row.name };
    const answer = await callEndpoint(
      opts.engine, row, formFields(request.body), logId, { signal: callerGone(reply) }, { appId: caller.appId, cases: opts.cases },
      observe && ((seen) => observe(row, seen)),
    );
    opts.record?.(caller.appId, caller.api, 'ok');
    noteOutcome(request, { app: caller.appId, outcome: 'ok', code: 0 });
    return answer;
  } catch (err) {
    const error = toServiceError(err);
    if (caller) opts.record?.(caller.appId, caller.api, error.kind);
    if (error.kind === 'internal' || error.kind === 'unknown') request.log.error({ err }, 'analysis failed');
    const answer = errorResponse(logId, error);
    noteOutcome(request, { app: caller?.appId, outcome: error.kind, code: answer.error_code });
    return answer;
  }
}

/**
 * Baidu's online dialect: every outcome is HTTP 200 with JSON carrying a log_id; failures carry
 * error_code/error_msg (api/baidu/errors.ts).
 */
export async function baiduRestRoutes(app: FastifyInstance, opts: RestRoutesOptions): Promise<void> {
  const handler = (request: FastifyRequest<{ Params: { api: string } }>, reply: FastifyReply) => answerBaiduCall(opts, request, reply, request.params.api);
  app.post('/rest/2.0/image-classify/v1/:api', handler);
  // Baidu answers GETs on API paths with an error rather than a 404 page.
  app.get('/rest/2.0/image-classify/v1/:api', handler);
}
