/**
 * Gesture classification from hand landmarks (no extra model): each Baidu class is a set of soft
 * conditions on finger shape, thumb position, palm direction and fingertip contacts; a class's
 * evidence is the product of its conditions. Two hands that touch are checked against the
 * two-handed classes first. The probability is the winning class's share of all evidence plus
 * a fixed share for "none of these", so an ambiguous or half-formed hand gets a low share and,
 * below MIN_PROBABILITY, the class `other`; the reported probability is that share calibrated on
 * real images. Class meanings: docs/hands.md.
 */
import type { Box } from '../types.js';
import type { Hand } from './hands.js';
import type { Face } from './blazeface.js';
import { handShape, type HandShape } from './hand-geometry.js';

/** What the gesture rules use of a face (the caller decides the box convention). */
export type FaceBox = Pick<Face, 'box' | 'score'>;

/** Baidu's gesture classnames (the 24 gestures; `other` and `Face` are added by the API). */
export const GESTURE_CLASSES = [
  'One', 'Five', 'Fist', 'OK', 'Prayer', 'Congratulation', 'Honour', 'Heart_single', 'Thumb_up',
  'Thumb_down', 'ILY', 'Palm_up', 'Heart_1', 'Heart_2', 'Heart_3', 'Two', 'Three', 'Four', 'Six',
  'Seven', 'Eight', 'Nine', 'Rock', 'Insult',
] as const;
export type GestureClass = (typeof GESTURE_CLASSES)[number];

export interface GestureResult {
  classname: GestureClass | 'other' | 'Face';
  box: Box;
  probability: number;
}

/** Evidence mass reserved for "no listed gesture"; sets how sure a lone match can be. */
const OTHER_EVIDENCE = 0.12;
/** Below this probability a hand is reported as `other`. */
export const MIN_PROBABILITY = 0.45;
/** A class also needs this much evidence of its own: a weak match alone is still `other`. */
const MIN_EVIDENCE = 0.3;

/**
 * Reported probability: Platt scaling `sigmoid(A * logit(p) + B)` of the raw share, fitted on the
 * HaGRID development frames (163 labelled hands; shrunk towards the identity because only a few
 * were wrong) so that it tracks the observed hit rate: expected calibration error 0.16 raw,
 * 0.03 after (docs/hands.md). Decisions use the raw share; only the reported number changes.
 */
const PLATT_A = 1.75;
const PLATT_B = 0.55;

export function calibrated(p: number): number {
  const q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  return 1 / (1 + Math.exp(-(PLATT_A * Math.log(q / (1 - q)) + PLATT_B)));
}

/** Soft step: 0.5 at `at`, rising over about ±2 `width`. */
const above = (v: number, at: number, width: number): number => 1 / (1 + Math.exp(-(v - at) / width));
const below = (v: number, at: number, width: number): number => 1 - above(v, at, width);

/** Per-hand soft facts, 0..1, shared by the class rules. */
export interface HandFacts {
  ext: { index: number; middle: number; ring: number; little: number };
  /** Thumb straight (not folded into the palm). */
  thumbStraight: number;
  /** Thumb held clearly away from the palm and index finger. */
  thumbOut: number;
  thumbUp: number;
  thumbDown: number;
  /** Palm facing the sky. */
  palmUp: number;
  /** Palm (or back of the hand) turned to the camera rather than seen edge-on. */
  facesCamera: number;
  /** Index straight at the knuckle but hooked at the finger joints. */
  indexHook: number;
  /** Index and middle finger tips well away from the palm (not tucked into a fist). */
  tipsOut: number;
  /** All four fingertips pulled in to the palm, as in a fist (not a loose claw). */
  tipsIn: number;
  /** The index tip stands off its own knuckle (a fist tucks it back against the palm). */
  indexTipOut: number;
  /** Fingertip contacts. */
  thumbIndexTouch: number;
  /**
   * Thumb and a bent index closing a ring. Looser on distance than a touch (landmarks on a ring
   * are noisy), but the index must be bent: a flat hand also has its thumb near the index.
   */
  thumbIndexRing: number;
  thumbMiddleTouch: number;
  shape: HandShape;
}

