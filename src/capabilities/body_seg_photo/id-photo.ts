/**
 * body_seg_photo: an ID-photo head-and-shoulders cut of the one upright person in a photo, finely
 * segmented, with the face box, ten head/shoulder points and face/shoulder pose classes.
 * Ratios and class rules: docs/segmentation.md.
 */
import { ServiceError } from '../../errors.js';
import { jpeg, onBlackJpeg, scoremapPng } from '../../render/seg-images.js';
import type { Model } from '../../runtime/session.js';
import { COCO_KEYPOINTS, type Box, type CocoKeypointName, type Keypoint, type Person, type RgbImage } from '../../types.js';
import { mouthCorners, toBody21 } from '../../vision/body21.js';
import { detectFaces, withForehead, type Face } from '../../vision/blazeface.js';
import { extractRegion } from '../../vision/crop.js';
import { headWidth, SURE_KEYPOINT } from '../../vision/person-extent.js';
import { analyzePeople, DEFAULT_BODY_OPTIONS, type BodyModels } from '../../vision/body-pose.js';
import { DEFAULT_SEGMENTATION_OPTIONS, segmentPeople } from '../../vision/person-seg.js';
import type { SegNet } from '../../vision/seg-net.js';

/** People at or above this score count towards "exactly one person". */
export const ID_PHOTO_MIN_PERSON_SCORE = 0.3;

/** Cut proportions (width : height = 3 : 4), relative to the reported face box. */
export const ID_PHOTO_LAYOUT = {
  aspect: 3 / 4,
  /** Face box height as a fraction of the cut height. */
  faceHeight: 0.48,
  /** Face box top, from the cut top, as a fraction of the cut height. */
  faceTop: 0.245,
  /** The face box is BlazeFace's box with its top raised by this fraction of its height (forehead). */
  foreheadRaise: 0.25,
} as const;

/** The ten points, in the seed's order; left/right are the image's sides (see docs). */
export const ID_PHOTO_POINTS = [
  'left_ear', 'right_ear', 'left_eye', 'right_eye', 'nose_tip', 'left_mouth', 'right_mouth',
  'right_shoulder', 'left_shoulder', 'neck',
] as const;
export type IdPhotoPointName = (typeof ID_PHOTO_POINTS)[number];

export interface IdPhotoResult {
  /** Where the cut lies in the (upright) photo, pixels. */
  cutBox: Box;
  /** JPEG of the cut from the original photo. */
  cut: Uint8Array;
  /** JPEG of the person on black. */
  demo: Uint8Array;
  /** Grey PNG of the person confidence over the cut. */
  scoremap: Uint8Array;
  /** Face box in cut pixels (clipped to the cut). */
  face: { box: Box; score: number };
  /** Points in cut pixels. */
  points: Record<IdPhotoPointName, Keypoint>;
  /** 1 level frontal, 2 tilted frontal, 3 level profile, 4 tilted profile, -1 unknown. */
  facepose: number;
  /** 1 level frontal, 2 level half-turned, 3 level side, 4-6 the same tilted, -1 unknown. */
  bodypose: number;
}

const mid = (a: Keypoint, b: Keypoint): Keypoint => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, score: Math.min(a.score, b.score) });
const sure = (...ps: Keypoint[]) => ps.every((p) => p.score >= SURE_KEYPOINT);
/** Angle of the line a→b from horizontal, degrees in [0, 90]. */
const tilt = (a: Keypoint, b: Keypoint) => {
  const deg = Math.abs((Math.atan2(b.y - a.y, b.x - a.x) * 180) / Math.PI);
  return deg > 90 ? 180 - deg : deg;
};

/** Faces at or above this score count as people (close-ups the body pipeline cannot see). */
export const ID_PHOTO_MIN_FACE_SCORE = 0.6;

/** The one person of an ID photo: head-and-shoulder points (Baidu's 21 names) and their face. */
export interface IdPhotoSubject {
  keypoints: Person['keypoints'];
  face: Face;
}

/** Whether a nose lies in a face box, give or take a tenth of its size (on small faces the body model's nose drifts). */
function holdsNose(b: Box, p: { x: number; y: number }): boolean {
  const mx = 0.1 * b.width, my = 0.1 * b.height;
  return p.x >= b.left - mx && p.x <= b.left + b.width + mx && p.y >= b.top - my && p.y <= b.top + b.height + my;
}

/** Throws detect_error when a person's eyes are below their shoulders (or nose below neck). */
function checkUpright(k: Person['keypoints']): void {
  const eyes = mid(k.left_eye, k.right_eye);
  const shoulders = mid(k.left_shoulder, k.right_shoulder);
  const upsideDown = sure(eyes, shoulders) ? eyes.y > shoulders.y : sure(k.nose, k.neck) ? k.nose.y > k.neck.y : false;
  if (upsideDown) throw new ServiceError('detect_error', 'the person is upside down');
}

