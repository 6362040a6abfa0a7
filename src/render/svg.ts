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

/**
 * Sizes for drawing on an image of this size, scaled with its shorter side (supervision's
 * annotators do the same), so a label is as legible on a 4K frame as on a thumbnail.
 */
export interface DrawScale {
  /** Box and line width, px. */
  stroke: number;
  /** Label font size, px. */
  font: number;
}

export function drawScale(width: number, height: number): DrawScale {
  const side = Math.min(width, height);
  return { stroke: Math.max(2, Math.round(side / 200)), font: Math.max(12, Math.round(side * 0.028)) };
}

/** Black or white, whichever reads better on `fill` (#rgb or #rrggbb), by its relative luminance. */
export function textColourOn(fill: string): '#000' | '#fff' {
  const hex = fill.replace('#', '');
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? '#000' : '#fff';
}

/** Width of `text` in a sans-serif font of `font` px, estimated on the wide side (wide glyphs count double). */
export function textWidth(text: string, font: number): number {
  let units = 0;
  for (const ch of text) units += ch.codePointAt(0)! > 0x2e80 ? 1 : /[mwMW@]/.test(ch) ? 0.85 : 0.6;
  return units * font;
}

export interface LabelPlacement {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where a label block goes for a box: on top of the box, outside it (above), where there is room,
 * else just inside its top edge; always shifted to lie wholly inside the frame.
 */
export function placeLabel(box: Box, size: { width: number; height: number }, frame: { width: number; height: number }): LabelPlacement {
  const width = Math.min(size.width, frame.width);
  const height = Math.min(size.height, frame.height);
  const y = box.top - height >= 0 ? box.top - height : box.top;
  return {
    x: Math.min(Math.max(0, box.left), frame.width - width),
    y: Math.min(Math.max(0, y), frame.height - height),
    width,
    height,
  };
}

/**
 * A label: text lines on a filled box of `fill` (text black or white for contrast), placed for
 * `box` by `placeLabel` (a point label: a zero-size box). The first line may be bold.
 */
export function labelSvg(lines: readonly string[], box: Box, fill: string, frame: { width: number; height: number }, font: number, opts: { bold?: boolean; opacity?: number } = {}): string {
  const pad = Math.round(font * 0.3);
  const lineHeight = Math.round(font * 1.25);
  const size = { width: Math.ceil(Math.max(...lines.map((l) => textWidth(l, font)))) + 2 * pad, height: lines.length * lineHeight + pad };
  const at = placeLabel(box, size, frame);
  const ink = textColourOn(fill);
  const text = lines
    .map((line, i) => `<text x="${at.x + pad}" y="${at.y + (i + 1) * lineHeight - Math.round(font * 0.22)}" font-family="sans-serif" font-size="${font}"${i === 0 && opts.bold ? ' font-weight="bold"' : ''} fill="${ink}">${escapeXml(line)}</text>`)
    .join('');
  return `<rect x="${at.x}" y="${at.y}" width="${at.width}" height="${at.height}" fill="${fill}"${opts.opacity !== undefined ? ` fill-opacity="${opts.opacity}"` : ''}/>` + text;
}

/** A line with a dark halo under it, so it stays visible on light and dark backgrounds alike. */
export function haloLine(a: { x: number; y: number }, b: { x: number; y: number }, colour: string, width: number): string {
  const coords = `x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}"`;
  return `<line ${coords} stroke="#000" stroke-opacity="0.6" stroke-width="${width * 1.8}" stroke-linecap="round"/><line ${coords} stroke="${colour}" stroke-width="${width}" stroke-linecap="round"/>`;
}
