/** Resampling and compositing of float maps (ProbMap) between windows and image frames. */
import type { CropWindow } from './crop.js';
import type { ProbMap } from './seg-net.js';

/** Bilinear sample of `map` at continuous cell coordinates (cell centres at .5), edge-clamped. */
function sample(map: ProbMap, fx: number, fy: number): number {
  const { width: w, height: h, data } = map;
  const x = Math.min(Math.max(fx - 0.5, 0), w - 1);
  const y = Math.min(Math.max(fy - 0.5, 0), h - 1);
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
  const wx = x - x0, wy = y - y0;
  const top = data[y0 * w + x0] * (1 - wx) + data[y0 * w + x1] * wx;
  const bottom = data[y1 * w + x0] * (1 - wx) + data[y1 * w + x1] * wx;
  return top * (1 - wy) + bottom * wy;
}

/** Bilinear resize of a map to width × height. */
export function resizeMap(map: ProbMap, width: number, height: number): ProbMap {
  const out = new Float32Array(width * height);
  const sx = map.width / width, sy = map.height / height;
  for (let y = 0; y < height; y++) {
    const fy = (y + 0.5) * sy;
    for (let x = 0; x < width; x++) out[y * width + x] = sample(map, (x + 0.5) * sx, fy);
  }
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
  const cellsPerPx = src.width / (window.width * scale);
  const cellsPerPy = src.height / (window.height * scale);
  for (let y = y0; y < y1; y++) {
    const fy = (y + 0.5 - window.y * scale) * cellsPerPy;
    for (let x = x0; x < x1; x++) {
      const v = sample(src, (x + 0.5 - window.x * scale) * cellsPerPx, fy);
      const i = y * target.width + x;
      if (v > target.data[i]) target.data[i] = v;
    }
  }
}
