/**
 * The `show=true` image of people counting: head-shoulder boxes (red while a track is new,
 * a colour of its own once confirmed, with its ID above), the counting areas and lines, and the
 * case's running in/out totals in the top-left corner. JPEG (PNG for the CLI).
 */
import type { Box, RgbImage } from '../types.js';
import { boxRect, drawScale, labelSvg, overlaySvg } from './svg.js';

export interface TrackingDrawing {
  boxes: Array<{ box: Box; id?: number; confirmed: boolean }>;
  areas: ReadonlyArray<ReadonlyArray<{ x: number; y: number }>>;
  lines: ReadonlyArray<{ from: { x: number; y: number }; to: { x: number; y: number } }>;
  /** Text lines for the corner, e.g. "in 3  out 1". */
  legend: string[];
}

/** Confirmed-track colours: no red (red means a new track). */
const PALETTE = ['#2ecc71', '#3498db', '#f1c40f', '#9b59b6', '#1abc9c', '#e67e22', '#00bcd4', '#cddc39', '#ff4fd8', '#8bc34a', '#ffffff', '#795cff'];
const NEW_TRACK = '#ff0000';

export const trackColour = (id: number | undefined, confirmed: boolean): string =>
  confirmed && id !== undefined ? PALETTE[(id - 1) % PALETTE.length] : NEW_TRACK;


/** `raw`: packed RGB of the image's size (video frames for an encoder). */
export function renderTracking(image: RgbImage, drawing: TrackingDrawing, format: 'jpeg' | 'png' | 'raw' = 'jpeg'): Promise<Buffer> {
  const { stroke, font } = drawScale(image.width, image.height);
  const parts: string[] = [];
  for (const area of drawing.areas) {
    parts.push(`<polygon points="${area.map((p) => `${p.x},${p.y}`).join(' ')}" fill="#1e90ff" fill-opacity="0.12" stroke="#1e90ff" stroke-width="${stroke}"/>`);
  }
  for (const l of drawing.lines) {
    parts.push(`<line x1="${l.from.x}" y1="${l.from.y}" x2="${l.to.x}" y2="${l.to.y}" stroke="#ffeb3b" stroke-width="${stroke}"/>`);
  }
  for (const b of drawing.boxes) parts.push(boxRect(b.box, trackColour(b.id, b.confirmed), stroke));
  // IDs on filled tags of the track's colour, drawn after every box so none is covered.
  for (const b of drawing.boxes) {
    if (b.confirmed && b.id !== undefined) parts.push(labelSvg([`${b.id}`], b.box, trackColour(b.id, b.confirmed), image, font, { bold: true }));
  }
  if (drawing.legend.length) parts.push(labelSvg(drawing.legend, { left: 0, top: 0, width: 0, height: 0 }, '#000000', image, font, { opacity: 0.6 }));
  const canvas = overlaySvg(image, parts.join(''));
  return (format === 'png' ? canvas.png() : format === 'raw' ? canvas.removeAlpha().raw() : canvas.jpeg({ quality: 85 })).toBuffer();
}
