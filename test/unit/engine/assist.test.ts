/**
 * Lending model runs to idle workers (src/engine/assist.ts): the answers are the model's own,
 * a busy or absent helper is never used, a helper that goes away gives its runs back, and a real
 * two-worker pool answers exactly what the in-process engine answers while lending runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { Assist, createAssistShared, markBusy, type AssistShared, type LocalRun } from '../../../src/engine/assist.js';
import { createEnginePool } from '../../../src/engine/pool.js';
import { createInProcessEngine } from '../../../src/engine/in-process.js';
import { loadModel, RunLane, type Model } from '../../../src/runtime/session.js';
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

/** Worker 0 lends to worker 1 over a real channel, both in this thread; the helper runs on its own lane, after `gate` when given. */
function pair(gate?: () => Promise<void>): { shared: AssistShared; lender: Assist; helper: Assist; close(): void } {
  const shared = createAssistShared(2);
  const lane = new RunLane();
  const helperRun: LocalRun = async (_name, input, shape, start) => {
    await gate?.();
    return lane.run(lightning, input, shape, start);
  };
  const lender = new Assist(shared, 0, async (_n, input, shape, start) => lane.run(lightning, input, shape, start));
  const helper = new Assist(shared, 1, helperRun);
  const { port1, port2 } = new MessageChannel();
  lender.addPeer(1, port1);
  helper.addPeer(0, port2);
  return { shared, lender, helper, close: () => port1.close() };
}

const runAll = (m: Model, ks: number[]) => Promise.all(ks.map((k) => m.run(input(k), SHAPE)));
/** Worker 1's count of runs lent to it and not yet done, once it has settled back to 0 (or after 5 s). */
async function lentSettles(shared: AssistShared): Promise<number> {
  for (let i = 0; i < 500 && Atomics.load(shared.state, shared.workers + 1) !== 0; i++) await new Promise((r) => setTimeout(r, 10));
  return Atomics.load(shared.state, shared.workers + 1);
}

describe('assist: lending runs between workers', () => {
  test('runs issued together are shared with an idle helper; every answer is the model\'s own, in order', async () => {
    const { shared, lender, helper, close } = pair();
    const wrapped = lender.wrap(lightning, 'movenet-lightning');
    const ks = [0, 1, 2, 3, 4, 5];
    const got = await runAll(wrapped, ks);
    const want = await runAll(lightning, ks);
    got.forEach((o, i) => assert.deepEqual(o.kpt_heatmap.data, want[i].kpt_heatmap.data, `run ${i}`));
    assert.ok(lender.counts.lent >= 1, `lent ${lender.counts.lent}`);
    assert.ok(lender.counts.lent < ks.length, 'the lender keeps runs for itself');
    assert.equal(helper.counts.helped + lender.counts.takenBack, lender.counts.lent, 'each lent run ran once: in the helper or taken back');
    assert.equal(lender.counts.ranByPeer, helper.counts.helped);
    assert.equal(await lentSettles(shared), 0, 'the helper has room again');
    close();
  });

  test('runs a slow helper has not started are taken back when the lender runs dry, and answered once', async () => {
    // The helper cannot start (its core busy elsewhere) until the test opens the gate: the lender
    // runs out of its own work first and takes the lent runs back; the helper then skips them.
    let open!: () => void;
    const gateOpen = new Promise<void>((r) => (open = r));
    const { shared, lender, helper, close } = pair(() => gateOpen);
    const wrapped = lender.wrap(lightning, 'movenet-lightning');
    const ks = [0, 1, 2, 3];
    const got = await runAll(wrapped, ks);
    const want = await runAll(lightning, ks);
    got.forEach((o, i) => assert.deepEqual(o.kpt_heatmap.data, want[i].kpt_heatmap.data, `run ${i}`));
    assert.ok(lender.counts.lent >= 1);
    assert.equal(lender.counts.takenBack, lender.counts.lent, 'every lent run came back unstarted');
    open();
    assert.equal(await lentSettles(shared), 0, 'the helper went through them');
    assert.equal(helper.counts.helped, 0, 'and skipped what was taken back');
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

  test('a run that fails in the helper is run by the lender instead; a run that fails everywhere rejects with its own error', async () => {
    const shared = createAssistShared(2);
    const lane = new RunLane();
    const lender = new Assist(shared, 0, async (_n, i, sh, start) => lane.run(lightning, i, sh, start));
    const helper = new Assist(shared, 1, async (name) => {
      throw new Error(`model ${name} is not loaded here`);
    });
    const { port1, port2 } = new MessageChannel();
    lender.addPeer(1, port1);
    helper.addPeer(0, port2);
    const wrapped = lender.wrap(lightning, 'movenet-lightning');
    const got = await runAll(wrapped, [0, 1, 2]);
    const want = await runAll(lightning, [0, 1, 2]);
    got.forEach((o, i) => assert.deepEqual(o.kpt_heatmap.data, want[i].kpt_heatmap.data, `run ${i}`));
    assert.ok(lender.counts.lent >= 1);
    assert.equal(lender.counts.reclaimed + lender.counts.takenBack, lender.counts.lent, 'each failed lent run ran here');
    assert.equal(lender.counts.ranByPeer, 0);
    // Runs that fail on the helper and on this worker too are the caller's failure, with this worker's reason.
    const before = lender.counts.lent;
    const broken = lender.wrap({ name: 'broken', release: async () => {}, run: async () => { throw new Error('bad input shape'); } }, 'broken');
    const settled = await Promise.allSettled([0, 1, 2].map((k) => broken.run(input(k), SHAPE)));
    assert.ok(lender.counts.lent > before, 'some were lent first');
    for (const s of settled) assert.ok(s.status === 'rejected' && /bad input shape/.test(String(s.reason)), String(s.status === 'rejected' ? s.reason : 'answered'));
    port1.close();
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
      assert.ok(lending.stats().lentRuns >= 1, `lent ${lending.stats().lentRuns}`);
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
