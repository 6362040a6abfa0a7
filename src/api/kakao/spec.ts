/**
 * Kakao's routes as data for the document and the SDK (routes.ts serves them): their request
 * fields, the JSON Schema of each success body and the error kinds each may answer (codes from
 * errors.ts, HTTP statuses from the neutral catalogue).
 */
import type { ErrorKind } from '../../errors.js';
import { COCO_KEYPOINTS } from '../../types.js';
import { arr, int, named, num, obj, oneOfValues, score, str, type JsonSchema } from '../schema.js';

export const KAKAO_ERROR_SCHEMA = obj({ code: int('Kakao error code (negative)'), msg: str() });

export const KAKAO_PERSON_SCHEMA = named('KakaoPerson', obj({
  area: num('w × h of bbox'),
  bbox: arr(num(), '[x, y, w, h]', { minItems: 4, maxItems: 4 }),
  category_id: oneOfValues([1]),
  keypoints: arr(num(), `[x1, y1, s1, ..., x17, y17, s17] in COCO order: ${COCO_KEYPOINTS.join(', ')}`, { minItems: 51, maxItems: 51 }),
  score: score(),
}));

export const KAKAO_POSE_SCHEMA = arr(KAKAO_PERSON_SCHEMA, 'one object per person');

export const KAKAO_JOB_SUBMITTED_SCHEMA = obj({ job_id: str() });

const videoSchema = obj({ fps: num(), frames: int('source frames in the analysed window'), width: int(), height: int() });

export const KAKAO_JOB_SCHEMA: JsonSchema = {
  anyOf: [
    obj({ job_id: str(), status: oneOfValues(['not found', 'waiting']) }),
    obj({ job_id: str(), progress: num('0-1, beyond Kakao', { minimum: 0, maximum: 1 }), status: oneOfValues(['processing']) }),
    obj({ description: str(), job_id: str(), status: oneOfValues(['failed']) }),
    obj({
      annotations: arr(obj({ frame_num: int(), objects: arr(KAKAO_PERSON_SCHEMA) })),
      categories: arr(
        obj({ id: oneOfValues([1]), keypoints: arr(str()), name: oneOfValues(['person']), skeleton: arr(arr(int(), undefined, { minItems: 2, maxItems: 2 })), supercategory: oneOfValues(['person']) }),
      ),
      info: obj({ contributor: str(), date_created: str('YYYY/MM/DD'), description: str(), name: str(), url: str(), version: str(), year: int() }),
      job_id: str(),
      status: oneOfValues(['success']),
      video: videoSchema,
    }),
  ],
};

export interface KakaoField {
  name: string;
  description: string;
  type: 'string' | 'boolean' | 'binary';
}

export interface KakaoRouteSpec {
  method: 'get' | 'post';
  /** OpenAPI-style path (`{job_id}`). */
  path: string;
  operationId: string;
  summary: string;
  /** multipart/form-data or form fields; none for GET. */
  fields: readonly KakaoField[];
  /** The path parameter, for GET /pose/job/{job_id}. */
  pathParam?: string;
  response: JsonSchema;
  errors: readonly ErrorKind[];
}

const AUTH: readonly ErrorKind[] = ['token_missing', 'token_invalid', 'no_permission', 'iam_failed', 'qps_limit', 'daily_limit', 'total_limit'];
const SERVE: readonly ErrorKind[] = ['not_served', 'overloaded', 'internal'];

/** Where the media comes from: an upload or a URL, exactly one of the two. */
const sourceFields = (what: 'image' | 'video'): KakaoField[] => [
  { name: 'file', description: `the ${what} (multipart); exactly one of file and ${what}_url`, type: 'binary' },
  { name: `${what}_url`, description: `an http(s) URL of the ${what}`, type: 'string' },
];

export const KAKAO_ROUTES: readonly KakaoRouteSpec[] = [
  {
    method: 'post',
    path: '/pose',
    operationId: 'kakaoPose',
    summary: 'COCO-17 keypoints of every person in an image (file upload or image_url)',
    fields: sourceFields('image'),
    response: KAKAO_POSE_SCHEMA,
    errors: [...AUTH, 'missing_param', 'invalid_param', 'image_empty', 'image_format', 'image_unsupported', 'image_size', 'url_refused', 'url_unreachable', ...SERVE],
  },
  {
    method: 'post',
    path: '/pose/job',
    operationId: 'kakaoPoseJob',
    summary: 'start an asynchronous video pose job (file upload or video_url); poll GET /pose/job/{job_id}',
    fields: [
      ...sourceFields('video'),
      { name: 'smoothing', description: 'smooth keypoints over time (default true)', type: 'boolean' },
      { name: 'callback_url', description: 'POSTed the job id when the job ends', type: 'string' },
    ],
    response: KAKAO_JOB_SUBMITTED_SCHEMA,
    errors: [...AUTH, 'missing_param', 'invalid_param', 'video_size', 'url_refused', 'url_unreachable', ...SERVE],
  },
  {
    method: 'get',
    path: '/pose/job/{job_id}',
    operationId: 'kakaoPoseJobResult',
    summary: 'a video job: waiting, processing (with progress), success (the result) or failed; polling is not charged',
    fields: [],
    pathParam: 'job_id',
    response: KAKAO_JOB_SCHEMA,
    errors: ['token_missing', 'token_invalid', 'no_permission', 'internal'],
  },
];

