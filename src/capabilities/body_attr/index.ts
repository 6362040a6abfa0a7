/**
 * body_attr: every person the finder sees (box with a calibrated probability) and, for each,
 * the requested attributes out of the 28 (default: the online manual's 17), each the most
 * probable value name with its probability. The attribute logic lives in
 * src/vision/attributes/ and is shared with person_attributes. Method and accuracy:
 * docs/attributes.md.
 */
import { defineCapability } from '../capability.js';
import { renderAttributes } from '../../render/attributes.js';
import {
  ATTRIBUTE_MODELS,
  DEFAULT_ATTRIBUTE_OPTIONS,
  DEFAULT_ATTRIBUTES,
  answerAttributes,
  describePeople,
  type AttributeAnswer,
  type AttributeName,
  type AttributeOptions,
} from '../../vision/attributes/index.js';
import { GATED_PERSON_FINDER_OPTIONS, PERSON_FINDER_MODELS, findPeople, personFinderModels, type PersonFinderOptions } from '../../vision/person-finder.js';
import type { Box } from '../../types.js';

export interface BodyAttrOptions {
  /** Attributes to answer, in answer order. */
  attributes: readonly AttributeName[];
  finder: PersonFinderOptions;
  evidence: AttributeOptions;
}

export const DEFAULT_BODY_ATTR_OPTIONS: Readonly<BodyAttrOptions> = {
  attributes: DEFAULT_ATTRIBUTES,
  finder: GATED_PERSON_FINDER_OPTIONS,
  evidence: DEFAULT_ATTRIBUTE_OPTIONS,
};

export interface AttributedPerson {
  box: Box;
  /** Probability that the box is a person (the finder's calibrated score). */
  score: number;
  attributes: Partial<Record<AttributeName, AttributeAnswer>>;
}

export interface BodyAttrResult {
  image: { width: number; height: number };
  persons: AttributedPerson[];
}

export const BODY_ATTR_MODELS = [...new Set([...PERSON_FINDER_MODELS, ...ATTRIBUTE_MODELS])];

export const bodyAttr = defineCapability({
  name: 'body_attr',
  summary: 'every person: box with a probability and up to 28 attributes (gender, clothing, colours, bag, orientation, truncation ...)',
  summaryZh: '每个人：带概率的人体框，以及最多 28 种属性（性别、衣着、颜色、背包、朝向、截断等）',
  models: BODY_ATTR_MODELS,
  defaults: DEFAULT_BODY_ATTR_OPTIONS,
  async run(models, image, options): Promise<BodyAttrResult> {
    const found = await findPeople(personFinderModels(models), image, options.finder);
    const people = found.sort((a, b) => a.box.left - b.box.left || a.box.top - b.box.top);
    const dists = await describePeople(models, image, people, options.attributes, options.evidence);
    return {
      image: { width: image.width, height: image.height },
      persons: people.map((p, i) => ({ box: p.box, score: p.score, attributes: answerAttributes(dists[i], options.attributes) })),
    };
  },
  render: (image, result) => renderAttributes(image, result.persons),
  docs: 'docs/attributes.md',
  eval: ['attributes'],
  bench: ['body_attr'],
});
