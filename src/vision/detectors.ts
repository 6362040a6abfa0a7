/**
 * COCO person detectors run on one window of an image: NanoDet (416, NCHW, GFL box bins) and
 * CenterNet (512, NHWC, centre heat map + side distances). Both return person boxes in image
 * pixels with the detector's raw person probability; fusing windows and detectors is
 * box-fusion.ts's job.
 */
import type { Model } from '../runtime/session.js';
import type { Box, RgbImage } from '../types.js';
import { windowToTensor, type CropWindow } from './crop.js';

/** A person box from one detector run on one window. */
export interface WindowDetection {
  box: Box;
  /** The detector's person probability, 0-1 (uncalibrated). */
  score: number;
  /** Which detector produced it. */
  detector: DetectorName;
  /** The image window the detector saw (for telling cut-off boxes at tile seams). */
  window: CropWindow;
}

export type DetectorName = 'nanodet' | 'centernet';

export const DETECTOR_INPUT: Record<DetectorName, number> = { nanodet: 416, centernet: 512 };

/** COCO class 0 is person in both detectors' 80-class outputs. */
const PERSON = 0;
const CLASSES = 80;

/** COCO class indices (0-based, 80-class order) of the objects the attribute cues look for. */
export const COCO_OBJECTS = {
  bicycle: 1, motorcycle: 3, backpack: 24, umbrella: 25, handbag: 26, suitcase: 28, 'cell phone': 67,
} as const;
export type CocoObjectName = keyof typeof COCO_OBJECTS;

/** The window resampled to a side×side HWC float tensor, 0..255 (box pre-filter for big shrinks). */
function windowTensor(image: RgbImage, window: CropWindow, side: number): Float32Array {
  return windowToTensor(image, window, { width: side, height: side });
}

/** HWC → CHW (NanoDet's layout). */
export function hwcToChw(hwc: Float32Array, side: number): Float32Array {
  const plane = side * side;
  const out = new Float32Array(hwc.length);
  for (let i = 0, o = 0; i < plane; i++, o += 3) {
    out[i] = hwc[o];
    out[plane + i] = hwc[o + 1];
    out[2 * plane + i] = hwc[o + 2];
  }
  return out;
}

/** Maps a box in model-input pixels back to the image through the window. */
function toImage(window: CropWindow, side: number, x1: number, y1: number, x2: number, y2: number): Box {
  const sx = window.width / side;
  const sy = window.height / side;
  return { left: window.x + x1 * sx, top: window.y + y1 * sy, width: (x2 - x1) * sx, height: (y2 - y1) * sy };
}

/** NanoDet's box head: 4 sides × `bins` logits; expected bin × stride = distance (GFL). */
export function decodeNanodetLevel(
  scores: Float32Array,
  reg: Float32Array,
  grid: number,
  stride: number,
  minScore: number,
  cls: number = PERSON,
): { x1: number; y1: number; x2: number; y2: number; score: number }[] {
  const bins = reg.length / (grid * grid * 4);
  const out: { x1: number; y1: number; x2: number; y2: number; score: number }[] = [];
  const dist = [0, 0, 0, 0];
  for (let cell = 0; cell < grid * grid; cell++) {
    const score = scores[cell * CLASSES + cls];
    if (score < minScore) continue;
    for (let side = 0; side < 4; side++) {
      const base = (cell * 4 + side) * bins;
      let max = -Infinity;
      for (let b = 0; b < bins; b++) max = Math.max(max, reg[base + b]);
      let sum = 0;
      let mean = 0;
      for (let b = 0; b < bins; b++) {
        const e = Math.exp(reg[base + b] - max);
        sum += e;
        mean += b * e;
      }
      dist[side] = (mean / sum) * stride;
    }
    const cx = ((cell % grid) + 0.5) * stride;
    const cy = (Math.floor(cell / grid) + 0.5) * stride;
    out.push({ x1: cx - dist[0], y1: cy - dist[1], x2: cx + dist[2], y2: cy + dist[3], score });
  }
  return out;
}

