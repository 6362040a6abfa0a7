/**
 * Face mesh (`facemesh`, 192×192, 0..1; docs/models.md): 468 landmarks on a face crop, and the
 * geometry the driver cues read from them: eye aspect ratio, mouth opening, jaw drop, head yaw
 * and pitch. The crop is a square about a BlazeFace box, turned so the eyes lie level (the mesh
 * was trained on upright faces), 1.6× the box side as MediaPipe's face pipeline pads its crops.
 *
 * `eyeOpening` runs the iris model (`iris`, 64×64) on one eye for a finer eyelid contour.
 *
 * Landmark indices follow the canonical MediaPipe face topology (the model's output order).
 * Measures are ratios in the crop's own frame, so they do not depend on image size or roll.
 */
import type { Model } from '../runtime/session.js';
import type { Box, RgbImage } from '../types.js';
import type { Face } from './blazeface.js';
import { pointsBox } from './box.js';
import { cropRotatedToTensor, rotatedWindowToImage, type RotatedWindow } from './crop.js';

const INPUT = 192;
/** Crop side as a multiple of the BlazeFace box's longer side. */
const CROP_SCALE = 1.6;

export interface MeshPoint {
  x: number;
  y: number;
  z: number;
}

/** Eye contour points: outer corner, two upper lid points, inner corner, two lower lid points. */
const RIGHT_EYE = [33, 160, 158, 133, 153, 144] as const;
const LEFT_EYE = [362, 385, 387, 263, 373, 380] as const;
/** Inner lips (upper, lower) and the inner mouth corners. */
const LIP_UPPER = 13, LIP_LOWER = 14, MOUTH_RIGHT = 78, MOUTH_LEFT = 308;
const NOSE_TIP = 1, CHIN = 152, FOREHEAD = 10, CHEEK_RIGHT = 234, CHEEK_LEFT = 454;
/** Eye corners used for the face's own scale (outer right, outer left). */
const EYE_OUTER_RIGHT = 33, EYE_OUTER_LEFT = 263;
/** Lower-face points: nose bridge bottom, mouth corners (outer), chin, jaw sides. */
export const LOWER_FACE = [2, 61, 291, 152, 172, 397, 136, 365] as const;

export interface FaceGeometry {
  /** Eye aspect ratio per eye (lid gap over eye width; ~0.25-0.35 open, under ~0.15 closed). */
  earRight: number;
  earLeft: number;
  /** Inner-lip gap over inner mouth width (0 closed; a yawn is well above 0.5). */
  mouthOpening: number;
  /** Nose tip to chin over the outer-eye-corner distance (grows as the jaw drops). */
  jawDrop: number;
  /** Head yaw, degrees (0 facing the camera; sign: + the person turns to their left). */
  yaw: number;
  /** Head pitch, degrees (0 level; + chin down). */
  pitch: number;
  /** Nose-tip offset between the cheeks, -1..1 (0 centred), a 2-D yaw cue. */
  yawOffset: number;
  /** Nose tip's height between eye line and mouth, in units of that distance (2-D pitch cue). */
  noseDrop: number;
}

export interface FaceMesh {
  /** 468 points in image pixels (z in the same scale as x). */
  points: MeshPoint[];
  /** Face presence from the mesh model (0-1). */
  score: number;
  /** Box around the points, image pixels. */
  box: Box;
  /** The crop the mesh ran on. */
  window: RotatedWindow;
  geometry: FaceGeometry;
}

/** The rotated crop for a BlazeFace face: centred on the box, eyes level. */
export function meshWindow(face: Pick<Face, 'box' | 'points'>): RotatedWindow {
  const { right_eye: r, left_eye: l } = face.points;
  return {
    cx: face.box.left + face.box.width / 2,
    cy: face.box.top + face.box.height / 2,
    size: Math.max(face.box.width, face.box.height) * CROP_SCALE,
    angle: Math.atan2(l.y - r.y, l.x - r.x),
  };
}

/** Iris-model eye crop: this many eye widths square, about the eye's corners. */
const IRIS_INPUT = 64;
const IRIS_ENLARGE = 2.3;
/** Iris contour: 0 and 8 the corners, 1-7 the lower lid and 9-15 the upper lid, both corner 0 → 8. */
const IRIS_LOWER = [1, 2, 3, 4, 5, 6, 7], IRIS_UPPER = [9, 10, 11, 12, 13, 14, 15];

export interface EyeOpening {
  /** Mean lid gap over the eye width from the iris model's eye contour. */
  opening: number;
  /** The 16 eyelid contour points in image pixels. */
  contour: { x: number; y: number }[];
}

/**
 * The iris model on one eye: `flip` mirrors the crop (the model reads one eye side). Opening =
 * mean gap between the 7 upper and 7 lower lid points over the corner distance.
 */
