/**
 * Polygon zones fed with tracks (the split supervision makes between a tracker and its
 * PolygonZone): how many tracked people are inside an area, and who entered or left it.
 *
 * A box is *inside* when it lies wholly within the polygon, *outside* when it does not touch it,
 * and straddles otherwise; entering and leaving are changes between the two settled sides under
 * the shared rule of crossing.ts (Baidu counts `in` when the head-shoulder box has fully entered
 * the area and `out` when it has fully left). Pure functions over plain state.
 */
import type { Box } from '../types.js';
import { crossingFrame, DEFAULT_CROSSING_OPTIONS, type CountedTrack, type CrossingFrame, type CrossingOptions, type CrossingState, type Side } from './crossing.js';

export interface Point {
  x: number;
  y: number;
}

export type Polygon = readonly Point[];

/** Even-odd ray test; points exactly on an edge may fall either way (callers treat edges as straddling). */
export function pointInPolygon(p: Point, polygon: Polygon): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i];
    const b = polygon[j];
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/** Do segments pq and rs touch (including touching at an end or overlapping collinearly)? */
export function segmentsTouch(p: Point, q: Point, r: Point, s: Point): boolean {
  const d1 = cross(r, s, p);
  const d2 = cross(r, s, q);
  const d3 = cross(p, q, r);
  const d4 = cross(p, q, s);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  const onSegment = (a: Point, b: Point, c: Point) =>
    Math.min(a.x, b.x) <= c.x && c.x <= Math.max(a.x, b.x) && Math.min(a.y, b.y) <= c.y && c.y <= Math.max(a.y, b.y);
  return (d1 === 0 && onSegment(r, s, p)) || (d2 === 0 && onSegment(r, s, q)) || (d3 === 0 && onSegment(p, q, r)) || (d4 === 0 && onSegment(p, q, s));
}

export function boxCorners(b: Box): Point[] {
  const r = b.left + b.width;
  const btm = b.top + b.height;
  return [
    { x: b.left, y: b.top },
    { x: r, y: b.top },
    { x: r, y: btm },
    { x: b.left, y: btm },
  ];
}

/** Where a box is relative to a polygon (convex or not): wholly inside, wholly outside, or across its boundary. */
export function boxInPolygon(box: Box, polygon: Polygon): 'inside' | 'outside' | 'straddle' {
  const corners = boxCorners(box);
  for (let i = 0; i < 4; i++) {
    const p = corners[i];
    const q = corners[(i + 1) % 4];
    for (let j = 0; j < polygon.length; j++) {
      if (segmentsTouch(p, q, polygon[j], polygon[(j + 1) % polygon.length])) return 'straddle';
    }
  }
  // No edge crosses: the box is wholly on one side, or the polygon lies wholly within the box.
  if (pointInPolygon(corners[0], polygon)) return 'inside';
  const v = polygon[0];
  const vertexInBox = v.x > box.left && v.x < box.left + box.width && v.y > box.top && v.y < box.top + box.height;
  return vertexInBox ? 'straddle' : 'outside';
}

export interface ZoneFrame extends CrossingFrame {
  /** Confirmed tracks wholly inside now (those hidden in a merged box by their predicted box). */
  inside: number;
}

/**
 * One frame of a zone: the tracks observed now; `alive` = the ids the tracker still remembers;
 * `hidden` = confirmed tracks inside a merged box, counted in `inside` where they are predicted
 * but never moving a crossing (an in/out needs an observed box).
 */
export function zoneStep(
  state: CrossingState,
  polygon: Polygon,
  tracks: readonly CountedTrack[],
  alive: readonly number[],
  options: CrossingOptions = DEFAULT_CROSSING_OPTIONS,
  hidden: readonly CountedTrack[] = [],
): ZoneFrame {
  const where = new Map(tracks.map((t) => [t.box, boxInPolygon(t.box, polygon)]));
  const inside =
    tracks.filter((t) => t.confirmed && where.get(t.box) === 'inside').length +
    hidden.filter((t) => t.confirmed && boxInPolygon(t.box, polygon) === 'inside').length;
  // Inside is side 'b' (an `in` event), outside 'a'.
  const sideOf = (box: Box): Side | undefined => ({ inside: 'b', outside: 'a', straddle: undefined } as const)[where.get(box)!];
  return { ...crossingFrame(state, tracks, alive, sideOf, options), inside };
}
