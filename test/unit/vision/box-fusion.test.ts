import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { boxIos, couldSee, fuseBoxes, isCut, nms, type RunBox } from '../../../src/vision/box-fusion.js';

const box = (left: number, top: number, width: number, height: number) => ({ left, top, width, height });
const image = { width: 1000, height: 500 };
const whole = { x: 0, y: 0, width: 1000, height: 1000 };
const leftTile = { x: 0, y: 0, width: 500, height: 500 };
const rightTile = { x: 400, y: 0, width: 500, height: 500 };

describe('box fusion', () => {
  test('nms keeps the stronger of two near-identical boxes and both of two distinct ones', () => {
    const kept = nms([{ box: box(0, 0, 10, 20), score: 0.5 }, { box: box(1, 0, 10, 20), score: 0.9 }, { box: box(50, 0, 10, 20), score: 0.3 }], 0.5);
    assert.deepEqual(kept.map((k) => k.score), [0.9, 0.3]);
  });

  test('boxIos is 1 for a box inside another', () => {
    assert.equal(boxIos(box(0, 0, 100, 100), box(10, 10, 20, 20)), 1);
    assert.equal(boxIos(box(0, 0, 10, 10), box(20, 20, 5, 5)), 0);
  });

  test('a box at an inner tile edge is cut; at the image border it is not', () => {
    assert.equal(isCut(box(480, 100, 20, 80), leftTile, image), true); // right edge of the left tile is inside the image
    assert.equal(isCut(box(0, 100, 20, 80), leftTile, image), false); // left edge is the image border
    assert.equal(isCut(box(400, 100, 20, 80), whole, image), false);
  });

  test('a person across a seam becomes one box with the whole view’s coordinates', () => {
    const person = box(450, 100, 100, 250);
    const boxes: RunBox[] = [
      { box: person, score: 0.8, window: whole, run: 0 },
      // The left tile sees only the part left of x=500: a cut fragment.
      { box: box(450, 100, 49, 250), score: 0.6, window: leftTile, run: 1 },
      { box: box(452, 102, 98, 246), score: 0.7, window: rightTile, run: 2 },
    ];
    const fused = fuseBoxes(boxes, [{ window: whole }, { window: leftTile }, { window: rightTile }], image);
    assert.equal(fused.length, 1);
    assert.equal(fused[0].votes, 3);
    assert.ok(Math.abs(fused[0].box.width - 99) < 2, `width ${fused[0].box.width}`);
  });

  test('two overlapping people stay two', () => {
    const boxes: RunBox[] = [
      { box: box(100, 100, 100, 250), score: 0.9, window: whole, run: 0 },
      { box: box(160, 110, 100, 250), score: 0.8, window: whole, run: 0 },
      { box: box(101, 99, 100, 252), score: 0.7, window: leftTile, run: 1 },
      { box: box(158, 112, 100, 248), score: 0.6, window: leftTile, run: 1 },
    ];
    const fused = fuseBoxes(boxes, [{ window: whole }, { window: leftTile }], image);
    assert.equal(fused.length, 2);
  });

  test('support counts the runs that could see the box', () => {
    const boxes: RunBox[] = [{ box: box(100, 100, 50, 100), score: 0.8, window: leftTile, run: 1 }];
    const runs = [{ window: whole }, { window: leftTile }, { window: rightTile }];
    const [f] = fuseBoxes(boxes, runs, image);
    // whole and left tile hold it, the right tile does not: 0.8 / 2.
    assert.ok(Math.abs(f.support - 0.4) < 1e-9);
    assert.equal(couldSee({ window: rightTile }, f.box, 0), false);
    // A run where the box is under minSeenPx model pixels tall does not count.
    assert.equal(couldSee({ window: whole, side: 416 }, box(100, 100, 20, 60), 40), false);
  });
});
