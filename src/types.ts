/** Neutral types shared by intake, analysis, rendering and every API dialect. */

/** A decoded image: tightly packed 8-bit RGB, row-major, no padding. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Axis-aligned box in original-image pixels. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Keypoint {
  x: number;
  y: number;
  /** Confidence 0-1. */
  score: number;
}

/** COCO-17 keypoint names in COCO order (left/right are the person's own). */
export const COCO_KEYPOINTS = [
  'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
  'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
  'left_wrist', 'right_wrist', 'left_hip', 'right_hip',
  'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
] as const;
export type CocoKeypointName = (typeof COCO_KEYPOINTS)[number];

/** Baidu body_analysis names: COCO-17 plus four points COCO lacks. */
export const BODY21_KEYPOINTS = [
  'top_head', 'left_eye', 'right_eye', 'nose', 'left_ear', 'right_ear',
  'left_mouth_corner', 'right_mouth_corner', 'neck',
  'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
  'left_wrist', 'right_wrist', 'left_hip', 'right_hip',
  'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
] as const;
export type Body21KeypointName = (typeof BODY21_KEYPOINTS)[number];

/** One detected person with whole-body keypoints. */
export interface Person {
  box: Box;
  /** Person confidence 0-1. */
  score: number;
  /** Always all 21 names; coordinates are clamped to the image. */
  keypoints: Record<Body21KeypointName, Keypoint>;
}
