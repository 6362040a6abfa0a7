/**
 * person_attributes: the private deployment's single-person attribute service. The whole image
 * is one person (a crop the caller made with person detection): top-down pose on the whole
 * frame, then the same attribute logic as body_attr (src/vision/attributes/), any of the 28
 * types. Method and accuracy: docs/attributes.md.
 */
import { defineCapability } from '../capability.js';
import { renderAttributes } from '../../render/attributes.js';
import {
  ATTRIBUTE_MODELS,
  DEFAULT_ATTRIBUTE_OPTIONS,
  DEFAULT_ATTRIBUTES,
  answerAttributes,
  describePeople,
  type AttributeName,
  type AttributeOptions,
} from '../../vision/attributes/index.js';
import { DEFAULT_TOP_DOWN_OPTIONS, poseForBox } from '../../vision/top-down.js';
import type { AttributedPerson } from '../body_attr/index.js';

export interface PersonAttributesOptions {
  attributes: readonly AttributeName[];
  evidence: AttributeOptions;
}

export const DEFAULT_PERSON_ATTRIBUTES_OPTIONS: Readonly<PersonAttributesOptions> = { attributes: DEFAULT_ATTRIBUTES, evidence: DEFAULT_ATTRIBUTE_OPTIONS };

export interface PersonAttributesResult {
  image: { width: number; height: number };
  /** Exactly one: the whole image, score 1. */
  person: AttributedPerson;
}

export const personAttributes = defineCapability({
  name: 'person_attributes',
  summary: 'the whole image as one person: any of the 28 attributes',
  summaryZh: '整张图当作一个人：28 种属性中的任意几种',
  models: [...ATTRIBUTE_MODELS, 'movenet-thunder', 'movenet-lightning'],
  defaults: DEFAULT_PERSON_ATTRIBUTES_OPTIONS,
  async run(models, image, options): Promise<PersonAttributesResult> {
    const box = { left: 0, top: 0, width: image.width, height: image.height };
    const keypoints = await poseForBox({ thunder: models['movenet-thunder'], lightning: models['movenet-lightning'] }, image, box, DEFAULT_TOP_DOWN_OPTIONS);
    const [dist] = await describePeople(models, image, [{ box, keypoints }], options.attributes, options.evidence);
    return { image: { width: image.width, height: image.height }, person: { box, score: 1, attributes: answerAttributes(dist, options.attributes) } };
  },
  render: (image, result) => renderAttributes(image, [result.person]),
  docs: 'docs/attributes.md',
  eval: ['attributes'],
  bench: ['person_attributes'],
  exposure: 'the private dialect (issue 14) will serve it as its single-person attribute service; the CLI runs it with --capability',
});
