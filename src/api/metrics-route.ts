/**
 * `GET /metrics`: the Prometheus text exposition of src/metrics. Who may read it
 * (BODYLENS_METRICS, docs/operations.md): `loopback` (default) a caller on 127.0.0.1 / ::1, or
 * anyone presenting the admin key as `Authorization: Bearer <key>`; `key` only the admin key
 * (loopback is not trusted: for a reverse proxy on the same host); `open` anyone; `off` no route.
 * The numbers carry no secrets, but API names, app traffic and error rates are not for everyone.
 */
import type { FastifyInstance } from 'fastify';
import { safeEqual } from '../auth/apps.js';
import type { Metrics } from '../metrics/index.js';

export interface MetricsAccess {
  mode?: 'loopback' | 'key' | 'open' | 'off';
  /** When set, a Bearer of it may read /metrics from any address. */
  adminKey?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function metricsRoute(app: FastifyInstance, metrics: Metrics, access: MetricsAccess = {}): void {
  const mode = access.mode ?? 'loopback';
  if (mode === 'off') return;
  app.get('/metrics', async (request, reply) => {
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const allowed =
      mode === 'open' ||
      (mode === 'loopback' && LOOPBACK.has(request.socket.remoteAddress ?? '')) ||
      (access.adminKey !== undefined && bearer !== '' && safeEqual(bearer, access.adminKey));
    if (!allowed) {
      return reply.code(403).send({ error: 'no_permission', message: mode === 'key' ? '/metrics is readable with the admin key (BODYLENS_METRICS=key)' : '/metrics is readable from loopback or with the admin key (BODYLENS_METRICS)' });
    }
    const { contentType, text } = await metrics.scrape();
    return reply.type(contentType).send(text);
  });
}
