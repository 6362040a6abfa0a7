/**
 * Image files of a segmentation (sharp): labelmap (1-channel PNG, 1 = person), scoremap (grey
 * PNG, confidence × 255), foreground (RGBA PNG, people on transparency), and the ID-photo cut and
 * demo. All at the size of the image the mask belongs to.
 */
import sharp from 'sharp';
import type { RgbImage } from '../types.js';
import type { ProbMap } from '../vision/prob-map.js';

/** Foreground opacity ramps from 0 to 1 across this band of confidence, centred on 0.5. */
const ALPHA_RAMP: [number, number] = [0.3, 0.7];

/** Opacity for a confidence: 0 below the ramp, 1 above, linear between; 0.5 maps to half. */
export function alphaFor(confidence: number): number {
  const [lo, hi] = ALPHA_RAMP;
  return confidence <= lo ? 0 : confidence >= hi ? 1 : (confidence - lo) / (hi - lo);
}

function grey(data: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(data, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png({ compressionLevel: 6 }).toBuffer();
}

/** 0/1 per pixel (confidence > 0.5); a client multiplies by 255 to view it, as the Baidu doc says. */
export function labelmapPng(mask: ProbMap): Promise<Buffer> {
  const out = new Uint8Array(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[i] > 0.5 ? 1 : 0;
  return grey(out, mask.width, mask.height);
}

export function scoremapPng(mask: ProbMap): Promise<Buffer> {
  const out = new Uint8Array(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(mask.data[i] * 255);
  return grey(out, mask.width, mask.height);
}

function checkSizes(image: RgbImage, mask: ProbMap): void {
  if (image.width !== mask.width || image.height !== mask.height) throw new Error('image and mask sizes differ');
}

/** The photo's people on a transparent background; soft edges come from the refined mask. */
export function foregroundPng(image: RgbImage, mask: ProbMap): Promise<Buffer> {
  checkSizes(image, mask);
  const n = mask.data.length;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const a = alphaFor(mask.data[i]);
    if (a === 0) continue; // fully transparent pixels stay 0,0,0,0 (compresses well)
    out[4 * i] = image.data[3 * i];
    out[4 * i + 1] = image.data[3 * i + 1];
    out[4 * i + 2] = image.data[3 * i + 2];
    out[4 * i + 3] = Math.round(a * 255);
  }
  return sharp(out, { raw: { width: image.width, height: image.height, channels: 4 } }).png({ compressionLevel: 6 }).toBuffer();
}

/** The person composited on black (the ID-photo "demo"), JPEG. */
export function onBlackJpeg(image: RgbImage, mask: ProbMap): Promise<Buffer> {
  checkSizes(image, mask);
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < mask.data.length; i++) {
    const a = alphaFor(mask.data[i]);
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round(image.data[3 * i + c] * a);
  }
  return jpeg({ width: image.width, height: image.height, data: out });
}

export function jpeg(image: RgbImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
}
