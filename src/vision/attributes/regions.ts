/**
 * Where a person's garments, limbs and head are, from COCO-17 keypoints (proportions of the box
 * where a joint is missing), and a sampler over those regions weighted by the person mask, so
 * background pixels between the legs or beside the torso do not vote.
 */
import type { Box, Keypoint, RgbImage } from '../../types.js';
import type { CropWindow } from '../crop.js';
import type { ProbMap } from '../prob-map.js';

export const KP = {
  nose: 0, leftEye: 1, rightEye: 2, leftEar: 3, rightEar: 4,
  leftShoulder: 5, rightShoulder: 6, leftElbow: 7, rightElbow: 8, leftWrist: 9, rightWrist: 10,
  leftHip: 11, rightHip: 12, leftKnee: 13, rightKnee: 14, leftAnkle: 15, rightAnkle: 16,
} as const;

/** A keypoint is trusted at or above this score. */
export const SEEN = 0.3;

export interface Point {
  x: number;
  y: number;
}

/** What the attribute pieces know about one person. */
export interface PersonView {
  image: RgbImage;
  box: Box;
  /** COCO-17 in image pixels, where pose ran. */
  keypoints?: readonly Keypoint[];
  /** Person probability over `window` (a segmentation pass on the person), if one ran. */
  mask?: { window: CropWindow; map: ProbMap };
}

export const seen = (v: PersonView, i: number): Keypoint | undefined => {
  const k = v.keypoints?.[i];
  return k && k.score >= SEEN ? k : undefined;
};
export const score = (v: PersonView, i: number): number => v.keypoints?.[i]?.score ?? 0;
const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
export const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);

/** A point of the box in box-relative coordinates (0..1). */
const inBox = (box: Box, u: number, v: number): Point => ({ x: box.left + u * box.width, y: box.top + v * box.height });

/** The skeleton the regions hang on: seen joints, else box proportions of a standing person. */
export interface Skeleton {
  shoulders: [Point, Point];
  hips: [Point, Point];
  /** Person's left then right: elbow, wrist, knee, ankle (undefined where not seen). */
  elbows: [Point | undefined, Point | undefined];
  wrists: [Point | undefined, Point | undefined];
  knees: [Point | undefined, Point | undefined];
  ankles: [Point | undefined, Point | undefined];
  /** Head centre and radius. */
  head: Point;
  headRadius: number;
  /** Shoulder-mid to hip-mid distance. */
  torso: number;
  /** True when the shoulders and hips come from seen keypoints. */
  posed: boolean;
}

export function skeleton(v: PersonView): Skeleton {
  const b = v.box;
  const ls = seen(v, KP.leftShoulder), rs = seen(v, KP.rightShoulder), lh = seen(v, KP.leftHip), rh = seen(v, KP.rightHip);
  // Box fallbacks for a standing, upright person (shoulders at 18 %, hips at 50 % of the height).
  const shoulders: [Point, Point] = [ls ?? inBox(b, 0.68, 0.19), rs ?? inBox(b, 0.32, 0.19)];
  const hips: [Point, Point] = [lh ?? inBox(b, 0.6, 0.5), rh ?? inBox(b, 0.4, 0.5)];
  if (ls && !rs) shoulders[1] = { x: 2 * (b.left + b.width / 2) - ls.x, y: ls.y };
  if (rs && !ls) shoulders[0] = { x: 2 * (b.left + b.width / 2) - rs.x, y: rs.y };
  if (lh && !rh) hips[1] = { x: 2 * (b.left + b.width / 2) - lh.x, y: lh.y };
  if (rh && !lh) hips[0] = { x: 2 * (b.left + b.width / 2) - rh.x, y: rh.y };
  const sm = mid(...shoulders), hm = mid(...hips);
  const torso = Math.max(dist(sm, hm), b.height * 0.12, 2);
  const face = [KP.nose, KP.leftEye, KP.rightEye, KP.leftEar, KP.rightEar].map((i) => seen(v, i)).filter((k): k is Keypoint => Boolean(k));
  const head = face.length >= 2
    ? { x: face.reduce((s, k) => s + k.x, 0) / face.length, y: face.reduce((s, k) => s + k.y, 0) / face.length }
    : { x: sm.x, y: sm.y - 0.5 * torso };
  const ears = seen(v, KP.leftEar) && seen(v, KP.rightEar) ? dist(seen(v, KP.leftEar)!, seen(v, KP.rightEar)!) : 0;
  const headRadius = Math.max(ears * 0.6, torso * 0.22, 1.5);
  const pair = (l: number, r: number): [Point | undefined, Point | undefined] => [seen(v, l), seen(v, r)];
  return {
    shoulders, hips, head, headRadius, torso,
    elbows: pair(KP.leftElbow, KP.rightElbow),
    wrists: pair(KP.leftWrist, KP.rightWrist),
    knees: pair(KP.leftKnee, KP.rightKnee),
    ankles: pair(KP.leftAnkle, KP.rightAnkle),
    posed: Boolean(ls && rs && lh && rh),
  };
}

/** A region of the image: a convex quad, a capsule along a segment, or a rectangle. */
export type Region =
  | { kind: 'quad'; points: [Point, Point, Point, Point] }
  | { kind: 'capsule'; a: Point; b: Point; radius: number; from: number; to: number }
  | { kind: 'rect'; left: number; top: number; right: number; bottom: number };

