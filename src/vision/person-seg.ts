/**
 * Person segmentation for body_seg: a person confidence (0..1) for every pixel of the photo, plus
 * the people found by the body pipeline. Only pixels near a detected person can be foreground, so
 * a photo without people yields an empty mask. Method and measurements: docs/segmentation.md.
 */
import type { Box, Person, RgbImage } from '../types.js';
import { resizeImage, type CropWindow } from './crop.js';
import { applyGuided, guidedCoefficients } from './guided-filter.js';
import { pasteMax, resizeMap, type ProbMap } from './prob-map.js';
import { personExtent, SURE_KEYPOINT } from './person-extent.js';
import { labelComponents } from './components.js';
import { SEG_NET_INPUT, segmentWindow, type SegNet, type SegNetName } from './seg-net.js';

export interface SegmentationOptions {
  net: SegNetName;
  /** Network passes: the whole photo, one crop per person, or both (max of the two). */
  passes: 'image' | 'people' | 'image+people';
  /** Keep only mask blobs that belong to a found person (the mask is empty without people anyway). */
  gate: boolean;
  /** Also run every pass on the mirrored window and average the two (test-time augmentation). */
  flip: boolean;
  /** Crop passes only for people whose window is smaller than this fraction of the image's longer side. */
  cropBelow: number;
  /** Margin around a person's extent for their crop, as a fraction of the extent's longer side. */
  personMargin: number;
  /** Edge refinement with the photo as guide; null = plain bilinear upsampling. */
  refine: { radius: number; eps: number } | null;
  /** Longest side of the working mask: the passes are pasted and the edge filter fitted at this size. */
  workSide: number;
}

export const DEFAULT_SEGMENTATION_OPTIONS: SegmentationOptions = {
  net: 'selfie',
  passes: 'image+people',
  gate: true,
  flip: true,
  cropBelow: 0.6,
  personMargin: 0.05,
  refine: { radius: 0.01, eps: 1e-3 },
  workSide: 512,
};

export interface SegmentedPerson {
  box: Box;
  score: number;
}

export interface Segmentation {
  width: number;
  height: number;
  persons: SegmentedPerson[];
  /** Person confidence 0..1 per pixel, full image size. */
  mask: ProbMap;
}

/** A person box grown on every side by `margin` × its longer side. */
function grownBox(box: Box, margin: number): CropWindow {
  const grow = margin * Math.max(box.width, box.height);
  return { x: box.left - grow, y: box.top - grow, width: box.width + 2 * grow, height: box.height + 2 * grow };
}

/** The grown box widened (about its centre) to the network's input aspect ratio. */
export function personWindow(box: Box, margin: number, aspect: number): CropWindow {
  const g = grownBox(box, margin);
  let { width, height } = g;
  if (width / height < aspect) width = height * aspect;
  else height = width / aspect;
  return { x: g.x + g.width / 2 - width / 2, y: g.y + g.height / 2 - height / 2, width, height };
}

/**
 * The part of a window inside the image. The network then sees a slightly stretched crop, which
 * it handles far better than black padding (it paints padded edges as person).
 */
export function clampWindow(w: CropWindow, width: number, height: number): CropWindow {
  const x = Math.max(0, w.x), y = Math.max(0, w.y);
  return { x, y, width: Math.min(width, w.x + w.width) - x, height: Math.min(height, w.y + w.height) - y };
}

/**
 * Keeps only what belongs to someone the body pipeline found: a foreground blob (prob > 0.5)
 * survives if it holds one of their confident keypoints or lies mostly inside their extent, and
 * faint values outside every extent are cleared. Whole blobs are kept or dropped, so a person the
 * detector missed but who touches a found one is not cut off, and nobody is cut at a box edge.
 */
