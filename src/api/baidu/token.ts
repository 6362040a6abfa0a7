/**
 * Baidu's token endpoint, `GET|POST /oauth/2.0/token` (auth method 1).
 *
 * Usage (the server owns the Fastify instance and the AuthService):
 *
 *   import formbody from '@fastify/formbody';
 *   import { tokenRoutes } from './api/baidu/token.js';
 *   await app.register(formbody);
 *   await app.register(tokenRoutes, { auth });   // auth: AuthService from src/auth/index.ts
 *
 * Parameters `grant_type=client_credentials&client_id=<API Key>&client_secret=<Secret Key>` may
 * come in the query string, a form body, or a JSON body (query first, body fields win). Answers:
 * 200 with Baidu's token JSON; 401 `{"error_description":"unknown client id","error":"invalid_client"}`
 * for an unknown or revoked key; 401 `{"error_description":"Client authentication failed",
 * "error":"invalid_client"}` for a wrong secret; 400 `{"error_description":"The authorization grant
 * type is not supported","error":"unsupported_grant_type"}` for a missing or other grant type.
 *
 * Inside its own (encapsulated) context the plugin also: registers @fastify/formbody if the
 * parent has no form parser; accepts `Content-Type: application/json` with an empty body
 * (Baidu's own sample code sends exactly that); ignores bodies of other types. Its routes log
 * at `warn` by default because the request URL may carry the client secret.
 */
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, LogLevel } from 'fastify';
import type { AuthService } from '../../auth/index.js';

export interface TokenRoutesOptions {
  auth: AuthService;
  /** Log level of the token routes (default 'warn': info-level request logs would show secrets in URLs). */
  logLevel?: LogLevel;
}

type Params = Record<string, unknown>;

function pick(source: unknown, into: Record<string, string>): void {
  if (!source || typeof source !== 'object') return;
  for (const key of ['grant_type', 'client_id', 'client_secret', 'refresh_token']) {
    let value = (source as Params)[key];
    if (Array.isArray(value)) value = value[0];
    if (typeof value === 'string') into[key] = value;
  }
}

export const tokenRoutes: FastifyPluginAsync<TokenRoutesOptions> = async (app, options) => {
  const { auth } = options;
  if (!auth) throw new Error('tokenRoutes needs { auth: AuthService }');

  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);

  // Fastify rejects an empty JSON body; clients following Baidu's samples send one. Empty or
  // unparsable JSON is treated as "no body parameters".
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body).trim();
    if (!text) return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, {});
    }
  });
  if (!app.hasContentTypeParser('*')) {
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, undefined));
  }

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const params: Record<string, string> = {};
    pick(req.query, params);
    pick(req.body, params);
    const result = auth.exchangeClientCredentials(params);
    return reply.code(result.status).header('cache-control', 'no-store').send(result.body);
  };

  app.route({
    method: ['GET', 'POST'],
    url: '/oauth/2.0/token',
    bodyLimit: 64 * 1024,
    logLevel: options.logLevel ?? 'warn',
    handler,
  });
};

export default tokenRoutes;