/** The torso quad, shoulders to hips, pulled in from the arms by `inset` of its width. */
export function torsoRegion(s: Skeleton, inset = 0.15, from = 0.12, to = 0.95): Region {
  const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
  const [ls, rs] = s.shoulders, [lh, rh] = s.hips;
  const l0 = lerp(lerp(ls, rs, inset), lerp(lh, rh, inset), from), r0 = lerp(lerp(rs, ls, inset), lerp(rh, lh, inset), from);
  const l1 = lerp(lerp(ls, rs, inset), lerp(lh, rh, inset), to), r1 = lerp(lerp(rs, ls, inset), lerp(rh, lh, inset), to);
  return { kind: 'quad', points: [l0, r0, r1, l1] };
}

export const segmentRegion = (a: Point, b: Point, radius: number, from = 0, to = 1): Region => ({ kind: 'capsule', a, b, radius, from, to });

/** Mask weight at a pixel: 1 without a mask, a soft step of the person probability with one. */
export function maskWeight(v: PersonView, x: number, y: number): number {
  if (!v.mask) return 1;
  const { window, map } = v.mask;
  const u = Math.floor(((x - window.x) / window.width) * map.width);
  const w = Math.floor(((y - window.y) / window.height) * map.height);
  if (u < 0 || w < 0 || u >= map.width || w >= map.height) return 0;
  const p = map.data[w * map.width + u];
  return Math.min(1, Math.max(0, (p - 0.25) / 0.4));
}

function inRegion(r: Region, x: number, y: number): boolean {
  if (r.kind === 'rect') return x >= r.left && x < r.right && y >= r.top && y < r.bottom;
  if (r.kind === 'quad') {
    let sign = 0;
    for (let i = 0; i < 4; i++) {
      const p = r.points[i], q = r.points[(i + 1) % 4];
      const c = (q.x - p.x) * (y - p.y) - (q.y - p.y) * (x - p.x);
      if (c !== 0) {
        if (sign === 0) sign = Math.sign(c);
        else if (Math.sign(c) !== sign) return false;
      }
    }
    return true;
  }
  const dx = r.b.x - r.a.x, dy = r.b.y - r.a.y;
  const len2 = dx * dx + dy * dy || 1;
  const t = ((x - r.a.x) * dx + (y - r.a.y) * dy) / len2;
  if (t < r.from || t > r.to) return false;
  return Math.hypot(x - (r.a.x + t * dx), y - (r.a.y + t * dy)) <= r.radius;
}

function bounds(r: Region): { left: number; top: number; right: number; bottom: number } {
  if (r.kind === 'rect') return r;
  const pts = r.kind === 'quad' ? r.points : [r.a, r.b];
  const pad = r.kind === 'capsule' ? r.radius : 0;
  return {
    left: Math.min(...pts.map((p) => p.x)) - pad,
    top: Math.min(...pts.map((p) => p.y)) - pad,
    right: Math.max(...pts.map((p) => p.x)) + pad,
    bottom: Math.max(...pts.map((p) => p.y)) + pad,
  };
}

/**
 * Visits the pixels of a region inside the image (on a grid of at most ~`maxSamples` points),
 * with the mask weight; returns the summed weight. `useMask: false` ignores the mask.
 */
export function sampleRegion(
  v: PersonView,
  r: Region,
  visit: (r: number, g: number, b: number, weight: number, x: number, y: number) => void,
  opts: { maxSamples?: number; useMask?: boolean } = {},
): number {
  const { maxSamples = 1600, useMask = true } = opts;
  const bb = bounds(r);
  const left = Math.max(0, Math.floor(bb.left)), top = Math.max(0, Math.floor(bb.top));
  const right = Math.min(v.image.width, Math.ceil(bb.right)), bottom = Math.min(v.image.height, Math.ceil(bb.bottom));
  if (right <= left || bottom <= top) return 0;
  const step = Math.max(1, Math.sqrt(((right - left) * (bottom - top)) / maxSamples));
  let total = 0;
  const data = v.image.data, w = v.image.width;
  for (let y = top + step / 2; y < bottom; y += step) {
    for (let x = left + step / 2; x < right; x += step) {
      if (!inRegion(r, x, y)) continue;
      const weight = useMask ? maskWeight(v, x, y) : 1;
      if (weight <= 0) continue;
      const i = (Math.floor(y) * w + Math.floor(x)) * 3;
      visit(data[i], data[i + 1], data[i + 2], weight, x, y);
      total += weight;
    }
  }
  return total;
}

/** Classic YCbCr skin test (Cr 135-175, Cb 80-130, not too dark, red the largest channel). */
export function isSkin(r: number, g: number, b: number): boolean {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  const cr = (r - y) * 0.713 + 128;
  const cb = (b - y) * 0.564 + 128;
  return y > 40 && cr >= 135 && cr <= 175 && cb >= 80 && cb <= 130 && r > g && r > b;
}

/** Share of skin pixels in a region and the weight it rests on. */
export function skinShare(v: PersonView, r: Region): { share: number; weight: number } {
  let skin = 0;
  const weight = sampleRegion(v, r, (R, G, B, w) => { if (isSkin(R, G, B)) skin += w; });
  return { share: weight > 0 ? skin / weight : 0, weight };
}

/** Mean colour saturation of the whole person box: near 0 for grey (infrared) images. */
export function colourfulness(v: PersonView): number {
  let sum = 0, n = 0;
  sampleRegion(v, { kind: 'rect', left: v.box.left, top: v.box.top, right: v.box.left + v.box.width, bottom: v.box.top + v.box.height }, (r, g, b) => {
    sum += Math.max(r, g, b) - Math.min(r, g, b);
    n++;
  }, { maxSamples: 600, useMask: false });
  return n ? sum / n : 0;
}
