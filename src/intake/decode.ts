import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { ServiceError } from '../errors.js';
import type { RgbImage } from '../types.js';
import { decodeBase64Field, type Base64Options } from './base64.js';
import { decodeBmp, readBmpHeader } from './bmp.js';
import { openHeic, type OpenedHeic } from './heic.js';
import { resolveIntakeOptions, type ImageFormat, type IntakeOptions, type ResolvedIntakeOptions } from './limits.js';
import { sniffFormat } from './sniff.js';

/** Header facts, known before any pixel is decoded. */
export interface ImageInfo {
  format: ImageFormat;
  /** Dimensions of the image as it will be decoded (after EXIF orientation when applied). */
  width: number;
  height: number;
  /** EXIF orientation tag, 1-8; 1 when absent. */
  orientation: number;
  /** True when orientation is not 1 and will be / was applied, so pixels are upright. */
  orientationApplied: boolean;
}

/** Packed 8-bit RGB plus where it came from. Coordinates always refer to these (upright) pixels. */
export interface DecodedImage extends RgbImage, ImageInfo {
  /** The source had an alpha channel; it was composited onto white. */
  hadAlpha: boolean;
}

// Formats our sharp build decodes. HEIC goes through heic.ts: the prebuilt libheif has no HEVC decoder.
const SHARP_LOADER: Partial<Record<ImageFormat, string>> = {
  jpeg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif', tiff: 'tiff', avif: 'heif',
};

const FORMAT_LABEL: Record<ImageFormat, string> = {
  jpeg: 'JPEG', png: 'PNG', bmp: 'BMP', webp: 'WebP', heic: 'HEIC', avif: 'AVIF', gif: 'GIF', tiff: 'TIFF',
};

function sharpInput(bytes: Uint8Array, o: ResolvedIntakeOptions) {
  // 'truncated' rejects cut-off JPEG/PNG but, unlike the default 'warning', still accepts the many
  // real-world files with harmless decoder warnings (e.g. stray bytes between JPEG markers).
  return sharp(bytes, { failOn: 'truncated', limitInputPixels: o.maxPixels, autoOrient: o.autoOrient });
}

function checkSize(width: number, height: number, o: ResolvedIntakeOptions): void {
  const short = Math.min(width, height), long = Math.max(width, height);
  if (short < o.minSide) throw new ServiceError('image_size', `${width}x${height}: shortest side is under ${o.minSide} px`);
  if (long > o.maxSide) throw new ServiceError('image_size', `${width}x${height}: longest side is over ${o.maxSide} px`);
  if (width * height > o.maxPixels) throw new ServiceError('image_size', `${width}x${height}: more than ${o.maxPixels} pixels`);
}

function sniffAllowed(bytes: Uint8Array, o: ResolvedIntakeOptions): ImageFormat {
  if (bytes.length === 0) throw new ServiceError('image_empty', 'image has zero bytes');
  const format = sniffFormat(bytes);
  if (!format) throw new ServiceError('image_format', 'unrecognised image format');
  if (!o.formats.has(format)) {
    const allowed = [...o.formats].map((f) => FORMAT_LABEL[f]).join(', ');
    throw new ServiceError('image_unsupported', `${FORMAT_LABEL[format]} is not accepted here (allowed: ${allowed})`);
  }
  return format;
}

interface Probe extends ImageInfo { hasAlpha: boolean }

// libheif has already applied the file's rotation boxes: dimensions are upright, no EXIF step.
function heicInfo(heic: OpenedHeic): Probe {
  return { format: 'heic', width: heic.width, height: heic.height, orientation: 1, orientationApplied: false, hasAlpha: false };
}

