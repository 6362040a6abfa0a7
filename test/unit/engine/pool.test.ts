/**
 * The worker pool's queue on a hard day: a call waiting past its deadline is shed with
 * `overloaded` (Baidu 4) and never reaches a worker; a call whose caller has gone is dropped;
 * a full queue answers `overloaded` too. One real worker running the real body_analysis models.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createEnginePool, type EnginePool } from '../../../src/engine/pool.js';
import { ServiceError } from '../../../src/errors.js';
import { baiduCode } from '../../../src/api/baidu/errors.js';
import { BAIDU_INTAKE } from '../../../src/intake/index.js';
import { fixture } from '../../helpers/helpers.js';

const skier = readFileSync(fixture('coco-000000000785.jpg'));
const input = () => ({ bytes: new Uint8Array(skier), intake: BAIDU_INTAKE });
let pool: EnginePool;

const isOverloaded = (err: unknown) => {
  assert.ok(err instanceof ServiceError, String(err));
  assert.equal(err.kind, 'overloaded');
  assert.equal(baiduCode(err.kind), 4);
  return true;
};

before(async () => {
  pool = createEnginePool({ capabilities: ['body_analysis'], workers: 1, threads: 1, warmup: false, queueTimeoutMs: 30, maxQueue: 4 });
  await pool.ready;
  await pool.run('body_analysis', input()); // the first call loads the session's kernels
});

after(() => pool?.close());

describe('engine pool queue', () => {
  test('past its queue deadline a call is shed with 4 and never reaches the worker', async () => {
    const before = pool.stats();
    const started = Date.now();
    const first = pool.run('body_analysis', input());
    const waiting = [pool.run('body_analysis', input()), pool.run('body_analysis', input())];
    const settled = await Promise.allSettled(waiting);
    const elapsed = Date.now() - started;
    assert.ok((await first).persons.length >= 1, 'the running call still answers');
    const after = pool.stats();
    // A waiter runs only if a worker frees within 30 ms; the second waiter needs two runs to end
    // first, which no machine does in 30 ms, so at least it is shed.
    const rejected = settled.filter((s) => s.status === 'rejected') as PromiseRejectedResult[];
    rejected.forEach((s) => isOverloaded(s.reason));
    assert.ok(rejected.length >= 1, 'a waiter past its deadline is shed');
    assert.ok(elapsed >= 25, `shed after ${elapsed} ms`);
    assert.equal(after.shed - before.shed, rejected.length);
    assert.equal(after.dispatched - before.dispatched, 1 + (settled.length - rejected.length), 'shed calls never ran');
    assert.equal(after.queued, 0);
  });

  test('a caller that has gone is dropped from the queue; a gone caller is never queued', async () => {
    const before = pool.stats();
    const first = pool.run('body_analysis', input());
    const controller = new AbortController();
    const gone = pool.run('body_analysis', input(), undefined, { signal: controller.signal });
    controller.abort();
    await assert.rejects(gone, isOverloaded);
    await assert.rejects(pool.run('body_analysis', input(), undefined, { signal: AbortSignal.abort() }), isOverloaded);
    await first;
    assert.equal(pool.stats().dispatched - before.dispatched, 1);
  });

  test('a full queue answers 4 at once', async () => {
    const first = pool.run('body_analysis', input());
    const queued = [1, 2, 3, 4].map(() => pool.run('body_analysis', input()).catch((e) => e));
    await assert.rejects(pool.run('body_analysis', input()), (err) => isOverloaded(err) && /queued/.test((err as ServiceError).detail ?? ''));
    await first;
    await Promise.all(queued);
  });

  test('draw answers the result and its picture, drawn in the worker, equal to the run', async () => {
    const ran = await pool.run('body_analysis', input());
    const drawn = await pool.draw('body_analysis', input());
    assert.deepEqual(drawn.result, ran);
    assert.equal(drawn.renderError, undefined);
    assert.ok(drawn.picture, 'body_analysis draws a picture');
    // A PNG at the photo's size (640 x 425): signature, then IHDR width and height.
    const png = Buffer.from(drawn.picture);
    assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [640, 425]);
  });
});
