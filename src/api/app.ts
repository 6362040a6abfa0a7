import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { ServiceError, transportError, type ErrorKind } from '../errors.js';
import type { Engine } from '../engine/engine.js';
import type { AuthRequest, AuthService } from '../auth/index.js';
import { baiduRestRoutes } from './baidu/rest.js';
import { consoleRoutes } from './console/routes.js';
import { kakaoRoutes, type KakaoLimits, type PoseJobQueue } from './kakao/routes.js';
import type { AddressPolicy } from '../net/address-policy.js';
import { tokenRoutes } from './baidu/token.js';
import { routeError } from './route-errors.js';
import { adminRoutes, type AdminRoutesOptions } from '../admin/routes.js';
import { DEFAULT_CASE_SETTINGS, type CorsOrigins, type HttpSettings } from '../config.js';
import { Cases, MemoryCaseStore } from '../store/cases.js';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { enforceRequestDeadlines } from './request-deadlines.js';
import { DEFAULT_PRIVATE_ACCESS, PRIVATE_BODY_LIMIT, privateRoutes, type PrivateAccess } from './private/routes.js';
import { PRIVATE_SERVICES, errorReply, type PlannedPrivateService, type PrivateService } from './private/services.js';
import { openApiDocument } from './openapi.js';
import { docsPage } from './docs-page.js';
import { answerRouteError, observe, requestLogOptions } from './observe.js';
import { PRIVATE_PORT_CORS_PATHS, cors } from './cors.js';
import { noteOutcome } from './outcome.js';
import { Metrics } from '../metrics/index.js';
import { metricsRoute, type MetricsAccess } from './metrics-route.js';

/**
 * At most `max` open connections per client address; more are closed as they arrive, so one
 * client opening sockets by the thousand cannot starve the others.
 */
function limitConnectionsPerClient(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const who = socket.remoteAddress ?? '';
    const n = (open.get(who) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(who, n);
    socket.once('close', () => {
      const left = (open.get(who) ?? 1) - 1;
      if (left <= 0) open.delete(who);
      else open.set(who, left);
    });
  });
}

/**
 * Failures Node's HTTP parser reports before any route runs. Headers too large for the parser
 * (over 256 KiB) answer 431, in the dialect of the request line only if the failing chunk
 * starts with it; sockets deliver at most 64 KiB at a time, so past 256 KiB it never does and
 * the answer is the neutral shape. Timeouts answer 408; the rest close with 400.
 */
type ClientErr = NodeJS.ErrnoException & { rawPacket?: Buffer };

function clientError(err: ClientErr, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  let status = 400;
  let body: object = { error: 'invalid_param', message: 'bad request' };
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const line = err.rawPacket?.subarray(0, 2048).toString('latin1') ?? '';
    const path = /^[A-Z]+ (\/[^ ?]*)/.exec(line)?.[1] ?? '';
    ({ status, body } = routeError(path, new ServiceError('url_size', 'request headers too large')));
    if (status === 200) status = 431; // Baidu answers errors with 200, but this one ends the connection
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    body = { error: 'timeout', message: 'request not received in time' };
  }
  const text = JSON.stringify(body);
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

/**
 * Request bodies may carry a 4 MB base64 image after urlencoding (which grows '+', '/' and '='
 * threefold), so the transport limit is generous and the 4 MB rule is enforced on the field.
 */
const BODY_LIMIT = 12 * 1024 * 1024;

/** Routes taking large uploads (Kakao's video jobs, up to 50 MB): a minimum rate, not the body deadline. */
const UPLOAD_PATHS = new Set(['/pose/job']);

/** Hard-day defaults when the caller gives none (tests); the server passes config.http. */
export const DEFAULT_HTTP: Pick<
  HttpSettings,
  'headersTimeoutMs' | 'bodyTimeoutMs' | 'uploadGraceMs' | 'uploadMinBytesPerSec' | 'keepAliveTimeoutMs' | 'maxConnectionsPerClient' | 'maxUrlBytes'
> = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  uploadGraceMs: 30_000,
  uploadMinBytesPerSec: 32_768,
  keepAliveTimeoutMs: 5000,
  maxConnectionsPerClient: 64,
  // Baidu's catalogue: 282114 "url size error" for a URL over 1024 bytes. A token URL is ~130.
  maxUrlBytes: 1024,
};

