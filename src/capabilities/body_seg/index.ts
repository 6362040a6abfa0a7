/**
 * body_seg: person segmentation of the whole photo (labelmap / scoremap / transparent foreground
 * PNGs) and the person boxes. Finding people, segmenting and encoding the PNGs all happen on the
 * engine side (encoding a full-size PNG is CPU work too). Method and measurements:
 * docs/segmentation.md.
 */
import sharp from 'sharp';
import { defineCapability } from '../capability.js';
import { foregroundPng, labelmapPng, scoremapPng } from '../../render/seg-images.js';
import { renderMask } from '../../render/seg-overlay.js';
import { BODY_POSE_MODELS, DEFAULT_BODY_OPTIONS, analyzePeople, bodyModels } from '../../vision/body-pose.js';
import { DEFAULT_SEGMENTATION_OPTIONS, segmentPeople, type SegmentationOptions } from '../../vision/person-seg.js';
import type { ProbMap } from '../../vision/prob-map.js';
import type { Box, RgbImage } from '../../types.js';

export const SEG_IMAGE_TYPES = ['labelmap', 'scoremap', 'foreground'] as const;
export type SegImageType = (typeof SEG_IMAGE_TYPES)[number];

export interface BodySegOptions {
  /** Which images to return. */
  types: readonly SegImageType[];
  /** How the mask is made (the network is always MediaPipe's selfie model). */
  segmentation: Omit<SegmentationOptions, 'net'>;
}

export const DEFAULT_BODY_SEG_OPTIONS: Readonly<BodySegOptions> = { types: SEG_IMAGE_TYPES, segmentation: DEFAULT_SEGMENTATION_OPTIONS };

export interface BodySegResult {
  image: { width: number; height: number };
  persons: { box: Box; score: number }[];
  /** Encoded PNGs, only the requested ones. */
  images: Partial<Record<SegImageType, Uint8Array>>;
}

/**
 * Encodes the requested images of a mask. Each PNG is copied into a buffer of its own so that
 * sending it across threads clones only the PNG, not a larger backing store.
 */
export async function encodeSegImages(image: RgbImage, mask: ProbMap, types: Iterable<SegImageType>): Promise<BodySegResult['images']> {
  const images: BodySegResult['images'] = {};
  for (const type of new Set(types)) {
    const png = type === 'labelmap' ? labelmapPng(mask) : type === 'scoremap' ? scoremapPng(mask) : foregroundPng(image, mask);
    images[type] = new Uint8Array(await png);
  }
  return images;
}

/** The person confidence of a result back as a map, from whichever image it carries (for drawing). */
async function maskOf(result: BodySegResult): Promise<ProbMap> {
  const { width, height } = result.image;
  const { scoremap, labelmap, foreground } = result.images;
  const source = scoremap ?? labelmap ?? foreground;
  if (!source) return { width, height, data: new Float32Array(width * height) };
  const pipeline = sharp(source);
  const channel = await (foreground && !scoremap && !labelmap ? pipeline.extractChannel(3) : pipeline.extractChannel(0)).raw().toBuffer();
  const scale = scoremap || foreground ? 1 / 255 : 1;
  return { width, height, data: Float32Array.from(channel, (v) => Math.min(1, v * scale)) };
}

export const bodySeg = defineCapability({
  name: 'body_seg',
  summary: 'person segmentation: labelmap / scoremap / transparent foreground PNGs, person boxes',
  summaryZh: '人像分割：labelmap / scoremap / 透明前景 PNG，以及人体框',
  models: [...BODY_POSE_MODELS, 'selfie'],
  defaults: DEFAULT_BODY_SEG_OPTIONS,
  async run(models, image, options): Promise<BodySegResult> {
    const persons = await analyzePeople(bodyModels(models), image, DEFAULT_BODY_OPTIONS);
    const seg = await segmentPeople({ name: 'selfie', model: models.selfie }, image, persons, { ...options.segmentation, net: 'selfie' });
    return { image: { width: image.width, height: image.height }, persons: seg.persons, images: await encodeSegImages(image, seg.mask, options.types) };
  },
  async render(image, result) {
    return renderMask(image, await maskOf(result), result.persons.map((p) => p.box));
  },
  files: (result) => result.images as Record<string, Uint8Array>,
  warmup: { options: { types: ['labelmap'] } },
  docs: 'docs/segmentation.md',
  eval: ['segmentation'],
  bench: ['body_seg'],
});
