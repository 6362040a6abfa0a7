import type { BodyAnalysis } from '../../capabilities/body_analysis/index.js';
import { BODY21_KEYPOINTS, type Keypoint } from '../../types.js';
import { round } from '../round.js';

// Key order as Baidu's real answers (seeds 000 and 003): each point y, x, score; location
// height, width, top, score, left; person_num first and log_id last. Some clients compare or
// parse the raw text, so the order is part of the contract.

function point(p: Keypoint) {
  return { y: round(p.y, 2), x: round(p.x, 2), score: round(p.score) };
}

export function bodyAnalysisResponse(logId: number, analysis: BodyAnalysis) {
  return {
    person_num: analysis.persons.length,
    person_info: analysis.persons.map((p) => ({
      body_parts: Object.fromEntries(BODY21_KEYPOINTS.map((name) => [name, point(p.keypoints[name])])),
      location: {
        height: round(p.box.height, 2),
        width: round(p.box.width, 2),
        top: round(p.box.top, 2),
        score: round(p.score),
        left: round(p.box.left, 2),
      },
    })),
    log_id: logId,
  };
}
