/**
 * Baidu's private-deployment dialect as one table (seed 001, "接口调用"): one row per service,
 * each answering `POST /GeneralClassifyService/classify` on its own default port. A row names the
 * capability it calls, its option parser (from the decoded JSON), how its `result` is encoded
 * and its own err_no table. The shapes reuse the online dialect's shapers
 * (`api/baidu/*-format.ts`) minus their `log_id`; error numbers come from the neutral catalogue
 * (`src/errors.ts`) through `errorClass` and the row's table, never from the online codes.
 */
import type { CapabilityName, OptionsOf, ResultOf } from '../../capabilities/index.js';
import type { ErrorKind } from '../../errors.js';
import { ServiceError } from '../../errors.js';
import { bodyAnalysisResponse } from '../baidu/format.js';
import { handAnalysisResponse } from '../baidu/hands-format.js';
import { bodySegResponse } from '../baidu/seg-format.js';
import { areaCoordinate, bodyNumResponse } from '../baidu/count-format.js';
import { binaryOption } from '../baidu/options.js';
import { parseAttributeTypes, personAttributesResult, personDetectionResult } from '../baidu/attr-format.js';
import { driverBehaviorResult, parseDriverTypes, parseWheelLocation } from '../baidu/driver-format.js';
import { GESTURE_CLASSES } from '../../vision/gesture.js';
import { round } from '../round.js';
import { countRenderLevel } from '../../render/heat-map.js';
import { PRIVATE_DEFAULT_PORTS } from '../../config.js';
import { arr, base64, bool, int, num, obj, oneOfValues, omitProperty, score, str, type JsonSchema } from '../schema.js';
import * as S from '../baidu/schemas.js';

const PRIVATE_GESTURE_SCHEMA = obj({
  object: arr(
    obj({
      classname: oneOfValues([...GESTURE_CLASSES, 'Face', 'other']),
      height: int(),
      label: int('the seed\'s class number: 1-12 and 14-25 the gestures, 13 Face, 0 other', { minimum: 0, maximum: 25 }),
      left: int(),
      probability: score(),
      top: int(),
      width: int(),
    }),
  ),
});
const PRIVATE_DETECTION_SCHEMA = obj({
  person_num: int(),
  det_res: arr(
    obj({
      classname: oneOfValues(['person']),
      crop: str('return_crop=1: the person as base64 JPEG, else ""'),
      left: num(),
      top: num(),
      width: num(),
      height: num(),
      probability: score(),
      label: oneOfValues([1]),
    }),
  ),
});
const PRIVATE_SEG_SCHEMA = obj({
  labelmap: base64('PNG, 1 where a person is'),
  scoremap: base64('PNG, person confidence 0-255'),
  type: oneOfValues(['person']),
  foreground: base64('PNG, the person on a transparent background'),
});

/** The decoded request: the inner JSON object (`image` already taken out). */
export type PrivateParams = Record<string, unknown>;

/**
 * What went wrong, at the granularity the private services document: every neutral kind falls in
 * one class, and each service numbers the classes its own way.
 */
export type PrivateErrorClass =
  /** The body, its `data` or the inner JSON cannot be read. */
  | 'parse'
  /** No image in the request. */
  | 'missing'
  /** The image field is not base64. */
  | 'base64'
  | 'empty'
  /** Not a picture, or a format the service does not read. */
  | 'load'
  /** Too small, too large, or an aspect ratio out of range. */
  | 'size'
  /** An option has a value the service refuses (attributes `type`). */
  | 'option'
  /** The models failed, or the service is too busy to run them. */
  | 'predict'
  | 'auth'
  /** The service's capability is not in this build or not served by this process. */
  | 'unserved';

export const ERROR_CLASS = {
  unknown: 'predict',
  unavailable: 'predict',
  unsupported_method: 'unserved',
  not_served: 'unserved',
  not_found: 'unserved',
  no_permission: 'auth',
  iam_failed: 'auth',
  daily_limit: 'predict',
  qps_limit: 'predict',
  total_limit: 'predict',
  token_missing: 'auth',
  token_invalid: 'auth',
  token_expired: 'auth',
  invalid_param: 'option',
  missing_param: 'missing',
  invalid_value: 'option',
  image_empty: 'empty',
  image_format: 'load',
  image_unsupported: 'load',
  image_size: 'size',
  image_base64: 'base64',
  video_size: 'size',
  url_refused: 'parse',
  url_unreachable: 'parse',
  detect_error: 'predict',
  internal: 'predict',
  overloaded: 'predict',
  token_service: 'auth',
  app_not_found: 'auth',
  recognize_error: 'predict',
  missing_parameters: 'missing',
  invalid_parameters: 'parse',
  batch_error: 'predict',
  batch_limit: 'parse',
  url_size: 'parse',
} as const satisfies Record<ErrorKind, PrivateErrorClass>;

