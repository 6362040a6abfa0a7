/**
 * person_detection: the private deployment's person-detection service. The person finder's
 * boxes with their calibrated probability, people smaller than 30 × 30 px dropped (as the manual
 * says the service does), and optionally each person cut out as a JPEG (`return_crop`).
 * Accuracy: the `attributes` eval suite's pennfudan lines (docs/attributes.md).
 */
import { defineCapability } from '../capability.js';
import { jpeg } from '../../render/seg-images.js';
import { renderAttributes } from '../../render/attributes.js';
import { extractRegion } from '../../vision/crop.js';
import { GATED_PERSON_FINDER_OPTIONS, PERSON_FINDER_MODELS, findPeople, personFinderModels, type PersonFinderOptions } from '../../vision/person-finder.js';
import type { Box, RgbImage } from '../../types.js';

export interface PersonDetectionOptions {
  /** Cut every person out as a JPEG. */
  returnCrop: boolean;
  /** People narrower or shorter than this (px) are dropped. */
  minSide: number;
  finder: PersonFinderOptions;
}

export const DEFAULT_PERSON_DETECTION_OPTIONS: Readonly<PersonDetectionOptions> = { returnCrop: false, minSide: 30, finder: GATED_PERSON_FINDER_OPTIONS };

export interface DetectedPerson {
  /** Integer pixels inside the image. */
  box: Box;
  probability: number;
  /** JPEG of the box, when asked for. */
  crop?: Uint8Array;
}

export interface PersonDetectionResult {
  image: { width: number; height: number };
  persons: DetectedPerson[];
}

/** A box rounded outwards to whole pixels inside the image. */
export function pixelBox(box: Box, image: { width: number; height: number }): Box {
  const left = Math.max(0, Math.floor(box.left)), top = Math.max(0, Math.floor(box.top));
  const right = Math.min(image.width, Math.ceil(box.left + box.width)), bottom = Math.min(image.height, Math.ceil(box.top + box.height));
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

export async function cropJpeg(image: RgbImage, box: Box): Promise<Uint8Array> {
  return new Uint8Array(await jpeg(extractRegion(image, box.left, box.top, box.width, box.height)));
}

export const personDetection = defineCapability({
  name: 'person_detection',
  summary: 'every person at least 30 x 30 px: box, probability, optional JPEG crop',
  summaryZh: '每个至少 30 × 30 像素的人：人体框、概率、可选的 JPEG 裁剪图',
  models: PERSON_FINDER_MODELS,
  defaults: DEFAULT_PERSON_DETECTION_OPTIONS,
  async run(models, image, options): Promise<PersonDetectionResult> {
    const found = await findPeople(personFinderModels(models), image, options.finder);
    const persons: DetectedPerson[] = [];
    for (const p of found) {
      const box = pixelBox(p.box, image);
      if (box.width < options.minSide || box.height < options.minSide) continue;
      persons.push({ box, probability: p.score, ...(options.returnCrop ? { crop: await cropJpeg(image, box) } : {}) });
    }
    return { image: { width: image.width, height: image.height }, persons };
  },
  render: (image, result) => renderAttributes(image, result.persons.map((p) => ({ box: p.box, score: p.probability, attributes: {} }))),
  files: (result) => Object.fromEntries(result.persons.flatMap((p, i) => (p.crop ? [[`person-${i}`, p.crop]] : []))),
  docs: 'docs/attributes.md',
  eval: ['attributes'],
  bench: ['person_detection_mot17'],
  exposure: 'the private dialect (issue 14) will serve it as its person-detection service (return_crop); the CLI runs it with --capability',
});
