/**
 * OKS-based keypoint AP/AR, following the semantics of COCO's cocoeval (iouType 'keypoints'):
 * per-image greedy matching at OKS thresholds .50:.05:.95, at most 20 detections per image,
 * crowd and unlabelled ground truth ignored, 101-point interpolated precision.
 *
 * The module is dataset-agnostic: callers pass per-keypoint sigmas and the object scale s²
 * (`area`) already resolved to their benchmark's convention (see eval/datasets.ts).
 */

/** numpy's np.spacing(1): cocoeval adds it to the area and to the precision denominator. */
const EPS = 2.220446049250313e-16;

/** numpy.linspace(start, stop, num) computed the way numpy does (i*step + start, exact stop). */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  out[num - 1] = stop;
  return out;
}

/** COCO's OKS thresholds .50:.05:.95 (10 values). */
export const OKS_THRESHOLDS: readonly number[] = linspace(0.5, 0.95, 10);
/** COCO's recall thresholds 0:.01:1 (101 values). */
export const RECALL_THRESHOLDS: readonly number[] = linspace(0, 1, 101);
/** cocoeval's 'all' area range. */
export const AREA_ALL: readonly [number, number] = [0, 1e10];

/** COCO person keypoint sigmas (cocoeval's kpt_oks_sigmas), COCO-17 order. */
export const COCO_SIGMAS: readonly number[] = [
  0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89,
].map((s) => s / 10);

/**
 * CrowdPose sigmas (crowdposetools/cocoeval.py), CrowdPose-14 order: the COCO limb sigmas
 * followed by .79 for head and neck.
 */
export const CROWDPOSE_SIGMAS: readonly number[] = [
  0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89, 0.79, 0.79,
].map((s) => s / 10);

/**
 * AI Challenger sigmas, AIC-14 order. The official keypoint_eval.py uses
 * delta = 2 * these and exp(-d² / (2·delta²·s²)), which is COCO's exp(-d² / (2·s²·(2σ)²))
 * with σ = these values, so they are used as σ unchanged (as mmpose does).
 */
export const AIC_SIGMAS: readonly number[] = [
  0.01388152, 0.01515228, 0.01057665, 0.01417709, 0.01497891, 0.01402144, 0.03909642,
  0.03686941, 0.01981803, 0.03843971, 0.03412318, 0.02415081, 0.01291456, 0.01236173,
];

export type BboxXywh = readonly [number, number, number, number];

export interface GroundTruth {
  /** Flat [x, y, v] triples in the sigma order; v > 0 means labelled. */
  keypoints: readonly number[];
  /** [x, y, w, h]; used for the ignore region of GT without labelled keypoints. */
  bbox: BboxXywh;
  /** Object scale s² for OKS and for area-range filtering, in the benchmark's convention. */
  area: number;
  iscrowd?: boolean;
  /** Annotation's num_keypoints; when absent, the count of v > 0. 0 makes the GT ignored. */
  numKeypoints?: number;
}

export interface Detection {
  /** Flat [x, y, c] triples in the sigma order; c is not used by OKS. */
  keypoints: readonly number[];
  /** Ranking score for AP. */
  score: number;
}

export interface ImageSample {
  imageId: number | string;
  gts: readonly GroundTruth[];
  dts: readonly Detection[];
}

export interface OksParams {
  sigmas: readonly number[];
  /** Detections kept per image, highest score first (COCO keypoints: 20). */
  maxDets?: number;
  iouThrs?: readonly number[];
  recThrs?: readonly number[];
  /** GT outside [min, max] area are ignored; so are unmatched detections outside it. */
  areaRange?: readonly [number, number];
}

/** Scale from a box, as CrowdPose's toolkit and xtcocotools (use_area=False) do: w·h·factor. */
export function areaFromBbox(bbox: BboxXywh, factor = 0.53): number {
  return bbox[2] * bbox[3] * factor;
}

function labelledCount(kps: readonly number[]): number {
  let n = 0;
  for (let i = 2; i < kps.length; i += 3) if (kps[i] > 0) n++;
  return n;
}

/**
 * OKS between one GT and one detection. With labelled keypoints it averages over those only;
 * with none it measures each detected point's distance outside a box twice the GT bbox
 * around it (cocoeval's "ignore region" formula) and averages over all keypoints.
 */
