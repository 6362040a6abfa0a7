import { boxRect, drawScale, haloLine, labelSvg, overlaySvg } from './svg.js';
import type { Hand } from '../vision/hands.js';
import type { RgbImage } from '../types.js';
import type { GestureResult } from '../vision/gesture.js';

/** Bones of the 21-point hand, grouped by finger for colouring (wrist→knuckle lines included). */
const FINGER_CHAINS: number[][] = [
  [0, 1, 2, 3, 4],
  [0, 5, 6, 7, 8],
  [0, 9, 10, 11, 12],
  [0, 13, 14, 15, 16],
  [0, 17, 18, 19, 20],
];
const FINGER_COLOURS = ['#e74c3c', '#f1c40f', '#2ecc71', '#3498db', '#9b59b6'];
const PALM_EDGE = [5, 9, 13, 17];


function handSvg(hand: Hand, unit: number): string {
  const p = hand.keypoints;
  const parts: string[] = [];
  for (let i = 0; i + 1 < PALM_EDGE.length; i++) parts.push(haloLine(p[PALM_EDGE[i]], p[PALM_EDGE[i + 1]], '#ecf0f1', unit));
  FINGER_CHAINS.forEach((chain, f) => {
    for (let i = 0; i + 1 < chain.length; i++) parts.push(haloLine(p[chain[i]], p[chain[i + 1]], FINGER_COLOURS[f], unit));
  });
  for (const k of p) parts.push(`<circle cx="${k.x}" cy="${k.y}" r="${unit * 1.3}" fill="#ffffff" stroke="#2c3e50" stroke-width="${unit / 2}"/>`);
  return parts.join('');
}

const gestureColour = (g: GestureResult) => (g.classname === 'Face' ? '#1abc9c' : g.classname === 'other' ? '#95a5a6' : '#e67e22');

function composite(image: RgbImage, body: string): Promise<Buffer> {
  return overlaySvg(image, body).png().toBuffer();
}

/** The photo with each hand's skeleton (one colour per finger) and its box; returns a PNG. */
export function renderHands(image: RgbImage, hands: readonly Hand[]): Promise<Buffer> {
  const { stroke } = drawScale(image.width, image.height);
  return composite(image, hands.map((h) => boxRect(h.box, '#f1c40f', Math.max(1, stroke / 2)) + handSvg(h, stroke)).join(''));
}

/** The photo with hand skeletons and a box per gesture and face, labelled in a filled box of its colour; returns a PNG. */
export function renderGestures(image: RgbImage, hands: readonly Hand[], gestures: readonly GestureResult[]): Promise<Buffer> {
  const { stroke, font } = drawScale(image.width, image.height);
  const boxes = gestures.map((g) => boxRect(g.box, gestureColour(g), stroke)).join('');
  const labels = gestures.map((g) => labelSvg([`${g.classname} ${g.probability.toFixed(2)}`], g.box, gestureColour(g), image, font, { bold: true })).join('');
  return composite(image, hands.map((h) => handSvg(h, stroke)).join('') + boxes + labels);
}
