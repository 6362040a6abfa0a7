/**
 * Failures that reach the server's own error and not-found handlers (transport errors, unknown
 * routes), answered in the dialect of the path they were sent to: Baidu's online API (HTTP 200,
 * `error_code`), Baidu's OAuth endpoint (`{error_description, error}`), Kakao's Pose API
 * (`{code, msg}`), Baidu's private deployment (`/private/<service>/`, `{err_no, err_msg}`), and for paths of no dialect the neutral catalogue entry (`{error, message}`).
 */
import type { ServiceError } from '../errors.js';
import { errorResponse } from './baidu/errors.js';
import { newLogId } from './baidu/log-id.js';
import { kakaoError } from './kakao/errors.js';
import { privateRouteError } from './private/routes.js';

/** `logId`: the request's (api/observe.ts `logIdOf`); a fresh one when the request has none yet. */
export function routeError(path: string, error: ServiceError, logId: number = newLogId()): { status: number; body: object } {
  if (path.startsWith('/rest/2.0/')) return { status: 200, body: errorResponse(logId, error) };
  // Baidu's private dialect under /private/<service>/: HTTP 200 and the service's err_no.
  const priv = privateRouteError(path, error);
  if (priv) return { status: 200, body: priv };
  const message = error.detail ?? error.entry.message;
  if (path.startsWith('/oauth/')) return { status: error.entry.httpStatus, body: { error_description: message, error: 'invalid_request' } };
  if (path === '/pose' || path.startsWith('/pose/')) return { status: error.entry.httpStatus, body: kakaoError(error) };
  return { status: error.entry.httpStatus, body: { error: error.kind, message } };
}
