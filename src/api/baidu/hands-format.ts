/** Baidu response shapes of hand_analysis, fingertip and gesture (seed 001, see docs/hands.md). */
import type { Hand } from '../../vision/hands.js';
import type { HandAnalysis } from '../../capabilities/hand_analysis/index.js';
import type { GestureAnalysis } from '../../capabilities/gesture/index.js';
import type { Box, Keypoint } from '../../types.js';
import { round } from '../round.js';

// Key orders follow Baidu's example responses, so answers read like theirs.

/** Baidu types these as uint32 / int: whole pixels. */
function point(p: Keypoint) {
  return { y: Math.round(p.y), x: Math.round(p.x), score: round(p.score, 4) };
}

/**
 * hand_analysis documents its box score on a 0-21 scale (clients divide by 21 to normalise),
 * fingertip on 0-1; `scale` is 21 or 1, the hand's own confidence stays 0-1 underneath.
 */
function location(hand: Hand, scale: 1 | typeof HAND_ANALYSIS_SCORE_SCALE) {
  const { left, top, width, height } = intBox(hand.box);
  return { height, width, top, score: round(hand.score * scale, 4), left };
}

/** hand_analysis's `location.score` runs 0-21 (seed 001, hand_analysis response table). */
export const HAND_ANALYSIS_SCORE_SCALE = 21;

function intBox(b: Box) {
  const left = Math.round(b.left);
  const top = Math.round(b.top);
  return { left, top, width: Math.round(b.left + b.width) - left, height: Math.round(b.top + b.height) - top };
}

/** Baidu's fingertip points, by hand_parts index: index tip, index PIP, index MCP, middle PIP, middle MCP. */
export const FINGERTIP_POINTS = [8, 6, 5, 10, 9] as const;

export function handAnalysisResponse(logId: number, analysis: HandAnalysis) {
  return {
    log_id: logId,
    hand_num: analysis.hands.length,
    hand_info: analysis.hands.map((hand) => ({
      hand_parts: Object.fromEntries(hand.keypoints.map((p, i) => [String(i), point(p)])),
      location: location(hand, HAND_ANALYSIS_SCORE_SCALE),
    })),
  };
}

export function fingertipResponse(logId: number, analysis: HandAnalysis) {
  return {
    log_id: logId,
    hand_num: analysis.hands.length,
    hand_info: analysis.hands.map((hand) => ({
      hand_parts: Object.fromEntries(FINGERTIP_POINTS.map((k, i) => [String(i), point(hand.keypoints[k])])),
      location: location(hand, 1),
    })),
  };
}

export function gestureResponse(logId: number, analysis: GestureAnalysis) {
  return {
    log_id: logId,
    result_num: analysis.gestures.length,
    result: analysis.gestures.map((g) => {
      const { left, top, width, height } = intBox(g.box);
      return { probability: round(g.probability, 4), top, height, classname: g.classname, width, left };
    }),
  };
}
