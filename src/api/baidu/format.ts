import type { BodyAnalysis } from '../../capabilities/body_analysis/index.js';
import { BODY21_KEYPOINTS, type Keypoint } from '../../types.js';
import { round } from '../round.js';

function point(p: Keypoint) {
  return { x: round(p.x, 2), y: round(p.y, 2), score: round(p.score) };
}

export function bodyAnalysisResponse(logId: number, analysis: BodyAnalysis) {
  return {
    log_id: logId,
    person_num: analysis.persons.length,
    person_info: analysis.persons.map((p) => ({
      body_parts: Object.fromEntries(BODY21_KEYPOINTS.map((name) => [name, point(p.keypoints[name])])),
      location: {
        left: round(p.box.left, 2),
        top: round(p.box.top, 2),
        width: round(p.box.width, 2),
        height: round(p.box.height, 2),
        score: round(p.score),
      },
    })),
  };
}
