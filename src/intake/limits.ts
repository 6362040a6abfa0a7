/** Named defaults and per-dialect format sets for image intake. */

/** Formats `sniffFormat` can recognise. Only some are decodable, and each dialect allows a subset. */
export type ImageFormat = 'jpeg' | 'png' | 'bmp' | 'webp' | 'heic' | 'avif' | 'gif' | 'tiff';

/** Baidu: "base64编码后大小不超过4M" — counted on the base64 text itself, not the decoded bytes. */
export const DEFAULT_MAX_BASE64_BYTES = 4 * 1024 * 1024;
/** Baidu: shortest side at least 50 px. */
export const DEFAULT_MIN_SIDE = 50;
/** Baidu: longest side at most 4096 px. */
export const DEFAULT_MAX_SIDE = 4096;
/**
 * Decompression-bomb guard, checked from the header before any pixel is decoded. With the default
 * side limits it is never the binding limit (4096² = 16.8 MP = 50 MB of RGB); it matters when a
 * dialect raises maxSide, and it is also handed to sharp as `limitInputPixels`.
 */
export const DEFAULT_MAX_PIXELS = 4096 * 4096;

export const BAIDU_FORMATS: ReadonlySet<ImageFormat> = new Set<ImageFormat>(['jpeg', 'png', 'bmp']);
/** Kakao's documented formats. HEIC is decoded by src/intake/heic.ts (wasm libheif). */
export const KAKAO_FORMATS: ReadonlySet<ImageFormat> = new Set<ImageFormat>(['jpeg', 'png', 'webp', 'heic']);

/** What `decodeImage` accepts. Every field is optional; omitted fields take the Baidu defaults. */
export interface IntakeOptions {
  /** Allowed formats (by content, never by name). Default BAIDU_FORMATS. */
  formats?: Iterable<ImageFormat>;
  /** Shortest side must be >= this, after EXIF orientation. Default DEFAULT_MIN_SIDE. */
  minSide?: number;
  /** Longest side must be <= this, after EXIF orientation. Default DEFAULT_MAX_SIDE. */
  maxSide?: number;
  /** width*height must be <= this. Default DEFAULT_MAX_PIXELS. */
  maxPixels?: number;
  /** Apply the EXIF orientation tag so pixels come out upright. Default true. */
  autoOrient?: boolean;
}

export interface ResolvedIntakeOptions {
  formats: ReadonlySet<ImageFormat>;
  minSide: number;
  maxSide: number;
  maxPixels: number;
  autoOrient: boolean;
}

export function resolveIntakeOptions(opts: IntakeOptions = {}): ResolvedIntakeOptions {
  const formats = opts.formats === undefined ? BAIDU_FORMATS
    : opts.formats instanceof Set ? opts.formats as ReadonlySet<ImageFormat> : new Set(opts.formats);
  return {
    formats,
    minSide: opts.minSide ?? DEFAULT_MIN_SIDE,
    maxSide: opts.maxSide ?? DEFAULT_MAX_SIDE,
    maxPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS,
    autoOrient: opts.autoOrient ?? true,
  };
}

/** Baidu BODY API rules, ready to pass to decodeImage. */
export const BAIDU_INTAKE: Readonly<IntakeOptions> = Object.freeze({ formats: BAIDU_FORMATS });

/**
 * Kakao Pose API rules: Kakao's formats with the (more lenient) Baidu dimension limits. Kakao
 * documents 2 MB, a long side of at most 2048 px and aspect ratios within 16:9; we accept more.
 */
export const KAKAO_INTAKE: Readonly<IntakeOptions> = Object.freeze({ formats: KAKAO_FORMATS });
