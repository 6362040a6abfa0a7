import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceError, toServiceError } from '../../errors.js';
import { BAIDU_INTAKE, decodeBase64Field } from '../../intake/index.js';
import type { AnalysisPool } from '../../runtime/pool.js';
import type { BodyAnalysis } from '../../analysis/types.js';
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

/** Online APIs served under /rest/2.0/image-classify/v1/<name>. */
const APIS: Record<string, BaiduApi> = {
  body_analysis: {
    async run(pool, form, logId) {
      const bytes = decodeBase64Field(form.image);
      const analysis: BodyAnalysis = await pool.run('body_analysis', { bytes, intake: BAIDU_INTAKE });
      return bodyAnalysisResponse(logId, analysis);
    },
  },
  body_seg: {
    async run(pool, form, logId) {
      const bytes = decodeBase64Field(form.image);
      const types = parseSegTypes(form.type);
      return bodySegResponse(logId, await pool.run('body_seg', { bytes, intake: BAIDU_INTAKE, types }));
    },
  },
  body_seg_photo: {
    async run(pool, form, logId) {
      const bytes = decodeBase64Field(form.image);
      return idPhotoResponse(logId, await pool.run('body_seg_photo', { bytes, intake: BAIDU_INTAKE }));
    },
  },
  hand_analysis: {
    async run(pool, form, logId) {
      const bytes = decodeBase64Field(form.image);
      return handAnalysisResponse(logId, await pool.run('hand_analysis', { bytes, intake: BAIDU_INTAKE }));
    },
  },
  fingertip: {
    async run(pool, form, logId) {
      const bytes = decodeBase64Field(form.image);
      return fingertipResponse(logId, await pool.run('hand_analysis', { bytes, intake: BAIDU_INTAKE }));
    },
  },
  gesture: {
    async run(pool, form, logId) {
      const bytes = decodeBase64Field(form.image);
      return gestureResponse(logId, await pool.run('gesture', { bytes, intake: BAIDU_INTAKE }));
    },
  },
};

export const BAIDU_API_NAMES = Object.keys(APIS);

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
