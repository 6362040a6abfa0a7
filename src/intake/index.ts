/** Image intake: request field or bytes → validated, upright, packed 8-bit RGB. */
export {
  DEFAULT_MAX_BASE64_BYTES, DEFAULT_MIN_SIDE, DEFAULT_MAX_SIDE, DEFAULT_MAX_PIXELS,
  BAIDU_FORMATS, KAKAO_FORMATS, BAIDU_INTAKE, KAKAO_INTAKE, resolveIntakeOptions,
} from './limits.js';
export type { ImageFormat, IntakeOptions, ResolvedIntakeOptions } from './limits.js';
export { decodeBase64Field } from './base64.js';
export type { Base64Options } from './base64.js';
export { sniffFormat } from './sniff.js';
export { decodeBmp, readBmpHeader } from './bmp.js';
export type { BmpHeader, BmpImage } from './bmp.js';
export { decodeImage, probeImage, decodeBase64Image } from './decode.js';
export type { DecodedImage, ImageInfo } from './decode.js';
