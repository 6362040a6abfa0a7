/** Axis-aligned box helpers shared by every pipeline (boxes are in image pixels). */
import type { Box } from '../types.js';

/** The tight box around points. */
export function pointsBox(points: readonly { x: number; y: number }[]): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y);
  }
  return { left: x0, top: y0, width: x1 - x0, height: y1 - y0 };
}

/** The part of a box inside the frame (empty, at the nearest edge, when it lies wholly outside). */
export function clampBox(b: Box, frame: { width: number; height: number }): Box {
  const left = Math.min(Math.max(b.left, 0), frame.width);
  const top = Math.min(Math.max(b.top, 0), frame.height);
  const right = Math.min(Math.max(b.left + b.width, 0), frame.width);
  const bottom = Math.min(Math.max(b.top + b.height, 0), frame.height);
  return { left, top, width: right - left, height: bottom - top };
}

/** Intersection over union; 0 for boxes without area. */
export function boxIou(a: Box, b: Box): number {
  const iw = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const ih = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** The share of `a`'s area that lies inside `b` (0 for a box without area). */
export function boxCoverage(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left));
  const h = Math.max(0, Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top));
  return (w * h) / Math.max(1, a.width * a.height);
}
