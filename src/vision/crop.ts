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
  // Columns repeat on every row: precompute their clamped neighbour offsets and weights.
  const inside = new Uint8Array(tw);
  const left = new Int32Array(tw);
  const right = new Int32Array(tw);
  const wxs = new Float32Array(tw);
  for (let tx = 0; tx < tw; tx++) {
    const fx = window.x + (tx + 0.5) * sx - 0.5;
    const x0 = Math.floor(fx);
    inside[tx] = x0 >= -1 && x0 < iw ? 1 : 0;
    left[tx] = clampIndex(x0, iw) * 3;
    right[tx] = clampIndex(x0 + 1, iw) * 3;
    wxs[tx] = fx - x0;
  }
  let o = 0;
  for (let ty = 0; ty < th; ty++) {
    const fy = window.y + (ty + 0.5) * sy - 0.5;
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const rowInside = y0 >= -1 && y0 < ih;
    const top = clampIndex(y0, ih) * iw * 3;
    const bottom = clampIndex(y0 + 1, ih) * iw * 3;
    for (let tx = 0; tx < tw; tx++, o += 3) {
      if (rowInside && inside[tx]) mixInto(out, o, data, top + left[tx], top + right[tx], bottom + left[tx], bottom + right[tx], wxs[tx], wy, scale, offset);
      else out[o] = out[o + 1] = out[o + 2] = fill;
    }
  }
  return out;
}

/** A pixel index clamped into 0..size-1 (neighbours past the border repeat the edge, not the fill). */
function clampIndex(i: number, size: number): number {
  return i < 0 ? 0 : i >= size ? size - 1 : i;
}

/**
 * Writes to out[o..o+2] the bilinear mix of the four RGB pixels at p00 (top left), p01 (top
 * right), p10 and p11 with weights wx, wy towards the right and bottom, as `value * scale + offset`.
 */
function mixInto(
  out: Float32Array,
  o: number,
  data: Uint8Array,
  p00: number,
  p01: number,
  p10: number,
  p11: number,
  wx: number,
  wy: number,
  scale: number,
  offset: number,
): void {
  const w00 = (1 - wx) * (1 - wy);
  const w01 = wx * (1 - wy);
  const w10 = (1 - wx) * wy;
  const w11 = wx * wy;
  for (let c = 0; c < 3; c++) {
    out[o + c] = (data[p00 + c] * w00 + data[p01 + c] * w01 + data[p10 + c] * w10 + data[p11 + c] * w11) * scale + offset;
  }
}

// Box-filtered copies by source pixels and factor: one request feeds the same photo to several
// models (people, faces, palms, segmentation) that often want the same factor. Weak keys: a
// copy lives as long as its source pixels.
const shrunkCopies = new WeakMap<Uint8Array, Map<number, RgbImage>>();

/**
 * cropToTensor of a window after shrinking a large image by box filtering, so that a window
 * much larger than the target does not alias under bilinear sampling (every model crop's path).
 */
export function windowToTensor(
  image: RgbImage,
  window: CropWindow,
  target: CropTarget,
  opts: { scale?: number; offset?: number; fill?: number } = {},
): Float32Array {
  const { image: src, factor } = downscaleForSampling(image, (target.width * Math.max(image.width, image.height)) / window.width);
  const scaled = { x: window.x / factor, y: window.y / factor, width: window.width / factor, height: window.height / factor };
  return cropToTensor(src, scaled, target, opts);
}

/**
 * When shrinking by more than 2x, bilinear sampling aliases badly; this box-filters the image down
 * first so the final bilinear step never skips source pixels. Returns the image unchanged if small.
 * Copies are remembered per source image, so callers need not cache them.
 */
export function downscaleForSampling(image: RgbImage, maxSide: number): { image: RgbImage; factor: number } {
  const factor = Math.floor(Math.max(image.width, image.height) / maxSide / 1.5);
  if (factor < 2) return { image, factor: 1 };
  let copies = shrunkCopies.get(image.data);
  if (!copies) shrunkCopies.set(image.data, (copies = new Map()));
  let copy = copies.get(factor);
  if (!copy) copies.set(factor, (copy = boxFilterDown(image, factor)));
  return { image: copy, factor };
}

function boxFilterDown(image: RgbImage, factor: number): RgbImage {
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
  return { width: w, height: h, data: out };
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

/**
 * Image point of a model-input point (u, v) of a `target`-sized tensor cut from `window` by
 * `cropRotatedToTensor`. Model outputs count tensor pixels from the first one's centre (MediaPipe
 * maps tensor pixel u to u·step from the crop edge), while the crop samples pixel u at (u + ½)·step:
 * the ½ keeps the round trip exact instead of shifting every point half a tensor pixel up-left.
 */
export function rotatedWindowToImage(window: RotatedWindow, target: number, u: number, v: number): { x: number; y: number } {
  const ox = ((u + 0.5) / target - 0.5) * window.size;
  const oy = ((v + 0.5) / target - 0.5) * window.size;
  const cos = Math.cos(window.angle);
  const sin = Math.sin(window.angle);
  return { x: window.cx + ox * cos - oy * sin, y: window.cy + ox * sin + oy * cos };
}

/**
 * Bilinear-samples a rotated square window into a packed float32 HWC RGB tensor of side `target`,
 * values `pixel * scale + offset`; samples outside the image take `fill`, or with
 * `replicate` repeat the nearest edge pixel (MediaPipe's default border for its crops).
 */
export function cropRotatedToTensor(
  image: RgbImage,
  window: RotatedWindow,
  target: number,
  opts: { scale?: number; offset?: number; fill?: number; replicate?: boolean } = {},
): Float32Array {
  const replicate = opts.replicate ?? false;
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
      if (replicate || (x0 >= -1 && y0 >= -1 && x0 < iw && y0 < ih)) {
        const top = clampIndex(y0, ih) * iw * 3;
        const bottom = clampIndex(y0 + 1, ih) * iw * 3;
        const left = clampIndex(x0, iw) * 3;
        const right = clampIndex(x0 + 1, iw) * 3;
        mixInto(out, o, data, top + left, top + right, bottom + left, bottom + right, fx - x0, fy - y0, scale, offset);
      } else out[o] = out[o + 1] = out[o + 2] = fill;
      o += 3;
    }
  }
  return out;
}

/**
 * cropRotatedToTensor after shrinking a large image by box filtering when the window is much
 * larger than the target (the rotated twin of windowToTensor: thin limbs and fingers survive).
 */
export function rotatedWindowToTensor(
  image: RgbImage,
  window: RotatedWindow,
  target: number,
  opts: { scale?: number; offset?: number; fill?: number; replicate?: boolean } = {},
): Float32Array {
  const { image: source, factor } = downscaleForSampling(image, (target * Math.max(image.width, image.height)) / window.size);
  const scaled: RotatedWindow = { ...window, cx: window.cx / factor, cy: window.cy / factor, size: window.size / factor };
  return cropRotatedToTensor(source, scaled, target, opts);
}
