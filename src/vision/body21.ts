import type { Body21KeypointName, Keypoint } from '../types.js';
import { COCO_KEYPOINTS } from '../types.js';

/**
 * Baidu's 21 points from COCO-17 plus geometry for the four COCO lacks.
 *
 * - top_head: from the head centre (ears, else eyes, else nose) along the body's up axis
 *   (shoulder midpoint -> head centre). Ratios come from adult anthropometry: the vertex sits about
 *   13 cm above the tragion (ear) while the tragion sits 18-21 cm above the shoulder line, so
 *   the top is ~0.65 of the shoulder-to-ear distance above the ears (the AIC/CrowdPose development
 *   annotations agree: median 0.63); ~0.6 measured from the eyes, which sit ~1 cm higher. Without shoulders the head size is taken from eye/ear spacing.
 * - neck: the base of the neck as AI Challenger and CrowdPose annotate it, about 6 cm above the
 *   shoulder line, i.e. a fifth of the way from the shoulder midpoint to the top of the head.
 * - mouth corners: the mouth line sits about half the eye-to-nose-tip distance below the nose
 *   tip, and the mouth is about 0.8 of the inter-pupil distance wide.
 *
 * Derived points carry the geometric mean of their source points' scores, discounted by how
 * loosely the geometry pins them down (DERIVED_CONFIDENCE), so a caller's score threshold treats
 * them at least as strictly as measured points.
 */

const DERIVED_CONFIDENCE = { neck: 0.95, top_head: 0.85, mouth: 0.8 } as const;
const NECK_TOWARD_TOP = 0.2;
const TOP_FROM_EARS = 0.65;
const TOP_FROM_EYES = 0.6;
/** Eye spacing is ~0.4 of head height; ear spacing ~0.6 (frontal views only). */
const HEAD_HEIGHT_PER_EYE_SPACING = 3.2;
const MOUTH_BELOW_NOSE = 0.5;
const MOUTH_HALF_WIDTH_PER_EYE_SPACING = 0.4;
/** Points below this score do not steer the geometry. */
const USABLE = 0.15;

type Coco = Record<(typeof COCO_KEYPOINTS)[number], Keypoint>;

function mid(a: Keypoint, b: Keypoint): Keypoint {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, score: Math.sqrt(a.score * b.score) };
}

function geoMean(scores: number[]): number {
  return Math.exp(scores.reduce((s, v) => s + Math.log(Math.max(v, 1e-6)), 0) / scores.length);
}

function usable(p: Keypoint): boolean {
  return p.score >= USABLE;
}

/**
 * Head centre and how it was found. Both ears bracket the skull centre; in profile the one visible
 * ear sits close to it (the far ear and eye are guesses there and would pull it forward).
 */
function headCentre(c: Coco): { point: Keypoint; from: 'ears' | 'eyes' | 'nose' } {
  const leftEar = usable(c.left_ear);
  const rightEar = usable(c.right_ear);
  if (leftEar && rightEar) return { point: mid(c.left_ear, c.right_ear), from: 'ears' };
  if (leftEar || rightEar) return { point: leftEar ? c.left_ear : c.right_ear, from: 'ears' };
  if (usable(c.left_eye) && usable(c.right_eye)) return { point: mid(c.left_eye, c.right_eye), from: 'eyes' };
  return { point: c.nose, from: 'nose' };
}

function topHead(c: Coco, shoulders: Keypoint): Keypoint {
  const { point: head, from } = headCentre(c);
  const ux = head.x - shoulders.x;
  const uy = head.y - shoulders.y;
  const len = Math.hypot(ux, uy);
  if (usable(shoulders) && len > 1) {
    const ratio = from === 'eyes' ? TOP_FROM_EYES : TOP_FROM_EARS;
    return {
      x: head.x + ux * ratio,
      y: head.y + uy * ratio,
      score: geoMean([head.score, shoulders.score]) * DERIVED_CONFIDENCE.top_head,
    };
  }
  // No shoulders: assume upright and size the head from the eye spacing.
  const spacing = Math.hypot(c.left_eye.x - c.right_eye.x, c.left_eye.y - c.right_eye.y);
  const lift = (spacing * HEAD_HEIGHT_PER_EYE_SPACING) / 2;
  return {
    x: head.x,
    y: head.y - lift,
    score: geoMean([head.score, c.left_eye.score, c.right_eye.score]) * DERIVED_CONFIDENCE.top_head * 0.5,
  };
}

/** Mouth below the nose, away from the eyes; the corners as mouthCorners places them. */
function mouthFromFace(c: Coco): { left: Keypoint; right: Keypoint } {
  const eyes = mid(c.left_eye, c.right_eye);
  const downX = c.nose.x - eyes.x;
  const downY = c.nose.y - eyes.y;
  const cx = c.nose.x + downX * MOUTH_BELOW_NOSE;
  const cy = c.nose.y + downY * MOUTH_BELOW_NOSE;
  const score = geoMean([c.nose.score, c.left_eye.score, c.right_eye.score]) * DERIVED_CONFIDENCE.mouth;
  return mouthCorners({ x: cx, y: cy }, c.left_eye, c.right_eye, score);
}

/** The mouth corners either side of its centre along the eye line (the mouth ≈ 0.8 eye spacings wide). */
export function mouthCorners(
  centre: { x: number; y: number },
  leftEye: { x: number; y: number },
  rightEye: { x: number; y: number },
  score: number,
): { left: Keypoint; right: Keypoint } {
  // The person's left eye minus right eye points toward the person's left.
  const sx = (leftEye.x - rightEye.x) * MOUTH_HALF_WIDTH_PER_EYE_SPACING;
  const sy = (leftEye.y - rightEye.y) * MOUTH_HALF_WIDTH_PER_EYE_SPACING;
  return {
    left: { x: centre.x + sx, y: centre.y + sy, score },
    right: { x: centre.x - sx, y: centre.y - sy, score },
  };
}

/** Builds the 21 named points from COCO-17 points given in COCO order. */
export function toBody21(coco17: Keypoint[]): Record<Body21KeypointName, Keypoint> {
  const c = Object.fromEntries(COCO_KEYPOINTS.map((name, i) => [name, coco17[i]])) as Coco;
  const shoulders = mid(c.left_shoulder, c.right_shoulder);
  const top = topHead(c, shoulders);
  const neck = {
    x: shoulders.x + (top.x - shoulders.x) * NECK_TOWARD_TOP,
    y: shoulders.y + (top.y - shoulders.y) * NECK_TOWARD_TOP,
    score: shoulders.score * DERIVED_CONFIDENCE.neck,
  };
  const mouth = mouthFromFace(c);
  return {
    top_head: top,
    left_eye: c.left_eye,
    right_eye: c.right_eye,
    nose: c.nose,
    left_ear: c.left_ear,
    right_ear: c.right_ear,
    left_mouth_corner: mouth.left,
    right_mouth_corner: mouth.right,
    neck,
    left_shoulder: c.left_shoulder,
    right_shoulder: c.right_shoulder,
    left_elbow: c.left_elbow,
    right_elbow: c.right_elbow,
    left_wrist: c.left_wrist,
    right_wrist: c.right_wrist,
    left_hip: c.left_hip,
    right_hip: c.right_hip,
    left_knee: c.left_knee,
    right_knee: c.right_knee,
    left_ankle: c.left_ankle,
    right_ankle: c.right_ankle,
  };
}