/**
 * BlazeFace's eyes, nose and ears replace the body model's (they are sharper on a face this size);
 * mouth corners and neck are then re-derived from them as in body_analysis.
 */
function withFacePoints(k: Person['keypoints'], face: Face): Person['keypoints'] {
  const coco = Object.fromEntries(COCO_KEYPOINTS.map((n) => [n, k[n]])) as Record<CocoKeypointName, Keypoint>;
  const at = (p: { x: number; y: number }): Keypoint => ({ x: p.x, y: p.y, score: face.score });
  coco.nose = at(face.points.nose_tip);
  coco.left_eye = at(face.points.left_eye);
  coco.right_eye = at(face.points.right_eye);
  // Ears: the body model says whether an ear is visible; BlazeFace always guesses both.
  coco.left_ear = k.left_ear.score >= SURE_KEYPOINT ? k.left_ear : { ...at(face.points.left_ear), score: Math.min(face.score, k.left_ear.score + 0.2) };
  coco.right_ear = k.right_ear.score >= SURE_KEYPOINT ? k.right_ear : { ...at(face.points.right_ear), score: Math.min(face.score, k.right_ear.score + 0.2) };
  const named = toBody21(COCO_KEYPOINTS.map((n) => coco[n]));
  // BlazeFace sees the mouth centre; the corners follow from it as body21.ts places them.
  const corners = mouthCorners(face.points.mouth, coco.left_eye, coco.right_eye, face.score);
  named.left_mouth_corner = corners.left;
  named.right_mouth_corner = corners.right;
  return named;
}

/**
 * Exactly one upright person, else detect_error. People are those the body pipeline is sure of,
 * and faces BlazeFace is sure of (a tight selfie may show too little body for the body model).
 */
export async function findSubject(image: RgbImage, persons: readonly Person[], faceModel: Model): Promise<IdPhotoSubject> {
  const people = persons.filter((p) => p.score >= ID_PHOTO_MIN_PERSON_SCORE);
  const side = Math.max(image.width, image.height);
  const faces = await detectFaces(faceModel, image, { window: { x: 0, y: 0, width: side, height: side }, minScore: ID_PHOTO_MIN_FACE_SCORE });
  const count = Math.max(people.length, faces.length);
  if (count === 0) throw new ServiceError('detect_error', 'no person found');
  if (count > 1) throw new ServiceError('detect_error', `${count} people found; an ID photo needs exactly one`);
  if (people.length === 1) {
    const k = people[0].keypoints;
    checkUpright(k);
    // Small faces are easier to find on a crop around the head than on the whole photo.
    const face = faces.find((f) => holdsNose(f.box, k.nose)) ?? (await faceNear(faceModel, image, people[0]));
    return { keypoints: withFacePoints(k, face), face };
  }
  // A face only: take the body model's shoulders from a weak person around that face, if any.
  const face = faces[0];
  const weak = persons.find((p) => holdsNose(face.box, p.keypoints.nose));
  const none: Keypoint = { x: face.box.left + face.box.width / 2, y: face.box.top + face.box.height, score: 0 };
  const base = weak?.keypoints ?? (Object.fromEntries(COCO_KEYPOINTS.map((n) => [n, none])) as unknown as Person['keypoints']);
  return { keypoints: withFacePoints(base, face), face };
}

/** The face of this person: BlazeFace on a square around their head, the one holding the nose. */
async function faceNear(model: Model, image: RgbImage, person: Person): Promise<Face> {
  const k = person.keypoints;
  const side = 4 * headWidth(person);
  const faces = await detectFaces(model, image, { window: { x: k.nose.x - side / 2, y: k.nose.y - side / 2, width: side, height: side } });
  const face = faces.find((f) => holdsNose(f.box, k.nose)) ?? faces[0];
  if (!face) throw new ServiceError('detect_error', 'no face found');
  return face;
}

/** The cut rectangle (integer, inside the image) for a face box, per ID_PHOTO_LAYOUT. */
export function idPhotoCut(face: Box, imageWidth: number, imageHeight: number): { x: number; y: number; width: number; height: number } {
  const L = ID_PHOTO_LAYOUT;
  let height = face.height / L.faceHeight;
  let width = height * L.aspect;
  // Too big for the photo: shrink about the face, keeping the aspect ratio.
  const fit = Math.min(1, imageWidth / width, imageHeight / height);
  height *= fit;
  width *= fit;
  let x = face.left + face.width / 2 - width / 2;
  let y = face.top - L.faceTop * height;
  x = Math.min(Math.max(0, x), imageWidth - width);
  y = Math.min(Math.max(0, y), imageHeight - height);
  const x0 = Math.round(x), y0 = Math.round(y);
  return { x: x0, y: y0, width: Math.max(1, Math.min(imageWidth - x0, Math.round(width))), height: Math.max(1, Math.min(imageHeight - y0, Math.round(height))) };
}

