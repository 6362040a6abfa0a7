import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { ServiceError, transportError } from '../errors.js';
import type { Engine } from '../engine/engine.js';
import type { AuthRequest, AuthService } from '../auth/index.js';
import { baiduRestRoutes } from './baidu/rest.js';
import { kakaoRoutes, type KakaoLimits, type PoseJobQueue } from './kakao/routes.js';
import type { AddressPolicy } from '../net/address-policy.js';
import { tokenRoutes } from './baidu/token.js';
import { routeError } from './route-errors.js';
import { Cases, MemoryCaseStore } from '../store/cases.js';
import { DEFAULT_CASE_SETTINGS } from '../config.js';

/**
 * Request bodies may carry a 4 MB base64 image after urlencoding (which grows '+', '/' and '='
 * threefold), so the transport limit is generous and the 4 MB rule is enforced on the field.
 */
const BODY_LIMIT = 12 * 1024 * 1024;

export interface AppDeps {
  engine: Engine;
  auth: AuthService;
  /** Fastify log level; no request logging when absent (tests). */
  logLevel?: string;
  /** Which addresses caller-supplied URLs may point at. */
  urlPolicy: AddressPolicy;
  kakaoLimits: KakaoLimits;
  /** Video pose jobs (src/video/jobs.ts). */
  jobs: PoseJobQueue;
  /** Where uploaded videos wait for their job. */
  uploadDir: string;
  /** Tracking cases (body_tracking); default: in memory, idle 600 s. */
  cases?: Cases;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    logger: deps.logLevel
      ? {
          level: deps.logLevel,
          // Query strings carry access tokens (and client secrets on /oauth): never log them.
          serializers: { req: (req) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }) },
        }
      : false,
    // Long base64 fields are the norm here; keep the default parser but allow big query strings too.
    routerOptions: { maxParamLength: 500 },
  });
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  // Bodies of undeclared or odd types arrive as text; the Baidu routes read them as a form.
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  // Outside a dialect's own handler (Kakao's plugin has one), failures answer in the dialect of
  // their path (api/route-errors.ts).
  app.setErrorHandler((err, request, reply) => {
    const error = transportError(err);
    if (error.entry.httpStatus >= 500) request.log.error(err);
    const { status, body } = routeError(request.url.split('?')[0], error);
    reply.code(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const error = path.startsWith('/rest/2.0/') ? new ServiceError('unsupported_method', path) : new ServiceError('not_found', `no route ${request.method} ${path}`);
    const { status, body } = routeError(path, error);
    reply.code(status).send(body);
  });

  app.get('/healthz', async (_request, reply) => {
    const ready = deps.engine.isReady();
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'starting' };
  });

  await app.register(tokenRoutes, { auth: deps.auth });
  await app.register(baiduRestRoutes, {
    engine: deps.engine,
    authenticate: (request, api) => deps.auth.authenticate(request as unknown as AuthRequest, api),
    cases: deps.cases ?? new Cases(new MemoryCaseStore({ idleSeconds: DEFAULT_CASE_SETTINGS.idleSeconds })),
  });
  await app.register(kakaoRoutes, {
    engine: deps.engine,
    authenticate: (request, api) => deps.auth.authenticateKakao(request, api),
    urlPolicy: deps.urlPolicy,
    limits: deps.kakaoLimits,
    jobs: deps.jobs,
    uploadDir: deps.uploadDir,
  });
  return app;
}