export type ErrNoTable = { readonly [C in PrivateErrorClass]: readonly [errNo: number, errMsg: string] };

/** How a service writes `result`: base64 of the JSON text, the object itself, or the JSON text. */
export type ResultEncoding = 'base64' | 'object' | 'string';

export const PRIVATE_SERVICE_NAMES = ['gesture', 'crowd', 'keypoints', 'detection', 'attributes', 'segmentation', 'hand', 'driver'] as const;
export type PrivateServiceName = (typeof PRIVATE_SERVICE_NAMES)[number];

interface ServiceBase {
  name: PrivateServiceName;
  /** The seed's default port. */
  port: number;
  /** Also takes the plain form: top-level `image`, or `data` as the image's own base64 (gesture, hand, segmentation). */
  plain: boolean;
  /** Whether the reply carries `format: "json"` (hand's reply table has no such field). */
  formatField: boolean;
  encoding: ResultEncoding;
  /** err_msg of a success. */
  success: string;
  errors: ErrNoTable;
}

export interface PrivateService<N extends CapabilityName = CapabilityName> extends ServiceBase {
  capability: N;
  options(params: PrivateParams): Partial<OptionsOf<N>>;
  /** The decoded `result` (before encoding). */
  shape(result: ResultOf<N>): object;
  /** JSON Schema of the decoded `result` (the document and the tests wrap it in the row's encoding). */
  response: JsonSchema;
  /** Keys of the inner JSON its option parser reads besides `image`, with their schemas. */
  fields?: Record<string, JsonSchema>;
}

/** A service whose capability has not landed: it answers its `unserved` error. */
export interface PlannedPrivateService extends ServiceBase {
  capability?: undefined;
  /** Why, for the docs and the error detail. */
  reason: string;
}

const service = <N extends CapabilityName>(row: PrivateService<N>): PrivateService<N> => row;
const noOptions = () => ({});

/** The online shapers put `log_id` in their bodies; the private dialect has none. */
function withoutLogId<T extends { log_id?: unknown }>(body: T): Omit<T, 'log_id'> {
  const { log_id: _drop, ...rest } = body;
  return rest;
}

/** Keypoints' and hand's messages without prefix (their tables print bare messages). */
const HAND_LIKE: ErrNoTable = {
  parse: [216100, 'Failed to parse input json'],
  missing: [216101, 'Invalid image string in input json'],
  base64: [216101, 'Invalid image string in input json'],
  empty: [216200, 'Image empty'],
  load: [216201, 'Failed to load the image'],
  size: [216202, 'Image size is too small (less than 10 pixels)'],
  option: [216100, 'Failed to parse input json'],
  predict: [216203, 'Image detection error'],
  auth: [216401, 'Not authenticated'],
  unserved: [216203, 'Image detection error'],
};

/** Single-person attributes (and, by the seed's copy, driver): err_no 1-8. */
const ATTRIBUTE_ERRORS: ErrNoTable = {
  parse: [5, 'fg_human_attribute [status:input parsing failed]'],
  missing: [4, 'GeneralClassify [status:parse input format error]'],
  base64: [5, 'fg_human_attribute [status:input parsing failed]'],
  empty: [6, 'fg_human_attribute [status:image empty]'],
  load: [5, 'fg_human_attribute [status:input parsing failed]'],
  size: [7, 'fg_human_attribute [status:image size not between 50 and 4096]'],
  option: [8, 'fg_human_attribute [status:attrib type parsing failed]'],
  predict: [3, 'GeneralClassify [status: attrib predict error!]'],
  auth: [5, 'fg_human_attribute [status:input parsing failed]'],
  unserved: [1, 'GeneralClassifyProcessorFactory [status:reading conf file error]'],
};

/** `return_crop`: the shared 1/0 (true/false) reader; other values or types do not crop. */
const returnCropOption = (v: unknown) => binaryOption(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined);

/**
 * attributes `type`: the online parser, less `lower_wear_texture`, which only the online API
 * answers (the private table has 28 types); a non-string value or no known word is err_no 8.
 */
