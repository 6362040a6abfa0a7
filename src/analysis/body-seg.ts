/**
 * The body_seg task: decode, find people, segment, and encode the requested images, all inside
 * the worker (encoding a full-size PNG is CPU work too). Results are plain data for the pool.
 */
import { decodeImage, type IntakeOptions } from '../intake/index.js';
import { foregroundPng, labelmapPng, scoremapPng } from '../render/seg-images.js';
import type { Box } from '../types.js';
import type { Segmenter } from './segmentation.js';

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

export async function runBodySeg(segmenter: Segmenter, request: BodySegRequest): Promise<BodySegResult> {
  const image = await decodeImage(request.bytes, request.intake);
  const seg = await segmenter.segmentImage(image);
  const images: BodySegResult['images'] = {};
  for (const type of new Set(request.types)) {
    const png = type === 'labelmap' ? labelmapPng(seg.mask) : type === 'scoremap' ? scoremapPng(seg.mask) : foregroundPng(image, seg.mask);
    images[type] = new Uint8Array(await png);
  }
  return { image: { width: image.width, height: image.height }, persons: seg.persons, images };
}
