/**
 * Small strict BMP decoder (sharp/libvips cannot read BMP).
 *
 * Supported: BITMAPCOREHEADER (OS/2 1.x), OS/2 2.x, BITMAPINFOHEADER and V2-V5 headers;
 * 1/4/8-bit palette, 16/24/32-bit BI_RGB, BI_BITFIELDS and BI_ALPHABITFIELDS at 16/32 bits,
 * RLE8 and RLE4; bottom-up and top-down rows. Not supported (→ image_format): embedded JPEG/PNG,
 * OS/2 Huffman/RLE24.
 *
 * Every header field is checked against the buffer before use, so a truncated or lying file gives
 * `image_format` and never an out-of-range read or an allocation sized by an unchecked header.
 */
import { ServiceError } from '../errors.js';
import type { RgbImage } from '../types.js';
import { DEFAULT_MAX_PIXELS } from './limits.js';

const BI_RGB = 0, BI_RLE8 = 1, BI_RLE4 = 2, BI_BITFIELDS = 3, BI_JPEG = 4, BI_PNG = 5, BI_ALPHABITFIELDS = 6;
const KNOWN_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

export interface BmpHeader {
  width: number;
  /** Always positive; see topDown. */
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  /** Offset of pixel data in the file. */
  dataOffset: number;
  /** Bytes of pixel data available (to end of file, or biSizeImage for RLE when it fits). */
  dataLength: number;
  /** Bytes per row, including padding to 4 bytes (uncompressed only). */
  stride: number;
  /** RGB triplets, 3 * 2^bpp bytes, unused entries black (palette formats only). */
  palette?: Uint8Array;
  masks?: { r: number; g: number; b: number; a: number };
}

function fail(detail: string): never {
  throw new ServiceError('image_format', `BMP: ${detail}`);
}

/** Parse and validate the file and DIB headers without touching pixel data. */
export function readBmpHeader(b: Uint8Array): BmpHeader {
  if (b.length < 26 || b[0] !== 0x42 || b[1] !== 0x4d) fail('not a BMP file');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let dataOffset = dv.getUint32(10, true);
  const dibSize = dv.getUint32(14, true);
  if (!KNOWN_HEADER_SIZES.has(dibSize)) fail(`unknown DIB header size ${dibSize}`);
  if (14 + dibSize > b.length) fail('header is truncated');

  let width: number, rawHeight: number, bpp: number, compression = BI_RGB, colorsUsed = 0, sizeImage = 0;
  const core = dibSize === 12;
  if (core) {
    width = dv.getUint16(18, true);
    rawHeight = dv.getUint16(20, true);
    bpp = dv.getUint16(24, true);
  } else {
    width = dv.getInt32(18, true);
    rawHeight = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    if (dibSize >= 20) compression = dv.getUint32(30, true);
    if (dibSize >= 24) sizeImage = dv.getUint32(34, true);
    if (dibSize >= 36) colorsUsed = dv.getUint32(46, true); // biClrUsed
  }
  if (dibSize === 64 && (compression === 3 || compression === 4)) fail('OS/2 Huffman/RLE24 compression is not supported');
  if (compression === BI_JPEG || compression === BI_PNG) fail('embedded JPEG/PNG is not supported');
  if (width <= 0) fail(`invalid width ${width}`);
  if (rawHeight === 0) fail('invalid height 0');
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);

  switch (compression) {
    case BI_RGB:
      if (![1, 4, 8, 16, 24, 32].includes(bpp)) fail(`unsupported bit depth ${bpp}`);
      break;
    case BI_RLE8:
      if (bpp !== 8) fail('RLE8 requires 8 bits per pixel');
      break;
    case BI_RLE4:
      if (bpp !== 4) fail('RLE4 requires 4 bits per pixel');
      break;
    case BI_BITFIELDS:
    case BI_ALPHABITFIELDS:
      if (bpp !== 16 && bpp !== 32) fail(`bit fields require 16 or 32 bits per pixel, not ${bpp}`);
      break;
    default:
      fail(`unknown compression ${compression}`);
  }
  if ((compression === BI_RLE8 || compression === BI_RLE4) && topDown) fail('top-down RLE is invalid');

  // Channel masks: inside V2+ headers, or just after a 40-byte header.
  let masks: BmpHeader['masks'];
  let afterHeader = 14 + dibSize;
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    const withAlpha = compression === BI_ALPHABITFIELDS || dibSize >= 56;
    const count = withAlpha ? 4 : 3;
    if (dibSize === 40) afterHeader += 4 * count;
    else if (dibSize < 52) fail('bit fields with a header that has no masks');
    if (54 + 4 * count > b.length) fail('masks are truncated');
    masks = {
      r: dv.getUint32(54, true), g: dv.getUint32(58, true), b: dv.getUint32(62, true),
      a: withAlpha ? dv.getUint32(66, true) : 0,
    };
    if ((masks.r | masks.g | masks.b) === 0) fail('all colour masks are zero');
  } else if (bpp === 16) {
    masks = { r: 0x7c00, g: 0x03e0, b: 0x001f, a: 0 };
  } else if (bpp === 32) {
    masks = { r: 0xff0000, g: 0xff00, b: 0xff, a: 0 }; // 4th byte of BI_RGB is reserved, not alpha
  }

  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const entrySize = core ? 3 : 4;
    const maxEntries = 1 << bpp;
    let count = colorsUsed === 0 || colorsUsed > maxEntries ? maxEntries : colorsUsed;
    // The palette may be shorter than declared when the data offset says so.
    if (dataOffset > afterHeader) count = Math.min(count, Math.floor((dataOffset - afterHeader) / entrySize));
    if (afterHeader + count * entrySize > b.length) fail('palette is truncated');
    if (count === 0) fail('palette is empty');
    palette = new Uint8Array(3 * 256);
    for (let i = 0; i < count; i++) {
      const p = afterHeader + i * entrySize;
      palette[3 * i] = b[p + 2];
      palette[3 * i + 1] = b[p + 1];
      palette[3 * i + 2] = b[p];
    }
    afterHeader += count * entrySize;
  }

  if (dataOffset === 0) dataOffset = afterHeader; // some writers leave bfOffBits unset
  if (dataOffset < 14 + dibSize || dataOffset >= b.length) fail(`pixel data offset ${dataOffset} is outside the file`);

  const stride = Math.ceil((width * bpp) / 32) * 4;
  let dataLength = b.length - dataOffset;
  if (compression === BI_RLE8 || compression === BI_RLE4) {
    if (sizeImage > 0 && sizeImage < dataLength) dataLength = sizeImage;
  } else {
    // The last row's padding is often omitted by writers; don't insist on it.
    const needed = stride * (height - 1) + Math.ceil((width * bpp) / 8);
    if (needed > dataLength) fail(`pixel data is truncated: ${width}x${height}x${bpp} needs ${needed} bytes, file has ${dataLength}`);
  }
  return { width, height, topDown, bitsPerPixel: bpp, compression, dataOffset, dataLength, stride, palette, masks };
}

