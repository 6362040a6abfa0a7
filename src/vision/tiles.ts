/**
 * Window plans for running a fixed-input detector over an image at several scales: the whole
 * image (one square window, padded past the right/bottom edge), and levels of overlapping square
 * tiles. Level k splits the image's short side into k tiles; the long side gets as many as it
 * needs for the same overlap; tiles are spread evenly so the first and last touch the borders.
 */
import type { CropWindow } from './crop.js';

/** The whole image as one square window anchored at the top-left (padded right or below). */
export function wholeImageWindow(width: number, height: number): CropWindow {
  const side = Math.max(width, height);
  return { x: 0, y: 0, width: side, height: side };
}

/** Start positions of `n` windows of length `tile` evenly covering [0, length]. */
export function spread(length: number, tile: number, n: number): number[] {
  if (n <= 1 || tile >= length) return [Math.min(0, (length - tile) / 2)];
  const step = (length - tile) / (n - 1);
  return Array.from({ length: n }, (_, i) => i * step);
}

/** How many windows of length `tile` cover `length` with at least `overlap` (fraction) shared. */
export function countFor(length: number, tile: number, overlap: number): number {
  if (tile >= length) return 1;
  return Math.ceil((length - tile) / (tile * (1 - overlap)) - 1e-9) + 1;
}

/**
 * Square tiles of level k (k ≥ 1): k tiles across the short side with `overlap` between
 * neighbours. k = 1 on a 4:3 photo gives two short-side squares overlapping by a half.
 */
export function tileLevel(width: number, height: number, k: number, overlap: number): CropWindow[] {
  const short = Math.min(width, height);
  const side = k <= 1 ? short : short / (k - (k - 1) * overlap);
  const xs = spread(width, side, countFor(width, side, overlap));
  const ys = spread(height, side, countFor(height, side, overlap));
  const out: CropWindow[] = [];
  for (const y of ys) for (const x of xs) out.push({ x, y, width: side, height: side });
  return out;
}

export interface TilePlan {
  /** Run on the whole image (one padded square). */
  whole: boolean;
  /** Tile levels (see tileLevel); [] = none. */
  levels: number[];
  /** Overlap between neighbouring tiles, fraction of the tile side. */
  overlap: number;
}

export function planWindows(width: number, height: number, plan: TilePlan): CropWindow[] {
  const out: CropWindow[] = plan.whole ? [wholeImageWindow(width, height)] : [];
  for (const k of plan.levels) out.push(...tileLevel(width, height, k, plan.overlap));
  return out;
}
