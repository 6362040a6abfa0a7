/**
 * HEIC (HEVC-coded HEIF) decoding through libheif compiled to wasm (`heic-decode`). sharp's
 * prebuilt libheif only carries the AV1 codec, so iPhone photos need this path. libheif applies
 * the file's rotation/mirror boxes itself, so the pixels come out upright.
 */
import { createRequire } from 'node:module';
import { ServiceError } from '../errors.js';

interface HeicImage {
  width: number;
  height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}
type HeicAll = (input: { buffer: Uint8Array }) => Promise<HeicImage[] & { dispose(): void }>;

const require = createRequire(import.meta.url);
let decodeAll: HeicAll | undefined;

export interface OpenedHeic {
  width: number;
  height: number;
  /** Decodes the primary image to packed RGBA. */
  decodeRgba(): Promise<Uint8Array>;
  /** Frees the wasm-side buffers; call once, whatever happened. */
  dispose(): void;
}

/** Parses the container (no pixels decoded yet) so the caller can check dimensions first. */
export async function openHeic(bytes: Uint8Array): Promise<OpenedHeic> {
  decodeAll ??= (require('heic-decode') as { all: HeicAll }).all;
  let images: Awaited<ReturnType<HeicAll>>;
  try {
    images = await decodeAll({ buffer: bytes });
  } catch (err) {
    throw new ServiceError('image_format', `unreadable HEIC: ${(err as Error).message}`);
  }
  const primary = images[0];
  return {
    width: primary.width,
    height: primary.height,
    async decodeRgba() {
      try {
        const { data } = await primary.decode();
        return new Uint8Array(data.buffer, data.byteOffset, data.length);
      } catch (err) {
        throw new ServiceError('image_format', `cannot decode HEIC: ${(err as Error).message}`);
      }
    },
    dispose: () => images.dispose(),
  };
}
