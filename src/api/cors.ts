/**
 * Cross-origin calls from browser apps on other origins (BODYLENS_CORS_ORIGINS, off by default;
 * docs/operations.md). Only the dialects' own APIs take part: Baidu's token and online APIs,
 * Kakao's /pose routes, the private dialect and the API document. The admin API, the console's
 * own routes, /metrics and /healthz never answer another origin, so an admin key typed into a
 * page elsewhere is refused by the browser.
 *
 * A preflight from an allowed origin answers 204 with the methods and the headers it asked for
 * (Baidu's signed calls send `authorization` and `x-bce-date`, Kakao's `Authorization: KakaoAK`);
 * one from another origin answers 403 with a reason. Calls carry the origin back and expose the
 * headers a client reads (`X-Log-Id`, `X-Response-Time`, `Retry-After`). No cookies are used, so
 * credentials are never allowed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CorsOrigins } from '../config.js';

/** The paths that answer other origins (the dialect APIs); a private service's own port serves only its classify path. */
export const CORS_PATHS = /^\/(?:rest\/2\.0\/|oauth\/2\.0\/token(?:$|\?)|pose(?:$|[/?])|private\/|GeneralClassifyService\/|openapi\.json(?:$|\?))/;

const EXPOSED = 'X-Log-Id, X-Response-Time, Retry-After';
const MAX_AGE_SECONDS = '600';
// A header list as a preflight sends it: field names separated by commas.
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

function allowedOrigin(origins: CorsOrigins, origin: string): string | undefined {
  if (origins === '*') return '*';
  return origins.includes(origin) ? origin : undefined;
}

/** The classify path, all a private service's own port serves. */
export const PRIVATE_PORT_CORS_PATHS = /^\/GeneralClassifyService\//;

/**
 * Adds the CORS answers to `app` (off when `origins` is undefined) on the paths `paths` matches.
 * Preflights are answered in onRequest; every other answer on those paths gets its headers in
 * onSend, so refusals written by earlier hooks (shutdown, a URL too long) carry them too, and
 * `Vary: Origin` goes out with or without an Origin (a cache must not hand one origin's answer to
 * another).
 */
export function cors(app: FastifyInstance, origins: CorsOrigins | undefined, paths: RegExp = CORS_PATHS): void {
  if (!origins) return;
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    const preflight = request.method === 'OPTIONS' && typeof request.headers['access-control-request-method'] === 'string';
    if (!preflight || typeof origin !== 'string' || !paths.test(request.url)) return;
    const allowed = allowedOrigin(origins, origin);
    if (!allowed) return reply.code(403).send({ error: 'origin_not_allowed', message: `origin ${origin} is not in BODYLENS_CORS_ORIGINS` });
    const asked = request.headers['access-control-request-headers'];
    reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
    if (typeof asked === 'string' && HEADER_LIST.test(asked.trim())) reply.header('access-control-allow-headers', asked.trim());
    reply.header('access-control-max-age', MAX_AGE_SECONDS);
    return reply.code(204).send();
  });
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!paths.test(request.url)) return payload;
    if (origins !== '*') reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    const allowed = typeof origin === 'string' ? allowedOrigin(origins, origin) : undefined;
    // Without the header the browser withholds the answer from another origin's page.
    if (!allowed) return payload;
    reply.header('access-control-allow-origin', allowed);
    if (request.method !== 'OPTIONS') reply.header('access-control-expose-headers', EXPOSED);
    return payload;
  });
}
