/**
 * body_seg_photo: an ID photo of exactly one person: the head-and-shoulders cut, its mask, the
 * face box, ten points and the face/shoulder pose (docs/segmentation.md).
 */
import { defineCapability } from '../capability.js';
import { BODY_POSE_MODELS, bodyModels } from '../../vision/body-pose.js';
import { runIdPhoto, type IdPhotoResult } from './id-photo.js';

export { ID_PHOTO_LAYOUT, ID_PHOTO_POINTS, bodyPose, facePose, idPhotoCut, type IdPhotoResult } from './id-photo.js';

/** The ID photo has no options of its own (its layout is ID_PHOTO_LAYOUT). */
export type IdPhotoOptions = Record<string, never>;
export const DEFAULT_ID_PHOTO_OPTIONS: Readonly<IdPhotoOptions> = {};

export const bodySegPhoto = defineCapability({
  name: 'body_seg_photo',
  summary: 'ID photo: head-and-shoulders cut of one person, its mask, face box, ten points, face/shoulder pose',
  summaryZh: '证件照：单人头肩抠图、掩码、人脸框、十个关键点、人脸与肩部姿态',
  models: [...BODY_POSE_MODELS, 'selfie', 'blazeface'],
  defaults: DEFAULT_ID_PHOTO_OPTIONS,
  run(models, image): Promise<IdPhotoResult> {
    return runIdPhoto({ body: bodyModels(models), seg: { name: 'selfie', model: models.selfie }, face: models.blazeface }, image);
  },
  files: (result) => ({ cut: result.cut, demo: result.demo, scoremap: result.scoremap }),
  // The warm-up photo need not suit an ID photo (two people, say): a refusal is fine there.
  warmup: { mayFail: true },
  docs: 'docs/segmentation.md',
  eval: ['segmentation'],
  bench: ['body_seg_photo'],
});
