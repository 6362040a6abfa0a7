import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { ServiceError, toServiceError } from '../errors.js';
import type { AnalysisPool } from '../runtime/pool.js';
import type { AuthRequest, AuthService } from '../auth/index.js';
import { baiduRestRoutes } from './baidu/rest.js';
import { kakaoRoutes, type KakaoLimits, type PoseJobQueue } from './kakao/routes.js';
import type { AddressPolicy } from '../net/address-policy.js';
import { tokenRoutes } from './baidu/token.js';
import { errorResponse } from './baidu/format.js';
import { newLogId } from './baidu/log-id.js';

/**
 * Request bodies may carry a 4 MB base64 image after urlencoding (which grows '+', '/' and '='
 * threefold), so the transport limit is generous and the 4 MB rule is enforced on the field.
 */
const BODY_LIMIT = 12 * 1024 * 1024;

export interface AppDeps {
  pool: AnalysisPool;
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
}

function isBaiduPath(request: FastifyRequest): boolean {
  return request.url.startsWith('/rest/2.0/');
}

/** Maps transport-level failures (body too large, unparsable body) to catalogue entries. */
function transportError(err: { code?: string; statusCode?: number; message: string }): ServiceError {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ServiceError('image_size', 'request body too large');
  if (err.statusCode && err.statusCode < 500) return new ServiceError('invalid_param', err.message);
  return toServiceError(err);
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

  app.setErrorHandler((err: { code?: string; statusCode?: number; message: string }, request, reply) => {
    if (isBaiduPath(request)) {
      reply.code(200).send(errorResponse(newLogId(), transportError(err)));
      return;
    }
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) request.log.error(err);
    reply.code(status).send({ error: err.code ?? 'error', message: err.message });
  });

  app.setNotFoundHandler((request, reply) => {
    if (isBaiduPath(request)) {
      reply.code(200).send(errorResponse(newLogId(), new ServiceError('unsupported_method', request.url.split('?')[0])));
      return;
    }
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  app.get('/healthz', async (_request, reply) => {
    const ready = deps.pool.isReady();
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'starting' };
  });

  await app.register(tokenRoutes, { auth: deps.auth });
  await app.register(baiduRestRoutes, {
    pool: deps.pool,
    authenticate: (request, api) => deps.auth.authenticate(request as unknown as AuthRequest, api),
  });
  await app.register(kakaoRoutes, {
    pool: deps.pool,
    authenticate: (request, api) => deps.auth.authenticateKakao(request, api),
    urlPolicy: deps.urlPolicy,
    limits: deps.kakaoLimits,
    jobs: deps.jobs,
    uploadDir: deps.uploadDir,
  });
  return app;
}
