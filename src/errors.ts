/**
 * The one neutral error catalogue. Every failure a caller can see is a kind here, with a neutral
 * message and the HTTP status a status-signalling dialect answers with. Code elsewhere throws
 * `new ServiceError('image_format')`; each dialect owns a map from kind to its own code
 * (`api/baidu/errors.ts`, `api/kakao/errors.ts`, typed `satisfies Record<ErrorKind, ...>`), so
 * a new kind does not compile until every dialect has mapped it.
 */
export interface ErrorEntry {
  /** Neutral English description (dialects may print their own text instead). */
  message: string;
  /** HTTP status for dialects that signal errors by status (Kakao, unknown routes). */
  httpStatus: number;
}

export const ERRORS = {
  unknown: { message: 'Unknown error', httpStatus: 500 },
  unavailable: { message: 'Service temporarily unavailable', httpStatus: 503 },
  unsupported_method: { message: 'Unsupported openapi method', httpStatus: 404 },
  /** The API exists, but this process does not serve its capability (BODYLENS_CAPABILITIES). */
  not_served: { message: 'Capability not served by this process', httpStatus: 503 },
  /** No route at this path (outside any API's path space). */
  not_found: { message: 'Not found', httpStatus: 404 },
  no_permission: { message: 'No permission to access data', httpStatus: 403 },
  iam_failed: { message: 'IAM Certification failed', httpStatus: 401 },
  daily_limit: { message: 'Open api daily request limit reached', httpStatus: 429 },
  qps_limit: { message: 'Open api qps request limit reached', httpStatus: 429 },
  total_limit: { message: 'Open api total request limit reached', httpStatus: 429 },
  token_missing: { message: 'Invalid parameter', httpStatus: 401 },
  token_invalid: { message: 'Access token invalid or no longer valid', httpStatus: 401 },
  token_expired: { message: 'Access token expired', httpStatus: 401 },
  invalid_param: { message: 'invalid param', httpStatus: 400 },
  missing_param: { message: 'not enough param', httpStatus: 400 },
  /** A parameter has a value the API does not accept; the detail says which and why (Baidu 282004 with the reason; body_tracking). */
  invalid_value: { message: 'invalid parameter(s)', httpStatus: 400 },
  image_empty: { message: 'empty image', httpStatus: 400 },
  /** Unrecognised or corrupt image data. */
  image_format: { message: 'image format error', httpStatus: 400 },
  /** A recognised image format this dialect does not accept. */
  image_unsupported: { message: 'image format error', httpStatus: 415 },
  image_size: { message: 'image size error', httpStatus: 413 },
  image_base64: { message: 'image size error', httpStatus: 400 },
  video_size: { message: 'video size error', httpStatus: 413 },
  url_refused: { message: 'invalid param', httpStatus: 400 },
  url_unreachable: { message: 'invalid param', httpStatus: 400 },
  /** Detection failed in a way the API documents (body_seg_photo: no person, two or more, upside down). */
  detect_error: { message: 'detect error', httpStatus: 422 },
  internal: { message: 'internal error', httpStatus: 500 },
  /** Too much work queued, or a request waited past its queue deadline (Baidu 4). */
  overloaded: { message: 'Open api request limit reached', httpStatus: 503 },
  /** The token store could not be read (Baidu 13). */
  token_service: { message: 'Get service token failed', httpStatus: 503 },
  /** A well-formed credential naming an app that does not exist (Baidu 15). */
  app_not_found: { message: 'app not exists or create failed', httpStatus: 401 },
  /** The models failed on this input (a worker died mid-run; Baidu 216630). */
  recognize_error: { message: 'recognize error', httpStatus: 500 },
  /** A required parameter is absent; the detail is its name (Baidu 282003 "missing parameters: {name}"). */
  missing_parameters: { message: 'missing parameters', httpStatus: 400 },
  /** The request body cannot be read as parameters at all (Baidu 282004). */
  invalid_parameters: { message: 'invalid parameter(s)', httpStatus: 400 },
  /** Batch APIs only (none served): some tasks of a batch failed (Baidu 282005). */
  batch_error: { message: 'batch processing error', httpStatus: 400 },
  /** Batch APIs only (none served): more than 10 tasks (Baidu 282006). */
  batch_limit: { message: 'batch task limit reached', httpStatus: 400 },
  /** The request URL (query string) is too long (Baidu 282114). */
  url_size: { message: 'url size error', httpStatus: 431 },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorKind = keyof typeof ERRORS;

export function isErrorKind(kind: string): kind is ErrorKind {
  return Object.hasOwn(ERRORS, kind);
}

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

/**
 * Transport and plugin failures (Fastify body limits, unparsable bodies, multipart limits, a
 * client hanging up) as catalogue entries: the one place such errors are translated.
 */
export function transportError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.code === 'FST_REQ_FILE_TOO_LARGE') return new ServiceError('image_size', e.message);
  // The client went away mid-upload: its problem, not a server failure (nobody reads the answer).
  if (e.code === 'ECONNRESET' || e.code === 'ERR_STREAM_PREMATURE_CLOSE') return new ServiceError('invalid_param', 'upload aborted by the client');
  if (e.statusCode === 404) return new ServiceError('not_found', e.message);
  if (e.statusCode && e.statusCode < 500) return new ServiceError('invalid_param', e.message);
  return toServiceError(err);
}
