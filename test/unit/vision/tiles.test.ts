import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { countFor, planWindows, spread, tileLevel, wholeImageWindow } from '../../../src/vision/tiles.js';
import { tilePlanFor, DEFAULT_PERSON_FINDER_OPTIONS } from '../../../src/vision/person-finder.js';

describe('tiles', () => {
  test('the whole image is one square window at the top left', () => {
    assert.deepEqual(wholeImageWindow(640, 480), { x: 0, y: 0, width: 640, height: 640 });
  });

  test('tiles cover the image edge to edge with at least the requested overlap', () => {
    for (const [w, h, k] of [[1920, 1080, 2], [640, 480, 1], [640, 480, 3], [500, 2000, 2]] as const) {
      const tiles = tileLevel(w, h, k, 0.25);
      const xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
      const ys = [...new Set(tiles.map((t) => t.y))].sort((a, b) => a - b);
      const side = tiles[0].width;
      assert.equal(xs[0], 0);
      assert.ok(Math.abs(xs[xs.length - 1] + side - w) < 1e-6);
      assert.ok(Math.abs(ys[ys.length - 1] + side - h) < 1e-6);
      for (let i = 1; i < xs.length; i++) assert.ok(xs[i] - xs[i - 1] <= side * 0.75 + 1e-6, `x overlap ${w}x${h} k${k}`);
      for (let i = 1; i < ys.length; i++) assert.ok(ys[i] - ys[i - 1] <= side * 0.75 + 1e-6, `y overlap ${w}x${h} k${k}`);
    }
  });

  test('1080p at level 2 gives 4 x 2 tiles of 617 px', () => {
    const tiles = tileLevel(1920, 1080, 2, 0.25);
    assert.equal(tiles.length, 8);
    assert.ok(Math.abs(tiles[0].width - 1080 / 1.75) < 1e-9);
  });

  test('helpers', () => {
    assert.equal(countFor(100, 200, 0.25), 1);
    assert.deepEqual(spread(100, 50, 3), [0, 25, 50]);
    assert.equal(planWindows(640, 480, { whole: true, levels: [1], overlap: 0.25 }).length, 3);
  });

  test('photos run whole-image only; 1080p frames get the 617 px tiles', () => {
    assert.deepEqual(tilePlanFor(640, 480, DEFAULT_PERSON_FINDER_OPTIONS).levels, []);
    assert.deepEqual(tilePlanFor(1920, 1080, DEFAULT_PERSON_FINDER_OPTIONS).levels, [2]);
  });
});
