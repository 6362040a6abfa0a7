/**
 * The body_seg task: decode, find people, segment, and encode the requested images, all inside
 * the worker (encoding a full-size PNG is CPU work too). Results are plain data for the pool.
 */
import { decodeImage, type IntakeOptions } from '../intake/index.js';
import { foregroundPng, labelmapPng, scoremapPng } from '../render/seg-images.js';
import type { Box, RgbImage } from '../types.js';
import type { Segmenter } from './segmentation.js';
import type { ProbMap } from '../vision/prob-map.js';

export const SEG_IMAGE_TYPES = ['labelmap', 'scoremap', 'foreground'] as const;
export type SegImageType = (typeof SEG_IMAGE_TYPES)[number];

export interface BodySegRequest {
  bytes: Uint8Array;
  intake?: IntakeOptions;
  /** Which images to return; the API fills in all three by default. */
  types: SegImageType[];
}

export interface BodySegResult {
  image: { width: number; height: number };
  persons: { box: Box; score: number }[];
  /** Encoded PNGs, only the requested ones. */
  images: Partial<Record<SegImageType, Uint8Array>>;
}

/**
 * Encodes the requested images of a mask. Each PNG is copied into a buffer of its own so that
 * sending it to the pool clones only the PNG, not a larger backing store.
 */
export async function encodeSegImages(image: RgbImage, mask: ProbMap, types: Iterable<SegImageType>): Promise<BodySegResult['images']> {
  const images: BodySegResult['images'] = {};
  for (const type of new Set(types)) {
    const png = type === 'labelmap' ? labelmapPng(mask) : type === 'scoremap' ? scoremapPng(mask) : foregroundPng(image, mask);
    images[type] = new Uint8Array(await png);
  }
  return images;
}

export async function runBodySeg(segmenter: Segmenter, request: BodySegRequest): Promise<BodySegResult> {
  const image = await decodeImage(request.bytes, request.intake);
  const seg = await segmenter.segmentImage(image);
  return { image: { width: image.width, height: image.height }, persons: seg.persons, images: await encodeSegImages(image, seg.mask, request.types) };
}