/** Per-channel extractor for a bit mask: value → 0-255. */
interface Channel { mask: number; shift: number; bits: number; lut?: Uint8Array }

function channel(mask: number): Channel {
  mask >>>= 0;
  if (mask === 0) return { mask, shift: 0, bits: 0 };
  const shift = 31 - Math.clz32(mask & -mask);
  const bits = 32 - Math.clz32(mask >>> shift);
  if (bits >= 8) return { mask, shift: shift + bits - 8, bits }; // keep the top 8 bits
  const max = (1 << bits) - 1;
  const lut = new Uint8Array(max + 1);
  for (let v = 0; v <= max; v++) lut[v] = Math.round((v * 255) / max);
  return { mask, shift, bits, lut };
}

function extract(c: Channel, px: number): number {
  if (c.bits === 0) return 0;
  const v = (px & c.mask) >>> c.shift;
  return c.lut ? c.lut[v] : v & 0xff;
}

export interface BmpImage extends RgbImage {
  /** True when the file had a real alpha channel (it has been composited onto white). */
  hadAlpha: boolean;
}

/**
 * Decode a BMP to packed RGB. Alpha (bit-field files with an alpha mask) is composited onto white;
 * an alpha channel that is zero everywhere is treated as absent, as many writers leave it unset.
 */