/** CenterNet's person peaks (3×3 local maxima of the class-0 heat map) and their side distances. */
export function decodeCenternet(
  heat: Float32Array,
  wh: Float32Array,
  grid: number,
  stride: number,
  minScore: number,
  cls: number = PERSON,
): { x1: number; y1: number; x2: number; y2: number; score: number }[] {
  const out: { x1: number; y1: number; x2: number; y2: number; score: number }[] = [];
  const at = (y: number, x: number) => heat[(y * grid + x) * CLASSES + cls];
  for (let y = 0; y < grid; y++) {
    for (let x = 0; x < grid; x++) {
      const v = at(y, x);
      if (v < minScore) continue;
      let peak = true;
      for (let dy = -1; dy <= 1 && peak; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if ((dy || dx) && yy >= 0 && yy < grid && xx >= 0 && xx < grid && at(yy, xx) > v) {
            peak = false;
            break;
          }
        }
      }
      if (!peak) continue;
      const w = (y * grid + x) * 4;
      out.push({ x1: stride * x - wh[w], y1: stride * y - wh[w + 1], x2: stride * x + wh[w + 2], y2: stride * y + wh[w + 3], score: v });
    }
  }
  return out;
}

/** Runs NanoDet on a square window of the image. */
export async function nanodetWindow(model: Model, image: RgbImage, window: CropWindow, minScore: number): Promise<WindowDetection[]> {
  const side = DETECTOR_INPUT.nanodet;
  const input = hwcToChw(windowTensor(image, window, side), side);
  const out = await model.run(input, [1, 3, side, side]);
  const raw = [8, 16, 32].flatMap((s) => decodeNanodetLevel(out[`cls_${s}`].data, out[`box_${s}`].data, side / s, s, minScore));
  return raw.map((r) => ({ box: toImage(window, side, r.x1, r.y1, r.x2, r.y2), score: r.score, detector: 'nanodet' as const, window }));
}

/** A non-person COCO object found by CenterNet. */
export interface ObjectDetection {
  name: CocoObjectName;
  box: Box;
  score: number;
}

/**
 * CenterNet's peaks for the given COCO object classes on one square window (the person cues of
 * the attribute pieces: bags, suitcases, umbrellas, phones, bicycles, motorcycles).
 */
export async function detectObjects(
  model: Model,
  image: RgbImage,
  window: CropWindow,
  names: readonly CocoObjectName[],
  minScore: number,
): Promise<ObjectDetection[]> {
  const side = DETECTOR_INPUT.centernet;
  const out = await centernetOutputs(model, image, window);
  return names.flatMap((name) =>
    decodeCenternet(out.heatmap.data, out.wh.data, side / 4, 4, minScore, COCO_OBJECTS[name]).map((r) => ({
      name,
      box: toImage(window, side, r.x1, r.y1, r.x2, r.y2),
      score: r.score,
    })),
  );
}

type ModelOutputs = Awaited<ReturnType<Model['run']>>;

/**
 * The whole-image CenterNet pass, kept per model and image while the image lives: the person
 * finder and the object cues (bags, phones ...) read different classes of the same heat map, so
 * a request that needs both runs the model once. Tiles are not kept (they are read once).
 */
const wholeImagePasses = new WeakMap<Model, WeakMap<Uint8Array, Promise<ModelOutputs>>>();

function centernetOutputs(model: Model, image: RgbImage, window: CropWindow): Promise<ModelOutputs> {
  const side = DETECTOR_INPUT.centernet;
  const run = () => model.run(windowTensor(image, window, side), [1, side, side, 3]);
  const whole = window.x === 0 && window.y === 0 && window.width === Math.max(image.width, image.height) && window.height === window.width;
  if (!whole) return run();
  let passes = wholeImagePasses.get(model);
  if (!passes) wholeImagePasses.set(model, (passes = new WeakMap()));
  let pass = passes.get(image.data);
  if (!pass) {
    pass = run();
    passes.set(image.data, pass);
    pass.catch(() => passes!.delete(image.data));
  }
  return pass;
}

/** Runs CenterNet on a square window of the image. */
export async function centernetWindow(model: Model, image: RgbImage, window: CropWindow, minScore: number): Promise<WindowDetection[]> {
  const side = DETECTOR_INPUT.centernet;
  const out = await centernetOutputs(model, image, window);
  const raw = decodeCenternet(out.heatmap.data, out.wh.data, side / 4, 4, minScore);
  return raw.map((r) => ({ box: toImage(window, side, r.x1, r.y1, r.x2, r.y2), score: r.score, detector: 'centernet' as const, window }));
}

export function runDetector(name: DetectorName, model: Model, image: RgbImage, window: CropWindow, minScore: number): Promise<WindowDetection[]> {
  if (name === 'nanodet') return nanodetWindow(model, image, window, minScore);
  return centernetWindow(model, image, window, minScore);
}