function attributeTypes(value: unknown) {
  if (value !== undefined && typeof value !== 'string') throw new ServiceError('invalid_param', 'type must be a comma-separated string');
  const types = parseAttributeTypes(value).filter((a) => a !== 'lower_wear_texture');
  if (types.length === 0) throw new ServiceError('invalid_param', `type "${value}" names none of the 28 attributes`);
  return types;
}

/** driver `type`: as online; a non-string value is err_no 8 like a type naming no behaviour. */
function driverTypes(value: unknown) {
  if (value !== undefined && typeof value !== 'string') throw new ServiceError('invalid_param', 'type must be a comma-separated string');
  return parseDriverTypes(value);
}

/**
 * crowd `area`: a JSON array of polygons `[[x1,y1,x2,y2,...],...]`. Anything else, or a
 * coordinate that is not a whole number, is kept as an invalid polygon so the capability counts
 * the whole image (the seed: a bad `area` is ignored, never an error).
 */
export function parseAreaArray(value: unknown): number[][] | undefined {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return undefined;
  if (!Array.isArray(value)) return [[Number.NaN]];
  return value.map((poly) => (Array.isArray(poly) ? poly.map(areaCoordinate) : [Number.NaN]));
}

/** crowd `show`: 0-3 (numbers or numeric strings), below 0 as 0, above 3 as 3; other values 0. */
export function parseShowLevel(value: unknown) {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : 0;
  return countRenderLevel(Number.isFinite(n) ? n : 0);
}

/** The seed's gesture labels: its 24 classes in table order from 1, with Face as 13 (`other`: 0). */
export function gestureLabel(classname: string): number {
  if (classname === 'Face') return 13;
  const i = (GESTURE_CLASSES as readonly string[]).indexOf(classname);
  if (i < 0) return 0;
  return i < 12 ? i + 1 : i + 2;
}

