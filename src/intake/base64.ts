import { ServiceError } from '../errors.js';
import { DEFAULT_MAX_BASE64_BYTES } from './limits.js';

export interface Base64Options {
  /** Largest accepted base64 text, in characters, after removing any data: header and line breaks. */
  maxEncodedLength?: number;
  /** Parameter name used in error details. Default 'image'. */
  field?: string;
}

// Canonical standard alphabet with up to two trailing '=': the fast path for well-behaved clients.
const CANONICAL = /^[A-Za-z0-9+/]*={0,2}$/;
const INVALID_CHAR = /[^A-Za-z0-9+/=]/;
const LINE_BREAKS = /[\t\n\v\f\r]+/g;

/**
 * Decode the base64 `image` form field into the file's bytes.
 *
 * Tolerated: surrounding whitespace; a `data:<type>;base64,` header; line breaks (MIME/PEM
 * wrapping); the URL-safe alphabet (-_); missing padding; and interior spaces, which are read as
 * '+' because a client that forgets to urlencode the body has its '+' turned into ' ' by form
 * decoding. Everything else outside the alphabet, misplaced or excess '=', and lengths that no
 * base64 encoder produces (length % 4 == 1) are `image_base64`.
 *
 * Errors: undefined/null → missing_param; not a string (e.g. repeated field) → invalid_param;
 * empty or whitespace-only (or a bare data: header) → image_empty; too long → image_size.
 */
export function decodeBase64Field(value: unknown, opts: Base64Options = {}): Buffer {
  const field = opts.field ?? 'image';
  const max = opts.maxEncodedLength ?? DEFAULT_MAX_BASE64_BYTES;
  if (value === undefined || value === null) throw new ServiceError('missing_param', `${field} is required`);
  if (typeof value !== 'string') throw new ServiceError('invalid_param', `${field} must be a single string`);

  let s = value.trim();
  if (s.length === 0) throw new ServiceError('image_empty', `${field} is empty`);
  if (s.length >= 5 && s.charCodeAt(4) === 0x3a /* : */ && s.slice(0, 5).toLowerCase() === 'data:') {
    const comma = s.indexOf(',');
    // Real media types and parameters are short; don't scan megabytes looking for a comma.
    if (comma < 0 || comma > 256) throw new ServiceError('image_base64', 'malformed data: header');
    if (!/;base64$/i.test(s.slice(0, comma))) throw new ServiceError('image_base64', 'data: URI is not base64');
    s = s.slice(comma + 1).trim();
    if (s.length === 0) throw new ServiceError('image_empty', `${field} is empty`);
  }
  // Cheap bound before any per-character work: line breaks cannot legitimately double the length.
  if (s.length > 2 * max + 1024) throw tooLarge(s.length, max);

  // Fast path: a canonical string survives a decode/encode round trip unchanged. Node's decoder is
  // SIMD-fast but silently skips garbage, so the round trip is what makes it a validator
  // (about 5 ms for 4 MB, against about 30 ms for a regex over the same text).
  let bytes = s.length <= max ? roundTrip(s) : undefined;
  if (!bytes) {
    s = s.replace(LINE_BREAKS, '');
    if (s.includes(' ')) s = s.replace(/ /g, '+');
    if (s.includes('-')) s = s.replace(/-/g, '+');
    if (s.includes('_')) s = s.replace(/_/g, '/');
    if (s.length > max) throw tooLarge(s.length, max);
    bytes = roundTrip(s) ?? strictDecode(s);
  }
  if (bytes.length === 0) throw new ServiceError('image_empty', `${field} decodes to zero bytes`);
  return bytes;
}

/** Decoded bytes if `s` is canonical standard base64 (padding optional), else undefined. */
function roundTrip(s: string): Buffer | undefined {
  const bytes = Buffer.from(s, 'base64');
  const rem = s.length % 4;
  const expected = rem === 0 ? s : rem === 1 ? undefined : s + (rem === 2 ? '==' : '=');
  return expected !== undefined && bytes.toString('base64') === expected ? bytes : undefined;
}

/** Slow path for what the round trip rejected: say exactly what is wrong, or accept non-zero pad bits. */
function strictDecode(s: string): Buffer {
  if (!CANONICAL.test(s)) {
    const at = s.search(INVALID_CHAR);
    if (at >= 0) {
      const code = s.charCodeAt(at);
      throw new ServiceError('image_base64', `invalid character 0x${code.toString(16).padStart(2, '0')} at offset ${at}`);
    }
    throw new ServiceError('image_base64', "'=' padding in the middle or more than two '='");
  }
  const rem = s.length % 4;
  if (rem === 1) throw new ServiceError('image_base64', `length ${s.length} is not a valid base64 length`);
  if (rem !== 0 && s.endsWith('=')) throw new ServiceError('image_base64', 'wrong padding');
  // Valid alphabet and length; only the unused low bits of the last character were non-zero.
  return Buffer.from(s, 'base64');
}

function tooLarge(len: number, max: number): ServiceError {
  return new ServiceError('image_size', `base64 is ${len} characters, limit ${max}`);
}
