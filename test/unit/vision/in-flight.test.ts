/** mapInFlight: order kept, never more than the limit in flight, and a failure stops new calls. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mapInFlight } from '../../../src/vision/in-flight.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapInFlight', () => {
  test('answers in the items\' order with at most `limit` calls running', async () => {
    let running = 0;
    let most = 0;
    const out = await mapInFlight([5, 1, 4, 2, 3, 0, 6, 7, 8, 9], async (v, i) => {
      running++;
      most = Math.max(most, running);
      await tick(v * 3);
      running--;
      return `${i}:${v}`;
    }, 3);
    assert.deepEqual(out, ['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6', '7:7', '8:8', '9:9']);
    assert.equal(most, 3);
    assert.deepEqual(await mapInFlight([], async () => 1), []);
  });

  test('after a failure no further call starts; the first failure rejects once the started ones have settled', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    await assert.rejects(
      mapInFlight([0, 1, 2, 3, 4, 5, 6, 7], async (v) => {
        started.push(v);
        await tick(v === 1 ? 1 : 20);
        settled.push(v);
        if (v === 1) throw new Error('run 1 failed');
        return v;
      }, 3),
      /run 1 failed/,
    );
    assert.deepEqual(started, [0, 1, 2], 'nothing started after the failure');
    assert.deepEqual([...settled].sort(), [0, 1, 2], 'every started call settled before the rejection');
  });
});
