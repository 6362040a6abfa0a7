/**
 * The admin HTTP API, registered only when an admin key is configured (BODYLENS_ADMIN_KEY):
 *
 *   GET    /admin/apps[?all=1]                 list (secret keys masked)
 *   POST   /admin/apps            {AppInput}   create (the answer shows the secret key once)
 *   GET    /admin/apps/:id                     one app, with today's and lifetime counts
 *   PATCH  /admin/apps/:id        {AppInput}   update (revoked: true / false)
 *   POST   /admin/apps/:id/revoke              revoke (tokens end at once)
 *   POST   /admin/apps/:id/rotate-secret       new Secret Key (shown once; tokens end)
 *   GET    /admin/apps/:id/usage[?from&to]     requests per API, day and outcome
 *   GET    /admin/private/usage[?from&to&service]  private-dialect calls per service, day and outcome
 *   POST   /admin/tokens/revoke   {token}      end one access or refresh token
 *
 * Every call needs `Authorization: Bearer <admin key>` (compared in constant time); failures
 * answer `{error, message}` with 401 / 400 / 404. `:id` is an app_id or an API Key.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../auth/apps.js';
import * as ops from './ops.js';

export interface AdminRoutesOptions {
  adminKey: string;
  context: ops.AdminContext;
}

type Req = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>;

export async function adminRoutes(app: FastifyInstance, opts: AdminRoutesOptions): Promise<void> {
  const ctx = opts.context;
  // Admin bodies are JSON; an empty one is an empty object.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    const text = String(body).trim();
    if (!text) return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ops.AdminError(400, 'body is not JSON'), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!token || !safeEqual(token, opts.adminKey)) {
      reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'admin key required: Authorization: Bearer <BODYLENS_ADMIN_KEY>' });
      return reply;
    }
  });

  app.setErrorHandler((err, _request, reply: FastifyReply) => {
    if (err instanceof ops.AdminError) return reply.code(err.status).send({ error: err.status === 404 ? 'not_found' : 'invalid_request', message: err.message });
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({ error: status >= 500 ? 'internal' : 'invalid_request', message: status >= 500 ? 'internal error' : (err as Error).message });
  });

  const flag = (v: string | undefined) => v === '1' || v === 'true';
  app.get('/admin/apps', async (req: Req) => ({ apps: ops.listAppsOp(ctx, { all: flag(req.query.all) }) }));
  app.post('/admin/apps', async (req, reply) => reply.code(201).send(ops.createAppOp(ctx, req.body)));
  app.get('/admin/apps/:id', async (req: Req) => ops.showAppOp(ctx, req.params.id));
  app.patch('/admin/apps/:id', async (req: Req) => ops.updateAppOp(ctx, req.params.id, req.body));
  app.post('/admin/apps/:id/revoke', async (req: Req) => ops.revokeAppOp(ctx, req.params.id));
  app.post('/admin/apps/:id/rotate-secret', async (req: Req) => ops.rotateSecretOp(ctx, req.params.id));
  app.get('/admin/apps/:id/usage', async (req: Req) => ops.usageOp(ctx, req.params.id, { from: req.query.from, to: req.query.to }));
  app.get('/admin/private/usage', async (req: Req) => ops.privateUsageOp(ctx, { from: req.query.from, to: req.query.to, service: req.query.service }));
  app.post('/admin/tokens/revoke', async (req) => ops.revokeTokenOp(ctx, (req.body as { token?: unknown } | undefined)?.token));
}
