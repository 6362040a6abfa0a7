/**
 * Baidu's online dialect as one table: a row per API under /rest/2.0/image-classify/v1/<name>,
 * naming the capability it calls, the form fields it reads besides `image`, its option parser,
 * its response shaper and its OAuth scope. The routes, the token `scope` string and the CLI are
 * derived from this table (later the OpenAPI document and the SDK too); the private dialect's
 * table reuses the same parsers and shapers.
 */
import type { CapabilityName, FrameResultOf, OptionsOf, ResultOf } from '../../capabilities/index.js';
import { bodyAnalysisResponse } from './format.js';
import { fingertipResponse, gestureResponse, handAnalysisResponse } from './hands-format.js';
import { bodySegResponse, idPhotoResponse, parseSegTypes } from './seg-format.js';
import { bodyCountResponse, bodyTrackingResponse, trackingCase, trackingOptions, wantsExtras, type CaseRef } from './tracking-format.js';
import { bodyNumResponse, parseAreaText, parseShow } from './count-format.js';
import { bodyAttrResponse, parseAttributeTypes } from './attr-format.js';
import type { ErrorKind } from '../../errors.js';
import type { JsonSchema } from '../schema.js';
import { SEG_IMAGE_TYPES } from '../../capabilities/body_seg/index.js';
import * as S from './schemas.js';
import { ATTRIBUTE_NAMES } from '../../vision/attributes/index.js';

/**
 * Error kinds every online API may answer: the caller's token, signature, permission and limits,
 * the image, the worker pool. A row lists the ones of its own fields in `errors`.
 */
export const BAIDU_COMMON_ERRORS: readonly ErrorKind[] = [
  'unsupported_method', 'not_served', 'no_permission', 'iam_failed', 'daily_limit', 'qps_limit', 'total_limit',
  'token_missing', 'token_invalid', 'token_expired', 'missing_param', 'image_empty', 'image_format', 'image_size',
  'image_base64', 'invalid_parameters', 'url_size', 'overloaded', 'recognize_error', 'internal',
];
import { driverBehaviorResponse, parseDriverTypes, parseWheelLocation } from './driver-format.js';
import { DRIVER_BEHAVIORS } from '../../capabilities/driver_behavior/index.js';

/** A request body read as a form. */
export type Form = Record<string, string | undefined>;

export interface FieldDoc {
  name: string;
  description: string;
  /** The description in Chinese (the console's 中文 view). */
  zh: string;
  /** How the parser reads it (default string; booleans are the words true/false). */
  type?: 'string' | 'boolean' | 'integer';
  /** The words it takes, where the parser knows a closed list. */
  enum?: readonly string[];
  /** A comma-separated list of `enum` words rather than one word. */
  list?: boolean;
  /** Refused when absent (282003 missing parameters); conditional requirements stay in the description. */
  required?: boolean;
}

export interface BaiduEndpoint<N extends CapabilityName = CapabilityName> {
  /** The API name in the path. */
  name: string;
  capability: N;
  /** One line for usage texts when it differs from its capability's summary (with its Chinese, `summaryZh`). */
  summary?: string;
  summaryZh?: string;
  /** OAuth scope granted for it in token responses (as Baidu names it); none for APIs Baidu grants under another's. */
  scope?: string;
  /** Form fields read besides `image`. */
  fields: readonly FieldDoc[];
  /** Capability options from the form (after the image is read); invalid values throw ServiceError. */
  options(form: Form): Partial<OptionsOf<N>>;
  /** The success body. */
  shape(logId: number, result: ResultOf<N>): object;
  /** JSON Schema of every success body (`shape` and `shapeFrame`): /openapi.json and the SDK types come from it, and tests validate real answers against it. */
  response: JsonSchema;
  /** Error kinds this API raises besides those of every online API (BAIDU_COMMON_ERRORS). */
  errors?: readonly ErrorKind[];
  /**
   * APIs answering frame by frame within a case (body_tracking): the case a request belongs to,
   * or undefined for a still image. A case's frames go through the capability's `frame` call
   * with the state the case store keeps per (app, case id).
   */
  case?(form: Form): CaseRef | undefined;
  /** The success body of a case frame. */
  shapeFrame?(logId: number, result: FrameResultOf<N>, form: Form): object;
}

