/**
 * Lending model runs to idle workers (src/engine/assist.ts): the answers are the model's own,
 * a busy or absent helper is never used, a helper that goes away gives its runs back, and a real
 * two-worker pool answers exactly what the in-process engine answers while lending runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { Assist, createAssistShared, markBusy, type AssistShared } from '../../../src/engine/assist.js';
import { createEnginePool } from '../../../src/engine/pool.js';
import { createInProcessEngine } from '../../../src/engine/in-process.js';
import { loadModel, type Model } from '../../../src/runtime/session.js';
import { loadConfig } from '../../../src/config.js';
import { fixture } from '../../helpers/helpers.js';

const SHAPE = [1, 192, 192, 3] as const;
/** Distinct, deterministic inputs (a gradient shifted per index), so a mixed-up answer shows. */
const input = (k: number) => Float32Array.from({ length: 192 * 192 * 3 }, (_, i) => ((i * 7 + k * 1013) % 256));

let lightning: Model;
before(async () => {
  lightning = await loadModel('movenet-lightning', { threads: 1 });
});
after(() => lightning?.release());

/** Worker 0 lends to worker 1 over a real channel, both in this thread. */
function pair(helperLocal: (name: string) => Promise<Model> = async () => lightning): { shared: AssistShared; lender: Assist; helper: Assist; close(): void } {
  const shared = createAssistShared(2);
  const lender = new Assist(shared, 0, async () => lightning);
  const helper = new Assist(shared, 1, helperLocal);
  const { port1, port2 } = new MessageChannel();
  lender.addPeer(1, port1);
  helper.addPeer(0, port2);
  return { shared, lender, helper, close: () => port1.close() };
}

const runAll = (m: Model, ks: number[]) => Promise.all(ks.map((k) => m.run(input(k), SHAPE)));

describe('assist: lending runs between workers', () => {
  test('runs issued together are shared with an idle helper; every answer is the model\'s own, in order', async () => {
    const { lender, helper, close } = pair();
    const wrapped = lender.wrap(lightning, 'movenet-lightning');
    const ks = [0, 1, 2, 3, 4, 5];
    const got = await runAll(wrapped, ks);
    const want = await runAll(lightning, ks);
    assert.deepEqual(got.map((o) => Array.from(o.kpt_heatmap.data.slice(0, 64))), want.map((o) => Array.from(o.kpt_heatmap.data.slice(0, 64))));
    got.forEach((o, i) => assert.deepEqual(o.kpt_heatmap.data, want[i].kpt_heatmap.data, `run ${i}`));
    assert.ok(lender.counts.lent >= 1, `lent ${lender.counts.lent}`);
    assert.ok(lender.counts.lent < ks.length, 'the lender keeps runs for itself');
    assert.equal(helper.counts.helped + lender.counts.takenBack, lender.counts.lent, 'each lent run ran once: in the helper or taken back');
    close();
  });

  test('runs a slow helper has not started are taken back when the lender runs dry, and answered once', async () => {
    // The helper's model arrives late (its core busy elsewhere): the lender runs out of its own
    // work first and takes the lent runs back; the helper then skips them.
    const { lender, helper, close } = pair(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return lightning;
    });
    const wrapped = lender.wrap(lightning, 'movenet-lightning');
    const ks = [0, 1, 2, 3];
    const got = await runAll(wrapped, ks);
    const want = await runAll(lightning, ks);
    got.forEach((o, i) => assert.deepEqual(o.kpt_heatmap.data, want[i].kpt_heatmap.data, `run ${i}`));
    assert.ok(lender.counts.lent >= 1);
    assert.equal(lender.counts.takenBack, lender.counts.lent, 'every lent run came back unstarted');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(helper.counts.helped, 0, 'the helper skipped what was taken back');
    close();
  });

  test('a run issued alone is not lent; a busy helper is lent nothing', async () => {
    const { shared, lender, close } = pair();
    const wrapped = lender.wrap(lightning, 'movenet-lightning');
    await wrapped.run(input(9), SHAPE);
    assert.equal(lender.counts.lent, 0, 'one run: nothing to share');
    markBusy(shared, 1, true);
    await runAll(wrapped, [0, 1, 2, 3]);
    assert.equal(lender.counts.lent, 0, 'the helper has a call of its own');
    markBusy(shared, 1, false);
    await runAll(wrapped, [0, 1, 2, 3]);
    assert.ok(lender.counts.lent >= 1);
    close();
  });

  test('a helper that goes away gives its runs back: they run here and answer right', async () => {
    const { lender, close } = pair();
    const wrapped = lender.wrap(lightning, 'movenet-lightning');
    const pending = runAll(wrapped, [0, 1, 2, 3, 4]);
    // The first runs are lent when the queue drains (next turn); the channel closes right after.
    await new Promise((r) => setImmediate(r));
    close();
    const got = await pending;
    const want = await runAll(lightning, [0, 1, 2, 3, 4]);
    got.forEach((o, i) => assert.deepEqual(o.kpt_heatmap.data, want[i].kpt_heatmap.data, `run ${i}`));
    assert.ok(lender.counts.lent >= 1, 'runs were lent before the channel closed');
    // The helper may still run what reached it, but its answers have nowhere to go.
    assert.ok(lender.counts.reclaimed >= 1 && lender.counts.reclaimed <= lender.counts.lent, `reclaimed ${lender.counts.reclaimed} of ${lender.counts.lent}`);
  });

  test('a run that fails in the helper rejects the caller with the helper\'s reason', async () => {
    const { lender, close } = pair(async (name) => {
      throw new Error(`model ${name} is not loaded here`);
    });
    const wrapped = lender.wrap(lightning, 'movenet-lightning');
    const settled = await Promise.allSettled([0, 1, 2].map((k) => wrapped.run(input(k), SHAPE)));
    const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    assert.equal(failed.length, lender.counts.lent);
    assert.ok(failed.length >= 1);
    for (const f of failed) assert.match(String(f.reason), /lent model run failed in worker 1: model movenet-lightning is not loaded here/);
    close();
  });
});