function keepPeopleBlobs(map: ProbMap, persons: readonly Person[], extents: Box[], scale: number): void {
  const { width, height, data } = map;
  const inside = new Uint8Array(width * height);
  for (const e of extents) {
    const x0 = Math.max(0, Math.floor(e.left * scale)), x1 = Math.min(width, Math.ceil((e.left + e.width) * scale));
    const y0 = Math.max(0, Math.floor(e.top * scale)), y1 = Math.min(height, Math.ceil((e.top + e.height) * scale));
    for (let y = y0; y < y1; y++) inside.fill(1, y * width + x0, y * width + x1);
  }
  const on = new Uint8Array(width * height);
  for (let i = 0; i < on.length; i++) on[i] = data[i] > 0.5 ? 1 : 0;
  const { labels, count, sizes } = labelComponents(on, width, height);
  const keep = new Uint8Array(count + 1);
  const insideCount = new Array<number>(count + 1).fill(0);
  for (let i = 0; i < labels.length; i++) if (labels[i] && inside[i]) insideCount[labels[i]]++;
  for (let c = 1; c <= count; c++) if (insideCount[c] >= KEEP_INSIDE_FRACTION * sizes[c]) keep[c] = 1;
  for (const p of persons) {
    for (const k of Object.values(p.keypoints)) {
      if (k.score < SURE_KEYPOINT) continue;
      const x = Math.min(width - 1, Math.floor(k.x * scale)), y = Math.min(height - 1, Math.floor(k.y * scale));
      keep[labels[y * width + x]] = 1;
    }
  }
  for (let i = 0; i < data.length; i++) {
    const label = labels[i];
    if (label ? !keep[label] : !inside[i]) data[i] = 0;
  }
}

/** A blob at least this much inside someone's extent is theirs. */
const KEEP_INSIDE_FRACTION = 0.3;

/** The network on a window, averaged with its run on the mirrored window when `flip`. */
async function segmentTwice(net: SegNet, image: RgbImage, window: CropWindow, flip: boolean): Promise<ProbMap> {
  const first = await segmentWindow(net, image, window);
  if (!flip) return first;
  const mirrored = await segmentWindow(net, image, window, { mirror: true });
  for (let i = 0; i < first.data.length; i++) first.data[i] = (first.data[i] + mirrored.data[i]) / 2;
  return first;
}

/** Mask of `image` given its people (see SegmentationOptions for the steps). */
export async function segmentPeople(
  net: SegNet,
  image: RgbImage,
  persons: readonly Person[],
  options: SegmentationOptions = DEFAULT_SEGMENTATION_OPTIONS,
): Promise<Segmentation> {
  const { width, height } = image;
  const people = persons.map((p) => ({ box: p.box, score: p.score }));
  if (persons.length === 0) return { width, height, persons: people, mask: { width, height, data: new Float32Array(width * height) } };

  const shrink = Math.min(1, options.workSide / Math.max(width, height));
  const workW = Math.max(1, Math.round(width * shrink));
  const workH = Math.max(1, Math.round(height * shrink));
  const work: ProbMap = { width: workW, height: workH, data: new Float32Array(workW * workH) };
  const input = SEG_NET_INPUT[options.net];
  const aspect = input.width / input.height;

  const whole = { x: 0, y: 0, width, height };
  if (options.passes !== 'people') {
    pasteMax(work, await segmentTwice(net, image, whole, options.flip), whole, shrink);
  }
  const extents = persons.map((p) => personExtent(p, width, height));
  if (options.passes !== 'image') {
    const windows = extents
      .map((extent) => clampWindow(personWindow(extent, options.personMargin, aspect), width, height))
      .filter((w) => options.passes !== 'image+people' || Math.max(w.width, w.height) < options.cropBelow * Math.max(width, height));
    // Every crop issued together (idle pool workers take some, engine/assist.ts); pasted in order.
    const maps = await Promise.all(windows.map((w) => segmentTwice(net, image, w, options.flip)));
    windows.forEach((w, i) => pasteMax(work, maps[i], w, shrink));
  }
  if (options.gate) keepPeopleBlobs(work, persons, extents, shrink);

  let mask: ProbMap;
  if (options.refine) {
    // Fit at the working size, apply on the full-size photo (fast guided filter).
    const guide = resizeImage(image, workW, workH);
    const coeffs = guidedCoefficients(guide, work, { radius: options.refine.radius * Math.max(workW, workH), eps: options.refine.eps });
    mask = applyGuided(coeffs, image);
  } else {
    mask = work.width === width && work.height === height ? work : resizeMap(work, width, height);
  }
  return { width, height, persons: people, mask };
}
