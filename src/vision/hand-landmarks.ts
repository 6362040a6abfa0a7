/**
 * 21-point hand landmarks (MediaPipe hand landmark model, `handlandmark-full`) on a rotated
 * square crop, mapped back to image pixels, and the crop for the next pass derived from them.
 */
import type { Model } from '../runtime/session.js';
import type { RgbImage } from '../types.js';
import { rotatedWindowToImage, rotatedWindowToTensor, type RotatedWindow } from './crop.js';
import { uprightAngle } from './hand-detector.js';

const INPUT = 224;

export interface Point3 {
  x: number;
  y: number;
  z: number;
}

export interface HandLandmarks {
  /** Image pixels; z is relative depth (wrist ≈ 0, towards the camera negative) in the same pixel scale. */
  points: Point3[];
  /** Metric 3D points (metres, hand-centred), turned into the image's x/y axes. */
  world: Point3[];
  /** Probability that the crop holds a hand. */
  presence: number;
  /** Model's probability of a right hand (the person's own right in an unmirrored photo). */
  rightness: number;
}

export async function runHandLandmarks(model: Model, image: RgbImage, window: RotatedWindow): Promise<HandLandmarks> {
  // Anti-aliased (box-filtered first when shrinking more than ~3x). Past the image edge the crop
  // repeats the border pixels, as MediaPipe's hand landmark graph does (its ImageToTensorCalculator
  // defaults to BORDER_REPLICATE); the model was trained on crops made that way.
  const input = rotatedWindowToTensor(image, window, INPUT, { scale: 1 / 255, replicate: true });
  const out = await model.run(input, [1, INPUT, INPUT, 3]);
  const raw = out.landmarks.data;
  const world = out.world.data;
  // MediaPipe divides z by normalize_z 0.4 (its training data's depth scale) so it reads like x.
  const zScale = window.size / INPUT / 0.4;
  const cos = Math.cos(window.angle);
  const sin = Math.sin(window.angle);
  const points: Point3[] = [];
  const worldPoints: Point3[] = [];
  for (let i = 0; i < 21; i++) {
    const p = rotatedWindowToImage(window, INPUT, raw[3 * i], raw[3 * i + 1]);
    points.push({ x: p.x, y: p.y, z: raw[3 * i + 2] * zScale });
    const wx = world[3 * i];
    const wy = world[3 * i + 1];
    worldPoints.push({ x: wx * cos - wy * sin, y: wx * sin + wy * cos, z: world[3 * i + 2] });
  }
  return { points, world: worldPoints, presence: out.handflag.data[0], rightness: out.handedness.data[0] };
}

/** Points MediaPipe uses to re-centre the crop: the palm and the first two joints of each finger. */
const ROI_POINTS = [0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18];

/** The next crop from landmarks: upright on wrist→knuckles, box of the palm and lower fingers x2. */
export function landmarksToWindow(points: readonly { x: number; y: number }[]): RotatedWindow {
  const knuckles = {
    x: ((points[5].x + points[13].x) / 2 + points[9].x) / 2,
    y: ((points[5].y + points[13].y) / 2 + points[9].y) / 2,
  };
  const angle = uprightAngle(points[0], knuckles);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  // Extents in the rotated frame (rotate by -angle).
  let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
  for (const i of ROI_POINTS) {
    const u = points[i].x * cos + points[i].y * sin;
    const v = -points[i].x * sin + points[i].y * cos;
    minU = Math.min(minU, u); maxU = Math.max(maxU, u);
    minV = Math.min(minV, v); maxV = Math.max(maxV, v);
  }
  const cu = (minU + maxU) / 2;
  const cv = (minV + maxV) / 2 - 0.1 * (maxV - minV);
  return {
    cx: cu * cos - cv * sin,
    cy: cu * sin + cv * cos,
    size: Math.max(maxU - minU, maxV - minV) * 2,
    angle,
  };
}