export interface AppDeps {
  engine: Engine;
  auth: AuthService;
  /** Fastify log level; no request logging when absent (tests). */
  logLevel?: string;
  /** Where log lines go (default stdout); tests read them back. */
  logStream?: { write(line: string): void };
  /** Which addresses caller-supplied URLs may point at. */
  urlPolicy: AddressPolicy;
  kakaoLimits: KakaoLimits;
  /** Video pose jobs (src/video/jobs.ts). */
  jobs: PoseJobQueue;
  /** Where uploaded videos wait for their job. */
  uploadDir: string;
  /** Tracking cases (body_tracking); default: in memory, idle 600 s. */
  cases?: Cases;
  /** Deadlines and caps (config.http); defaults DEFAULT_HTTP. */
  http?: Partial<typeof DEFAULT_HTTP>;
  /** Enables /admin/... (src/admin/routes.ts) when set. */
  admin?: AdminRoutesOptions;
  /** Baidu's private dialect under /private/<service>/ (BODYLENS_PRIVATE=on), with its key and concurrency cap. */
  privateDialect?: PrivateAccess;
  /** Where requests, inference times and engine gauges are counted (default: a registry of this app's own). */
  metrics?: Metrics;
  /** Who may read GET /metrics (config `metrics`; default loopback only). */
  metricsAccess?: MetricsAccess;
  /** Counts each private-dialect call by service and outcome (auth/private-usage.ts). */
  privateUsage?(service: string, outcome: string): void;
  /** Browser apps on these origins may call the dialect APIs (config `corsOrigins`; src/api/cors.ts); none when absent. */
  corsOrigins?: CorsOrigins;
}

/** Every route each app registered (method, URL as Fastify writes it), so tests can check the API document covers them. */
const registered = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();
export function servedRoutes(app: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  return registered.get(app) ?? [];
}

type HttpLimits = typeof DEFAULT_HTTP;

/**
 * Fastify options every listener shares against slow clients: headers must arrive in time (Node
 * checks every second, not every 30 s), then the body (`guardConnections`: a deadline, or a
 * minimum rate for uploads; Node's one requestTimeout for all routes is off); idle keep-alive
 * connections close.
 */
function slowClientOptions(limits: HttpLimits, http: { maxHeaderSize?: number } = {}) {
  return {
    requestTimeout: 0,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: { headersTimeout: Math.min(limits.headersTimeoutMs, limits.bodyTimeoutMs), connectionsCheckingInterval: 1000, ...http },
  };
}

