/**
 * Crowd-count picture: a red "cloud" where people are (a Gaussian per head, sized by the head),
 * counting areas outlined in blue and the total in the top-left corner. What is drawn is three
 * switches, so Baidu's `show=true` (all three) and the private dialect's `show` levels 0-3
 * (`countRenderLevel`) use one renderer.
 */
import sharp from 'sharp';
import type { RgbImage } from '../types.js';
import { drawScale, labelSvg, overlaySvg } from './svg.js';

export interface CountRender {
  /** The red heat map over the heads. */
  heat: boolean;
  /** The counting areas' outlines (when areas were given and valid). */
  areas: boolean;
  /** The total in the top-left corner. */
  total: boolean;
}

/** Baidu online `show=true`. */
export const FULL_COUNT_RENDER: CountRender = { heat: true, areas: true, total: true };

/**
 * The private dialect's `show` level: 0 no picture, 1 heat map (+ areas), 2 heat map + total
 * (+ areas), 3 heat map + total without areas; below 0 reads as 0, above 3 as 3.
 */
export function countRenderLevel(level: number): CountRender | null {
  const l = Math.min(3, Math.max(0, Math.trunc(Number.isFinite(level) ? level : 0)));
  if (l === 0) return null;
  return { heat: true, areas: l !== 3, total: l >= 2 };
}

export interface HeatPoint {
  x: number;
  y: number;
  /** Head size in pixels: the cloud's spread. */
  size: number;
}

/** Peak opacity of the cloud. */
const MAX_ALPHA = 0.65;

/** The photo with a red cloud blended in: opacity grows with the summed head density. */
export function heatMap(image: RgbImage, points: readonly HeatPoint[]): RgbImage {
  const { width, height } = image;
  const density = new Float32Array(width * height);
  for (const p of points) {
    const sigma = Math.max(3, p.size * 0.75);
    const reach = Math.ceil(3 * sigma);
    const x0 = Math.max(0, Math.floor(p.x - reach)), x1 = Math.min(width - 1, Math.ceil(p.x + reach));
    const y0 = Math.max(0, Math.floor(p.y - reach)), y1 = Math.min(height - 1, Math.ceil(p.y + reach));
    const k = -1 / (2 * sigma * sigma);
    for (let y = y0; y <= y1; y++) {
      const dy2 = (y - p.y) * (y - p.y);
      for (let x = x0; x <= x1; x++) density[y * width + x] += Math.exp(((x - p.x) * (x - p.x) + dy2) * k);
    }
  }
  const out = Buffer.from(image.data);
  for (let i = 0; i < density.length; i++) {
    if (density[i] < 1e-3) continue;
    const a = MAX_ALPHA * (1 - Math.exp(-2 * density[i]));
    out[3 * i] = Math.round(out[3 * i] * (1 - a) + 255 * a);
    out[3 * i + 1] = Math.round(out[3 * i + 1] * (1 - a));
    out[3 * i + 2] = Math.round(out[3 * i + 2] * (1 - a));
  }
  return { width, height, data: out };
}

/** Polygons as flat x1,y1,x2,y2,... lists, closed. */
function polygonSvg(polygons: readonly (readonly number[])[], strokeWidth: number): string {
  return polygons
    .map((poly) => {
      const pts: string[] = [];
      for (let i = 0; i + 1 < poly.length; i += 2) pts.push(`${poly[i]},${poly[i + 1]}`);
      return `<polygon points="${pts.join(' ')}" fill="none" stroke="#1e50ff" stroke-width="${strokeWidth}"/>`;
    })
    .join('');
}

/** The total in the top-left corner, large, on a dark box. */
function totalSvg(total: number, frame: { width: number; height: number }): string {
  return labelSvg([`${total}`], { left: 0, top: 0, width: 0, height: 0 }, '#000000', frame, Math.round(drawScale(frame.width, frame.height).font * 1.6), { bold: true, opacity: 0.6 });
}

/** The count picture as JPEG (`format: 'png'` for the CLI's --render). */
export async function renderCount(
  image: RgbImage,
  points: readonly HeatPoint[],
  polygons: readonly (readonly number[])[] | null,
  total: number,
  what: CountRender,
  format: 'jpeg' | 'png' = 'jpeg',
): Promise<Buffer> {
  const base = what.heat ? heatMap(image, points) : image;
  const svg = (what.areas && polygons?.length ? polygonSvg(polygons, drawScale(image.width, image.height).stroke) : '') + (what.total ? totalSvg(total, image) : '');
  const drawn = svg ? overlaySvg(base, svg) : sharp(base.data, { raw: { width: base.width, height: base.height, channels: 3 } });
  return format === 'png' ? drawn.png().toBuffer() : drawn.jpeg({ quality: 90 }).toBuffer();
}
