/**
 * Shared pieces of MediaPipe-style SSD detectors (palm detector, BlazeFace): the fixed anchor
 * grid, box decoding and weighted non-maximum suppression.
 */

export interface AnchorLayer {
  stride: number;
  /** Anchors per grid cell (all centred on the cell; the models use unit anchor sizes). */
  perCell: number;
}

/** The layers of MediaPipe's palm and pose detectors: strides 8 and 16 with two anchors per cell, 32 with six. */
export const STRIDE_8_16_32_LAYERS: readonly AnchorLayer[] = [
  { stride: 8, perCell: 2 },
  { stride: 16, perCell: 2 },
  { stride: 32, perCell: 6 },
];

/** Anchor centres in input pixels, in the models' output order (layer, row, column, anchor). */
export function anchorCentres(inputSize: number, layers: readonly AnchorLayer[]): Float32Array {
  const count = layers.reduce((n, l) => n + (inputSize / l.stride) ** 2 * l.perCell, 0);
  const out = new Float32Array(count * 2);
  let i = 0;
  for (const { stride, perCell } of layers) {
    const grid = inputSize / stride;
    for (let row = 0; row < grid; row++) {
      for (let col = 0; col < grid; col++) {
        for (let k = 0; k < perCell; k++) {
          out[i++] = (col + 0.5) * stride;
          out[i++] = (row + 0.5) * stride;
        }
      }
    }
  }
  return out;
}

export interface SsdDetection {
  /** Box in the coordinate frame of the caller (input pixels until mapped back). */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  /** Keypoints as x, y pairs. */
  points: number[];
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, x))));

/**
 * Decodes raw rows `[cx, cy, w, h, kx0, ky0, ...]` (offsets in input px from the anchor centre)
 * for every anchor whose score passes `minScore`.
 */
export function decodeAnchors(
  scoreLogits: Float32Array,
  scoreStride: number,
  scoreOffset: number,
  rows: Float32Array,
  rowStride: number,
  rowOffset: number,
  anchors: Float32Array,
  keypoints: number,
  minScore: number,
): SsdDetection[] {
  const out: SsdDetection[] = [];
  const n = anchors.length / 2;
  const minLogit = Math.log(minScore / (1 - minScore));
  for (let a = 0; a < n; a++) {
    const logit = scoreLogits[a * scoreStride + scoreOffset];
    if (!(logit >= minLogit)) continue;
    const r = a * rowStride + rowOffset;
    const ax = anchors[2 * a];
    const ay = anchors[2 * a + 1];
    const cx = ax + rows[r];
    const cy = ay + rows[r + 1];
    const w = rows[r + 2];
    const h = rows[r + 3];
    const points: number[] = [];
    for (let k = 0; k < keypoints; k++) points.push(ax + rows[r + 4 + 2 * k], ay + rows[r + 5 + 2 * k]);
    out.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score: sigmoid(logit), points });
  }
  return out;
}

export function iou(a: SsdDetection, b: SsdDetection): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Weighted NMS as MediaPipe does it: each kept detection is the score-weighted mean of the
 * candidates overlapping the best one by more than `threshold`, which steadies boxes and points.
 */
export function weightedNms(detections: SsdDetection[], threshold: number): SsdDetection[] {
  const remaining = [...detections].sort((a, b) => b.score - a.score);
  const kept: SsdDetection[] = [];
  while (remaining.length > 0) {
    const best = remaining[0];
    const cluster: SsdDetection[] = [];
    for (let i = remaining.length - 1; i >= 0; i--) {
      if (iou(best, remaining[i]) > threshold) cluster.push(...remaining.splice(i, 1));
    }
    if (cluster.length === 0) cluster.push(remaining.shift()!);
    const total = cluster.reduce((s, d) => s + d.score, 0);
    const mean = (f: (d: SsdDetection) => number) => cluster.reduce((s, d) => s + f(d) * d.score, 0) / total;
    kept.push({
      x1: mean((d) => d.x1),
      y1: mean((d) => d.y1),
      x2: mean((d) => d.x2),
      y2: mean((d) => d.y2),
      score: best.score,
      points: best.points.map((_, k) => mean((d) => d.points[k])),
    });
  }
  return kept;
}
