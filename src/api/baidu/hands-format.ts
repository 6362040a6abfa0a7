/** Baidu response shapes of hand_analysis, fingertip and gesture (seed 001, see docs/hands.md). */
import type { GestureAnalysis, Hand, HandAnalysis } from '../../analysis/hands.js';
import type { Box, Keypoint } from '../../types.js';

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** Baidu types these as uint32 / int: whole pixels. */
function point(p: Keypoint) {
  return { x: Math.round(p.x), y: Math.round(p.y), score: round(p.score, 4) };
}

function location(hand: Hand) {
  const { left, top, width, height } = intBox(hand.box);
  return { left, top, width, height, score: round(hand.score, 4) };
}

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
      location: location(hand),
    })),
  };
}

export function fingertipResponse(logId: number, analysis: HandAnalysis) {
  return {
    log_id: logId,
    hand_num: analysis.hands.length,
    hand_info: analysis.hands.map((hand) => ({
      hand_parts: Object.fromEntries(FINGERTIP_POINTS.map((k, i) => [String(i), point(hand.keypoints[k])])),
      location: location(hand),
    })),
  };
}

export function gestureResponse(logId: number, analysis: GestureAnalysis) {
  return {
    log_id: logId,
    result_num: analysis.gestures.length,
    result: analysis.gestures.map((g) => ({ ...intBox(g.box), classname: g.classname, probability: round(g.probability, 4) })),
  };
}
