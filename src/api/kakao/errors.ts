/**
 * Kakao's dialect: each catalogue kind as Kakao's common error `code` (their REST APIs answer an
 * HTTP status with `{code, msg}`); the status is the catalogue's.
 */
import type { ErrorKind, ServiceError } from '../../errors.js';

export const KAKAO_CODES = {
  unknown: -1,
  unavailable: -7,
  unsupported_method: -3,
  not_served: -7,
  not_found: -3,
  no_permission: -5,
  iam_failed: -401,
  daily_limit: -10,
  qps_limit: -10,
  total_limit: -10,
  token_missing: -401,
  token_invalid: -401,
  token_expired: -401,
  invalid_param: -2,
  missing_param: -2,
  invalid_value: -2,
  image_empty: -2,
  image_format: -2,
  image_unsupported: -911,
  image_size: -602,
  image_base64: -2,
  video_size: -602,
  url_refused: -2,
  url_unreachable: -2,
  detect_error: -2,
  internal: -1,
  overloaded: -7,
  token_service: -1,
  app_not_found: -401,
  recognize_error: -1,
  missing_parameters: -2,
  invalid_parameters: -2,
  batch_error: -2,
  batch_limit: -2,
  url_size: -2,
} as const satisfies Record<ErrorKind, number>;

/** `{code, msg}`: msg is the catalogue message plus the detail, except for server failures (whose detail, a stack, stays in the log). */
export function kakaoError(error: ServiceError): { code: number; msg: string } {
  const internal = error.entry.httpStatus >= 500;
  return { code: KAKAO_CODES[error.kind], msg: error.detail && !internal ? `${error.entry.message}: ${error.detail}` : error.entry.message };
}
