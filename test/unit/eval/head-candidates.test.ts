/** The head-candidate grouping and evidence of the fit tool (eval/head-candidates.ts), and poseHead's size floor. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { headCandidates, headProbability } from '../../../eval/head-candidates.js';
import { poseHead } from '../../../src/vision/heads.js';
import type { PersonProposal } from '../../../src/vision/person-proposals.js';

/** A pose whose five face keypoints sit around (x, y) with this score; the body keypoints are weak. */
function pose(x: number, y: number, score: number, faceScore: number): PersonProposal {
  const face = [[0, 0], [-3, -2], [3, -2], [-6, 0], [6, 0]].map(([dx, dy]) => ({ x: x + dx, y: y + dy, score: faceScore }));
  const body = Array.from({ length: 12 }, () => ({ x, y: y + 40, score: 0.05 }));
  return { score, keypoints: [...face, ...body] };
}

describe('head candidates', () => {
  test('one head seen by two runs is one candidate with full support; a lone weak pose is its own', () => {
    const tile = { x: 0, y: 0, width: 200, height: 200 };
    const runs = [
      { window: null, proposals: [pose(100, 100, 0.8, 0.6)] },
      { window: tile, proposals: [pose(101, 101, 0.5, 0.5), pose(160, 60, 0.2, 0.15)] },
    ];
    const c = headCandidates(runs, { width: 400, height: 300 }, { minKeypointScore: 0.3, input: 256 }, 0.5);
    assert.equal(c.length, 2);
    const [strong, weak] = c;
    assert.equal(strong.head.score, 0.8);
    assert.equal(strong.features[5], 1); // both runs whose window holds it saw it
    assert.ok(Math.abs(strong.features[6] - Math.log(3)) < 1e-9); // two heads merged
    assert.equal(weak.features[2], 0); // no face keypoint >= 0.3: placed from the weak ones
    assert.equal(weak.features[5], 0.5);
  });

  test('a pose with no face keypoint from 0.1 gives no candidate', () => {
    const c = headCandidates([{ window: null, proposals: [pose(50, 50, 0.9, 0.05)] }], { width: 100, height: 100 }, { minKeypointScore: 0.3, input: 256 }, 0.5);
    assert.equal(c.length, 0);
  });

  test('headProbability is the logistic of the weighted evidence', () => {
    assert.equal(headProbability([0, 0], { weights: [1, 1], bias: 0 }), 0.5);
    assert.ok(Math.abs(headProbability([2, 1], { weights: [1, -1], bias: 0 }) - 1 / (1 + Math.exp(-1))) < 1e-12);
  });

  test('poseHead: the size floor only lifts heads smaller than it', () => {
    const p = pose(100, 100, 0.8, 0.6);
    const natural = poseHead(p, 0.3)!;
    assert.ok(natural.box.width > 4);
    assert.equal(poseHead(p, 0.3, 50)!.box.width, 50);
    assert.equal(poseHead(p, 0.3, 2)!.box.width, natural.box.width);
  });
});