/** The per-client connection cap and the body deadlines (api/request-deadlines.ts) on a listener. */
function guardConnections(app: FastifyInstance, limits: HttpLimits, how: Pick<Parameters<typeof enforceRequestDeadlines>[1], 'isUpload' | 'expire'>): void {
  limitConnectionsPerClient(app.server, limits.maxConnectionsPerClient);
  enforceRequestDeadlines(app.server, {
    bodyTimeoutMs: limits.bodyTimeoutMs,
    uploadGraceMs: limits.uploadGraceMs,
    uploadMinBytesPerSec: limits.uploadMinBytesPerSec,
    ...how,
  });
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_HTTP, ...deps.http };
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    ...slowClientOptions(limits, {
      // Room for a too-long URL (up to 256 KiB) to reach the dialect-aware check below; past
      // that the parser gives up before the path is known (see clientError).
      maxHeaderSize: Math.max(256 * 1024, 2 * limits.maxUrlBytes + 16 * 1024),
    }),
    clientErrorHandler: (err, socket) => clientError(err as unknown as ClientErr, socket),
    ...requestLogOptions(deps.logLevel, deps.logStream),
    // Long base64 fields are the norm here; keep the default parser but allow big query strings too.
    routerOptions: { maxParamLength: 500 },
  });
  const routes: Array<{ method: string; url: string }> = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  const metrics = deps.metrics ?? new Metrics();
  observe(app, { metrics, privateUsage: deps.privateUsage });
  guardConnections(app, limits, {
    isUpload: (method, path) => method === 'POST' && UPLOAD_PATHS.has(path),
    expire: (_req, res) => {
      const socket = res.socket;
      if (!socket) return;
      if (res.headersSent) socket.destroy();
      else clientError(Object.assign(new Error('request not received in time'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
      // A client that ignores the close does not keep the socket.
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  });
  // A huge query string answers in the dialect of its path (Baidu 282114, Kakao/neutral 431).
  app.addHook('onRequest', async (request, reply) => {
    if (Buffer.byteLength(request.url) <= limits.maxUrlBytes) return;
    return answerRouteError(request, reply, new ServiceError('url_size', `request URL longer than ${limits.maxUrlBytes} bytes`));
  });
  cors(app, deps.corsOrigins);
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  // Bodies of undeclared or odd types arrive as text; the Baidu routes read them as a form.
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  // Outside a dialect's own handler (Kakao's plugin has one), failures answer in the dialect of
  // their path (api/route-errors.ts).
  app.setErrorHandler((err, request, reply) => {
    const error = transportError(err);
    if (error.entry.httpStatus >= 500) request.log.error(err);
    answerRouteError(request, reply, error);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const error = path.startsWith('/rest/2.0/') ? new ServiceError('unsupported_method', path) : new ServiceError('not_found', `no route ${request.method} ${path}`);
    answerRouteError(request, reply, error);
  });
  metricsRoute(app, metrics, { ...deps.metricsAccess, adminKey: deps.admin?.adminKey });

  app.get('/healthz', async (_request, reply) => {
    const ready = deps.engine.isReady();
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'starting' };
  });

  // The API document and its page, generated once from the dialect tables (src/api/openapi.ts).
  let document: { json: string; html: string } | undefined;
  const apiDocument = () => {
    if (!document) {
      const doc = openApiDocument();
      document = { json: JSON.stringify(doc), html: docsPage(doc) };
    }
    return document;
  };
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(apiDocument().json));
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(apiDocument().html));

  await app.register(tokenRoutes, { auth: deps.auth });
  const rest = {
    engine: deps.engine,
    authenticate: (request: FastifyRequest, api: string) => deps.auth.authenticate(request as unknown as AuthRequest, api),
    cases: deps.cases ?? new Cases(new MemoryCaseStore({ idleSeconds: DEFAULT_CASE_SETTINGS.idleSeconds })),
    record: (appId: string, api: string, outcome: string) => deps.auth.record(appId, api, outcome),
  };
  await app.register(baiduRestRoutes, rest);
  // The web console (docs/console.md): its Try view calls the same online API path.
  await app.register(consoleRoutes, rest);
  if (deps.admin) {
    const admin = deps.admin;
    await app.register(async (scope) => adminRoutes(scope, admin));
  }
  if (deps.privateDialect) {
    await app.register(privateRoutes, { engine: deps.engine, access: deps.privateDialect, services: PRIVATE_SERVICES, pathFor: (name) => `/private/${name}` });
  }
  await app.register(kakaoRoutes, {
    engine: deps.engine,
    authenticate: (request, api, charge) => deps.auth.authenticateKakao(request, api, { charge }),
    record: (appId, api, outcome) => deps.auth.record(appId, api, outcome),
    urlPolicy: deps.urlPolicy,
    limits: deps.kakaoLimits,
    jobs: deps.jobs,
    uploadDir: deps.uploadDir,
  });
  return app;
}

/**
 * One private service on its own port (BODYLENS_PRIVATE_PORTS): only its
 * `/GeneralClassifyService/classify`, with the main port's connection cap and body deadline, and
 * every failure (a body over the limit, an unknown path) answered with the service's err_no.
 */
export async function buildPrivateServiceApp(
  engine: Engine,
  row: PrivateService | PlannedPrivateService,
  http: Partial<typeof DEFAULT_HTTP> = {},
  access: PrivateAccess = DEFAULT_PRIVATE_ACCESS,
  ops: Pick<AppDeps, 'logLevel' | 'logStream' | 'metrics' | 'privateUsage' | 'corsOrigins'> = {},
): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_HTTP, ...http };
  const app = Fastify({
    bodyLimit: PRIVATE_BODY_LIMIT,
    ...slowClientOptions(limits),
    ...requestLogOptions(ops.logLevel, ops.logStream),
  });
  // Every failure outside the handler answers with the service's err_no.
  const refuse = (request: FastifyRequest, reply: FastifyReply, kind: ErrorKind) => {
    const body = errorReply(row, kind);
    noteOutcome(request, { outcome: kind, code: body.err_no });
    return reply.code(200).send(body);
  };
  observe(app, { metrics: ops.metrics, fixed: { dialect: 'private', api: row.name }, privateUsage: ops.privateUsage, refuse: (request, reply, error) => refuse(request, reply, error.kind) });
  guardConnections(app, limits, { isUpload: () => false, expire: (_req, res) => res.socket?.destroy() });
  cors(app, ops.corsOrigins, PRIVATE_PORT_CORS_PATHS);
  app.setErrorHandler((err, request, reply) => {
    refuse(request, reply, transportError(err).kind);
  });
  app.setNotFoundHandler((request, reply) => {
    refuse(request, reply, 'not_found');
  });
  await app.register(privateRoutes, { engine, access, services: [row], pathFor: () => '' });
  return app;
}
