import type { Model } from '../runtime/session.js';
import type { Keypoint, RgbImage } from '../types.js';
import { windowToTensor, type CropWindow } from './crop.js';
import { decodeSinglePose } from './movenet.js';
import { headsFrom, type PersonProposal } from './person-proposals.js';
import { tightBox } from './pose-geometry.js';

/** Single-person model input side (MoveNet Thunder). */
export const REFINER_INPUT = 256;
const STRIDE = 4;
/** The crop is the person's extent grown by this factor, so limbs the proposal missed still fit. */
const CROP_MARGIN = 1.35;
/** A crop is never smaller than this many image pixels (tiny crops upsample noise). */
const MIN_CROP_SIDE = 48;

/** Square window around the person's keypoints. */
export function cropAround(keypoints: Keypoint[]): CropWindow {
  const box = tightBox(keypoints);
  const side = Math.max(box.width, box.height, MIN_CROP_SIDE / CROP_MARGIN) * CROP_MARGIN;
  const cx = box.left + box.width / 2;
  const cy = box.top + box.height / 2;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

async function poseInWindow(model: Model, image: RgbImage, window: CropWindow): Promise<Keypoint[]> {
  const input = windowToTensor(image, window, { width: REFINER_INPUT, height: REFINER_INPUT });
  const outputs = await model.run(input, [1, REFINER_INPUT, REFINER_INPUT, 3]);
  const toImage = (STRIDE * window.width) / REFINER_INPUT;
  return decodeSinglePose(headsFrom(outputs)).map((k) => ({
    x: window.x + k.x * toImage,
    y: window.y + k.y * toImage,
    score: k.score,
  }));
}

/**
 * Precise COCO-17 keypoints for one proposed person, from a person-centred crop. (A second pass
 * re-centred on these keypoints was measured: COCO AP fell 0.80 -> 0.78, so one pass it is.)
 */
export async function refinePose(model: Model, image: RgbImage, proposal: PersonProposal): Promise<Keypoint[]> {
  return poseInWindow(model, image, cropAround(proposal.keypoints));
}
