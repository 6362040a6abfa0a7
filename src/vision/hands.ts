/**
 * The hand pipeline shared by hand_analysis, fingertip and gesture: palm detection on the whole
 * image and on tiles (small hands), 21 landmarks on a rotated crop per palm, a second landmark
 * pass on the crop the first pass implies, then duplicate removal. Measurements behind these
 * choices (tiles, refining pass, whole-frame fallback, no body-wrist hints): docs/hands.md.
 */
import type { Model } from '../runtime/session.js';
import type { Box, Keypoint, RgbImage } from '../types.js';
import { DEFAULT_PALM_OPTIONS, detectPalms, palmToWindow, type PalmOptions } from './hand-detector.js';
import { landmarksToWindow, runHandLandmarks, type HandLandmarks, type Point3 } from './hand-landmarks.js';
import type { RotatedWindow } from './crop.js';
import { boxIou, clampBox, pointsBox } from './box.js';

export interface Hand {
  /** Tight box around the 21 points (as Baidu's), clamped to the image. */
  box: Box;
  /** Hand presence probability from the landmark model (0-1). */
  score: number;
  /** 21 points in Baidu order, image pixels, clamped to the image. */
  keypoints: Keypoint[];
  /** Which hand, from the landmark model's handedness output. */
  side: 'left' | 'right';
  /** Unclamped image-pixel points with relative depth, for gesture geometry. */
  points: Point3[];
  /** Metric 3D points in image axes, for gesture geometry. */
  world: Point3[];
}

export interface HandOptions {
  palm: PalmOptions;
  /** Hand presence below which a crop is dropped (MediaPipe uses 0.5). */
  minPresence: number;
  /** Extra landmark passes on the crop derived from the previous pass. */
  refinePasses: number;
  /** Box IoU above which two hands are the same hand (the less certain one is dropped). */
  duplicateIou: number;
  /**
   * When no hand is found, try the landmark model on the whole frame: close-ups where the hand
   * fills the picture are too big for the palm detector's anchors.
   */
  wholeFrameFallback: boolean;
}

export const DEFAULT_HAND_OPTIONS: HandOptions = {
  palm: DEFAULT_PALM_OPTIONS,
  minPresence: 0.5,
  refinePasses: 1,
  duplicateIou: 0.4,
  wholeFrameFallback: true,
};

export interface HandModels {
  palm: Model;
  landmarks: Model;
}

/** The models of HandModels, by registry name. */
export const HAND_MODELS = ['handdetect', 'handlandmark-full'] as const;

export function handModels(models: Record<(typeof HAND_MODELS)[number], Model>): HandModels {
  return { palm: models.handdetect, landmarks: models['handlandmark-full'] };
}

/** Share of box `a` that lies inside box `b`. */
function insideShare(a: Box, b: Box): number {
  const iw = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const ih = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (iw <= 0 || ih <= 0) return 0;
  return (iw * ih) / (a.width * a.height || 1);
}

/**
 * Whether `hand` repeats part of the surer hand `kept`: boxes overlap much, or it sits inside
 * kept's box with most of its points on kept's points (a curled finger group read as a fist).
 * A real second hand clasped with the first keeps its own points and survives.
 */
function isDuplicate(kept: Hand, hand: Hand, iouLimit: number): boolean {
  if (boxIou(kept.box, hand.box) > iouLimit) return true;
  if (insideShare(hand.box, kept.box) < 0.7) return false;
  const palm = Math.hypot(kept.points[9].x - kept.points[0].x, kept.points[9].y - kept.points[0].y);
  const near = hand.points.filter((p) => kept.points.some((q) => Math.hypot(p.x - q.x, p.y - q.y) < 0.3 * palm)).length;
  return near >= 0.6 * hand.points.length;
}

function toHand(lm: HandLandmarks, image: RgbImage): Hand {
  const keypoints = lm.points.map((p) => {
    const inside = p.x >= 0 && p.y >= 0 && p.x <= image.width - 1 && p.y <= image.height - 1;
    return {
      x: Math.min(Math.max(p.x, 0), image.width - 1),
      y: Math.min(Math.max(p.y, 0), image.height - 1),
      // Points the model places outside the frame are guesses; say so in their score.
      score: inside ? lm.presence : lm.presence * 0.5,
    };
  });
  return {
    box: clampBox(pointsBox(lm.points), image),
    score: lm.presence,
    keypoints,
    // Checked on the two-palms fixture: in an unmirrored photo the output is the person's own side.
    side: lm.rightness >= 0.5 ? 'right' : 'left',
    points: lm.points,
    world: lm.world,
  };
}

/** Best first pass over candidate crops, then the refining passes; undefined if no hand. */
async function landmarksFrom(models: HandModels, image: RgbImage, windows: RotatedWindow[], opts: HandOptions): Promise<HandLandmarks | undefined> {
  let best: HandLandmarks | undefined;
  for (const lm of await Promise.all(windows.map((window) => runHandLandmarks(models.landmarks, image, window)))) {
    if (!best || lm.presence > best.presence) best = lm;
  }
  if (!best || best.presence < opts.minPresence) return undefined;
  for (let pass = 0; pass < opts.refinePasses; pass++) {
    const next = await runHandLandmarks(models.landmarks, image, landmarksToWindow(best.points));
    if (next.presence < opts.minPresence) break;
    best = next;
  }
  return best;
}

export async function analyzeHands(models: HandModels, image: RgbImage, opts: HandOptions = DEFAULT_HAND_OPTIONS): Promise<Hand[]> {
  const palms = await detectPalms(models.palm, image, opts.palm);
  // Every palm's crop issued together: in a pool worker idle peers take some (engine/assist.ts).
  const found = (await Promise.all(palms.map((palm) => landmarksFrom(models, image, [palmToWindow(palm)], opts)))).filter((h): h is HandLandmarks => h !== undefined);
  if (found.length === 0 && opts.wholeFrameFallback) {
    // The hand's orientation is unknown here: try the four upright turns, keep the surest.
    const side = Math.max(image.width, image.height);
    const turns = [0, 1, 2, 3].map((k) => ({ cx: image.width / 2, cy: image.height / 2, size: side, angle: (k * Math.PI) / 2 }));
    const hand = await landmarksFrom(models, image, turns, opts);
    if (hand) found.push(hand);
  }
  found.sort((a, b) => b.presence - a.presence);
  const kept: Hand[] = [];
  for (const lm of found) {
    const hand = toHand(lm, image);
    if (kept.some((k) => isDuplicate(k, hand, opts.duplicateIou))) continue;
    kept.push(hand);
  }
  return kept;
}
