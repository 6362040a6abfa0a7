/** The LSP-extended PCK helpers: visible joints, the torso scale and its fallback, correctness. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctJoints, lspJoints } from '../../../eval/lsp.js';
import { BODY21_KEYPOINTS, type Body21KeypointName } from '../../../src/types.js';

const names: Body21KeypointName[] = ['right_shoulder', 'left_shoulder', 'right_hip', 'left_hip', 'neck'];

test('torso from left shoulder to right hip; the other diagonal when an end lies outside the photo; invisible joints not scored', () => {
  const a = lspJoints(names, [10, 10, 2, 40, 10, 2, 10, 50, 2, 40, 50, 0, 25, 8, 2]);
  assert.equal(a.torso, Math.hypot(30, 40));
  assert.deepEqual(a.joints.map((j) => j.name), ['right_shoulder', 'left_shoulder', 'right_hip', 'neck']);
  const b = lspJoints(names, [10, 10, 2, 0, -20, 0, 10, 50, 2, 40, 50, 2, 25, 8, 2]);
  assert.equal(b.torso, Math.hypot(30, 40), 'right shoulder to left hip');
  assert.equal(lspJoints(names, [0, -1, 0, 0, -20, 0, 10, 50, 2, 40, 50, 2, 25, 8, 2]).torso, undefined);
});

test('a joint is correct within the threshold, not beyond', () => {
  const predicted = Object.fromEntries(BODY21_KEYPOINTS.map((n) => [n, { x: 0, y: 0 }])) as Record<Body21KeypointName, { x: number; y: number }>;
  predicted.neck = { x: 25, y: 17 };
  predicted.right_shoulder = { x: 10, y: 20.5 };
  const { joints } = lspJoints(names, [10, 10, 2, 40, 10, 2, 10, 50, 2, 40, 50, 2, 25, 8, 2]);
  assert.deepEqual([...correctJoints(joints, predicted, 10)], ['neck']);
});