export function oks(gt: GroundTruth, dt: readonly number[], sigmas: readonly number[]): number {
  const k = sigmas.length;
  const g = gt.keypoints;
  const labelled = labelledCount(g);
  const [bx, by, bw, bh] = gt.bbox;
  const x0 = bx - bw;
  const x1 = bx + bw * 2;
  const y0 = by - bh;
  const y1 = by + bh * 2;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < k; i++) {
    const xd = dt[3 * i];
    const yd = dt[3 * i + 1];
    let dx: number;
    let dy: number;
    if (labelled > 0) {
      if (!(g[3 * i + 2] > 0)) continue;
      dx = xd - g[3 * i];
      dy = yd - g[3 * i + 1];
    } else {
      dx = Math.max(0, x0 - xd) + Math.max(0, xd - x1);
      dy = Math.max(0, y0 - yd) + Math.max(0, yd - y1);
    }
    const twoSigma = sigmas[i] * 2;
    // Same operation order as cocoeval: d² / (2σ)² / (s² + eps) / 2.
    const e = (dx * dx + dy * dy) / (twoSigma * twoSigma) / (gt.area + EPS) / 2;
    sum += Math.exp(-e);
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

/** Result of matching one image (cocoeval's evaluateImg), detections sorted by score desc. */
export interface ImageEval {
  imageId: number | string;
  dtScores: number[];
  /** [threshold][detection]: index of the matched GT (in `gtOrder`), or -1. */
  dtMatch: number[][];
  /** [threshold][detection]: matched to an ignored GT, or unmatched and outside the area range. */
  dtIgnore: boolean[][];
  /** GT indices (into the input array), non-ignored first. */
  gtOrder: number[];
  /** Per GT in `gtOrder`. */
  gtIgnore: boolean[];
  /** [detection][gt in gtOrder]. */
  oks: number[][];
}

function stableOrder<T>(items: readonly T[], key: (t: T) => number): number[] {
  // Array.prototype.sort is stable, matching numpy's mergesort used by cocoeval.
  return items.map((_, i) => i).sort((a, b) => key(items[a]) - key(items[b]));
}

function dtArea(kps: readonly number[]): number {
  // pycocotools' loadRes: area of the box spanning all detected keypoints.
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  for (let i = 0; i + 1 < kps.length; i += 3) {
    xmin = Math.min(xmin, kps[i]); xmax = Math.max(xmax, kps[i]);
    ymin = Math.min(ymin, kps[i + 1]); ymax = Math.max(ymax, kps[i + 1]);
  }
  return xmax >= xmin ? (xmax - xmin) * (ymax - ymin) : 0;
}

/** Per-image greedy matching. Returns null when the image has neither GT nor detections. */
export function evaluateImage(sample: ImageSample, params: OksParams): ImageEval | null {
  const maxDets = params.maxDets ?? 20;
  const thrs = params.iouThrs ?? OKS_THRESHOLDS;
  const [amin, amax] = params.areaRange ?? AREA_ALL;
  const { gts } = sample;
  const dtOrder = stableOrder(sample.dts, (d) => -d.score).slice(0, maxDets);
  const dts = dtOrder.map((i) => sample.dts[i]);
  if (gts.length === 0 && dts.length === 0) return null;

  const ignoredFlag = gts.map((g) => {
    const labelled = g.numKeypoints ?? labelledCount(g.keypoints);
    return Boolean(g.iscrowd) || labelled === 0 || g.area < amin || g.area > amax;
  });
  const gtOrder = stableOrder(ignoredFlag, (ig) => Number(ig));
  const ordered = gtOrder.map((i) => gts[i]);
  const gtIgnore = gtOrder.map((i) => ignoredFlag[i]);
  const crowd = ordered.map((g) => Boolean(g.iscrowd));
  const oksM = dts.map((d) => ordered.map((g) => oks(g, d.keypoints, params.sigmas)));

  const dtMatch: number[][] = [];
  const dtIgnore: boolean[][] = [];
  for (const t of thrs) {
    const gtTaken = new Array<boolean>(ordered.length).fill(false);
    const dm = new Array<number>(dts.length).fill(-1);
    const di = new Array<boolean>(dts.length).fill(false);
    if (ordered.length > 0) {
      for (let d = 0; d < dts.length; d++) {
        let best = Math.min(t, 1 - 1e-10);
        let m = -1;
        for (let g = 0; g < ordered.length; g++) {
          // A matched regular GT is taken; crowd GT may absorb any number of detections.
          if (gtTaken[g] && !crowd[g]) continue;
          // Once matched to a regular GT, stop before the ignored ones (they are sorted last).
          if (m > -1 && !gtIgnore[m] && gtIgnore[g]) break;
          if (oksM[d][g] < best) continue;
          best = oksM[d][g];
          m = g;
        }
        if (m === -1) continue;
        di[d] = gtIgnore[m];
        dm[d] = m;
        gtTaken[m] = true;
      }
    }
    for (let d = 0; d < dts.length; d++) {
      if (dm[d] === -1) {
        const a = dtArea(dts[d].keypoints);
        if (a < amin || a > amax) di[d] = true;
      }
    }
    dtMatch.push(dm);
    dtIgnore.push(di);
  }
  return { imageId: sample.imageId, dtScores: dts.map((d) => d.score), dtMatch, dtIgnore, gtOrder, gtIgnore, oks: oksM };
}

export interface KeypointEvalResult {
  /** Mean precision over thresholds .50:.95 and 101 recall points; -1 without scorable GT. */
  AP: number;
  AP50: number;
  AP75: number;
  /** Mean over thresholds of the recall reached with all (≤ maxDets per image) detections. */
  AR: number;
  AR50: number;
  AR75: number;
  /** Non-ignored GT. */
  numGt: number;
  /** Detections considered (after the per-image cap), ignored ones included. */
  numDt: number;
  /** [threshold][recall point] interpolated precision; -1 rows when there is no scorable GT. */
  precision: number[][];
  /** [threshold] final recall. */
  recall: number[];
  images: ImageEval[];
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function meanValid(values: readonly number[]): number {
  const valid = values.filter((v) => v > -1);
  return valid.length === 0 ? -1 : valid.reduce((a, b) => a + b, 0) / valid.length;
}

function thresholdIndex(thrs: readonly number[], t: number): number {
  return thrs.findIndex((x) => Math.abs(x - t) < 1e-9);
}

/** Evaluate a whole set (cocoeval evaluate + accumulate + the AP/AR summaries). */
export function evaluateKeypoints(samples: readonly ImageSample[], params: OksParams): KeypointEvalResult {
  const thrs = params.iouThrs ?? OKS_THRESHOLDS;
  const recThrs = params.recThrs ?? RECALL_THRESHOLDS;
  // cocoeval walks images in sorted id order; the order decides ties between equal scores.
  const sorted = [...samples].sort((a, b) => (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0));
  const images = sorted.map((s) => evaluateImage(s, params)).filter((e): e is ImageEval => e !== null);

  const scores: number[] = [];
  const match: boolean[][] = thrs.map(() => []);
  const ignore: boolean[][] = thrs.map(() => []);
  let numGt = 0;
  for (const e of images) {
    scores.push(...e.dtScores);
    thrs.forEach((_, t) => {
      match[t].push(...e.dtMatch[t].map((m) => m !== -1));
      ignore[t].push(...e.dtIgnore[t]);
    });
    numGt += e.gtIgnore.filter((g) => !g).length;
  }
  const order = stableOrder(scores, (s) => -s);

  const precision = thrs.map(() => new Array<number>(recThrs.length).fill(-1));
  const recall = thrs.map(() => -1);
  if (numGt > 0) {
    thrs.forEach((_, t) => {
      const rc: number[] = [];
      const pr: number[] = [];
      let tp = 0, fp = 0;
      for (const i of order) {
        // Ignored detections count as neither TP nor FP but keep their place in the ranking.
        if (!ignore[t][i]) { if (match[t][i]) tp++; else fp++; }
        rc.push(tp / numGt);
        pr.push(tp / (fp + tp + EPS));
      }
      recall[t] = rc.length ? rc[rc.length - 1] : 0;
      // Monotone envelope: precision at recall r is the best precision at any recall ≥ r.
      for (let i = pr.length - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
      const q = new Array<number>(recThrs.length).fill(0);
      for (let r = 0; r < recThrs.length; r++) {
        const at = lowerBound(rc, recThrs[r]);
        if (at >= pr.length) break; // recall never reached: precision 0 from here on
        q[r] = pr[at];
      }
      precision[t] = q;
    });
  }

  const apAt = (t: number): number => (t < 0 ? -1 : meanValid(precision[t]));
  const arAt = (t: number): number => (t < 0 ? -1 : meanValid([recall[t]]));
  return {
    AP: meanValid(precision.flat()),
    AP50: apAt(thresholdIndex(thrs, 0.5)),
    AP75: apAt(thresholdIndex(thrs, 0.75)),
    AR: meanValid(recall),
    AR50: arAt(thresholdIndex(thrs, 0.5)),
    AR75: arAt(thresholdIndex(thrs, 0.75)),
    numGt,
    numDt: scores.length,
    precision,
    recall,
    images,
  };
}
