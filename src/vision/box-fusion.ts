/**
 * Merging person boxes from several detector runs (windows of one image, several detectors)
 * without duplicates: greedy NMS inside each run, then weighted box fusion (WBF) across runs.
 *
 * Tile seams: a box touching an edge of its window that is not an image border is "cut" (the
 * person continues past the tile). A cut box never moves a fused box's coordinates when an uncut
 * view of the same person exists; it is matched by intersection over the smaller box, because a
 * cut box is a fragment of the whole one (its IoU with it can be low).
 */
import type { Box } from '../types.js';
import { boxIou } from './box.js';
import type { CropWindow } from './crop.js';

export interface ScoredBox {
  box: Box;
  score: number;
}

/** A box from one run, with the window that run saw. */
export interface RunBox extends ScoredBox {
  window: CropWindow;
  /** Detector/run group it came from (runs of the same group are never fused with each other's self). */
  run: number;
  /** Weight of this run's vote (e.g. per detector). */
  weight?: number;
}

export interface FusedBox extends ScoredBox {
  /** Number of runs that voted for it. */
  votes: number;
  /** Mean raw score over the runs that saw the place (found or not). */
  support: number;
  /** Best single raw score. */
  maxScore: number;
  /** Whether every vote was a cut (tile-seam) box. */
  cut: boolean;
}

/** Intersection over the smaller box's area. */
export function boxIos(a: Box, b: Box): number {
  const iw = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const ih = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (iw <= 0 || ih <= 0) return 0;
  const small = Math.min(a.width * a.height, b.width * b.height);
  return small > 0 ? (iw * ih) / small : 0;
}

/** Greedy NMS by IoU, highest score first. */
export function nms<T extends ScoredBox>(boxes: readonly T[], iou: number): T[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const b of sorted) if (kept.every((k) => boxIou(k.box, b.box) <= iou)) kept.push(b);
  return kept;
}

/**
 * True when the box reaches within `margin` (fraction of the window side) of a window edge that
 * lies inside the image: the detector saw only part of that person.
 */
export function isCut(box: Box, window: CropWindow, image: { width: number; height: number }, margin = 0.02): boolean {
  const mx = margin * window.width;
  const my = margin * window.height;
  const eps = 1;
  const leftInside = window.x > eps;
  const topInside = window.y > eps;
  const rightInside = window.x + window.width < image.width - eps;
  const bottomInside = window.y + window.height < image.height - eps;
  return (
    (leftInside && box.left <= window.x + mx) ||
    (topInside && box.top <= window.y + my) ||
    (rightInside && box.left + box.width >= window.x + window.width - mx) ||
    (bottomInside && box.top + box.height >= window.y + window.height - my)
  );
}

/**
 * Whether a run could have found the box: its window holds at least 90 % of the box, and the box
 * is at least `minSeenPx` tall in model pixels (a whole-image run on a big photo cannot see a
 * 40 px person; its silence there is no evidence against it).
 */
export function couldSee(run: { window: CropWindow; side?: number }, box: Box, minSeenPx: number): boolean {
  const w = run.window;
  const iw = Math.min(w.x + w.width, box.left + box.width) - Math.max(w.x, box.left);
  const ih = Math.min(w.y + w.height, box.top + box.height) - Math.max(w.y, box.top);
  if (iw <= 0 || ih <= 0) return false;
  if ((iw * ih) / Math.max(box.width * box.height, 1e-9) < 0.9) return false;
  return run.side === undefined || (box.height * run.side) / w.height >= minSeenPx;
}

export interface FusionOptions {
  /** IoU with a fused box at which an uncut box joins it. */
  iou: number;
  /** Intersection over the smaller box at which a cut box joins a fused box. */
  cutIos: number;
  /** A run counts towards a box's support only if the box is this tall in its model pixels. */
  minSeenPx: number;
}

export const DEFAULT_FUSION_OPTIONS: FusionOptions = { iou: 0.55, cutIos: 0.7, minSeenPx: 0 };

interface Cluster {
  members: { b: RunBox; cut: boolean }[];
  fused: Box;
}

function fuseCoords(members: Cluster['members']): Box {
  const whole = members.filter((m) => !m.cut);
  const use = whole.length ? whole : members;
  let w = 0, x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  for (const { b } of use) {
    const s = b.score * (b.weight ?? 1);
    w += s;
    x1 += s * b.box.left;
    y1 += s * b.box.top;
    x2 += s * (b.box.left + b.box.width);
    y2 += s * (b.box.top + b.box.height);
  }
  return { left: x1 / w, top: y1 / w, width: (x2 - x1) / w, height: (y2 - y1) / w };
}

/**
 * Weighted box fusion across runs. `runs` lists every run's window (with its weight), so the
 * support of a fused box can count the runs that saw its place but found nothing there.
 */
export function fuseBoxes(
  boxes: readonly RunBox[],
  runs: readonly { window: CropWindow; weight?: number; side?: number }[],
  image: { width: number; height: number },
  opts: FusionOptions = DEFAULT_FUSION_OPTIONS,
): FusedBox[] {
  // Uncut boxes first (they define clusters), each group by score.
  const tagged = boxes.map((b) => ({ b, cut: isCut(b.box, b.window, image) }));
  tagged.sort((p, q) => Number(p.cut) - Number(q.cut) || q.b.score - p.b.score);
  const clusters: Cluster[] = [];
  for (const t of tagged) {
    let best: Cluster | undefined;
    let bestV = 0;
    for (const c of clusters) {
      // One vote per run per cluster.
      if (c.members.some((m) => m.b.run === t.b.run)) continue;
      const allCut = c.members.every((m) => m.cut);
      const v = t.cut || allCut ? boxIos(c.fused, t.b.box) : boxIou(c.fused, t.b.box);
      const need = t.cut || allCut ? opts.cutIos : opts.iou;
      if (v >= need && v > bestV) {
        best = c;
        bestV = v;
      }
    }
    if (best) {
      best.members.push(t);
      best.fused = fuseCoords(best.members);
    } else clusters.push({ members: [t], fused: t.b.box });
  }
  return clusters.map((c) => {
    let seen = 0;
    for (const r of runs) if (couldSee(r, c.fused, opts.minSeenPx)) seen += r.weight ?? 1;
    // The runs that found it saw it, whatever the rule above says.
    for (const { b } of c.members) if (!couldSee(runs[b.run], c.fused, opts.minSeenPx)) seen += b.weight ?? 1;
    let sum = 0;
    let max = 0;
    for (const { b } of c.members) {
      sum += b.score * (b.weight ?? 1);
      max = Math.max(max, b.score);
    }
    const support = seen > 0 ? Math.min(1, sum / seen) : max;
    return { box: c.fused, score: support, votes: c.members.length, support, maxScore: max, cut: c.members.every((m) => m.cut) };
  });
}