export function handFacts(hand: Pick<Hand, 'world' | 'points' | 'side'>): HandFacts {
  const shape = handShape(hand.world, hand.points, hand.side);
  const f = shape.fingers;
  const ext = (reach: number) => above(reach, 0.8, 0.03);
  const thumbStraight = above(f.thumb.reach, 0.9, 0.02);
  const thumbOut = thumbStraight * above((shape.gap(4, 9) + shape.gap(4, 5)) / 2, 0.64, 0.04);
  return {
    ext: { index: ext(f.index.reach), middle: ext(f.middle.reach), ring: ext(f.ring.reach), little: ext(f.little.reach) },
    thumbStraight,
    thumbOut,
    thumbUp: below(f.thumb.direction.y, -0.45, 0.1),
    thumbDown: above(f.thumb.direction.y, 0.45, 0.1),
    palmUp: below(shape.palmNormal.y, -0.65, 0.06),
    facesCamera: above(Math.abs(shape.palmNormal.z), 0.5, 0.06),
    indexHook: below(f.index.base, 45, 8) * above(f.index.upper, 100, 12),
    tipsOut: above(Math.min(shape.gap(8, 0), shape.gap(12, 0)), 1.1, 0.06),
    indexTipOut: above(shape.gap(8, 5), 0.5, 0.06),
    tipsIn: below((shape.gap(8, 0) + shape.gap(12, 0) + shape.gap(16, 0) + shape.gap(20, 0)) / 4, 1.05, 0.05),
    thumbIndexTouch: below(shape.gap(4, 8), 0.4, 0.06),
    thumbIndexRing: below(shape.gap(4, 8), 0.55, 0.06) * below(f.index.reach, 0.86, 0.025),
    thumbMiddleTouch: below(shape.gap(4, 12), 0.4, 0.06),
    shape,
  };
}

const not = (v: number): number => 1 - v;

/** Evidence for each one-hand class (Palm_up and Five share the open hand, split by the palm). */
export function singleHandEvidence(h: HandFacts): Partial<Record<GestureClass, number>> {
  const { index: i, middle: m, ring: r, little: l } = h.ext;
  const ci = not(i), cm = not(m), cr = not(r), cl = not(l);
  const thumbIn = not(h.thumbOut);
  const open4 = i * m * r * l;
  const closed4 = ci * cm * cr * cl;
  return {
    One: i * cm * cr * cl * thumbIn,
    Two: i * m * cr * cl * thumbIn,
    Three: Math.max(i * m * r * cl * thumbIn, h.thumbOut * i * m * cr * cl),
    Four: open4 * not(h.thumbStraight) * not(h.thumbIndexRing) * h.facesCamera,
    Five: open4 * h.thumbStraight * not(h.thumbIndexRing) * h.facesCamera * not(h.palmUp),
    Palm_up: open4 * h.palmUp * not(h.thumbIndexRing),
    Fist: closed4 * h.tipsIn * thumbIn * not(h.indexHook) * not(h.indexTipOut),
    Thumb_up: closed4 * h.thumbOut * h.thumbUp,
    Thumb_down: closed4 * h.thumbOut * h.thumbDown,
    Six: ci * cm * cr * l * h.thumbOut,
    Eight: i * cm * cr * cl * h.thumbOut,
    ILY: i * cm * cr * l * h.thumbOut,
    Rock: i * cm * cr * l * thumbIn,
    Insult: ci * m * cr * cl,
    OK: h.thumbIndexRing * m * r * l,
    Seven: h.thumbIndexTouch * h.thumbMiddleTouch * h.tipsOut * cr * cl,
    Nine: h.indexHook * cm * cr * cl * thumbIn,
    Heart_single: h.thumbIndexTouch * not(h.thumbMiddleTouch) * ci * cm * cr * cl * h.indexTipOut,
  };
}

interface Scored {
  classname: GestureClass;
  evidence: number;
  probability: number;
}

function decide(evidence: Partial<Record<GestureClass, number>>): Scored | undefined {
  let total = OTHER_EVIDENCE;
  let best: { classname: GestureClass; evidence: number } | undefined;
  for (const [name, value] of Object.entries(evidence) as [GestureClass, number][]) {
    total += value;
    if (!best || value > best.evidence) best = { classname: name, evidence: value };
  }
  if (!best) return undefined;
  return { ...best, probability: best.evidence / total };
}

// --- two hands ------------------------------------------------------------------------------

type Pt = { x: number; y: number };
const dist = (a: Pt, b: Pt): number => Math.hypot(a.x - b.x, a.y - b.y);

/** Image-pixel palm size of a hand (wrist to middle knuckle). */
const palmPx = (hand: Hand): number => dist(hand.points[0], hand.points[9]) || 1;

function unionBox(a: Box, b: Box): Box {
  const left = Math.min(a.left, b.left);
  const top = Math.min(a.top, b.top);
  const right = Math.max(a.left + a.width, b.left + b.width);
  const bottom = Math.max(a.top + a.height, b.top + b.height);
  return { left, top, width: right - left, height: bottom - top };
}

function overlap(a: Box, b: Box): number {
  const iw = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const ih = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (iw <= 0 || ih <= 0) return 0;
  return (iw * ih) / Math.min(a.width * a.height, b.width * b.height);
}

