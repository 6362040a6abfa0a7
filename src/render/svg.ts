/** Drawing over a photo: SVG shapes composited onto the raw RGB pixels with sharp. */
import sharp, { type Sharp } from 'sharp';
import type { Box, RgbImage } from '../types.js';

/** The photo with `body` (SVG elements in image pixels) drawn over it; encode it as needed. */
export function overlaySvg(image: RgbImage, body: string): Sharp {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}">${body}</svg>`;
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }]);
}

/** An unfilled box outline. */
export function boxRect(box: Box, colour: string, strokeWidth: number): string {
  return `<rect x="${box.left}" y="${box.top}" width="${box.width}" height="${box.height}" fill="none" stroke="${colour}" stroke-width="${strokeWidth}"/>`;
}

/** Text made safe inside SVG markup. */
export const escapeXml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
