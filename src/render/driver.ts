/**
 * Drawing a driver-behaviour result: every person's box (the driver's thicker), the wheel region,
 * the face box with its mesh points, the hand points, and the behaviours at or over their
 * threshold listed in a band above the driver.
 */
import { boxRect, escapeXml, overlaySvg } from './svg.js';
import type { Box, RgbImage } from '../types.js';

export interface DriverDrawing {
  persons: readonly { box: Box; score: number }[];
  driver: number;
  face?: { box: Box; landmarks: readonly (readonly [number, number])[] };
  hands: readonly { x: number; y: number; side: string }[];
  wheel?: Box;
  behaviors: Partial<Record<string, { score: number; threshold: number }>>;
}

export async function renderDriver(image: RgbImage, d: DriverDrawing): Promise<Buffer> {
  const unit = Math.max(1, Math.round(Math.max(image.width, image.height) / 500));
  const size = Math.max(9, 6 * unit);
  const parts: string[] = [];
  d.persons.forEach((p, i) => parts.push(boxRect(p.box, i === d.driver ? '#e74c3c' : '#95a5a6', unit * (i === d.driver ? 2.5 : 1))));
  if (d.wheel) parts.push(boxRect(d.wheel, '#3498db', unit).replace('/>', ' stroke-dasharray="6,4"/>'));
  if (d.face) {
    parts.push(boxRect(d.face.box, '#2ecc71', unit * 1.5));
    for (const [x, y] of d.face.landmarks) parts.push(`<circle cx="${x}" cy="${y}" r="${unit * 0.6}" fill="#2ecc71"/>`);
  }
  for (const h of d.hands) parts.push(`<circle cx="${h.x}" cy="${h.y}" r="${unit * 4}" fill="none" stroke="#f39c12" stroke-width="${unit * 1.5}"/>`);
  const driver = d.persons[d.driver];
  if (driver) {
    const over = Object.entries(d.behaviors).filter(([, v]) => v && v.score >= v.threshold).map(([k, v]) => `${k} ${v!.score.toFixed(2)}`);
    const lines = [`driver ${driver.score.toFixed(2)}`, ...over];
    const h = lines.length * size * 1.25 + size * 0.4;
    const w = Math.max(...lines.map((l) => l.length)) * size * 0.55 + size;
    const x0 = Math.min(Math.max(0, driver.box.left), Math.max(0, image.width - w));
    const y0 = driver.box.top - h >= 0 ? driver.box.top - h : driver.box.top;
    parts.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="#000" fill-opacity="0.65"/>`);
    lines.forEach((l, k) => parts.push(`<text x="${x0 + size / 2}" y="${y0 + size * (1.1 + 1.25 * k)}" font-family="sans-serif" font-size="${size}" fill="${k === 0 ? '#fff' : '#ff7675'}">${escapeXml(l)}</text>`));
  }
  return overlaySvg(image, parts.join('')).png().toBuffer();
}
