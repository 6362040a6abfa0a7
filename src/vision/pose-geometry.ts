import type { Box, Keypoint } from '../types.js';
import { pointsBox } from './box.js';

/** COCO's per-keypoint OKS sigmas (keypoint spread in human annotation), COCO-17 order. */
export const COCO_SIGMAS = [
  0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062, 0.107, 0.107, 0.087, 0.087,
  0.089, 0.089,
];

/** Keypoints at or above this score define a person's extent. */
/** Keypoints at or above this score bound the body and steer geometry built from it. */
export const VISIBLE = 0.2;

/** Tight box around the confident keypoints (all of them if fewer than two are confident). */
export function tightBox(points: Keypoint[]): Box {
  return pointsBox(confidentPoints(points));
}

/** The confident keypoints, or all of them if fewer than two are confident. */
export function confidentPoints<P extends Keypoint>(points: readonly P[]): P[] {
  const sure = points.filter((p) => p.score >= VISIBLE);
  return sure.length < 2 ? [...points] : sure;
}

/**
 * Person box from keypoints: joints sit inside the silhouette, so the box is grown by a margin
 * (hands and feet extend past wrists and ankles, hair past the top of the head).
 */
export function keypointBox(points: Keypoint[]): Box {
  const t = tightBox(points);
  const size = Math.max(t.width, t.height);
  const padX = 0.08 * size;
  const padTop = 0.06 * size;
  const padBottom = 0.06 * size;
  return { left: t.left - padX, top: t.top - padTop, width: t.width + 2 * padX, height: t.height + padTop + padBottom };
}

/** Confidence that a pose is a real person: mean keypoint score, nudged by the proposal score. */
export function personScore(keypoints: Keypoint[], proposalScore: number): number {
  const mean = keypoints.reduce((s, p) => s + p.score, 0) / keypoints.length;
  return Math.sqrt(mean * Math.max(mean, proposalScore));
}

/** Object keypoint similarity of two COCO-17 poses, scaled by the first pose's box area. */
export function oks(a: Keypoint[], b: Keypoint[]): number {
  const box = tightBox(a);
  const area = Math.max(box.width * box.height, 1);
  let sum = 0;
  let n = 0;
  for (let k = 0; k < COCO_SIGMAS.length; k++) {
    if (a[k].score < VISIBLE || b[k].score < VISIBLE) continue;
    const d2 = (a[k].x - b[k].x) ** 2 + (a[k].y - b[k].y) ** 2;
    const s = 2 * COCO_SIGMAS[k];
    sum += Math.exp(-d2 / (2 * area * s * s));
    n++;
  }
  return n ? sum / n : 0;
}

/** Greedy non-maximum suppression by OKS: keeps the higher-scored of any near-identical poses. */
export function oksNms<T extends { keypoints: Keypoint[]; score: number }>(poses: T[], threshold: number): T[] {
  const sorted = [...poses].sort((x, y) => y.score - x.score);
  const kept: T[] = [];
  for (const pose of sorted) {
    if (kept.every((k) => oks(k.keypoints, pose.keypoints) <= threshold)) kept.push(pose);
  }
  return kept;
}