/** Evidence for the two-handed classes; both hands must be close to each other. */
export function twoHandEvidence(a: Hand, b: Hand, fa: HandFacts, fb: HandFacts, faces: readonly FaceBox[]): Partial<Record<GestureClass, number>> {
  const scale = (palmPx(a) + palmPx(b)) / 2;
  const touch = (pa: Pt, pb: Pt) => below(dist(pa, pb) / scale, 0.35, 0.07);
  const closed = (f: HandFacts) => Math.sqrt(not(f.ext.index) * not(f.ext.middle) * not(f.ext.ring) * not(f.ext.little));
  const open = (f: HandFacts) => Math.sqrt(f.ext.index * f.ext.middle * f.ext.ring * f.ext.little);
  const lowerCurled = (f: HandFacts) => not(f.ext.middle) * not(f.ext.ring) * not(f.ext.little);
  const thumbs = touch(a.points[4], b.points[4]);
  const indexes = touch(a.points[8], b.points[8]);
  const middles = touch(a.points[12], b.points[12]);
  const wrists = below(dist(a.points[0], b.points[0]) / scale, 0.8, 0.15);
  const boxesOverlap = above(overlap(a.box, b.box), 0.35, 0.08);
  // Palms facing each other: their normals point in opposite directions.
  const na = fa.shape.palmNormal, nb = fb.shape.palmNormal;
  const facing = below(na.x * nb.x + na.y * nb.y + na.z * nb.z, -0.3, 0.15);
  // Heart_3 is made over the head: the joined hands sit above a face.
  const top = Math.max(a.box.top + a.box.height, b.box.top + b.box.height);
  const cx = (a.points[9].x + b.points[9].x) / 2;
  const overFace = faces.some((f) => f.box.top >= top - f.box.height * 0.5 && cx > f.box.left - f.box.width && cx < f.box.left + 2 * f.box.width) ? 1 : 0;
  const heartTop = indexes * thumbs;
  // One person's two hands: a left and a right of about the same size in the picture.
  const sizes = palmPx(a) / palmPx(b);
  const bothHands = (a.side !== b.side ? 1 : 0) * below(Math.abs(Math.log(sizes)), 0.45, 0.08);
  const joined = boxesOverlap * bothHands;
  return {
    Prayer: open(fa) * open(fb) * middles * wrists * facing,
    Congratulation: closed(fa) * closed(fb) * joined,
    Honour: joined * Math.max(closed(fa) * open(fb), open(fa) * closed(fb)),
    Heart_1: heartTop * lowerCurled(fa) * lowerCurled(fb),
    Heart_2: heartTop * not(lowerCurled(fa)) * not(lowerCurled(fb)) * not(middles),
    // Over the head the fingertips meet in a curve: the middle tips touch, the index tips are near.
    Heart_3: middles * below(dist(a.points[8], b.points[8]) / scale, 0.6, 0.08) * not(thumbs) * overFace,
  };
}

/** Hands are considered as a pair only when they are within this many palm sizes. */
const PAIR_DISTANCE = 3;
/**
 * Evidence a two-hand class needs to replace the hands' own readings. The hands of a two-hand
 * heart or prayer each look like a plain gesture too, so this is absolute, not a comparison.
 */
const MIN_PAIR_EVIDENCE = 0.5;

/** Classifies every hand (pairing touching hands first) and appends faces as `Face`. */
export function classifyGestures(hands: Hand[], faces: readonly FaceBox[]): GestureResult[] {
  const facts = hands.map(handFacts);
  const results: GestureResult[] = faces.map((f) => ({ classname: 'Face', box: f.box, probability: f.score }));
  const used = new Set<number>();
  // Pairs, best first; a hand joins at most one pair.
  const pairs: { i: number; j: number; scored: Scored }[] = [];
  for (let i = 0; i < hands.length; i++) {
    for (let j = i + 1; j < hands.length; j++) {
      const gap = dist(hands[i].points[9], hands[j].points[9]) / ((palmPx(hands[i]) + palmPx(hands[j])) / 2);
      if (gap > PAIR_DISTANCE) continue;
      const pair = decide(twoHandEvidence(hands[i], hands[j], facts[i], facts[j], faces));
      if (pair && pair.evidence >= MIN_PAIR_EVIDENCE && pair.probability >= MIN_PROBABILITY) pairs.push({ i, j, scored: pair });
    }
  }
  pairs.sort((x, y) => y.scored.evidence - x.scored.evidence);
  for (const { i, j, scored } of pairs) {
    if (used.has(i) || used.has(j)) continue;
    used.add(i);
    used.add(j);
    results.push({ classname: scored.classname, box: unionBox(hands[i].box, hands[j].box), probability: calibrated(scored.probability * Math.min(hands[i].score, hands[j].score)) });
  }
  hands.forEach((hand, i) => {
    if (used.has(i)) return;
    const scored = decide(singleHandEvidence(facts[i]));
    // Probabilities also carry the chance that this is a hand at all.
    const share = scored?.probability ?? 0;
    if (scored && scored.evidence >= MIN_EVIDENCE && share * hand.score >= MIN_PROBABILITY) {
      results.push({ classname: scored.classname, box: hand.box, probability: calibrated(share * hand.score) });
    } else {
      results.push({ classname: 'other', box: hand.box, probability: (1 - share) * hand.score });
    }
  });
  return results;
}
