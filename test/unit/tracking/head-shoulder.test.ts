/** The head-shoulder box of a found person, and the show drawing's colours. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { headShoulderBox } from '../../../src/vision/head-shoulder.js';
import { renderTracking, trackColour } from '../../../src/render/tracking.js';
import type { Keypoint } from '../../../src/types.js';

const kp = (x: number, y: number, score = 0.9): Keypoint => ({ x, y, score });

describe('headShoulderBox', () => {
  test('without keypoints: the top of the person box, as tall as it is wide (at most the box)', () => {
    assert.deepEqual(headShoulderBox({ box: { left: 10, top: 20, width: 40, height: 120 } }), { left: 10, top: 20, width: 40, height: 36 });
    assert.deepEqual(headShoulderBox({ box: { left: 0, top: 0, width: 100, height: 60 } }), { left: 0, top: 0, width: 100, height: 60 });
  });
  test('with shoulders: spans head and shoulders with a margin, inside the person box', () => {
    const keypoints = Array.from({ length: 17 }, () => kp(0, 0, 0));
    keypoints[0] = kp(50, 40); // nose
    keypoints[1] = kp(46, 36);
    keypoints[2] = kp(54, 36);
    keypoints[5] = kp(30, 70); // shoulders
    keypoints[6] = kp(70, 70);
    const b = headShoulderBox({ box: { left: 10, top: 5, width: 80, height: 200 }, keypoints });
    assert.ok(b.left < 30 && b.left + b.width > 70, JSON.stringify(b));
    assert.ok(b.top < 36 && b.top >= 5, JSON.stringify(b));
    assert.ok(b.top + b.height > 70 && b.top + b.height < 100, JSON.stringify(b));
  });
  test('weak shoulders fall back to the box rule', () => {
    const keypoints = Array.from({ length: 17 }, () => kp(50, 50, 0.1));
    assert.deepEqual(headShoulderBox({ box: { left: 0, top: 0, width: 40, height: 120 }, keypoints }), { left: 0, top: 0, width: 40, height: 36 });
  });
});

describe('show drawing', () => {
  test('a new track is red, a confirmed one is not; the output is a JPEG of the frame size', async () => {
    assert.equal(trackColour(3, false), '#ff0000');
    assert.notEqual(trackColour(3, true), '#ff0000');
    assert.notEqual(trackColour(1, true), trackColour(2, true));
    const image = { width: 1200, height: 600, data: new Uint8Array(1200 * 600 * 3).fill(128) };
    const jpeg = await renderTracking(image, { boxes: [{ box: { left: 20, top: 20, width: 40, height: 40 }, confirmed: false }], areas: [], lines: [], legend: [] });
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [1200, 600]);
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const [r, g, b] = at(20, 40);
    assert.ok(r > 180 && g < 90 && b < 90, `box edge ${[r, g, b]}`);
    assert.deepEqual(at(600, 400).map((v) => Math.abs(v - 128) < 8), [true, true, true]);
  });
});
