/** Resampling and compositing of float maps (ProbMap) between windows and image frames. */
import type { CropWindow } from './crop.js';

/** A float map over a rectangle of an image (e.g. person probability), row-major. */
export interface ProbMap {
  width: number;
  height: number;
  data: Float32Array;
}

/** Bilinear taps along one axis: for each output index, the two source cells and the weight of the second. */
export interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  w: Float32Array;
}

/** Taps for output cells `from..to-1` whose centres map to source coordinate (i + 0.5) * step + origin. */
export function taps(from: number, to: number, step: number, origin: number, srcSize: number): Taps {
  const n = Math.max(0, to - from);
  const lo = new Int32Array(n), hi = new Int32Array(n), w = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    // Source cell centres sit at .5; clamp at the edges.
    const f = Math.min(Math.max((from + k + 0.5) * step + origin - 0.5, 0), srcSize - 1);
    const i = Math.floor(f);
    lo[k] = i;
    hi[k] = Math.min(i + 1, srcSize - 1);
    w[k] = f - i;
  }
  return { lo, hi, w };
}

/**
 * Bilinear resample of `src` into rows y0..y1-1 and columns x0..x1-1 of a width-wide target,
 * calling `write(index, value)` per cell.
 */
function resample(src: ProbMap, xs: Taps, ys: Taps, x0: number, y0: number, width: number, write: (i: number, v: number) => void): void {
  const { data, width: sw } = src;
  for (let r = 0; r < ys.lo.length; r++) {
    const top = ys.lo[r] * sw, bottom = ys.hi[r] * sw, wy = ys.w[r];
    const row = (y0 + r) * width + x0;
    for (let c = 0; c < xs.lo.length; c++) {
      const a = xs.lo[c], b = xs.hi[c], wx = xs.w[c];
      const t = data[top + a] + (data[top + b] - data[top + a]) * wx;
      const u = data[bottom + a] + (data[bottom + b] - data[bottom + a]) * wx;
      write(row + c, t + (u - t) * wy);
    }
  }
}

/** Bilinear resize of a map to width × height. */
export function resizeMap(map: ProbMap, width: number, height: number): ProbMap {
  const out = new Float32Array(width * height);
  const xs = taps(0, width, map.width / width, 0, map.width);
  const ys = taps(0, height, map.height / height, 0, map.height);
  resample(map, xs, ys, 0, 0, width, (i, v) => { out[i] = v; });
  return { width, height, data: out };
}

/**
 * Writes `src`, which covers `window` of the target's frame, into `target` with max(), so
 * overlapping people keep each one's own mask. `scale` maps window coordinates to target cells.
 */
export function pasteMax(target: ProbMap, src: ProbMap, window: CropWindow, scale = 1): void {
  const x0 = Math.max(0, Math.floor(window.x * scale));
  const y0 = Math.max(0, Math.floor(window.y * scale));
  const x1 = Math.min(target.width, Math.ceil((window.x + window.width) * scale));
  const y1 = Math.min(target.height, Math.ceil((window.y + window.height) * scale));
  const stepX = src.width / (window.width * scale);
  const stepY = src.height / (window.height * scale);
  const xs = taps(x0, x1, stepX, -window.x * scale * stepX, src.width);
  const ys = taps(y0, y1, stepY, -window.y * scale * stepY, src.height);
  const data = target.data;
  resample(src, xs, ys, x0, y0, target.width, (i, v) => { if (v > data[i]) data[i] = v; });
}
