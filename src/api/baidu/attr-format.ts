/**
 * Baidu shapes of the attribute services: body_attr's `type` option and response, and the pieces
 * the private dialect's person-detection and single-person attribute services will reuse.
 */
import type { AttributedPerson, BodyAttrResult } from '../../capabilities/body_attr/index.js';
import type { PersonDetectionResult } from '../../capabilities/person_detection/index.js';
import type { PersonAttributesResult } from '../../capabilities/person_attributes/index.js';
import { ATTRIBUTE_NAMES, DEFAULT_ATTRIBUTES, attributeForWord, type AttributeName } from '../../vision/attributes/index.js';
import { ServiceError } from '../../errors.js';
import { round } from '../round.js';
import { base64 } from './seg-format.js';

/**
 * `type`: comma-separated attribute words. Absent or empty: the 17 defaults. Unknown words are
 * ignored; a `type` with no known word at all is invalid (216100 online, err_no 8 privately).
 */
export function parseAttributeTypes(value: string | undefined): AttributeName[] {
  if (value === undefined || value.trim() === '') return [...DEFAULT_ATTRIBUTES];
  const words = value.split(',').map((w) => attributeForWord(w)).filter((a): a is AttributeName => a !== undefined);
  if (words.length === 0) throw new ServiceError('invalid_param', `type "${value}" names no attribute (${ATTRIBUTE_NAMES.join(', ')})`);
  const wanted = new Set(words);
  return ATTRIBUTE_NAMES.filter((a) => wanted.has(a));
}

function attributesJson(p: AttributedPerson) {
  return Object.fromEntries(Object.entries(p.attributes).map(([k, v]) => [k, { score: round(v!.score), name: v!.name }]));
}

function personJson(p: AttributedPerson, integer: boolean) {
  const n = (x: number) => (integer ? Math.round(x) : round(x, 2));
  return {
    attributes: attributesJson(p),
    location: { height: n(p.box.height), width: n(p.box.width), top: n(p.box.top), score: round(p.score), left: n(p.box.left) },
  };
}

export function bodyAttrResponse(logId: number, result: BodyAttrResult) {
  return { person_num: result.persons.length, person_info: result.persons.map((p) => personJson(p, false)), log_id: logId };
}

/** The single-person service's result (private dialect): one person, the whole image, score 1. */
export function personAttributesResult(result: PersonAttributesResult) {
  return { person_num: 1, person_info: [personJson(result.person, true)] };
}

/** The person-detection service's result (private dialect): `det_res` with optional crops. */
export function personDetectionResult(result: PersonDetectionResult) {
  return {
    person_num: result.persons.length,
    det_res: result.persons.map((p) => ({
      classname: 'person',
      crop: p.crop ? base64(p.crop) : '',
      left: p.box.left,
      top: p.box.top,
      width: p.box.width,
      height: p.box.height,
      probability: round(p.probability),
      label: 1,
    })),
  };
}
