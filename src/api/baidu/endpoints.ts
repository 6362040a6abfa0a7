/**
 * Baidu's online dialect as one table: a row per API under /rest/2.0/image-classify/v1/<name>,
 * naming the capability it calls, the form fields it reads besides `image`, its option parser,
 * its response shaper and its OAuth scope. The routes, the token `scope` string and the CLI are
 * derived from this table (later the OpenAPI document and the SDK too); the private dialect's
 * table reuses the same parsers and shapers.
 */
import type { CapabilityName, OptionsOf, ResultOf } from '../../capabilities/index.js';
import { bodyAnalysisResponse } from './format.js';
import { fingertipResponse, gestureResponse, handAnalysisResponse } from './hands-format.js';
import { bodySegResponse, idPhotoResponse, parseSegTypes } from './seg-format.js';
import { bodyAttrResponse, parseAttributeTypes } from './attr-format.js';

/** A request body read as a form. */
export type Form = Record<string, string | undefined>;

export interface FieldDoc {
  name: string;
  description: string;
}

export interface BaiduEndpoint<N extends CapabilityName = CapabilityName> {
  /** The API name in the path. */
  name: string;
  capability: N;
  /** One line for usage texts when it differs from its capability's summary. */
  summary?: string;
  /** OAuth scope granted for it in token responses (as Baidu names it); none for APIs Baidu grants under another's. */
  scope?: string;
  /** Form fields read besides `image`. */
  fields: readonly FieldDoc[];
  /** Capability options from the form (after the image is read); invalid values throw ServiceError. */
  options(form: Form): Partial<OptionsOf<N>>;
  /** The success body. */
  shape(logId: number, result: ResultOf<N>): object;
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
  endpoint({ name: 'body_analysis', capability: 'body_analysis', scope: 'brain_body_analysis', fields: [], options: noOptions, shape: bodyAnalysisResponse }),
  endpoint({
    name: 'body_attr',
    capability: 'body_attr',
    scope: 'brain_body_attr',
    fields: [{ name: 'type', description: 'comma-separated attributes (default: the 17 of the online manual; any of the 28, plus lower_wear_texture)' }],
    options: (form) => ({ attributes: parseAttributeTypes(form.type) }),
    shape: bodyAttrResponse,
  }),
  { name: 'body_num', scope: 'brain_body_number' },
  { name: 'driver_behavior', scope: 'brain_driver_behavior' },
  endpoint({
    name: 'body_seg',
    capability: 'body_seg',
    scope: 'brain_body_seg',
    fields: [{ name: 'type', description: 'comma-separated labelmap, scoremap, foreground (default: all three)' }],
    options: (form) => ({ types: parseSegTypes(form.type) }),
    shape: bodySegResponse,
  }),
  endpoint({ name: 'gesture', capability: 'gesture', scope: 'brain_gesture_detect', fields: [], options: noOptions, shape: gestureResponse }),
  { name: 'body_tracking', scope: 'brain_body_tracking' },
  endpoint({ name: 'hand_analysis', capability: 'hand_analysis', scope: 'brain_hand_analysis', fields: [], options: noOptions, shape: handAnalysisResponse }),
  endpoint({
    name: 'fingertip',
    capability: 'hand_analysis',
    summary: 'every hand: box, index fingertip and four helper points',
    fields: [],
    options: noOptions,
    shape: fingertipResponse,
  }),
  endpoint({ name: 'body_seg_photo', capability: 'body_seg_photo', fields: [], options: noOptions, shape: idPhotoResponse }),
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
