/**
 * The one error catalogue. Every failure a caller can see is an entry here; code elsewhere throws
 * `new ServiceError('image_format')` and each API dialect translates the entry into its own shape
 * (Baidu error_code/error_msg, private err_no/err_msg, Kakao HTTP status).
 */
export interface ErrorEntry {
  /** Baidu online error_code (also used as the private dialect's err_no). */
  baiduCode: number;
  /** Baidu error_msg text, as Baidu's clients expect it. */
  message: string;
  /** HTTP status for dialects that signal errors by status (Kakao). */
  httpStatus: number;
  /** Kakao's common error code for the same failure (their `code` field). */
  kakaoCode: number;
}

export const ERRORS = {
  unknown: { baiduCode: 1, message: 'Unknown error', httpStatus: 500, kakaoCode: -1 },
  unavailable: { baiduCode: 2, message: 'Service temporarily unavailable', httpStatus: 503, kakaoCode: -7 },
  unsupported_method: { baiduCode: 3, message: 'Unsupported openapi method', httpStatus: 404, kakaoCode: -3 },
  no_permission: { baiduCode: 6, message: 'No permission to access data', httpStatus: 403, kakaoCode: -5 },
  iam_failed: { baiduCode: 14, message: 'IAM Certification failed', httpStatus: 401, kakaoCode: -401 },
  daily_limit: { baiduCode: 17, message: 'Open api daily request limit reached', httpStatus: 429, kakaoCode: -10 },
  qps_limit: { baiduCode: 18, message: 'Open api qps request limit reached', httpStatus: 429, kakaoCode: -10 },
  total_limit: { baiduCode: 19, message: 'Open api total request limit reached', httpStatus: 429, kakaoCode: -10 },
  token_missing: { baiduCode: 100, message: 'Invalid parameter', httpStatus: 401, kakaoCode: -401 },
  token_invalid: { baiduCode: 110, message: 'Access token invalid or no longer valid', httpStatus: 401, kakaoCode: -401 },
  token_expired: { baiduCode: 111, message: 'Access token expired', httpStatus: 401, kakaoCode: -401 },
  invalid_param: { baiduCode: 216100, message: 'invalid param', httpStatus: 400, kakaoCode: -2 },
  missing_param: { baiduCode: 216101, message: 'not enough param', httpStatus: 400, kakaoCode: -2 },
  image_empty: { baiduCode: 216200, message: 'empty image', httpStatus: 400, kakaoCode: -2 },
  /** Unrecognised or corrupt image data. */
  image_format: { baiduCode: 216201, message: 'image format error', httpStatus: 400, kakaoCode: -2 },
  /** A recognised image format this dialect does not accept (same Baidu code; Kakao tells them apart). */
  image_unsupported: { baiduCode: 216201, message: 'image format error', httpStatus: 415, kakaoCode: -911 },
  image_size: { baiduCode: 216202, message: 'image size error', httpStatus: 413, kakaoCode: -602 },
  image_base64: { baiduCode: 216203, message: 'image size error', httpStatus: 400, kakaoCode: -2 },
  video_size: { baiduCode: 216100, message: 'video size error', httpStatus: 413, kakaoCode: -602 },
  url_refused: { baiduCode: 216100, message: 'invalid param', httpStatus: 400, kakaoCode: -2 },
  url_unreachable: { baiduCode: 216100, message: 'invalid param', httpStatus: 400, kakaoCode: -2 },
  /** Detection failed in a way the API documents (body_seg_photo: no person, two or more, upside down). */
  detect_error: { baiduCode: 216634, message: 'detect error', httpStatus: 422, kakaoCode: -2 },
  internal: { baiduCode: 282000, message: 'internal error', httpStatus: 500, kakaoCode: -1 },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorKind = keyof typeof ERRORS;

export class ServiceError extends Error {
  readonly kind: ErrorKind;
  readonly entry: ErrorEntry;
  /** Extra detail for logs and for dialects that allow a longer message; never replaces entry.message. */
  readonly detail?: string;

  constructor(kind: ErrorKind, detail?: string) {
    super(detail ? `${ERRORS[kind].message}: ${detail}` : ERRORS[kind].message);
    this.name = 'ServiceError';
    this.kind = kind;
    this.entry = ERRORS[kind];
    this.detail = detail;
  }
}

/** Any thrown value as a ServiceError; unknown failures become `internal`. */
export function toServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  return new ServiceError('internal', err instanceof Error ? err.message : String(err));
}
