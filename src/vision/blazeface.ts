/**
 * BlazeFace (full-range, 256×256, see docs/models.md): face boxes and 6 face points on a window
 * of the image. Anchors: a 16×16 grid with 2 per cell (stride 16), then 8×8 with 6 per cell
 * (stride 32), all unit-size and centred in their cell; regressions are input pixels from there.
 */
import type { Model } from '../runtime/session.js';
import type { Box, Keypoint, RgbImage } from '../types.js';
import { cropToTensor, downscaleForSampling, type CropWindow } from './crop.js';

const INPUT = 256;

/** MediaPipe's order; left/right are the person's own. */
export const FACE_POINTS = ['right_eye', 'left_eye', 'nose_tip', 'mouth', 'right_ear', 'left_ear'] as const;
export type FacePointName = (typeof FACE_POINTS)[number];

export interface Face {
  box: Box;
  score: number;
  points: Record<FacePointName, { x: number; y: number }>;
}

function anchorCentres(grid: number, perCell: number): Float32Array {
  const out = new Float32Array(grid * grid * perCell * 2);
  let o = 0;
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      for (let k = 0; k < perCell; k++) {
        out[o++] = ((col + 0.5) / grid) * INPUT;
        out[o++] = ((row + 0.5) / grid) * INPUT;
      }
    }
  }
  return out;
}

const ANCHORS = { 16: anchorCentres(16, 2), 32: anchorCentres(8, 6) } as const;

function iou(a: Box, b: Box): number {
  const x0 = Math.max(a.left, b.left), y0 = Math.max(a.top, b.top);
  const x1 = Math.min(a.left + a.width, b.left + b.width), y1 = Math.min(a.top + a.height, b.top + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a.width * a.height + b.width * b.height - inter || 1);
}

/** Faces in `window` (image pixels, square works best), best first, in image coordinates. */
export async function detectFaces(model: Model, image: RgbImage, window: CropWindow, minScore = 0.5): Promise<Face[]> {
  const { image: src, factor } = downscaleForSampling(image, (INPUT * Math.max(image.width, image.height)) / window.width);
  const scaled = { x: window.x / factor, y: window.y / factor, width: window.width / factor, height: window.height / factor };
  const input = cropToTensor(src, scaled, { width: INPUT, height: INPUT }, { scale: 1 / 127.5, offset: -1 });
  const outputs = await model.run(input, [1, INPUT, INPUT, 3]);
  const sx = window.width / INPUT, sy = window.height / INPUT;
  const found: Face[] = [];
  for (const stride of [16, 32] as const) {
    const scores = outputs[`scores_${stride}`].data;
    const boxes = outputs[`boxes_${stride}`].data;
    const anchors = ANCHORS[stride];
    for (let i = 0; i < scores.length; i++) {
      const score = 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, scores[i]))));
      if (score < minScore) continue;
      const r = boxes.subarray(i * 16, i * 16 + 16);
      const ax = anchors[2 * i], ay = anchors[2 * i + 1];
      const cx = ax + r[0], cy = ay + r[1];
      const points = Object.fromEntries(
        FACE_POINTS.map((name, k) => [name, { x: window.x + (ax + r[4 + 2 * k]) * sx, y: window.y + (ay + r[5 + 2 * k]) * sy }]),
      ) as Face['points'];
      found.push({
        score,
        box: { left: window.x + (cx - r[2] / 2) * sx, top: window.y + (cy - r[3] / 2) * sy, width: r[2] * sx, height: r[3] * sy },
        points,
      });
    }
  }
  found.sort((a, b) => b.score - a.score);
  // Greedy non-maximum suppression: anchors overlap heavily around each face.
  const kept: Face[] = [];
  for (const f of found) if (kept.every((k) => iou(k.box, f.box) < 0.3)) kept.push(f);
  return kept;
}
