import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toBody21 } from '../../../src/vision/body21.js';
import { COCO_KEYPOINTS, BODY21_KEYPOINTS, type Keypoint } from '../../../src/types.js';

/** A person facing the camera, upright: their left is the viewer's right (larger x). */
function frontal(overrides: Partial<Record<(typeof COCO_KEYPOINTS)[number], Keypoint>> = {}): Keypoint[] {
  const at: Record<string, [number, number]> = {
    nose: [100, 60], left_eye: [108, 52], right_eye: [92, 52], left_ear: [118, 56], right_ear: [82, 56],
    left_shoulder: [130, 100], right_shoulder: [70, 100], left_elbow: [140, 140], right_elbow: [60, 140],
    left_wrist: [145, 180], right_wrist: [55, 180], left_hip: [120, 190], right_hip: [80, 190],
    left_knee: [120, 250], right_knee: [80, 250], left_ankle: [120, 310], right_ankle: [80, 310],
  };
  return COCO_KEYPOINTS.map((name) => overrides[name] ?? { x: at[name][0], y: at[name][1], score: 0.9 });
}

test('all 21 names, COCO points passed through unchanged', () => {
  const coco = frontal();
  const body = toBody21(coco);
  assert.deepEqual(Object.keys(body).sort(), [...BODY21_KEYPOINTS].sort());
  COCO_KEYPOINTS.forEach((name, i) => assert.deepEqual(body[name], coco[i]));
});

test('derived points sit where anatomy puts them', () => {
  const b = toBody21(frontal());
  // neck: between the shoulders, a little above them, below the chin
  assert.ok(Math.abs(b.neck.x - 100) < 1);
  assert.ok(b.neck.y < 100 && b.neck.y > b.nose.y);
  // top of head: above the eyes by roughly half a head, on the body axis
  assert.ok(b.top_head.y < b.left_eye.y - 10 && b.top_head.y > 0);
  assert.ok(Math.abs(b.top_head.x - 100) < 1);
  // mouth: below the nose, left corner on the person's left (viewer's right)
  assert.ok(b.left_mouth_corner.y > b.nose.y && b.right_mouth_corner.y > b.nose.y);
  assert.ok(b.left_mouth_corner.x > b.right_mouth_corner.x);
});

test('derived scores follow their sources and never exceed them', () => {
  const b = toBody21(frontal());
  for (const name of ['neck', 'top_head', 'left_mouth_corner', 'right_mouth_corner'] as const) {
    assert.ok(b[name].score > 0.5 && b[name].score <= 0.9, `${name} ${b[name].score}`);
  }
  const weakFace = toBody21(
    frontal({ nose: { x: 100, y: 60, score: 0.05 }, left_eye: { x: 108, y: 52, score: 0.05 }, right_eye: { x: 92, y: 52, score: 0.05 } }),
  );
  assert.ok(weakFace.left_mouth_corner.score < 0.1);
});

test('a tilted body tilts top_head and neck with it', () => {
  // Rotate the whole person 90° clockwise (lying down, head to the right).
  const rotated = frontal().map((p) => ({ x: 400 - p.y, y: p.x, score: p.score }));
  const b = toBody21(rotated);
  assert.ok(b.top_head.x > b.nose.x + 10, 'top of head is further along the body axis than the nose');
  assert.ok(b.neck.x < b.nose.x);
});
