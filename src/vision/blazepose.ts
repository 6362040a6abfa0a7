/**
 * BlazePose (GHUM) landmarks for one person: the landmark model (`blazepose-lite` / `-full` /
 * `-heavy`) on an aligned, rotated square ROI, decoded back to image pixels, and mapped to our
 * COCO-17 keypoints. The ROI follows MediaPipe's pose pipeline: centred on the hip centre, turned
 * so that the hip centre -> body scale point direction points up, side 2 × that distance × 1.25.
 * Three ways to get it: from COCO-17 keypoints (MoveNet's hips, shoulders and extent), from the
 * pose detector (`blazepose-detector`: hip centre and full-body scale point), or from a previous
 * BlazePose pass's auxiliary points 33 / 34 (MediaPipe's tracking mode).
 * Measured as body_analysis's single-person refiner in docs/person-finder.md ("Seventh pass").
 */
import type { Model } from '../runtime/session.js';
import type { Keypoint, RgbImage } from '../types.js';
import { rotatedWindowToImage, rotatedWindowToTensor, windowToTensor, type RotatedWindow } from './crop.js';
import { detectionWindows, uprightAngle } from './hand-detector.js';
import { STRIDE_8_16_32_LAYERS, anchorCentres, decodeAnchors, sigmoid, weightedNms } from './ssd.js';
import { VISIBLE, confidentPoints, tightBox } from './pose-geometry.js';

export const BLAZEPOSE_MODELS = ['blazepose-lite', 'blazepose-full', 'blazepose-heavy'] as const;
export type BlazePoseModelName = (typeof BLAZEPOSE_MODELS)[number];

const INPUT = 256;
/** Landmarks per person in `ld_3d`: 33 body points, then auxiliary points (33 hip centre, 34 scale point). */
const LANDMARKS = 39;
const BODY_LANDMARKS = 33;
const VALUES = 5;
const HEAT_GRID = 64;
/** MediaPipe grows the alignment square by this much on each axis. */
const ROI_GROWTH = 1.25;

/**
 * BlazePose landmark index of each COCO-17 keypoint, in COCO order: nose, the eye centres (2, 5;
 * not the inner / outer corners), ears, shoulders, elbows, wrists, hips, knees, ankles.
 */
export const BLAZEPOSE_TO_COCO = [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28] as const;

export interface BlazeLandmark {
  /** Image pixels. */
  x: number;
  y: number;
  /** Depth relative to the hips, image-pixel scale (towards the camera negative). */
  z: number;
  /** Probability that the point is visible (not occluded), sigmoid of the model's logit. */
  visibility: number;
  /** Probability that the point lies inside the crop, sigmoid of the model's logit. */
  presence: number;
  /** Peak of the point's heat map within 7 × 7 cells of it: how sharply the model places it (0 for auxiliary points). */
  heat: number;
}

export interface BlazePoseResult {
  /** 39 landmarks (0-32 body, 33-38 auxiliary), image pixels. */
  landmarks: BlazeLandmark[];
  /** Probability that the crop holds a pose. */
  poseflag: number;
  /** The ROI the model ran on. */
  window: RotatedWindow;
}

export interface BlazePoseRunOptions {
  /**
   * Refine each landmark as the confidence-weighted mean of its heat-map cells within a 7 × 7
   * window when the window's peak is at least 0.5 (MediaPipe's RefineLandmarksFromHeatmap).
   */
  refineHeatmap: boolean;
}

const HEAT_KERNEL = 7;
const HEAT_MIN_CONFIDENCE = 0.5;

/**
 * The confidence-weighted centre (input pixels) of channel k's heat within the kernel around
 * (u, v), and the heat's peak there; the centre is (u, v) itself below the refinement's minimum.
 */
