import type { RgbImage } from '../types.js';

/**
 * A square or rectangular window of the source image mapped onto a model input.
 * Source coordinates may extend past the image; those pixels are filled with `fill`.
 */
export interface CropWindow {
  /** Source rectangle in image pixels (may be partly outside the image). */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CropTarget {
  width: number;
  height: number;
}

/**
 * Bilinear-resamples `window` of `image` into a packed float32 HWC (RGB) buffer of target size,
 * with raw 0-255 values (each model applies its own normalisation in-graph or via `scale`/`offset`).
 */
export function cropToTensor(
  image: RgbImage,
  window: CropWindow,
  target: CropTarget,
  opts: { scale?: number; offset?: number; fill?: number } = {},
): Float32Array {
  const { width: tw, height: th } = target;
  const scale = opts.scale ?? 1;
  const offset = opts.offset ?? 0;
  const fill = (opts.fill ?? 0) * scale + offset;
  const out = new Float32Array(tw * th * 3);
  const { width: iw, height: ih, data } = image;
  const sx = window.width / tw;
  const sy = window.height / th;
  // Precompute horizontal sample positions and weights once per row pattern.
  const x0s = new Int32Array(tw);
  const wxs = new Float32Array(tw);
  for (let tx = 0; tx < tw; tx++) {
    const fx = window.x + (tx + 0.5) * sx - 0.5;
    x0s[tx] = Math.floor(fx);
    wxs[tx] = fx - Math.floor(fx);
  }
  let o = 0;
  for (let ty = 0; ty < th; ty++) {
    const fy = window.y + (ty + 0.5) * sy - 0.5;
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const rowInside = y0 >= -1 && y0 < ih;
    for (let tx = 0; tx < tw; tx++) {
      const x0 = x0s[tx];
      if (!rowInside || x0 < -1 || x0 >= iw) {
        out[o++] = fill;
        out[o++] = fill;
        out[o++] = fill;
        continue;
      }
      const wx = wxs[tx];
      // Clamp neighbours at the border so edges do not bleed into the fill value.
      const xa = x0 < 0 ? 0 : x0;
      const xb = x0 + 1 >= iw ? iw - 1 : x0 + 1;
      const ya = y0 < 0 ? 0 : y0;
      const yb = y0 + 1 >= ih ? ih - 1 : y0 + 1;
      const p00 = (ya * iw + xa) * 3;
      const p01 = (ya * iw + xb) * 3;
      const p10 = (yb * iw + xa) * 3;
      const p11 = (yb * iw + xb) * 3;
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      for (let c = 0; c < 3; c++) {
        const v = data[p00 + c] * w00 + data[p01 + c] * w01 + data[p10 + c] * w10 + data[p11 + c] * w11;
        out[o++] = v * scale + offset;
      }
    }
  }
  return out;
}

/**
 * When shrinking by more than 2x, bilinear sampling aliases badly; this box-filters the image down
 * first so the final bilinear step never skips source pixels. Returns the image unchanged if small.
 */
export function downscaleForSampling(image: RgbImage, maxSide: number): { image: RgbImage; factor: number } {
  const factor = Math.floor(Math.max(image.width, image.height) / maxSide / 1.5);
  if (factor < 2) return { image, factor: 1 };
  const w = Math.floor(image.width / factor);
  const h = Math.floor(image.height / factor);
  const out = new Uint8Array(w * h * 3);
  const area = factor * factor;
  const src = image.data;
  const iw = image.width;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0, g = 0, b = 0;
      for (let dy = 0; dy < factor; dy++) {
        let p = ((y * factor + dy) * iw + x * factor) * 3;
        for (let dx = 0; dx < factor; dx++) {
          r += src[p]; g += src[p + 1]; b += src[p + 2];
          p += 3;
        }
      }
      const q = (y * w + x) * 3;
      out[q] = r / area; out[q + 1] = g / area; out[q + 2] = b / area;
    }
  }
  return { image: { width: w, height: h, data: out }, factor };
}

/** Resizes an image to exactly width × height (box pre-filter when shrinking a lot, then bilinear). */
export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return image;
  const { image: src, factor } = downscaleForSampling(image, Math.max(width, height));
  const window = { x: 0, y: 0, width: image.width / factor, height: image.height / factor };
  const floats = cropToTensor(src, window, { width, height });
  const data = new Uint8Array(floats.length);
  for (let i = 0; i < floats.length; i++) data[i] = Math.round(floats[i]);
  return { width, height, data };
}

/** Copies an integer rectangle that lies inside the image. */
export function extractRegion(image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  if (x < 0 || y < 0 || x + width > image.width || y + height > image.height) throw new Error('region outside the image');
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3;
    data.set(image.data.subarray(from, from + width * 3), row * width * 3);
  }
  return { width, height, data };
}

/** A square window of the image turned by `angle` radians about its centre (image y points down). */
export interface RotatedWindow {
  cx: number;
  cy: number;
  /** Side length in image pixels. */
  size: number;
  /** Rotation of the window's axes, radians, clockwise on screen. */
  angle: number;
}

/** Image point of a model-input point (u, v) of a `target`-sized tensor cut from `window`. */
export function rotatedWindowToImage(window: RotatedWindow, target: number, u: number, v: number): { x: number; y: number } {
  const ox = (u / target - 0.5) * window.size;
  const oy = (v / target - 0.5) * window.size;
  const cos = Math.cos(window.angle);
  const sin = Math.sin(window.angle);
  return { x: window.cx + ox * cos - oy * sin, y: window.cy + ox * sin + oy * cos };
}

/**
 * Bilinear-samples a rotated square window into a packed float32 HWC RGB tensor of side `target`,
 * values `pixel * scale + offset`; samples outside the image take `fill`.
 */
export function cropRotatedToTensor(
  image: RgbImage,
  window: RotatedWindow,
  target: number,
  opts: { scale?: number; offset?: number; fill?: number } = {},
): Float32Array {
  const scale = opts.scale ?? 1;
  const offset = opts.offset ?? 0;
  const fill = (opts.fill ?? 0) * scale + offset;
  const out = new Float32Array(target * target * 3);
  const { width: iw, height: ih, data } = image;
  const step = window.size / target;
  const cos = Math.cos(window.angle);
  const sin = Math.sin(window.angle);
  let o = 0;
  for (let v = 0; v < target; v++) {
    const oy = (v + 0.5) * step - window.size / 2;
    for (let u = 0; u < target; u++) {
      const ox = (u + 0.5) * step - window.size / 2;
      const fx = window.cx + ox * cos - oy * sin - 0.5;
      const fy = window.cy + ox * sin + oy * cos - 0.5;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      if (x0 < -1 || y0 < -1 || x0 >= iw || y0 >= ih) {
        out[o++] = fill;
        out[o++] = fill;
        out[o++] = fill;
        continue;
      }
      const wx = fx - x0;
      const wy = fy - y0;
      const xa = x0 < 0 ? 0 : x0;
      const xb = x0 + 1 >= iw ? iw - 1 : x0 + 1;
      const ya = y0 < 0 ? 0 : y0;
      const yb = y0 + 1 >= ih ? ih - 1 : y0 + 1;
      const p00 = (ya * iw + xa) * 3;
      const p01 = (ya * iw + xb) * 3;
      const p10 = (yb * iw + xa) * 3;
      const p11 = (yb * iw + xb) * 3;
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      for (let c = 0; c < 3; c++) {
        const val = data[p00 + c] * w00 + data[p01 + c] * w01 + data[p10 + c] * w10 + data[p11 + c] * w11;
        out[o++] = val * scale + offset;
      }
    }
  }
  return out;
}
