/**
 * Head-shoulder boxes (what Baidu's people counting detects and counts) from the person finder's
 * people. One small function, so a dedicated head finder can replace it without touching the
 * tracker or the counting.
 *
 * With confident shoulders (COCO keypoints 5 and 6) the box spans the shoulders and the head
 * points with a margin, from above the head down to just below the shoulders. Without them
 * (pose not run, shoulders hidden) it is the top of the person box, as tall as the box is wide
 * (at most the whole box): a standing person's head and shoulders, or nearly all of a person
 * seen from above.
 */
import type { Box } from '../types.js';
import { pointsBox } from './box.js';
import type { FoundPerson } from './person-finder.js';

/** Keypoints below this score are not used. */
const MIN_POINT_SCORE = 0.3;
/** Height of the box-only estimate, as a fraction of the person box's width. */
const BOX_HEIGHT_PER_WIDTH = 0.9;

export function headShoulderBox(person: Pick<FoundPerson, 'box' | 'keypoints'>): Box {
  const { box } = person;
  const kp = person.keypoints;
  const ok = (i: number) => kp !== undefined && kp[i] !== undefined && kp[i].score >= MIN_POINT_SCORE;
  if (kp && ok(5) && ok(6)) {
    const head = [0, 1, 2, 3, 4].filter(ok).map((i) => kp[i]);
    const shoulders = [kp[5], kp[6]];
    const span = Math.abs(shoulders[0].x - shoulders[1].x);
    const shoulderY = (shoulders[0].y + shoulders[1].y) / 2;
    const headY = head.length ? Math.min(...head.map((p) => p.y)) : shoulderY - 0.6 * span;
    const neck = Math.max(shoulderY - headY, 0.3 * span, 1);
    const extent = pointsBox([...head, ...shoulders]);
    const margin = 0.15 * Math.max(span, neck);
    const left = Math.max(box.left, extent.left - margin);
    const right = Math.min(box.left + box.width, extent.left + extent.width + margin);
    const top = Math.max(box.top, headY - 0.9 * neck);
    const bottom = Math.min(box.top + box.height, shoulderY + 0.4 * neck);
    if (right > left && bottom > top) return { left, top, width: right - left, height: bottom - top };
  }
  return { left: box.left, top: box.top, width: box.width, height: Math.min(box.height, BOX_HEIGHT_PER_WIDTH * box.width) };
}
