import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceError, toServiceError } from '../../errors.js';
import { BAIDU_INTAKE, decodeBase64Field } from '../../intake/index.js';
import type { AnalysisPool } from '../../runtime/pool.js';
import type { TaskMap, TaskName } from '../../runtime/tasks.js';
import { bodyAnalysisResponse, errorResponse } from './format.js';
import { newLogId } from './log-id.js';
import { bodySegResponse, idPhotoResponse, parseSegTypes } from './seg-format.js';
import { fingertipResponse, gestureResponse, handAnalysisResponse } from './hands-format.js';

/** Checks the caller of an online API (token or signature, permission, limits); throws ServiceError. */
export type Authenticate = (request: FastifyRequest, api: string) => void;

type Form = Record<string, string | undefined>;

interface BaiduApi {
  run(pool: AnalysisPool, form: Form, logId: number): Promise<object>;
}

/** Tasks that take an uploaded image (encoded bytes plus intake options). */
type ImageTask = { [N in TaskName]: TaskMap[N]['request'] extends { bytes: Uint8Array } ? N : never }[TaskName];
type TaskOptions<N extends ImageTask> = Omit<TaskMap[N]['request'], 'bytes' | 'intake'>;

/**
 * The usual API: decode the base64 `image` field, read any task options from the form (after the
 * image, so a missing image is the error reported first), run `task` and format its result.
 */
function imageApi<N extends ImageTask>(
  task: N,
  format: (logId: number, result: TaskMap[N]['result']) => object,
  // Required exactly when the task has options of its own.
  ...options: {} extends TaskOptions<N> ? [] : [(form: Form) => TaskOptions<N>]
): BaiduApi {
  return {
    async run(pool, form, logId) {
      const bytes = decodeBase64Field(form.image);
      const request = { ...options[0]?.(form), bytes, intake: BAIDU_INTAKE } as TaskMap[N]['request'];
      return format(logId, await pool.run(task, request));
    },
  };
}

/** Online APIs served under /rest/2.0/image-classify/v1/<name>. */
const APIS: Record<string, BaiduApi> = {
  body_analysis: imageApi('body_analysis', bodyAnalysisResponse),
  body_seg: imageApi('body_seg', bodySegResponse, (form) => ({ types: parseSegTypes(form.type) })),
  body_seg_photo: imageApi('body_seg_photo', idPhotoResponse),
  hand_analysis: imageApi('hand_analysis', handAnalysisResponse),
  fingertip: imageApi('hand_analysis', fingertipResponse),
  gesture: imageApi('gesture', gestureResponse),
};

/** Baidu reads the body as a form whatever its declared type; text bodies are parsed as one too. */
function formFields(body: unknown): Form {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string') return Object.fromEntries(new URLSearchParams(body));
  if (typeof body === 'object' && !Array.isArray(body)) return body as Form;
  throw new ServiceError('invalid_param', 'body must be form-urlencoded');
}

export interface RestRoutesOptions {
  pool: AnalysisPool;
  authenticate: Authenticate;
}

/**
 * Baidu's online dialect: every outcome is HTTP 200 with JSON carrying a log_id; failures carry
 * error_code/error_msg from the catalogue.
 */
export async function baiduRestRoutes(app: FastifyInstance, opts: RestRoutesOptions): Promise<void> {
  const handler = async (request: FastifyRequest<{ Params: { api: string } }>) => {
    const logId = newLogId();
    try {
      const api = APIS[request.params.api];
      if (!api) throw new ServiceError('unsupported_method', `no API named ${request.params.api}`);
      opts.authenticate(request, request.params.api);
      const form = formFields(request.body);
      return await api.run(opts.pool, form, logId);
    } catch (err) {
      const error = toServiceError(err);
      if (error.kind === 'internal' || error.kind === 'unknown') request.log.error({ err, logId }, 'analysis failed');
      return errorResponse(logId, error);
    }
  };
  app.post('/rest/2.0/image-classify/v1/:api', handler);
  // Baidu answers GETs on API paths with an error rather than a 404 page.
  app.get('/rest/2.0/image-classify/v1/:api', handler);
}