export const PRIVATE_SERVICES: ReadonlyArray<PrivateService | PlannedPrivateService> = [
  service({
    name: 'gesture',
    port: PRIVATE_DEFAULT_PORTS.gesture,
    capability: 'gesture',
    plain: true,
    formatField: true,
    encoding: 'string',
    success: 'DetectionSsd [status:succeed]',
    errors: {
      parse: [216100, 'gestureservice [status:Failed to parse input json]'],
      missing: [216101, 'gestureservice [status:Invalid image string in input json]'],
      base64: [216101, 'gestureservice [status:Invalid image string in input json]'],
      empty: [216200, 'gestureservice [status:image empty]'],
      load: [216201, 'gestureservice [status:Failed to load the image]'],
      size: [216202, 'gestureservice [status:Image size is too small]'],
      option: [216100, 'gestureservice [status:Failed to parse input json]'],
      predict: [216203, 'gestureservice [status:Image detection error]'],
      auth: [216204, 'gestureservice [status:Not authenticated]'],
      unserved: [216203, 'gestureservice [status:Image detection error]'],
    },
    options: noOptions,
    response: PRIVATE_GESTURE_SCHEMA,
    shape: (r) => ({
      object: r.gestures.map((g) => {
        const left = Math.round(g.box.left);
        const top = Math.round(g.box.top);
        return {
          classname: g.classname,
          height: Math.round(g.box.top + g.box.height) - top,
          label: gestureLabel(g.classname),
          left,
          probability: round(g.probability, 4),
          top,
          width: Math.round(g.box.left + g.box.width) - left,
        };
      }),
    }),
  }),
  service({
    name: 'crowd',
    port: PRIVATE_DEFAULT_PORTS.crowd,
    capability: 'body_num',
    plain: false,
    formatField: true,
    encoding: 'base64',
    success: 'fg-crowd-counting [status:succeed]',
    errors: {
      parse: [2, 'fg-crowd-counting [status:input parsing failed]'],
      missing: [1, 'fg-crowd-counting [status:input format illegal]'],
      base64: [2, 'fg-crowd-counting [status:input parsing failed]'],
      empty: [3, 'fg-crowd-counting [status:image empty]'],
      load: [2, 'fg-crowd-counting [status:input parsing failed]'],
      size: [4, 'fg-crowd-counting [status:image size < 50]'],
      option: [2, 'fg-crowd-counting [status:input parsing failed]'],
      predict: [7, 'fg-crowd-counting [status:detection prediction fail]'],
      auth: [6, 'fg-crowd-counting [auth verify error]'],
      unserved: [5, 'fg-crowd-counting [status:heatmap prediction fail]'],
    },
    options: (p) => ({ areas: parseAreaArray(p.area), render: parseShowLevel(p.show) }),
    fields: {
      area: arr(arr(int()), 'polygons [[x1,y1,x2,y2,...],...]; invalid ones count the whole image'),
      show: { anyOf: [int(), str()], description: '0-3: which pictures to draw (0 none)' },
    },
    shape: (r) => withoutLogId(bodyNumResponse(0, r)),
    response: omitProperty(S.BODY_NUM_SCHEMA, 'log_id'),
  }),
  service({
    name: 'keypoints',
    port: PRIVATE_DEFAULT_PORTS.keypoints,
    capability: 'body_analysis',
    plain: false,
    formatField: true,
    encoding: 'object',
    success: 'Succeed!',
    errors: {
      ...HAND_LIKE,
      missing: [216100, 'Failed to parse input json'],
      base64: [216201, 'Failed to load the image'],
      size: [216202, 'Image size error'],
      auth: [216100, 'Failed to parse input json'],
    },
    options: noOptions,
    shape: (r) => withoutLogId(bodyAnalysisResponse(0, r)),
    response: omitProperty(S.BODY_ANALYSIS_SCHEMA, 'log_id'),
  }),
  service({
    name: 'detection',
    port: PRIVATE_DEFAULT_PORTS.detection,
    capability: 'person_detection',
    plain: false,
    formatField: true,
    encoding: 'base64',
    success: 'GeneralClassify [status: human detect succeed]',
    errors: {
      parse: [216401, 'pedestrian-detection-service [status:input parsing failed]'],
      missing: [216101, 'GeneralClassify [status:parse input format error]'],
      base64: [216401, 'pedestrian-detection-service [status:input parsing failed]'],
      empty: [216200, 'pedestrian-detection-service [status:image empty]'],
      load: [216401, 'pedestrian-detection-service [status:input parsing failed]'],
      size: [216202, 'pedestrian-detection-service [status:image size not between 50 and 4096]'],
      option: [216401, 'pedestrian-detection-service [status:input parsing failed]'],
      predict: [216401, 'GeneralClassify [status: bbox predict error!]'],
      auth: [216401, 'pedestrian-detection-service [auth verify error]'],
      unserved: [216401, 'GeneralClassifyProcessorFactory [status:reading conf file error]'],
    },
    options: (p) => ({ returnCrop: returnCropOption(p.return_crop) }),
    fields: { return_crop: { anyOf: [int(), str(), bool()], description: '1 (or true): each person\'s crop as base64 JPEG' } },
    shape: personDetectionResult,
    response: PRIVATE_DETECTION_SCHEMA,
  }),
  service({
    name: 'attributes',
    port: PRIVATE_DEFAULT_PORTS.attributes,
    capability: 'person_attributes',
    plain: false,
    formatField: true,
    encoding: 'base64',
    success: 'GeneralClassify [status: human attrib succeed]',
    errors: ATTRIBUTE_ERRORS,
    options: (p) => ({ attributes: attributeTypes(p.type) }),
    fields: { type: str('comma-separated attributes (default: all 28)') },
    shape: personAttributesResult,
    response: obj({ person_num: oneOfValues([1]), person_info: arr(obj({ attributes: S.attributesSchema, location: obj({ height: int(), width: int(), top: int(), score: score(), left: int() }) }), undefined, { minItems: 1, maxItems: 1 }) }),
  }),
  service({
    name: 'segmentation',
    port: PRIVATE_DEFAULT_PORTS.segmentation,
    capability: 'body_seg',
    plain: true,
    formatField: true,
    encoding: 'object',
    success: 'ParseService[status:succeed]',
    errors: {
      parse: [216100, 'ParseService[status:invalid param]'],
      missing: [216100, 'ParseService[status:invalid param]'],
      base64: [216201, 'ParseService[status:image format error]'],
      empty: [216200, 'ParseService[status:invalid image]'],
      load: [216201, 'ParseService[status:image format error]'],
      size: [216200, 'ParseService[status:invalid image]'],
      option: [216100, 'ParseService[status:invalid param]'],
      predict: [216401, 'ParseService[status:predict error]'],
      auth: [216100, 'ParseService[status:invalid param]'],
      unserved: [216401, 'ParseService[status:predict error]'],
    },
    options: noOptions,
    shape: (r) => {
      const b = bodySegResponse(0, r) as { labelmap?: string; scoremap?: string; foreground?: string };
      return { labelmap: b.labelmap ?? '', scoremap: b.scoremap ?? '', type: 'person', foreground: b.foreground ?? '' };
    },
    response: PRIVATE_SEG_SCHEMA,
  }),
  service({
    name: 'hand',
    port: PRIVATE_DEFAULT_PORTS.hand,
    capability: 'hand_analysis',
    plain: true,
    formatField: false,
    encoding: 'base64',
    success: 'Succeed! Congrats, May the force be with you ...',
    errors: HAND_LIKE,
    options: noOptions,
    shape: (r) => withoutLogId(handAnalysisResponse(0, r)),
    response: omitProperty(S.HAND_ANALYSIS_SCHEMA, 'log_id'),
  }),
  service({
    name: 'driver',
    port: PRIVATE_DEFAULT_PORTS.driver,
    capability: 'driver_behavior',
    plain: false,
    formatField: true,
    encoding: 'base64',
    success: 'GeneralClassify [status: human attrib succeed]',
    // The seed's driver section repeats the single-person attribute service's reply and err_no
    // table word for word; we number its errors the same way (docs/private.md).
    errors: ATTRIBUTE_ERRORS,
    fields: {
      type: str('comma-separated behaviours (default all nine)'),
      wheel_location: { anyOf: [int(), str()], description: '1 (default) or 0' },
    },
    options: (p) => ({ types: driverTypes(p.type), wheelLocation: parseWheelLocation(p.wheel_location) }),
    shape: driverBehaviorResult,
    response: omitProperty(S.DRIVER_BEHAVIOR_SCHEMA, 'log_id'),
  }),
] as ReadonlyArray<PrivateService | PlannedPrivateService>;

