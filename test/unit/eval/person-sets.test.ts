/** Box matching of the persons suite: per-detection labels and the counts built from them (no data needed). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labelBoxes, matchBoxes, type GtBox } from '../../../eval/person-sets.js';

const box = (left: number, top: number, width = 40, height = 100) => ({ left, top, width, height });

describe('person-set box matching', () => {
  const gts: GtBox[] = [
    { box: box(0, 0), ignore: false },
    { box: box(200, 0), ignore: false },
    { box: box(400, 0, 20, 20), ignore: true }, // a person under the height cut
    { box: box(600, 0, 200, 200), ignore: true, crowd: true },
  ];
  const dts = [
    { box: box(2, 0), score: 0.5 }, // the first person, found twice: the weaker copy is a false positive
    { box: box(0, 2), score: 0.9 },
    { box: box(400, 0, 20, 20), score: 0.8 }, // on the ignore region: dropped
    { box: box(650, 50, 30, 30), score: 0.7 }, // inside the crowd region: dropped
    { box: box(1000, 0), score: 0.6 }, // nobody there
  ];

  test('labels follow descending score, each person matched once', () => {
    const labels = labelBoxes(dts, gts);
    assert.deepEqual(labels.map((l) => [l.dt.score, l.label]), [[0.9, 1], [0.8, null], [0.7, null], [0.6, 0], [0.5, 0]]);
  });

  test('counts agree with the labels; the missed person stays in gt', () => {
    assert.deepEqual(matchBoxes(dts, gts), { tp: 1, fp: 2, gt: 2 });
    assert.deepEqual(matchBoxes([], gts), { tp: 0, fp: 0, gt: 2 });
  });
});
