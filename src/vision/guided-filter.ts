/**
 * Guided filter (He, Sun & Tang, 2010) with a colour guide: snaps a coarse, upsampled mask to the
 * edges of the photo (hair, fingers, clothing outlines) while keeping it smooth elsewhere.
 */
import type { RgbImage } from '../types.js';
import { taps, type ProbMap } from './prob-map.js';

/** Mean over a (2r+1)² window clipped to the image, in O(pixels) with running sums. */
export function boxMean(src: Float32Array, width: number, height: number, r: number): Float32Array {
  const tmp = new Float32Array(width * height);
  const out = new Float32Array(width * height);
  // Horizontal pass: each row's running sum; divide by the clipped window length.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x <= Math.min(r, width - 1); x++) sum += src[row + x];
    for (let x = 0; x < width; x++) {
      const lo = Math.max(0, x - r);
      const hi = Math.min(width - 1, x + r);
      tmp[row + x] = sum / (hi - lo + 1);
      if (x + r + 1 < width) sum += src[row + x + r + 1];
      if (x - r >= 0) sum -= src[row + x - r];
    }
  }
  // Vertical pass on the row means, column by column through a sum array per row.
  const colSum = new Float64Array(width);
  for (let y = 0; y <= Math.min(r, height - 1); y++) for (let x = 0; x < width; x++) colSum[x] += tmp[y * width + x];
  for (let y = 0; y < height; y++) {
    const lo = Math.max(0, y - r);
    const hi = Math.min(height - 1, y + r);
    const n = hi - lo + 1;
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = colSum[x] / n;
    if (y + r + 1 < height) { const add = (y + r + 1) * width; for (let x = 0; x < width; x++) colSum[x] += tmp[add + x]; }
    if (y - r >= 0) { const sub = (y - r) * width; for (let x = 0; x < width; x++) colSum[x] -= tmp[sub + x]; }
  }
  return out;
}

export interface GuidedFilterOptions {
  /** Window radius in pixels of the guide. */
  radius: number;
  /** Regularisation on the 0..1 colour scale: larger = smoother, less edge-following. */
  eps: number;
}

/** Per-pixel linear model q = a·I + b of the guided filter, already box-averaged. */
export interface GuidedCoefficients {
  /** One map per colour channel (R, G, B) of the guide, scaled 0..1. */
  a: [ProbMap, ProbMap, ProbMap];
  b: ProbMap;
}

/** Fits the guided filter's local linear models of `input` on `guide` (same size). */
export function guidedCoefficients(guide: RgbImage, input: ProbMap, opts: GuidedFilterOptions): GuidedCoefficients {
  const { width, height } = guide;
  if (input.width !== width || input.height !== height) throw new Error('guided filter: guide and input sizes differ');
  const n = width * height;
  const r = Math.max(1, Math.round(opts.radius));
  const I = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    I[0][i] = guide.data[j] / 255;
    I[1][i] = guide.data[j + 1] / 255;
    I[2][i] = guide.data[j + 2] / 255;
  }
  const p = input.data;
  const mean = (a: Float32Array) => boxMean(a, width, height, r);
  const product = (a: Float32Array, b: Float32Array) => {
    const o = new Float32Array(n);
    for (let i = 0; i < n; i++) o[i] = a[i] * b[i];
    return o;
  };
  const mI = I.map(mean);
  const mp = mean(p);
  const mIp = I.map((c) => mean(product(c, p)));
  // Covariance of the guide (symmetric 3x3): rr, rg, rb, gg, gb, bb.
  const pairs: [number, number][] = [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]];
  const cov = pairs.map(([a, b]) => {
    const m = mean(product(I[a], I[b]));
    for (let i = 0; i < n; i++) m[i] -= mI[a][i] * mI[b][i];
    return m;
  });
  const a0 = new Float32Array(n), a1 = new Float32Array(n), a2 = new Float32Array(n), b = new Float32Array(n);
  const eps = opts.eps;
  for (let i = 0; i < n; i++) {
    const c0 = mIp[0][i] - mI[0][i] * mp[i];
    const c1 = mIp[1][i] - mI[1][i] * mp[i];
    const c2 = mIp[2][i] - mI[2][i] * mp[i];
    const rr = cov[0][i] + eps, rg = cov[1][i], rb = cov[2][i], gg = cov[3][i] + eps, gb = cov[4][i], bb = cov[5][i] + eps;
    // Inverse of the symmetric 3x3 by cofactors.
    const i00 = gg * bb - gb * gb, i01 = rb * gb - rg * bb, i02 = rg * gb - rb * gg;
    const i11 = rr * bb - rb * rb, i12 = rb * rg - rr * gb, i22 = rr * gg - rg * rg;
    const inv = 1 / (rr * i00 + rg * i01 + rb * i02);
    const x0 = (i00 * c0 + i01 * c1 + i02 * c2) * inv;
    const x1 = (i01 * c0 + i11 * c1 + i12 * c2) * inv;
    const x2 = (i02 * c0 + i12 * c1 + i22 * c2) * inv;
    a0[i] = x0; a1[i] = x1; a2[i] = x2;
    b[i] = mp[i] - x0 * mI[0][i] - x1 * mI[1][i] - x2 * mI[2][i];
  }
  const map = (data: Float32Array): ProbMap => ({ width, height, data: mean(data) });
  return { a: [map(a0), map(a1), map(a2)], b: map(b) };
}

/**
 * Applies fitted coefficients to a guide of any size (the "fast guided filter": fit at low
 * resolution, apply at full resolution so edges follow the full-size photo). Clamped to 0..1.
 */
export function applyGuided(coeffs: GuidedCoefficients, guide: RgbImage): ProbMap {
  const { width, height, data } = guide;
  const { width: cw, height: ch } = coeffs.b;
  // Bilinear taps of the (small) coefficient maps, computed once per column and per row, so no
  // full-size copy of the four maps is ever made.
  const xs = taps(0, width, cw / width, 0, cw);
  const ys = taps(0, height, ch / height, 0, ch);
  const maps = [coeffs.a[0].data, coeffs.a[1].data, coeffs.a[2].data, coeffs.b.data];
  const at = [0, 0, 0, 0];
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const top = ys.lo[y] * cw, bottom = ys.hi[y] * cw, wy = ys.w[y];
    for (let x = 0; x < width; x++) {
      const l = xs.lo[x], r = xs.hi[x], wx = xs.w[x];
      for (let m = 0; m < 4; m++) {
        const c = maps[m];
        const t = c[top + l] + (c[top + r] - c[top + l]) * wx;
        const u = c[bottom + l] + (c[bottom + r] - c[bottom + l]) * wx;
        at[m] = t + (u - t) * wy;
      }
      const i = y * width + x, j = 3 * i;
      const v = (at[0] * data[j] + at[1] * data[j + 1] + at[2] * data[j + 2]) / 255 + at[3];
      out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return { width, height, data: out };
}

/** The guided filter at one resolution: `input` filtered with `guide` (same size). */
export function guidedFilter(guide: RgbImage, input: ProbMap, opts: GuidedFilterOptions): ProbMap {
  return applyGuided(guidedCoefficients(guide, input, opts), guide);
}