export async function eyeOpening(model: Model, image: RgbImage, corners: [MeshPoint, MeshPoint], angle: number, flip: boolean): Promise<EyeOpening> {
  const [a, b] = corners;
  const window: RotatedWindow = { cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2, size: Math.max(4, dist(a, b) * IRIS_ENLARGE), angle };
  const crop = cropRotatedToTensor(image, window, IRIS_INPUT, { scale: 1 / 255, replicate: true });
  const input = flip ? mirror(crop, IRIS_INPUT) : crop;
  const out = (await model.run(input, [1, IRIS_INPUT, IRIS_INPUT, 3])).eye.data;
  const local = Array.from({ length: 16 }, (_, k) => ({ x: flip ? IRIS_INPUT - 1 - out[k * 3] : out[k * 3], y: out[k * 3 + 1], z: 0 }));
  const width = Math.max(1e-6, dist(local[0], local[8]));
  const gap = IRIS_LOWER.reduce((s, lo, k) => s + dist(local[lo], local[IRIS_UPPER[k]]), 0) / IRIS_LOWER.length;
  return { opening: gap / width, contour: local.map((p) => rotatedWindowToImage(window, IRIS_INPUT, p.x, p.y)) };
}

function mirror(t: Float32Array, side: number): Float32Array {
  const out = new Float32Array(t.length);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) out[(y * side + x) * 3 + c] = t[(y * side + side - 1 - x) * 3 + c];
  return out;
}

/** Runs the mesh on one face and measures it. */
export async function faceMesh(model: Model, image: RgbImage, face: Pick<Face, 'box' | 'points'>): Promise<FaceMesh> {
  const window = meshWindow(face);
  const input = cropRotatedToTensor(image, window, INPUT, { scale: 1 / 255, replicate: true });
  const out = await model.run(input, [1, INPUT, INPUT, 3]);
  const raw = out.mesh.data;
  const local: MeshPoint[] = [];
  for (let i = 0; i < 468; i++) local.push({ x: raw[i * 3], y: raw[i * 3 + 1], z: raw[i * 3 + 2] });
  const toImage = window.size / INPUT;
  const points = local.map((p) => ({ ...rotatedWindowToImage(window, INPUT, p.x, p.y), z: p.z * toImage }));
  return {
    points,
    score: out.faceflag.data[0],
    box: pointsBox(points),
    window,
    geometry: faceGeometry(local),
  };
}

const dist = (a: MeshPoint, b: MeshPoint) => Math.hypot(a.x - b.x, a.y - b.y);

function eyeAspect(p: readonly MeshPoint[], idx: readonly number[]): number {
  const [outer, up1, up2, inner, lo2, lo1] = idx.map((i) => p[i]);
  const width = dist(outer, inner);
  return width > 0 ? (dist(up1, lo1) + dist(up2, lo2)) / (2 * width) : 0;
}

/** The measures of a mesh given in an upright frame (the crop's). */
export function faceGeometry(p: readonly MeshPoint[]): FaceGeometry {
  const eyeSpan = Math.max(1e-6, dist(p[EYE_OUTER_RIGHT], p[EYE_OUTER_LEFT]));
  const mouthWidth = Math.max(1e-6, dist(p[MOUTH_RIGHT], p[MOUTH_LEFT]));
  // Yaw: the cheek-to-cheek vector turns out of the image plane; pitch: forehead-to-chin does.
  const cheeks = { x: p[CHEEK_LEFT].x - p[CHEEK_RIGHT].x, z: p[CHEEK_LEFT].z - p[CHEEK_RIGHT].z };
  const vertical = { y: p[CHIN].y - p[FOREHEAD].y, z: p[CHIN].z - p[FOREHEAD].z };
  const dr = dist(p[NOSE_TIP], p[CHEEK_RIGHT]), dl = dist(p[NOSE_TIP], p[CHEEK_LEFT]);
  const eyeMidY = (p[EYE_OUTER_RIGHT].y + p[EYE_OUTER_LEFT].y) / 2;
  const mouthMidY = (p[MOUTH_RIGHT].y + p[MOUTH_LEFT].y) / 2;
  const deg = 180 / Math.PI;
  return {
    earRight: eyeAspect(p, RIGHT_EYE),
    earLeft: eyeAspect(p, LEFT_EYE),
    mouthOpening: dist(p[LIP_UPPER], p[LIP_LOWER]) / mouthWidth,
    jawDrop: dist(p[NOSE_TIP], p[CHIN]) / eyeSpan,
    yaw: Math.atan2(cheeks.z, cheeks.x) * deg,
    // MediaPipe z grows away from the camera: a lowered head puts the chin further than the forehead.
    pitch: Math.atan2(vertical.z, vertical.y) * deg,
    yawOffset: (dr - dl) / Math.max(1e-6, dr + dl),
    noseDrop: (p[NOSE_TIP].y - eyeMidY) / Math.max(1e-6, mouthMidY - eyeMidY),
  };
}
