import type { Sharp } from 'sharp';
import { boxRect, drawScale, haloLine, labelSvg, overlaySvg } from './svg.js';
import type { Body21KeypointName, Box, Person, RgbImage } from '../types.js';

/** Limbs drawn between Baidu's 21 points; colour groups: person's left, right, centre line. */
const LIMBS: [Body21KeypointName, Body21KeypointName, 'l' | 'r' | 'c'][] = [
  ['top_head', 'neck', 'c'],
  ['nose', 'neck', 'c'],
  ['nose', 'left_eye', 'l'],
  ['nose', 'right_eye', 'r'],
  ['left_eye', 'left_ear', 'l'],
  ['right_eye', 'right_ear', 'r'],
  ['left_mouth_corner', 'right_mouth_corner', 'c'],
  ['neck', 'left_shoulder', 'l'],
  ['neck', 'right_shoulder', 'r'],
  ['left_shoulder', 'left_elbow', 'l'],
  ['left_elbow', 'left_wrist', 'l'],
  ['right_shoulder', 'right_elbow', 'r'],
  ['right_elbow', 'right_wrist', 'r'],
  ['left_shoulder', 'left_hip', 'l'],
  ['right_shoulder', 'right_hip', 'r'],
  ['left_hip', 'right_hip', 'c'],
  ['left_hip', 'left_knee', 'l'],
  ['left_knee', 'left_ankle', 'l'],
  ['right_hip', 'right_knee', 'r'],
  ['right_knee', 'right_ankle', 'r'],
];

const COLOURS = { l: '#2ecc71', r: '#e67e22', c: '#3498db' } as const;

export interface RenderOptions {
  /** Points below this score are not drawn (Baidu's own filtering advice uses 0.2). */
  minScore?: number;
  /** The box drawn for a person (default its detection box); the Kakao renders draw Kakao's `bbox`. */
  box?: (person: Person) => Box;
}

const BOX_COLOUR = '#f1c40f';

function svgFor(persons: Person[], width: number, height: number, opts: RenderOptions): string {
  const { stroke, font } = drawScale(width, height);
  const minScore = opts.minScore ?? 0.2;
  const parts: string[] = [];
  for (const p of persons) {
    const box = opts.box?.(p) ?? p.box;
    parts.push(boxRect(box, BOX_COLOUR, stroke));
    for (const [a, b, side] of LIMBS) {
      const pa = p.keypoints[a];
      const pb = p.keypoints[b];
      if (pa.score < minScore || pb.score < minScore) continue;
      parts.push(haloLine(pa, pb, COLOURS[side], stroke));
    }
    for (const k of Object.values(p.keypoints)) {
      if (k.score < minScore) continue;
      parts.push(`<circle cx="${k.x}" cy="${k.y}" r="${stroke * 1.3}" fill="#e74c3c" stroke="#fff" stroke-width="${Math.max(1, stroke / 2)}"/>`);
    }
  }
  // Labels last, so no limb of another person covers them.
  for (const p of persons) parts.push(labelSvg([`person ${p.score.toFixed(2)}`], opts.box?.(p) ?? p.box, BOX_COLOUR, { width, height }, font, { bold: true }));
  return parts.join('');
}

function overlay(image: RgbImage, persons: Person[], opts: RenderOptions): Sharp {
  return overlaySvg(image, svgFor(persons, image.width, image.height, opts));
}

/** Draws boxes and skeletons over the decoded (already upright) photo and returns a PNG. */
export async function renderPersons(image: RgbImage, persons: Person[], opts: RenderOptions = {}): Promise<Buffer> {
  return overlay(image, persons, opts).png().toBuffer();
}

/** The same drawing as packed RGB of the image's size (video frames for an encoder). */
export async function renderPersonsRgb(image: RgbImage, persons: Person[], opts: RenderOptions = {}): Promise<Buffer> {
  return overlay(image, persons, opts).removeAlpha().raw().toBuffer();
}
