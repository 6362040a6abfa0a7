/**
 * Where a person's silhouette can be, from their keypoints: joints lie inside the body, so the
 * keypoint box is grown by head-sized margins (hair, hands, feet, shoulders), and a body whose
 * feet are not visible is assumed to continue to the bottom of the photo (portraits, half-body
 * shots, people cut by the frame).
 */
import type { Box, Keypoint, Person } from '../types.js';

/** Keypoints at or above this score are trusted. */
export const SURE_KEYPOINT = 0.3;

function dist(a: Keypoint, b: Keypoint): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Approximate head width in pixels, from ears, eyes or (failing those) the person's box. */
export function headWidth(person: Person): number {
  const k = person.keypoints;
  const sure = (p: Keypoint) => p.score >= SURE_KEYPOINT;
  if (sure(k.left_ear) && sure(k.right_ear)) return Math.max(dist(k.left_ear, k.right_ear) * 1.2, 4);
  if (sure(k.left_eye) && sure(k.right_eye)) return Math.max(dist(k.left_eye, k.right_eye) * 2.6, 4);
  if (sure(k.left_shoulder) && sure(k.right_shoulder)) return Math.max(dist(k.left_shoulder, k.right_shoulder) * 0.5, 4);
  return Math.max(0.18 * Math.max(person.box.width, person.box.height), 4);
}

export function personExtent(person: Person, imageWidth: number, imageHeight: number): Box {
  const points = Object.values(person.keypoints).filter((p) => p.score >= SURE_KEYPOINT);
  const used = points.length >= 2 ? points : Object.values(person.keypoints);
  const head = headWidth(person);
  let x0 = Math.min(...used.map((p) => p.x)) - head;
  let x1 = Math.max(...used.map((p) => p.x)) + head;
  const y0 = Math.min(...used.map((p) => p.y)) - 1.2 * head;
  let y1 = Math.max(...used.map((p) => p.y)) + head;
  const k = person.keypoints;
  // Feet not seen: the body goes on below what we saw, usually out of the frame.
  if (k.left_ankle.score < SURE_KEYPOINT && k.right_ankle.score < SURE_KEYPOINT) y1 = imageHeight;
  // Shoulders span about three head widths even when they were not detected.
  const cx = (x0 + x1) / 2;
  x0 = Math.min(x0, cx - 1.75 * head);
  x1 = Math.max(x1, cx + 1.75 * head);
  const left = Math.max(0, x0), top = Math.max(0, y0);
  const right = Math.min(imageWidth, x1), bottom = Math.min(imageHeight, y1);
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}
