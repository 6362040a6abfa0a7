import { boxRect, escapeXml, overlaySvg } from './svg.js';
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


function unitFor(width: number, height: number): number {
  return Math.max(1.5, Math.round(Math.max(width, height) / 400));
}

function handSvg(hand: Hand, unit: number): string {
  const p = hand.keypoints;
  const parts: string[] = [];
  const line = (a: number, b: number, colour: string) =>
    parts.push(`<line x1="${p[a].x}" y1="${p[a].y}" x2="${p[b].x}" y2="${p[b].y}" stroke="${colour}" stroke-width="${unit}" stroke-linecap="round"/>`);
  for (let i = 0; i + 1 < PALM_EDGE.length; i++) line(PALM_EDGE[i], PALM_EDGE[i + 1], '#ecf0f1');
  FINGER_CHAINS.forEach((chain, f) => {
    for (let i = 0; i + 1 < chain.length; i++) line(chain[i], chain[i + 1], FINGER_COLOURS[f]);
  });
  for (const k of p) parts.push(`<circle cx="${k.x}" cy="${k.y}" r="${unit * 1.3}" fill="#ffffff" stroke="#2c3e50" stroke-width="${unit / 2}"/>`);
  return parts.join('');
}

function labelledBox(g: GestureResult, unit: number): string {
  const colour = g.classname === 'Face' ? '#1abc9c' : g.classname === 'other' ? '#95a5a6' : '#e67e22';
  const { left, top, height } = g.box;
  const text = `${escapeXml(g.classname)} ${g.probability.toFixed(2)}`;
  const size = 6 * unit;
  const y = top > size + unit ? top - unit : top + height + size;
  return boxRect(g.box, colour, unit)
    + `<text x="${left}" y="${y}" font-family="sans-serif" font-size="${size}" fill="${colour}" stroke="#000" stroke-width="${unit / 4}">${text}</text>`;
}

function composite(image: RgbImage, body: string): Promise<Buffer> {
  return overlaySvg(image, body).png().toBuffer();
}

/** The photo with each hand's skeleton (one colour per finger) and its box; returns a PNG. */
export function renderHands(image: RgbImage, hands: readonly Hand[]): Promise<Buffer> {
  const unit = unitFor(image.width, image.height);
  const body = hands.map((h) => {
    return boxRect(h.box, '#f1c40f', unit / 2) + handSvg(h, unit);
  });
  return composite(image, body.join(''));
}

/** The photo with hand skeletons and a labelled box per gesture and face; returns a PNG. */
export function renderGestures(image: RgbImage, hands: readonly Hand[], gestures: readonly GestureResult[]): Promise<Buffer> {
  const unit = unitFor(image.width, image.height);
  return composite(image, hands.map((h) => handSvg(h, unit)).join('') + gestures.map((g) => labelledBox(g, unit)).join(''));
}