/** Pairs named by image side: of a person's two points the one further left is "left". */
function byImageSide(a: Keypoint, b: Keypoint): [Keypoint, Keypoint] {
  return a.x <= b.x ? [a, b] : [b, a];
}

export function facePose(k: Person['keypoints']): number {
  if (!sure(k.left_eye, k.right_eye, k.nose)) return -1;
  const eyeDist = Math.hypot(k.left_eye.x - k.right_eye.x, k.left_eye.y - k.right_eye.y);
  if (eyeDist < 1) return -1;
  const eyes = mid(k.left_eye, k.right_eye);
  // Nose off the eye midline, relative to the eye distance; and one ear hidden, both mean a turned head.
  const turn = Math.abs(k.nose.x - eyes.x) / eyeDist;
  const oneEarHidden = (k.left_ear.score >= SURE_KEYPOINT) !== (k.right_ear.score >= SURE_KEYPOINT);
  const profile = turn > 0.3 || oneEarHidden;
  const tilted = tilt(k.left_eye, k.right_eye) > 10;
  return profile ? (tilted ? 4 : 3) : tilted ? 2 : 1;
}

export function bodyPose(k: Person['keypoints'], faceWidth: number): number {
  if (!sure(k.left_shoulder, k.right_shoulder) || faceWidth <= 0) return -1;
  // Frontal shoulders span about 2.5 face widths; turning the body shortens the span.
  const span = Math.abs(k.left_shoulder.x - k.right_shoulder.x) / faceWidth;
  const turn = span >= 2.0 ? 0 : span >= 1.4 ? 1 : 2;
  const tilted = tilt(k.left_shoulder, k.right_shoulder) > 8;
  return 1 + turn + (tilted ? 3 : 0);
}

export interface IdPhotoModels {
  body: BodyModels;
  seg: SegNet;
  face: Model;
}

export async function runIdPhoto(models: IdPhotoModels, image: RgbImage): Promise<IdPhotoResult> {
  const persons = await analyzePeople(models.body, image, DEFAULT_BODY_OPTIONS);
  const { keypoints: found, face } = await findSubject(image, persons, models.face);
  const faceBox = withForehead(face.box, ID_PHOTO_LAYOUT.foreheadRaise);
  const cutRect = idPhotoCut(faceBox, image.width, image.height);
  const cut = extractRegion(image, cutRect.x, cutRect.y, cutRect.width, cutRect.height);

  // Points in cut pixels, clamped to the cut (shoulders often fall just outside it).
  const clampX = (x: number) => Math.min(Math.max(x - cutRect.x, 0), cutRect.width - 1);
  const clampY = (y: number) => Math.min(Math.max(y - cutRect.y, 0), cutRect.height - 1);
  const shift = (p: Keypoint): Keypoint => ({ x: clampX(p.x), y: clampY(p.y), score: p.score });
  const keypoints = Object.fromEntries(Object.entries(found).map(([n, p]) => [n, shift(p)])) as Person['keypoints'];
  const inCut: Person = { box: { left: 0, top: 0, width: cut.width, height: cut.height }, score: face.score, keypoints };
  const seg = await segmentPeople(models.seg, cut, [inCut], DEFAULT_SEGMENTATION_OPTIONS);

  const k = keypoints;
  const [leftEar, rightEar] = byImageSide(k.left_ear, k.right_ear);
  const [leftEye, rightEye] = byImageSide(k.left_eye, k.right_eye);
  const [leftMouth, rightMouth] = byImageSide(k.left_mouth_corner, k.right_mouth_corner);
  const [leftShoulder, rightShoulder] = byImageSide(k.left_shoulder, k.right_shoulder);
  const points: IdPhotoResult['points'] = {
    left_ear: leftEar, right_ear: rightEar, left_eye: leftEye, right_eye: rightEye, nose_tip: k.nose,
    left_mouth: leftMouth, right_mouth: rightMouth, right_shoulder: rightShoulder, left_shoulder: leftShoulder, neck: k.neck,
  };
  // The raised face box can reach above a cut that met the photo's top edge.
  const faceLeft = clampX(faceBox.left), faceTop = clampY(faceBox.top);
  const faceInCut = {
    left: faceLeft,
    top: faceTop,
    width: clampX(faceBox.left + faceBox.width) - faceLeft,
    height: clampY(faceBox.top + faceBox.height) - faceTop,
  };
  const [cutJpeg, demo, scoremap] = await Promise.all([jpeg(cut), onBlackJpeg(cut, seg.mask), scoremapPng(seg.mask)]);
  return {
    cutBox: { left: cutRect.x, top: cutRect.y, width: cutRect.width, height: cutRect.height },
    cut: new Uint8Array(cutJpeg),
    demo: new Uint8Array(demo),
    scoremap: new Uint8Array(scoremap),
    face: { box: faceInCut, score: face.score },
    points,
    // Poses from the unclamped points: clamping would shorten and level the shoulder line.
    facepose: facePose(found),
    bodypose: bodyPose(found, faceBox.width),
  };
}
