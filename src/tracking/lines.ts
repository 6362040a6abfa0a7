/**
 * Counting lines fed with tracks (supervision's LineZone idea, our own rules): a track crosses a
 * line segment when its box, wholly on one side, later settles wholly on the other side, within
 * the segment's extent. Direction: walking along the line from its first point to its second,
 * `in` is a crossing from the left-hand side to the right-hand side as the image shows it (image
 * y grows downwards; for a line drawn left to right, `in` is downwards). Straddling boxes,
 * boxes beyond the segment's ends, flicker and unconfirmed tracks never count (crossing.ts).
 */
import type { Box } from '../types.js';
import { crossingFrame, DEFAULT_CROSSING_OPTIONS, type CountedTrack, type CrossingFrame, type CrossingOptions, type CrossingState, type Side } from './crossing.js';
import { boxCorners, type Point } from './zones.js';

export interface Line {
  from: Point;
  to: Point;
}

/**
 * Which side of the line the whole box is on ('b' = the `in` side, 'a' = the other), or
 * undefined when it straddles the line or its centre lies beyond the segment's ends.
 */
export function boxSideOfLine(box: Box, line: Line): Side | undefined {
  const dx = line.to.x - line.from.x;
  const dy = line.to.y - line.from.y;
  const length2 = dx * dx + dy * dy;
  if (length2 === 0) return undefined;
  const cx = box.left + box.width / 2;
  const cy = box.top + box.height / 2;
  const along = ((cx - line.from.x) * dx + (cy - line.from.y) * dy) / length2;
  if (along < 0 || along > 1) return undefined;
  const sides = boxCorners(box).map((p) => dx * (p.y - line.from.y) - dy * (p.x - line.from.x));
  if (sides.every((s) => s > 0)) return 'b';
  if (sides.every((s) => s < 0)) return 'a';
  return undefined;
}

/** One frame of a line: like zoneStep (the tracks observed now, the ids still alive). */
export function lineStep(
  state: CrossingState,
  line: Line,
  tracks: readonly CountedTrack[],
  alive: readonly number[],
  options: CrossingOptions = DEFAULT_CROSSING_OPTIONS,
): CrossingFrame {
  return crossingFrame(state, tracks, alive, (box) => boxSideOfLine(box, line), options);
}