function heatAround(heat: Float32Array, k: number, u: number, v: number): { u: number; v: number; peak: number } {
  const cell = INPUT / HEAT_GRID;
  const col = Math.floor(u / cell);
  const row = Math.floor(v / cell);
  if (col < 0 || row < 0 || col >= HEAT_GRID || row >= HEAT_GRID) return { u, v, peak: 0 };
  const half = (HEAT_KERNEL - 1) / 2;
  let sum = 0, su = 0, sv = 0, peak = 0;
  for (let r = Math.max(0, row - half); r <= Math.min(HEAT_GRID - 1, row + half); r++) {
    for (let c = Math.max(0, col - half); c <= Math.min(HEAT_GRID - 1, col + half); c++) {
      const h = heat[(r * HEAT_GRID + c) * LANDMARKS + k];
      sum += h; su += h * c; sv += h * r;
      peak = Math.max(peak, h);
    }
  }
  if (peak < HEAT_MIN_CONFIDENCE || sum <= 0) return { u, v, peak };
  // Cell c stands for input pixel c·cell, as in MediaPipe (normalised c / 64); measured on
  // studio-single, placing it at the cell's centre instead shifts every point ~1.5 px down-right.
  return { u: (su / sum) * cell, v: (sv / sum) * cell, peak };
}

/** Runs the landmark model on `window` and maps its 39 landmarks back to image pixels. */
export async function runBlazePose(
  model: Model,
  image: RgbImage,
  window: RotatedWindow,
  opts: BlazePoseRunOptions = { refineHeatmap: false },
): Promise<BlazePoseResult> {
  // MediaPipe's pose landmark crop pads with zeros (black) past the image edge; input range 0..1.
  const input = rotatedWindowToTensor(image, window, INPUT, { scale: 1 / 255, fill: 0 });
  const out = await model.run(input, [1, INPUT, INPUT, 3]);
  const raw = out.ld_3d.data;
  const heat = out.heatmap.data;
  const zScale = window.size / INPUT;
  const landmarks: BlazeLandmark[] = [];
  for (let i = 0; i < LANDMARKS; i++) {
    const o = i * VALUES;
    const around = i < BODY_LANDMARKS ? heatAround(heat, i, raw[o], raw[o + 1]) : { u: raw[o], v: raw[o + 1], peak: 0 };
    const p = opts.refineHeatmap ? rotatedWindowToImage(window, INPUT, around.u, around.v) : rotatedWindowToImage(window, INPUT, raw[o], raw[o + 1]);
    landmarks.push({ x: p.x, y: p.y, z: raw[o + 2] * zScale, visibility: sigmoid(raw[o + 3]), presence: sigmoid(raw[o + 4]), heat: around.peak });
  }
  return { landmarks, poseflag: out.poseflag.data[0], window };
}

/**
 * Our COCO-17 keypoints from BlazePose's landmarks. The score is the visibility probability
 * ('visibility', whether the point is occluded) or the heat-map peak at the point ('heat', how
 * sharply it is placed: MoveNet's scores are heat-map peaks too).
 */
export function blazePoseToCoco17(pose: BlazePoseResult, score: 'visibility' | 'heat' = 'visibility'): Keypoint[] {
  return BLAZEPOSE_TO_COCO.map((i) => {
    const l = pose.landmarks[i];
    return { x: l.x, y: l.y, score: score === 'heat' ? l.heat : l.visibility };
  });
}

/** MediaPipe's ROI from an alignment pair: centred on `centre`, turned so centre -> `scalePoint` points up. */
export function alignedWindow(centre: { x: number; y: number }, scalePoint: { x: number; y: number }, growth = ROI_GROWTH): RotatedWindow {
  const radius = Math.hypot(scalePoint.x - centre.x, scalePoint.y - centre.y);
  return { cx: centre.x, cy: centre.y, size: 2 * radius * growth, angle: uprightAngle(centre, scalePoint) };
}

/** The next ROI from a pass's auxiliary landmarks (33 hip centre, 34 scale point), as MediaPipe's tracking mode. */
export function auxWindow(pose: BlazePoseResult): RotatedWindow {
  return alignedWindow(pose.landmarks[33], pose.landmarks[34]);
}

/** MediaPipe's pose-presence threshold: below it the landmarks are not a pose. */
export const MIN_POSEFLAG = 0.5;

const mid = (a: Keypoint, b: Keypoint) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

/** The hip centre of COCO-17 keypoints (where MediaPipe's ROI is centred). */
export const hipCentre = (coco17: readonly Keypoint[]) => mid(coco17[11], coco17[12]);

/** Both hips placed with confidence: the ROI can hang on them (an upper-body photo only guesses them). */
export const hipsSure = (coco17: readonly Keypoint[]) => coco17[11].score >= VISIBLE && coco17[12].score >= VISIBLE;

