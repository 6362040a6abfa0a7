import { boxRect, overlaySvg } from './svg.js';
import type { Box, RgbImage } from '../types.js';
import type { ProbMap } from '../vision/prob-map.js';
import { alphaFor } from './seg-images.js';

/** Tint of the person mask over the photo. */
const TINT = [46, 204, 113];

/**
 * The photo with the person mask shown: people tinted green, the background dimmed, and each
 * detected person's box outlined. Returns a PNG.
 */
export async function renderMask(image: RgbImage, mask: ProbMap, boxes: Box[] = []): Promise<Buffer> {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < mask.data.length; i++) {
    const a = alphaFor(mask.data[i]);
    for (let c = 0; c < 3; c++) {
      const v = image.data[3 * i + c];
      const person = 0.6 * v + 0.4 * TINT[c];
      const background = 0.35 * v;
      out[3 * i + c] = Math.round(a * person + (1 - a) * background);
    }
  }
  const unit = Math.max(2, Math.round(Math.max(image.width, image.height) / 300));
  const rects = boxes.map((b) => boxRect(b, '#f1c40f', unit));
  return overlaySvg({ width: image.width, height: image.height, data: out }, rects.join('')).png().toBuffer();
}