async function probe(bytes: Uint8Array, o: ResolvedIntakeOptions): Promise<Probe> {
  const format = sniffAllowed(bytes, o);
  if (format === 'bmp') {
    const h = readBmpHeader(bytes);
    checkSize(h.width, h.height, o);
    return { format, width: h.width, height: h.height, orientation: 1, orientationApplied: false, hasAlpha: false };
  }
  if (format === 'heic') {
    const heic = await openHeic(bytes);
    heic.dispose();
    checkSize(heic.width, heic.height, o);
    return heicInfo(heic);
  }
  const loader = SHARP_LOADER[format];
  if (!loader) throw new ServiceError('image_unsupported', `${FORMAT_LABEL[format]} decoding is not supported`);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ServiceError('image_format', `unreadable ${FORMAT_LABEL[format]} header: ${(err as Error).message}`);
  }
  // Polyglot files: the decoder must agree with what we sniffed and allowed.
  if (meta.format !== loader) throw new ServiceError('image_format', `decoder sees ${meta.format}, not ${FORMAT_LABEL[format]}`);
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
  const rawHeight = meta.pageHeight ?? meta.height; // animated GIF/WebP: first frame only
  const swap = o.autoOrient && orientation >= 5;
  const width = swap ? rawHeight : meta.width;
  const height = swap ? meta.width : rawHeight;
  checkSize(width, height, o);
  return {
    format, width, height, orientation,
    orientationApplied: o.autoOrient && orientation !== 1,
    hasAlpha: meta.hasAlpha === true,
  };
}

/**
 * Header-only check: format allowed, dimensions within limits. Throws exactly what decodeImage
 * would for those problems, without decoding pixels.
 */
export async function probeImage(bytes: Uint8Array, opts?: IntakeOptions): Promise<ImageInfo> {
  const { hasAlpha: _, ...info } = await probe(bytes, resolveIntakeOptions(opts));
  return info;
}

/**
 * File bytes → upright, packed 8-bit RGB.
 *
 * Order: empty → image_empty; sniff (content, never names) → unknown → image_format, recognised
 * but not allowed → image_unsupported (same Baidu code); header dimensions (after EXIF
 * orientation) → image_size; then the full decode, where truncated or corrupt data → image_format. Grey, palette, 16-bit and CMYK sources are
 * converted to 8-bit sRGB; alpha is composited onto white.
 */
export async function decodeImage(bytes: Uint8Array, opts?: IntakeOptions): Promise<DecodedImage> {
  const o = resolveIntakeOptions(opts);
  if (sniffAllowed(bytes, o) === 'heic') return decodeHeic(bytes, o);
  const { hasAlpha, ...info } = await probe(bytes, o);
  if (info.format === 'bmp') {
    const img = decodeBmp(bytes, { maxPixels: o.maxPixels });
    return { ...info, width: img.width, height: img.height, data: img.data, hadAlpha: img.hadAlpha };
  }

  let pipeline = sharpInput(bytes, o);
  if (hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    const msg = (err as Error).message;
    if (/pixel limit/i.test(msg)) throw new ServiceError('image_size', msg);
    throw new ServiceError('image_format', `cannot decode ${FORMAT_LABEL[info.format]}: ${msg}`);
  }
  const { width, height, channels } = out.info;
  if (channels !== 3 || width !== info.width || height !== info.height || out.data.length !== width * height * 3) {
    throw new ServiceError('internal', `decoder returned ${width}x${height}x${channels}, expected ${info.width}x${info.height}x3`);
  }
  // A view, not a copy: sharp's output buffer is ours alone.
  const data = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length);
  return { ...info, data, hadAlpha: hasAlpha };
}

/** HEIC: one container parse for the size check and the decode; RGBA flattened like the rest. */
async function decodeHeic(bytes: Uint8Array, o: ResolvedIntakeOptions): Promise<DecodedImage> {
  const heic = await openHeic(bytes);
  try {
    checkSize(heic.width, heic.height, o);
    const rgba = await heic.decodeRgba();
    let hadAlpha = false;
    for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) { hadAlpha = true; break; }
    const { hasAlpha: _, ...info } = heicInfo(heic);
    const raw = { width: heic.width, height: heic.height, channels: 4 as const };
    const data = await sharp(rgba, { raw }).flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer();
    return { ...info, data: new Uint8Array(data.buffer, data.byteOffset, data.length), hadAlpha };
  } finally {
    heic.dispose();
  }
}

/** Baidu-style intake in one call: base64 form field → decoded image. */
export async function decodeBase64Image(
  value: unknown,
  opts?: IntakeOptions & Base64Options,
): Promise<DecodedImage> {
  return decodeImage(decodeBase64Field(value, opts), opts);
}
