/** The driver suite's tuning pieces (logistic fit, threshold for a precision) and IR-like copies (no data needed). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { infraredLike, thresholdFor } from '../../../eval/driver.js';
import { fitLogistic } from '../../../eval/logistic.js';

describe('driver suite helpers', () => {
  test('fitLogistic recovers the direction and the boundary of a noisy 1-D split', () => {
    // Labels flip at x = 0.3, with two mislabelled points so the fit stays finite.
    const xs = Array.from({ length: 40 }, (_, i) => i / 40);
    const labels = xs.map((x, i) => (i === 5 || i === 30 ? Number(x < 0.3) : Number(x >= 0.3)));
    const [bias, w] = fitLogistic(xs.map((x) => [x]), labels);
    assert.ok(w > 0, `weight ${w}`);
    const boundary = -bias / w;
    assert.ok(Math.abs(boundary - 0.3) < 0.08, `boundary ${boundary}`);
  });

  test('thresholdFor: the best recall at the target precision, else the best F1', () => {
    const scores = [0.1, 0.2, 0.35, 0.4, 0.6, 0.7, 0.8, 0.9];
    const labels = [0, 0, 1, 0, 1, 1, 1, 1];
    const t = thresholdFor(scores, labels, 1);
    assert.ok(t > 0.4 && t <= 0.6, String(t)); // above the 0.4 negative, keeps 4 of 5 positives
    assert.ok(thresholdFor(scores, labels, 0.8) <= 0.35);
  });

  test('infraredLike: grey, same size, deterministic, darks lifted and brights kept in range', () => {
    const image = { width: 2, height: 1, data: new Uint8Array([200, 30, 30, 20, 20, 200]) };
    const a = infraredLike(image), b = infraredLike(image);
    assert.deepEqual(a, b);
    assert.equal(a.data.length, 6);
    assert.equal(a.data[0], a.data[1]);
    assert.equal(a.data[1], a.data[2]);
    assert.ok(a.data.every((v) => v >= 0 && v <= 255));
  });
});
