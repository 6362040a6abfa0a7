import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCenternet, decodeNanodetLevel, hwcToChw } from '../../../src/vision/detectors.js';
import { decodeInBox } from '../../../src/vision/top-down.js';

describe('detector decoding', () => {
  test('NanoDet: the expected bin times the stride is each side distance', () => {
    const grid = 2, stride = 8, bins = 11;
    const cls = new Float32Array(grid * grid * 80);
    cls[3 * 80] = 0.9; // cell (row 1, col 1), person
    cls[0 * 80 + 5] = 0.9; // another class: ignored
    const reg = new Float32Array(grid * grid * 4 * bins).fill(-50);
    // cell 3: left bin 2, top bin 1, right bin 3, bottom bin 4 (one-hot logits)
    [2, 1, 3, 4].forEach((b, side) => { reg[(3 * 4 + side) * bins + b] = 50; });
    const out = decodeNanodetLevel(cls, reg, grid, stride, 0.5);
    assert.equal(out.length, 1);
    const cx = 1.5 * stride, cy = 1.5 * stride;
    assert.deepEqual([out[0].x1, out[0].y1, out[0].x2, out[0].y2].map((v) => Math.round(v * 1000) / 1000), [cx - 16, cy - 8, cx + 24, cy + 32]);
  });

  test('CenterNet: only 3x3 peaks of the person channel become boxes', () => {
    const grid = 4;
    const heat = new Float32Array(grid * grid * 80);
    heat[(1 * grid + 1) * 80] = 0.8;
    heat[(1 * grid + 2) * 80] = 0.5; // neighbour of the peak: not a peak
    heat[(3 * grid + 3) * 80] = 0.6;
    const wh = new Float32Array(grid * grid * 4).fill(2);
    const out = decodeCenternet(heat, wh, grid, 4, 0.3);
    assert.equal(out.length, 2);
    assert.deepEqual([out[0].x1, out[0].y1, out[0].x2, out[0].y2], [2, 2, 6, 6]);
  });

  test('hwcToChw', () => {
    assert.deepEqual([...hwcToChw(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 2)], [1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12]);
  });
});

describe('top-down decoding tied to the box', () => {
  test('a second, stronger person centre outside the box does not take over', () => {
    const n = 16, K = 17;
    const center = new Float32Array(n * n);
    const heat = new Float32Array(n * n * K);
    const regress = new Float32Array(n * n * K * 2);
    const offset = new Float32Array(n * n * K * 2);
    center[8 * n + 8] = 0.4; // ours, in the box
    center[8 * n + 13] = 0.95; // neighbour, right of the box
    // Our keypoints regress to (8, 7); the neighbour's heat is stronger at (8, 13).
    for (let k = 0; k < K; k++) {
      regress[(8 * n + 8) * K * 2 + 2 * k + 1] = -1;
      heat[(8 * n + 7) * K + k] = 0.5;
      heat[(8 * n + 13) * K + k] = 0.9;
    }
    const kps = decodeInBox({ n, heat, center, regress, offset }, { x0: 5, y0: 3, x1: 11, y1: 13 }, { keypointSlack: 0.1, centreInset: 0.15 });
    for (const k of kps) assert.deepEqual([k.x, k.y, k.score], [7, 8, 0.5]);
  });
});

describe('flip test helpers', () => {
  test('mirror flips columns; averageMirrored pairs left and right channels', async () => {
    const { mirror, averageMirrored } = await import('../../../src/vision/top-down.js');
    // 2x2 RGB: pixel values = column index
    const t = Float32Array.from([0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1]);
    assert.deepEqual([...mirror(t, 2)], [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    // columns mirrored (n = 2, one channel) ...
    assert.deepEqual([...averageMirrored(Float32Array.from([1, 2, 3, 4]), Float32Array.from([10, 20, 30, 40]), 2, 1, [0])], [10.5, 6, 21.5, 17]);
    // ... and channels paired (n = 1, left/right swapped)
    assert.deepEqual([...averageMirrored(Float32Array.from([1, 0]), Float32Array.from([0, 1]), 1, 2, [1, 0])], [1, 0]);
  });
});
