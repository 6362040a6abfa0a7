/** Baidu response shapes of body_seg and body_seg_photo, and body_seg's `type` option. */
import { SEG_IMAGE_TYPES, type BodySegResult, type SegImageType } from '../../capabilities/body_seg/index.js';
import { ID_PHOTO_POINTS, type IdPhotoResult } from '../../capabilities/body_seg_photo/index.js';
import { ServiceError } from '../../errors.js';
import { round } from '../round.js';

/** Encoded bytes as base64 (a view's own bytes, not its whole buffer). */
export const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** `type`: comma-separated labelmap / scoremap / foreground; absent or empty = all three. */
export function parseSegTypes(value: string | undefined): SegImageType[] {
  if (value === undefined || value.trim() === '') return [...SEG_IMAGE_TYPES];
  const types = value.split(',').map((t) => t.trim()).filter(Boolean);
  if (types.length === 0) throw new ServiceError('invalid_param', `type "${value}" names no image (${SEG_IMAGE_TYPES.join(', ')})`);
  for (const t of types) {
    if (!(SEG_IMAGE_TYPES as readonly string[]).includes(t)) {
      throw new ServiceError('invalid_param', `type "${t}" is not one of ${SEG_IMAGE_TYPES.join(', ')}`);
    }
  }
  return [...new Set(types)] as SegImageType[];
}

export function bodySegResponse(logId: number, result: BodySegResult) {
  const images = Object.fromEntries(SEG_IMAGE_TYPES.filter((t) => result.images[t]).map((t) => [t, base64(result.images[t]!)]));
  return {
    log_id: logId,
    ...images,
    person_num: result.persons.length,
    person_info: result.persons.map((p) => ({
      height: round(p.box.height, 2),
      width: round(p.box.width, 2),
      top: round(p.box.top, 2),
      score: round(p.score),
      left: round(p.box.left, 2),
    })),
  };
}

export function idPhotoResponse(logId: number, result: IdPhotoResult) {
  const { box, score } = result.face;
  return {
    log_id: logId,
    seg_info: { cut: base64(result.cut), scoremap: base64(result.scoremap), demo: base64(result.demo) },
    face_location: {
      score: round(score),
      top: Math.round(box.top),
      left: Math.round(box.left),
      width: Math.round(box.width),
      height: Math.round(box.height),
    },
    pose_info: {
      // One single-key object per point, in the seed's order (as Baidu's example shows).
      body_parts: ID_PHOTO_POINTS.map((name) => {
        const p = result.points[name];
        return { [name]: { score: round(p.score), x: Math.round(p.x), y: Math.round(p.y) } };
      }),
      facepose: result.facepose,
      bodypose: result.bodypose,
    },
  };
}
