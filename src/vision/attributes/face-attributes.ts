/**
 * Gender from the face: the `faceres` model (docs/models.md) on a square crop around the face
 * BlazeFace found on the person's head, fused with the body cues
 * (genderAnswer in head.ts) by a three-parameter logistic. Where BlazeFace finds no face (back
 * views, heads too small) the body cues answer alone. Of the three converted face models faceres
 * read PETA's small faces best and the crops placed by the pose keypoints alone carried no gender
 * signal; the measurements, and why age is not read from the face: docs/attributes.md.
 */
import type { Model } from '../../runtime/session.js';
import type { RgbImage } from '../../types.js';
import { detectFaces, type Face } from '../blazeface.js';
import { windowToTensor, type CropWindow } from '../crop.js';
import { mirror } from '../top-down.js';
import { sigmoid } from './probability.js';
import type { Point } from './regions.js';

/** Crop side over the face box's longer side (faceres saw faces with some hair and chin around them). */
export const FACE_CROP_MARGIN = 1.3;
/**
 * Faces whose box is smaller than this (image px) are not read. An absolute floor on purpose: what
 * faceres can tell depends on how many real pixels the face has, not on the person's size (the
 * crop is resized to 224 px whatever its side). Measured in the PETA crops' own pixels (the suite
 * upscales them 2.4-3x, so its faces are 26-98 px there and this floor never binds in the suite):
 * the faces BlazeFace finds are 8.5-33 px, and faceres reads those under 16 px at gender AUC 0.86
 * (41 faces) against 0.62 for the larger ones (14). Below 8 px nothing was measured.
 */
export const MIN_FACE_SIDE = 8;

/** The square crop around a BlazeFace face: centred a little above the box centre (toward the hair). */
export function faceWindow(face: Face, margin = FACE_CROP_MARGIN): CropWindow {
  const side = Math.max(face.box.width, face.box.height);
  const crop = side * margin;
  const cx = face.box.left + face.box.width / 2, cy = face.box.top + face.box.height / 2 - 0.1 * side;
  return { x: cx - crop / 2, y: cy - crop / 2, width: crop, height: crop };
}

/** Runs `model` on the window (side × side input, pixel × scale + offset), and on its mirror image too when asked. */
export async function runOnWindow(model: Model, image: RgbImage, window: CropWindow, side: number, range: { scale: number; offset: number }, withMirror = false) {
  const x = windowToTensor(image, window, { width: side, height: side }, range);
  const shape = [1, side, side, 3];
  const outs = [await model.run(x, shape)];
  if (withMirror) outs.push(await model.run(mirror(x, side), shape));
  return outs;
}

/** One face model's reading: probability of male, and age in years where the model gives one. */
export interface FaceReading {
  male: number;
  age?: number;
}

/**
 * faceres (224 px, 0..255): male sigmoid and a 100-class age softmax (expected years). Averaging
 * with the mirror image measured no gain on PETA (AUC +0.016 CUHK, -0.014 VIPeR) at twice the
 * cost, so the service reads the crop once.
 */
export async function readFaceres(model: Model, image: RgbImage, window: CropWindow, withMirror = false): Promise<FaceReading> {
  const outs = await runOnWindow(model, image, window, 224, { scale: 1, offset: 0 }, withMirror);
  const male = outs.reduce((a, o) => a + o.gender.data[0], 0) / outs.length;
  let age = 0;
  for (const o of outs) for (let k = 0; k < 100; k++) age += (k * o.age.data[k]) / outs.length;
  return { male, age };
}

/** The face's gender evidence for fusion: faceres' reading and how much to trust it (BlazeFace's score). */
export interface FaceGender {
  male: number;
  trust: number;
}

/**
 * The person's own face: BlazeFace in a square `windowScale` × the head radius around the head
 * point, the face whose centre lies within 1.5 head radii of it (undefined when none does).
 */
export async function findPersonFace(model: Model, image: RgbImage, head: { point: Point; radius: number }, opts: { windowScale?: number; minScore?: number } = {}): Promise<Face | undefined> {
  const side = head.radius * (opts.windowScale ?? 6);
  const faces = await detectFaces(model, image, { window: { x: head.point.x - side / 2, y: head.point.y - side / 2, width: side, height: side }, minScore: opts.minScore ?? 0.5 });
  return faces.find((f) => Math.hypot(f.box.left + f.box.width / 2 - head.point.x, f.box.top + f.box.height / 2 - head.point.y) < head.radius * 1.5);
}

/** faceres on the BlazeFace face, when the face is big enough to read; undefined otherwise. */
export async function faceGender(model: Model, image: RgbImage, face: Face | undefined): Promise<FaceGender | undefined> {
  if (!face || Math.max(face.box.width, face.box.height) < MIN_FACE_SIDE) return undefined;
  const { male } = await readFaceres(model, image, faceWindow(face));
  return { male, trust: face.score };
}

/**
 * Fitted on the PETA development crops (CUHK and VIPeR pooled, 120 people; eval/face-fusion-fit.ts) by logistic regression
 * of the male label on the body logit and the face logit × BlazeFace score (refitted after the
 * colour namer changed, since the body cues read the top's colour); out-of-subset numbers in
 * docs/attributes.md.
 */
export const GENDER_FUSION = { bias: -0.212, body: 1.544, face: 2.422 };

const logit = (p: number) => {
  const q = Math.min(Math.max(p, 1e-4), 1 - 1e-4);
  return Math.log(q / (1 - q));
};

/** The body cues' gender distribution fused with the face's reading (body alone when there is none). */
export function fuseGender(body: Record<string, number>, face: FaceGender | undefined): Record<string, number> {
  const z = GENDER_FUSION.bias + GENDER_FUSION.body * logit(body['男性']) + (face ? GENDER_FUSION.face * face.trust * logit(face.male) : 0);
  const male = sigmoid(z);
  return { 男性: male, 女性: 1 - male };
}