/**
 * The ROI from COCO-17 keypoints (MoveNet's): centred on the hip centre, up along hip centre ->
 * shoulder centre; the body's circumscribing radius is the farthest confident keypoint from the
 * hip centre × `beyondJoints` (the head top and the feet lie past the outermost joints).
 */
export function keypointsWindow(coco17: readonly Keypoint[], beyondJoints: number): RotatedWindow {
  const hips = hipCentre(coco17);
  const shoulders = mid(coco17[5], coco17[6]);
  const points = confidentPoints(coco17);
  const radius = Math.max(...points.map((p) => Math.hypot(p.x - hips.x, p.y - hips.y)), 1) * beyondJoints;
  const up = Math.hypot(shoulders.x - hips.x, shoulders.y - hips.y) > 1 ? shoulders : { x: hips.x, y: hips.y - 1 };
  const dx = up.x - hips.x, dy = up.y - hips.y, len = Math.hypot(dx, dy);
  return alignedWindow(hips, { x: hips.x + (dx / len) * radius, y: hips.y + (dy / len) * radius });
}

const DETECTOR_INPUT = 224;
const DETECTOR_ANCHORS = anchorCentres(DETECTOR_INPUT, STRIDE_8_16_32_LAYERS);
/** Values per anchor row: score, box (4), 4 keypoints (hip centre, full-body scale point, shoulder centre, upper-body scale point). */
const DETECTOR_ROW = 13;

export interface PoseDetection {
  score: number;
  /** The landmark ROI from the hip centre and the full-body scale point. */
  window: RotatedWindow;
  /** Hip centre in image pixels. */
  hips: { x: number; y: number };
}

/** The pose detector on the letterboxed whole image: people found, best first (MediaPipe: score ≥ 0.5, NMS 0.3). */
export async function detectPoses(detector: Model, image: RgbImage, minScore = 0.5): Promise<PoseDetection[]> {
  const view = detectionWindows(image.width, image.height, 0)[0];
  const input = windowToTensor(image, view, { width: DETECTOR_INPUT, height: DETECTOR_INPUT }, { scale: 1 / 127.5, offset: -1, fill: 0 });
  const { detections } = await detector.run(input, [1, DETECTOR_INPUT, DETECTOR_INPUT, 3]);
  const raw = decodeAnchors(detections.data, DETECTOR_ROW, 0, detections.data, DETECTOR_ROW, 1, DETECTOR_ANCHORS, 4, minScore);
  const k = view.width / DETECTOR_INPUT;
  const at = (d: (typeof raw)[number], i: number) => ({ x: view.x + d.points[2 * i] * k, y: view.y + d.points[2 * i + 1] * k });
  return weightedNms(raw, 0.3).map((d) => ({ score: d.score, window: alignedWindow(at(d, 0), at(d, 1)), hips: at(d, 0) }));
}

export type KeypointFusion = 'keep' | 'replace' | 'confident' | 'agree';

/**
 * Per joint, a second estimate `b` (BlazePose) of first estimate `a` (MoveNet): 'keep' takes a,
 * 'replace' takes b; 'confident' the higher-scored of the two; 'agree' the score-weighted mean when the two lie
 * within `agreeShare` of the person's size of each other, else the higher-scored.
 */
export function fuseKeypoints(a: readonly Keypoint[], b: readonly Keypoint[], mode: KeypointFusion, agreeShare = 0.05): Keypoint[] {
  if (mode === 'keep' || mode === 'replace') return (mode === 'keep' ? a : b).map((p) => ({ ...p }));
  const box = tightBox([...a]);
  const near = agreeShare * Math.max(box.width, box.height);
  return a.map((p, i) => {
    const q = b[i];
    // The position from the fusion, the score from `a`: the two scores are different scales
    // (MoveNet's heat peaks, BlazePose's visibility), and everything downstream reads a's.
    const better = q.score > p.score ? q : p;
    if (mode === 'confident' || Math.hypot(p.x - q.x, p.y - q.y) > near) return { x: better.x, y: better.y, score: p.score };
    const w = p.score + q.score;
    if (w <= 0) return { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2, score: p.score };
    return { x: (p.x * p.score + q.x * q.score) / w, y: (p.y * p.score + q.y * q.score) / w, score: p.score };
  });
}