export function decodeBmp(b: Uint8Array, opts: { maxPixels?: number } = {}): BmpImage {
  const h = readBmpHeader(b);
  const { width: w, height: ht } = h;
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (w * ht > maxPixels) throw new ServiceError('image_size', `BMP ${w}x${ht} exceeds ${maxPixels} pixels`);
  const out = new Uint8Array(w * ht * 3);
  let alpha: Uint8Array | undefined;

  if (h.compression === BI_RLE8 || h.compression === BI_RLE4) {
    decodeRle(b, h, out);
  } else {
    const bpp = h.bitsPerPixel;
    const pal = h.palette;
    for (let r = 0; r < ht; r++) {
      let s = h.dataOffset + r * h.stride;
      let d = (h.topDown ? r : ht - 1 - r) * w * 3;
      if (bpp === 24) {
        for (let x = 0; x < w; x++, s += 3, d += 3) {
          out[d] = b[s + 2]; out[d + 1] = b[s + 1]; out[d + 2] = b[s];
        }
      } else if (bpp === 32 && h.compression === BI_RGB) {
        for (let x = 0; x < w; x++, s += 4, d += 3) {
          out[d] = b[s + 2]; out[d + 1] = b[s + 1]; out[d + 2] = b[s];
        }
      } else if (pal) {
        const perByte = 8 / bpp, mask = (1 << bpp) - 1;
        for (let x = 0; x < w; x++, d += 3) {
          const byte = b[s + Math.floor(x / perByte)];
          const idx = (byte >> (8 - bpp * (1 + (x % perByte)))) & mask;
          out[d] = pal[3 * idx]; out[d + 1] = pal[3 * idx + 1]; out[d + 2] = pal[3 * idx + 2];
        }
      } else {
        const m = h.masks!;
        const cr = channel(m.r), cg = channel(m.g), cb = channel(m.b), ca = channel(m.a);
        if (ca.bits > 0 && !alpha) alpha = new Uint8Array(w * ht);
        const step = bpp / 8;
        for (let x = 0; x < w; x++, s += step, d += 3) {
          const px = step === 4
            ? (b[s] | (b[s + 1] << 8) | (b[s + 2] << 16) | (b[s + 3] << 24)) >>> 0
            : b[s] | (b[s + 1] << 8);
          out[d] = extract(cr, px); out[d + 1] = extract(cg, px); out[d + 2] = extract(cb, px);
          if (alpha) alpha[d / 3] = extract(ca, px);
        }
      }
    }
  }

  let hadAlpha = false;
  if (alpha && alpha.some((a) => a !== 0)) {
    hadAlpha = true;
    for (let i = 0, d = 0; i < alpha.length; i++, d += 3) {
      const a = alpha[i];
      if (a === 255) continue;
      const bg = 255 * (255 - a);
      out[d] = Math.round((out[d] * a + bg) / 255);
      out[d + 1] = Math.round((out[d + 1] * a + bg) / 255);
      out[d + 2] = Math.round((out[d + 2] * a + bg) / 255);
    }
  }
  return { width: w, height: ht, data: out, hadAlpha };
}

/**
 * RLE8/RLE4 (always bottom-up). Pixels skipped by delta or early end-of-line stay black. Data that
 * ends before every row is reached and without an end-of-bitmap marker counts as truncated.
 */
function decodeRle(b: Uint8Array, h: BmpHeader, out: Uint8Array): void {
  const { width: w, height: ht, palette } = h;
  const pal = palette!;
  const four = h.compression === BI_RLE4;
  const end = h.dataOffset + h.dataLength;
  let p = h.dataOffset;
  let x = 0, y = 0; // y counts rows from the bottom
  const put = (idx: number) => {
    if (x < w && y < ht) {
      const d = ((ht - 1 - y) * w + x) * 3;
      out[d] = pal[3 * idx]; out[d + 1] = pal[3 * idx + 1]; out[d + 2] = pal[3 * idx + 2];
    }
    x++;
  };
  while (y < ht) {
    if (p + 2 > end) fail('RLE data is truncated');
    const n = b[p], v = b[p + 1];
    p += 2;
    if (n > 0) {
      // Encoded run; clip to the row so a hostile run costs nothing.
      const count = Math.min(n, Math.max(0, w - x));
      for (let i = 0; i < count; i++) put(four ? (i & 1 ? v & 15 : v >> 4) : v);
      x += n - count;
    } else if (v === 0) {
      x = 0; y++;
    } else if (v === 1) {
      return;
    } else if (v === 2) {
      if (p + 2 > end) fail('RLE data is truncated');
      x += b[p]; y += b[p + 1];
      p += 2;
    } else {
      const bytes = four ? Math.ceil(v / 2) : v;
      if (p + bytes > end) fail('RLE data is truncated');
      const count = Math.min(v, Math.max(0, w - x));
      for (let i = 0; i < count; i++) put(four ? (i & 1 ? b[p + (i >> 1)] & 15 : b[p + (i >> 1)] >> 4) : b[p + i]);
      x += v - count;
      p += bytes + (bytes & 1); // absolute runs are padded to 16 bits
    }
  }
}