const endpoint = <N extends CapabilityName>(row: BaiduEndpoint<N>): BaiduEndpoint<N> => row;
const noOptions = () => ({});

/**
 * An API of Baidu's BODY catalogue whose capability has not landed yet: it answers error 3
 * (Unsupported openapi method) and its scope appears in token responses as Baidu grants it.
 * It becomes an endpoint row when its capability lands.
 */
export interface PlannedApi {
  name: string;
  scope: string;
  capability?: undefined;
}

/** Every API under /rest/2.0/image-classify/v1/, in the order Baidu's token scopes list them. */
export const BAIDU_APIS: ReadonlyArray<BaiduEndpoint | PlannedApi> = [
  endpoint({ name: 'body_analysis', capability: 'body_analysis', scope: 'brain_body_analysis', fields: [], options: noOptions, shape: bodyAnalysisResponse, response: S.BODY_ANALYSIS_SCHEMA }),
  endpoint({
    name: 'body_attr',
    capability: 'body_attr',
    scope: 'brain_body_attr',
    fields: [{ name: 'type', description: 'comma-separated attributes (default: the 17 of the online manual; any of the 28, plus lower_wear_texture)', zh: '逗号分隔的属性名（默认：在线文档的 17 种；可选 28 种中的任意几种，另有 lower_wear_texture）', enum: ATTRIBUTE_NAMES, list: true }],
    options: (form) => ({ attributes: parseAttributeTypes(form.type) }),
    shape: bodyAttrResponse,
    response: S.BODY_ATTR_SCHEMA,
    errors: ['invalid_param'],
  }),
  endpoint({
    name: 'body_num',
    capability: 'body_num',
    scope: 'brain_body_number',
    fields: [
      { name: 'area', description: 'up to 10 polygons "x1,y1,x2,y2,...;x1,y1,..." (pixels from 1); invalid = whole image', zh: '最多 10 个多边形 "x1,y1,x2,y2,...;x1,y1,..."（像素坐标，从 1 起）；无效时按整图计数' },
      { name: 'show', description: '"true": also return the heat-map picture (base64 JPEG)', zh: '"true"：同时返回热力图（base64 JPEG）', type: 'boolean' },
    ],
    options: (form) => ({ areas: parseAreaText(form.area), render: parseShow(form.show) }),
    shape: bodyNumResponse,
    response: S.BODY_NUM_SCHEMA,
  }),
  endpoint({
    name: 'driver_behavior',
    capability: 'driver_behavior',
    scope: 'brain_driver_behavior',
    fields: [
      { name: 'type', description: 'comma-separated behaviours (default all nine); unknown words ignored, none known = 216100', zh: '逗号分隔的行为名（默认全部九种）；忽略不认识的词，全都不认识时返回 216100', enum: DRIVER_BEHAVIORS, list: true },
      { name: 'wheel_location', description: '"1" (default, left-hand drive: rightmost of similar-size people) or "0" (leftmost); other values = 1', zh: '"1"（默认，左舵车：取大小相近的人中最靠右者）或 "0"（取最靠左者）；其他值按 1 处理' },
    ],
    options: (form) => ({ types: parseDriverTypes(form.type), wheelLocation: parseWheelLocation(form.wheel_location) }),
    shape: driverBehaviorResponse,
    response: S.DRIVER_BEHAVIOR_SCHEMA,
    errors: ['invalid_param'],
  }),
  endpoint({
    name: 'body_seg',
    capability: 'body_seg',
    scope: 'brain_body_seg',
    fields: [{ name: 'type', description: 'comma-separated labelmap, scoremap, foreground (default: all three)', zh: '逗号分隔的 labelmap、scoremap、foreground（默认三者都返回）', enum: SEG_IMAGE_TYPES, list: true }],
    options: (form) => ({ types: parseSegTypes(form.type) }),
    shape: bodySegResponse,
    response: S.BODY_SEG_SCHEMA,
    errors: ['invalid_param'],
  }),
  endpoint({ name: 'gesture', capability: 'gesture', scope: 'brain_gesture_detect', fields: [], options: noOptions, shape: gestureResponse, response: S.GESTURE_SCHEMA }),
  endpoint({
    name: 'body_tracking',
    capability: 'body_tracking',
    scope: 'brain_body_tracking',
    fields: [
      { name: 'dynamic', description: 'true: count with tracking in a case (needs case_id, case_init, area); false: a still-image count', zh: 'true：在一个 case 内跟踪计数（需要 case_id、case_init、area）；false：单张图静态计数', type: 'boolean', required: true },
      { name: 'case_id', description: 'dynamic: the case (an int32 of your choosing, one per video stream)', zh: '动态模式：case 编号（自选的 int32，每路视频流一个）', type: 'integer' },
      { name: 'case_init', description: 'dynamic: true starts the case afresh, false continues it (or starts it when unknown)', zh: '动态模式：true 重新开始该 case，false 接着计数（case 不存在时新建）', type: 'boolean' },
      { name: 'area', description: 'polygon x1,y1,x2,y2,... (>3 vertices, inside the image); beyond Baidu: up to 10 separated by ;', zh: '多边形 x1,y1,x2,y2,...（多于 3 个顶点，在图像内）；百度之外的扩展：最多 10 个，以 ; 分隔' },
      { name: 'show', description: 'true: also the rendered frame (base64 JPEG)', zh: 'true：同时返回绘制后的画面（base64 JPEG）', type: 'boolean' },
      { name: 'line', description: 'beyond Baidu: counting lines x1,y1,x2,y2[;...] (in = crossing to the right-hand side)', zh: '百度之外的扩展：计数线 x1,y1,x2,y2[;...]（越线到右手一侧记为进）' },
      { name: 'totals', description: 'beyond Baidu: true adds area_counts, line_counts and the case\'s running totals', zh: '百度之外的扩展：true 时附加 area_counts、line_counts 以及该 case 的累计总数', type: 'boolean' },
    ],
    options: trackingOptions,
    shape: bodyCountResponse,
    response: S.BODY_TRACKING_SCHEMA,
    errors: ['missing_parameters', 'invalid_value'],
    case: trackingCase,
    shapeFrame: (logId, result, form) => bodyTrackingResponse(logId, result, wantsExtras(form)),
  }),
  endpoint({ name: 'hand_analysis', capability: 'hand_analysis', scope: 'brain_hand_analysis', fields: [], options: noOptions, shape: handAnalysisResponse, response: S.HAND_ANALYSIS_SCHEMA }),
  endpoint({
    name: 'fingertip',
    capability: 'hand_analysis',
    summary: 'every hand: box, index fingertip and four helper points',
    summaryZh: '每只手：手部框、食指指尖与四个辅助点',
    fields: [],
    options: noOptions,
    shape: fingertipResponse,
    response: S.FINGERTIP_SCHEMA,
  }),
  endpoint({ name: 'body_seg_photo', capability: 'body_seg_photo', fields: [], options: noOptions, shape: idPhotoResponse, response: S.BODY_SEG_PHOTO_SCHEMA, errors: ['detect_error'] }),
] as ReadonlyArray<BaiduEndpoint | PlannedApi>;

const isServed = (row: BaiduEndpoint | PlannedApi): row is BaiduEndpoint => row.capability !== undefined;

/** The APIs a capability serves. */
export const BAIDU_ENDPOINTS: readonly BaiduEndpoint[] = BAIDU_APIS.filter(isServed);
/** The APIs still waiting for their capability. */
export const BAIDU_PLANNED: readonly PlannedApi[] = BAIDU_APIS.filter((r): r is PlannedApi => !isServed(r));

export function baiduEndpoint(name: string): BaiduEndpoint | undefined {
  return BAIDU_ENDPOINTS.find((e) => e.name === name);
}

/** API name → scope, for every API with a scope (served or planned), in Baidu's order. */
export function baiduScopes(): Array<[api: string, scope: string]> {
  return BAIDU_APIS.filter((r) => Boolean(r.scope)).map((r) => [r.name, r.scope!]);
}
