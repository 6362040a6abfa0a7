import type { ImageFormat } from './limits.js';

function ascii(b: Uint8Array, at: number, len: number): string {
  if (b.length < at + len) return '';
  let s = '';
  for (let i = at; i < at + len; i++) s += String.fromCharCode(b[i]);
  return s;
}

// HEIF brands that imply HEVC-coded images (HEIC) vs AV1-coded (AVIF).
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
// Generic HEIF structural brands: need the compatible-brand list to tell HEIC from AVIF.
const HEIF_GENERIC = new Set(['mif1', 'msf1']);

function sniffFtyp(b: Uint8Array): ImageFormat | undefined {
  if (ascii(b, 4, 4) !== 'ftyp') return undefined;
  const boxSize = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const major = ascii(b, 8, 4);
  if (HEIC_BRANDS.has(major)) return 'heic';
  if (AVIF_BRANDS.has(major)) return 'avif';
  // Compatible brands follow major brand (4) and minor version (4); stay inside the box and the buffer.
  const end = Math.min(boxSize >= 16 ? boxSize : 16, b.length, 4096);
  let heif = HEIF_GENERIC.has(major);
  let heic = false;
  let avif = false;
  for (let i = 16; i + 4 <= end; i += 4) {
    const brand = ascii(b, i, 4);
    if (HEIC_BRANDS.has(brand)) heic = true;
    else if (AVIF_BRANDS.has(brand)) avif = true;
    else if (HEIF_GENERIC.has(brand)) heif = true;
  }
  if (avif && !heic) return 'avif';
  if (heic || heif) return 'heic'; // a plain mif1 still-image file is in practice HEVC
  return undefined; // some other ISO-BMFF file (mp4, mov, ...)
}

/**
 * Image format from magic bytes only (file names and declared content types are never trusted).
 * Returns undefined for anything unrecognised.
 */
export function sniffFormat(b: Uint8Array): ImageFormat | undefined {
  if (b.length < 2) return undefined;
  const b0 = b[0], b1 = b[1];
  if (b0 === 0xff && b1 === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b0 === 0x89 && ascii(b, 1, 7) === 'PNG\r\n\x1a\n') return 'png';
  if (b0 === 0x42 && b1 === 0x4d && b.length >= 26) return 'bmp'; // "BM" + room for a core header
  const gif = ascii(b, 0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') return 'gif';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  const t = ascii(b, 0, 4);
  if (t === 'II*\0' || t === 'MM\0*' || t === 'II+\0' || t === 'MM\0+') return 'tiff';
  return sniffFtyp(b);
}
