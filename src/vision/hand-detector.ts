/**
 * Palm detection (MediaPipe palm detector, `handdetect`): finds palms on a letterboxed view of
 * the whole image plus, for larger photos, overlapping tiles so that small hands still cover
 * enough detector cells. Returns palms in image pixels, merged across views.
 */
import { mapInFlight } from './in-flight.js';
import type { Model } from '../runtime/session.js';
import type { RgbImage } from '../types.js';
import { cropToTensor, downscaleForSampling, type CropWindow, type RotatedWindow } from './crop.js';
import { STRIDE_8_16_32_LAYERS, anchorCentres, decodeAnchors, weightedNms, type SsdDetection } from './ssd.js';

const INPUT = 256;
const ANCHORS = anchorCentres(INPUT, STRIDE_8_16_32_LAYERS);
/** Values per anchor row: score, box (4), 7 palm keypoints (14). */
const ROW = 19;
const PALM_POINTS = 7;

export interface PalmOptions {
  /** Minimum palm score (MediaPipe uses 0.5). */
  minScore: number;
  /** IoU above which palm candidates are merged. */
  mergeIou: number;
  /** Smallest tile side scanned in addition to the whole image, pixels (0 = whole image only). */
  minTile: number;
}

export const DEFAULT_PALM_OPTIONS: PalmOptions = { minScore: 0.5, mergeIou: 0.3, minTile: 384 };

/** A palm in image pixels; points: wrist centre, index/middle/ring/little knuckles, thumb CMC, thumb MCP. */
export type Palm = SsdDetection;

/**
 * Square views to scan: the whole image (letterboxed), then overlapping tiles of 60% and of 30%
 * of the long side, each level only while tiles stay at least `minTile` pixels (smaller tiles
 * would only be upsampled; two levels bound the cost on very large photos).
 */
export function detectionWindows(width: number, height: number, minTile: number): CropWindow[] {
  const side = Math.max(width, height);
  const windows: CropWindow[] = [{ x: (width - side) / 2, y: (height - side) / 2, width: side, height: side }];
  if (minTile <= 0) return windows;
  for (const tile of [Math.round(side * 0.6), Math.round(side * 0.3)]) {
    if (tile < minTile) break;
    const starts = (extent: number): number[] => {
      if (extent <= tile) return [(extent - tile) / 2];
      const n = Math.ceil((extent - tile) / (tile * 0.75)) + 1;
      return Array.from({ length: n }, (_, i) => ((extent - tile) * i) / (n - 1));
    };
    for (const y of starts(height)) for (const x of starts(width)) windows.push({ x, y, width: tile, height: tile });
  }
  return windows;
}

async function detectInWindow(model: Model, image: RgbImage, window: CropWindow, minScore: number): Promise<Palm[]> {
  // Box-filter first when shrinking a lot, so thin fingers do not alias away (tiles of one size share the copy).
  const maxSide = (INPUT * Math.max(image.width, image.height)) / window.width;
  const { image: source, factor } = downscaleForSampling(image, maxSide);
  const scaled = { x: window.x / factor, y: window.y / factor, width: window.width / factor, height: window.height / factor };
  const input = cropToTensor(source, scaled, { width: INPUT, height: INPUT }, { scale: 1 / 127.5, offset: -1, fill: 0 });
  const { detections } = await model.run(input, [1, INPUT, INPUT, 3]);
  const raw = decodeAnchors(detections.data, ROW, 0, detections.data, ROW, 1, ANCHORS, PALM_POINTS, minScore);
  const k = window.width / INPUT;
  return raw.map((d) => ({
    x1: window.x + d.x1 * k,
    y1: window.y + d.y1 * k,
    x2: window.x + d.x2 * k,
    y2: window.y + d.y2 * k,
    score: d.score,
    points: d.points.map((v, i) => (i % 2 === 0 ? window.x : window.y) + v * k),
  }));
}

export async function detectPalms(model: Model, image: RgbImage, opts: PalmOptions = DEFAULT_PALM_OPTIONS): Promise<Palm[]> {
  // Every window issued together: in a pool worker idle peers take some (engine/assist.ts).
  const windows = detectionWindows(image.width, image.height, opts.minTile);
  const candidates = (await mapInFlight(windows, (window) => detectInWindow(model, image, window, opts.minScore))).flat();
  return weightedNms(candidates, opts.mergeIou);
}

/** Angle that turns the wrist→middle-knuckle direction to point up (MediaPipe's convention). */
export function uprightAngle(from: { x: number; y: number }, to: { x: number; y: number }): number {
  const a = Math.PI / 2 - Math.atan2(-(to.y - from.y), to.x - from.x);
  return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
}

/**
 * The hand crop for a palm: rotated so the fingers point up, shifted towards the fingers and
 * enlarged 2.6x (MediaPipe's palm-to-hand rectangle).
 */
export function palmToWindow(palm: Palm): RotatedWindow {
  const angle = uprightAngle({ x: palm.points[0], y: palm.points[1] }, { x: palm.points[4], y: palm.points[5] });
  const w = palm.x2 - palm.x1;
  const h = palm.y2 - palm.y1;
  const shift = -0.5 * h;
  const cx = (palm.x1 + palm.x2) / 2 - shift * Math.sin(angle);
  const cy = (palm.y1 + palm.y2) / 2 + shift * Math.cos(angle);
  return { cx, cy, size: Math.max(w, h) * 2.6, angle };
}