export function isServedService(row: PrivateService | PlannedPrivateService): row is PrivateService {
  return row.capability !== undefined;
}

export function privateService(name: string): PrivateService | PlannedPrivateService | undefined {
  return PRIVATE_SERVICES.find((s) => s.name === name);
}

/** The capabilities the private services call. */
export function privateCapabilities(names: readonly string[] = PRIVATE_SERVICE_NAMES): CapabilityName[] {
  return PRIVATE_SERVICES.filter(isServedService).filter((s) => names.includes(s.name)).map((s) => s.capability);
}

/** `result` as the service writes it. */
export function encodeResult(encoding: ResultEncoding, result: object): unknown {
  if (encoding === 'object') return result;
  const text = JSON.stringify(result);
  return encoding === 'string' ? `${text}\n` : Buffer.from(text).toString('base64');
}

/** A success reply in the service's key order. */
export function successReply(row: ServiceBase, result: object): object {
  return { err_no: 0, err_msg: row.success, result: encodeResult(row.encoding, result), ...(row.formatField ? { format: 'json' } : {}) };
}

/** JSON Schema of a success reply of `row`: `result` in the row's encoding around its decoded schema. */
export function successReplySchema(row: PrivateService): JsonSchema {
  const result: JsonSchema =
    row.encoding === 'object'
      ? row.response
      : { type: 'string', description: row.encoding === 'base64' ? 'base64 of the JSON text of the result' : 'the JSON text of the result', contentMediaType: 'application/json', ...(row.encoding === 'base64' ? { contentEncoding: 'base64' as const } : {}), contentSchema: row.response };
  return obj({ err_no: oneOfValues([0]), err_msg: oneOfValues([row.success]), result, ...(row.formatField ? { format: oneOfValues(['json']) } : {}) });
}

/** JSON Schema of a failure reply of `row`: its err_no numbers. */
export function errorReplySchema(row: ServiceBase): JsonSchema {
  const numbers = [...new Set(Object.values(row.errors).map(([n]) => n))].sort((a, b) => a - b);
  return obj({ err_no: oneOfValues(numbers), err_msg: str(), ...(row.formatField ? { format: oneOfValues(['json']) } : {}) });
}

/** A failure reply: the service's number and message for the error's class. */
export function errorReply(row: ServiceBase, kind: ErrorKind): { err_no: number; err_msg: string; format?: string } {
  const [errNo, errMsg] = row.errors[ERROR_CLASS[kind]];
  return { err_no: errNo, err_msg: errMsg, ...(row.formatField ? { format: 'json' } : {}) };
}
