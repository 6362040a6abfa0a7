/**
 * MediaPipe face detectors on a square window of the image: face boxes and 6 face points.
 * - `blazeface` (full-range BlazeFace, 256×256, -1..1; docs/models.md), the default: anchors are
 *   a 16×16 grid with 2 per cell (stride 16) and an 8×8 grid with 6 per cell (stride 32).
 * - `facemesh-detection-full` (192×192, -1..1): a 48×48 grid, 1 anchor per cell (stride 4), each
 *   row a score logit then the box and points; it has a face head and a person head of the same
 *   layout (FULL_RANGE_192_FACE / _PERSON).
 * Decoding and merging are the shared SSD pieces. Boxes hug brows to chin: callers that want
 * the forehead raise the top (`withForehead`).
 */
import type { Model } from '../runtime/session.js';
import type { Box, RgbImage } from '../types.js';
import { cropToTensor, downscaleForSampling, type CropWindow } from './crop.js';
import { anchorCentres, decodeAnchors, weightedNms } from './ssd.js';

/** One output of a face detector: where its score logits and its box rows are. */
interface FaceOutputLayer {
  output: string;
  anchors: Float32Array;
  /** Values per anchor in the score tensor, and the score's place in them. */
  scoreStride: number;
  scoreOffset: number;
  /** The box rows: their tensor (default the score's), values per anchor and the box's place. */
  rowsOutput?: string;
  rowStride: number;
  rowOffset: number;
}

/** A face detector's input side and outputs. */
export interface FaceDetectorLayout {
  input: number;
  layers: readonly FaceOutputLayer[];
}

/** Values per anchor row: box (4), then the 6 face points (12). */
const ROW = 16;

export const BLAZEFACE_256: FaceDetectorLayout = {
  input: 256,
  layers: [
    { output: 'scores_16', rowsOutput: 'boxes_16', anchors: anchorCentres(256, [{ stride: 16, perCell: 2 }]), scoreStride: 1, scoreOffset: 0, rowStride: ROW, rowOffset: 0 },
    { output: 'scores_32', rowsOutput: 'boxes_32', anchors: anchorCentres(256, [{ stride: 32, perCell: 6 }]), scoreStride: 1, scoreOffset: 0, rowStride: ROW, rowOffset: 0 },
  ],
};

const FULL_RANGE_ANCHORS = anchorCentres(192, [{ stride: 4, perCell: 1 }]);
const fullRange = (output: string): FaceDetectorLayout => ({ input: 192, layers: [{ output, anchors: FULL_RANGE_ANCHORS, scoreStride: ROW + 1, scoreOffset: 0, rowStride: ROW + 1, rowOffset: 1 }] });
/** facemesh-detection-full's face head. */
export const FULL_RANGE_192_FACE = fullRange('face');
/** facemesh-detection-full's person head (same layout; what it marks is measured in docs/counting.md). */
export const FULL_RANGE_192_PERSON = fullRange('person');

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
  /** Which detector `model` is (default BlazeFace 256). */
  layout?: FaceDetectorLayout;
}

export const DEFAULT_FACE_OPTIONS: FaceOptions = { minScore: 0.5, mergeIou: 0.3 };

/** Faces in the window, best first, in image pixels. */
export async function detectFaces(model: Model, image: RgbImage, options: Partial<FaceOptions> = {}): Promise<Face[]> {
  const { minScore, mergeIou, window = letterbox(image), layout = BLAZEFACE_256 } = { ...DEFAULT_FACE_OPTIONS, ...options };
  const side = layout.input;
  // Box-filter first when the window shrinks a lot, so the bilinear step does not alias.
  const { image: source, factor } = downscaleForSampling(image, (side * Math.max(image.width, image.height)) / window.width);
  const scaled = { x: window.x / factor, y: window.y / factor, width: window.width / factor, height: window.height / factor };
  const input = cropToTensor(source, scaled, { width: side, height: side }, { scale: 1 / 127.5, offset: -1 });
  const out = await model.run(input, [1, side, side, 3]);
  const found = weightedNms(
    layout.layers.flatMap((l) => decodeAnchors(out[l.output].data, l.scoreStride, l.scoreOffset, out[l.rowsOutput ?? l.output].data, l.rowStride, l.rowOffset, l.anchors, FACE_POINTS.length, minScore)),
    mergeIou,
  );
  const sx = window.width / side;
  const sy = window.height / side;
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
