/** The counting suite's ground-truth rule for MOT17 and its error measures (no data needed). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { countErrors, motHeads, type CountSample } from '../../../eval/counting.js';

// frame, id, x, y, w, h, consider, class, visibility (MOT17 gt.txt, 1-based x/y)
const rows = [
  [1, 1, 101, 201, 50, 150, 1, 1, 0.9], // scored pedestrian
  [1, 2, 301, 201, 50, 150, 1, 1, 0.1], // below the visibility cut: optional
  [1, 3, 501, 201, 50, 150, 0, 1, 0.9], // not considered: optional
  [1, 4, 701, 201, 50, 150, 0, 7, 1.0], // static person: optional
  [1, 5, 901, 201, 50, 150, 0, 3, 1.0], // a car: not a person
  [1, 6, 1890, 201, 80, 150, 1, 1, 0.5], // box cut by the right border, head (x 1929) outside: not counted
  [1, 7, -20, 900, 60, 300, 1, 1, 0.5], // cut at the left and bottom, head inside: counted
  [2, 8, 101, 201, 50, 150, 1, 1, 0.9], // another frame
];

describe('counting ground truth', () => {
  test('MOT17: scored pedestrians whose head is in the frame; other people are optional', () => {
    const { heads, optional } = motHeads(rows, 1, { width: 1920, height: 1080 });
    assert.deepEqual(heads.map((h) => Math.round(h.x)), [125, 9]);
    assert.equal(optional, 3);
  });

  test('errors: MAE, relative error, bias, and the distance to the optional range', () => {
    const samples: CountSample[] = [
      { name: 'a', path: '', count: 10, heads: [], optional: 4, optionalHeads: [] },
      { name: 'b', path: '', count: 0, heads: [], optional: 0, optionalHeads: [] },
    ];
    const e = countErrors([13, 2], samples);
    assert.equal(e.mae, 2.5);
    assert.equal(e.rel_error, (0.3 + 2) / 2);
    assert.equal(e.bias, 2.5);
    assert.equal(e.rel_error_range, (0 + 2) / 2); // 13 lies within 10..14
    assert.equal(countErrors([8], samples.slice(0, 1)).rel_error_range, 0.2);
  });
});