describe('assist: the setting', () => {
  test('BODYLENS_LEND_RUNS is on unless set off; anything else is refused at start-up', () => {
    assert.equal(loadConfig({}).lendRuns, true);
    assert.equal(loadConfig({ BODYLENS_LEND_RUNS: ' OFF ' }).lendRuns, false);
    assert.equal(loadConfig({ BODYLENS_LEND_RUNS: 'on' }).lendRuns, true);
    assert.throws(() => loadConfig({ BODYLENS_LEND_RUNS: 'yes' }), /BODYLENS_LEND_RUNS must be on or off, got "yes"/);
  });
});

describe('assist: a real two-worker pool', () => {
  const photo = () => ({ bytes: new Uint8Array(readFileSync(fixture('hands-four.jpg'))) });

  test('one call at a time: runs are lent and the answer equals the in-process engine\'s; off, nothing is lent', async () => {
    const inProcess = createInProcessEngine({ capabilities: ['body_detection'] });
    const lending = createEnginePool({ capabilities: ['body_detection'], workers: 2, threads: 1, warmup: false });
    const alone = createEnginePool({ capabilities: ['body_detection'], workers: 2, threads: 1, warmup: false, lendRuns: false });
    try {
      await Promise.all([inProcess.ready, lending.ready, alone.ready]);
      const want = await inProcess.run('body_detection', photo());
      assert.ok(want.persons.length >= 2, `people ${want.persons.length}`);
      assert.deepEqual(await lending.run('body_detection', photo()), want);
      assert.ok(lending.stats().lentRuns >= 4, `lent ${lending.stats().lentRuns}`);
      // Two calls at once: both workers busy, each answers its own.
      const both = await Promise.all([lending.run('body_detection', photo()), lending.run('body_detection', photo())]);
      both.forEach((r) => assert.deepEqual(r, want));
      assert.deepEqual(await alone.run('body_detection', photo()), want);
      assert.equal(alone.stats().lentRuns, 0);
    } finally {
      await Promise.all([inProcess.close(), lending.close(), alone.close()]);
    }
  });
});
