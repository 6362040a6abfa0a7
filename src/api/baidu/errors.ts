/**
 * Baidu's online dialect: each catalogue kind as Baidu's `error_code` and `error_msg` (seed 001,
 * error codes). Kinds without a Baidu code of their own take the nearest one Baidu documents.
 */
import type { ErrorKind, ServiceError } from '../../errors.js';

export interface BaiduErrorCode {
  code: number;
  msg: string;
  /** The error's detail follows the message ("msg: detail"). */
  detail?: boolean;
}

export const BAIDU_ERRORS = {
  unknown: { code: 1, msg: 'Unknown error' },
  unavailable: { code: 2, msg: 'Service temporarily unavailable' },
  unsupported_method: { code: 3, msg: 'Unsupported openapi method' },
  // The API exists but this process does not serve it: "service not support".
  not_served: { code: 216102, msg: 'service not support' },
  not_found: { code: 3, msg: 'Unsupported openapi method' },
  no_permission: { code: 6, msg: 'No permission to access data' },
  iam_failed: { code: 14, msg: 'IAM Certification failed' },
  daily_limit: { code: 17, msg: 'Open api daily request limit reached' },
  qps_limit: { code: 18, msg: 'Open api qps request limit reached' },
  total_limit: { code: 19, msg: 'Open api total request limit reached' },
  token_missing: { code: 100, msg: 'Invalid parameter' },
  token_invalid: { code: 110, msg: 'Access token invalid or no longer valid' },
  token_expired: { code: 111, msg: 'Access token expired' },
  invalid_param: { code: 216100, msg: 'invalid param' },
  missing_param: { code: 216101, msg: 'not enough param' },
  invalid_value: { code: 282004, msg: 'invalid parameter(s)', detail: true },
  image_empty: { code: 216200, msg: 'empty image' },
  image_format: { code: 216201, msg: 'image format error' },
  image_unsupported: { code: 216201, msg: 'image format error' },
  image_size: { code: 216202, msg: 'image size error' },
  image_base64: { code: 216203, msg: 'image size error' },
  video_size: { code: 216100, msg: 'video size error' },
  url_refused: { code: 216100, msg: 'invalid param' },
  url_unreachable: { code: 216100, msg: 'invalid param' },
  detect_error: { code: 216634, msg: 'detect error' },
  internal: { code: 282000, msg: 'internal error' },
  overloaded: { code: 4, msg: 'Open api request limit reached' },
  token_service: { code: 13, msg: 'Get service token failed' },
  app_not_found: { code: 15, msg: 'app not exists or create failed' },
  recognize_error: { code: 216630, msg: 'recognize error' },
  // Baidu writes the parameter's name into the message ("missing parameters: {name}").
  missing_parameters: { code: 282003, msg: 'missing parameters', detail: true },
  invalid_parameters: { code: 282004, msg: 'invalid parameter(s)' },
  batch_error: { code: 282005, msg: 'batch processing error' },
  batch_limit: { code: 282006, msg: 'batch task limit reached' },
  url_size: { code: 282114, msg: 'url size error' },
} as const satisfies Record<ErrorKind, BaiduErrorCode>;

export function baiduCode(kind: ErrorKind): number {
  return BAIDU_ERRORS[kind].code;
}

/** The body of a failed online call. */
export function errorResponse(logId: number, err: ServiceError) {
  const entry: BaiduErrorCode = BAIDU_ERRORS[err.kind];
  const msg = entry.detail && err.detail ? `${entry.msg}: ${err.detail}` : entry.msg;
  return { log_id: logId, error_code: entry.code, error_msg: msg };
}
