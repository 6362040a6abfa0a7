/**
 * BlazeFace (full-range `blazeface`, 256×256, -1..1; see docs/models.md): face boxes and 6 face
 * points on a square window of the image. Anchors are a 16×16 grid with 2 per cell (stride 16)
 * and an 8×8 grid with 6 per cell (stride 32); decoding and merging are the shared SSD pieces.
 * Boxes hug brows to chin: callers that want the forehead raise the top (`withForehead`).
 */
import type { Model } from '../runtime/session.js';
import type { Box, RgbImage } from '../types.js';
import { cropToTensor, downscaleForSampling, type CropWindow } from './crop.js';
import { anchorCentres, decodeAnchors, weightedNms } from './ssd.js';

const INPUT = 256;
const ANCHORS_16 = anchorCentres(INPUT, [{ stride: 16, perCell: 2 }]);
const ANCHORS_32 = anchorCentres(INPUT, [{ stride: 32, perCell: 6 }]);
/** Values per anchor row: box (4), then the 6 face points (12). */
const ROW = 16;

/** MediaPipe's order; left/right are the person's own. */
export const FACE_POINTS = ['right_eye', 'left_eye', 'nose_tip', 'mouth', 'right_ear', 'left_ear'] as const;
export type FacePointName = (typeof FACE_POINTS)[number];

export interface Face {
  /** Image pixels, brows to chin (not clamped to the image). */
  box: Box;
  score: number;
  points: Record<FacePointName, { x: number; y: number }>;
}

export interface FaceOptions {
  minScore: number;
  /** IoU above which candidates are merged into one face. */
  mergeIou: number;
  /** Square part of the image to look at; default the whole image, letterboxed about its centre. */
  window?: CropWindow;
}

export const DEFAULT_FACE_OPTIONS: FaceOptions = { minScore: 0.5, mergeIou: 0.3 };

/** Faces in the window, best first, in image pixels. */
export async function detectFaces(model: Model, image: RgbImage, options: Partial<FaceOptions> = {}): Promise<Face[]> {
  const { minScore, mergeIou, window = letterbox(image) } = { ...DEFAULT_FACE_OPTIONS, ...options };
  // Box-filter first when the window shrinks a lot, so the bilinear step does not alias.
  const { image: source, factor } = downscaleForSampling(image, (INPUT * Math.max(image.width, image.height)) / window.width);
  const scaled = { x: window.x / factor, y: window.y / factor, width: window.width / factor, height: window.height / factor };
  const input = cropToTensor(source, scaled, { width: INPUT, height: INPUT }, { scale: 1 / 127.5, offset: -1 });
  const out = await model.run(input, [1, INPUT, INPUT, 3]);
  const found = weightedNms(
    [
      ...decodeAnchors(out.scores_16.data, 1, 0, out.boxes_16.data, ROW, 0, ANCHORS_16, FACE_POINTS.length, minScore),
      ...decodeAnchors(out.scores_32.data, 1, 0, out.boxes_32.data, ROW, 0, ANCHORS_32, FACE_POINTS.length, minScore),
    ],
    mergeIou,
  );
  const sx = window.width / INPUT;
  const sy = window.height / INPUT;
  const x = (u: number) => window.x + u * sx;
  const y = (v: number) => window.y + v * sy;
  return found.map((d) => ({
    box: { left: x(d.x1), top: y(d.y1), width: (d.x2 - d.x1) * sx, height: (d.y2 - d.y1) * sy },
    score: d.score,
    points: Object.fromEntries(FACE_POINTS.map((name, k) => [name, { x: x(d.points[2 * k]), y: y(d.points[2 * k + 1]) }])) as Face['points'],
  }));
}

/** The face box with its top raised by `fraction` of its height, to take in the forehead. */
export function withForehead(box: Box, fraction: number): Box {
  const raise = fraction * box.height;
  return { ...box, top: box.top - raise, height: box.height + raise };
}

function letterbox(image: RgbImage): CropWindow {
  const side = Math.max(image.width, image.height);
  return { x: (image.width - side) / 2, y: (image.height - side) / 2, width: side, height: side };
}
