/** The case store: isolation between apps, idle expiry, reset, and arrival order of one case's frames. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../src/store/db.js';
import { CaseQueue, Cases, MemoryCaseStore, SqliteCaseStore, type CaseStore } from '../../../src/store/cases.js';

const kinds: Array<[string, (now: () => number) => CaseStore]> = [
  ['memory', (now) => new MemoryCaseStore({ idleSeconds: 60, now })],
  ['sqlite', (now) => new SqliteCaseStore(openDatabase(':memory:'), { idleSeconds: 60, now })],
];

for (const [kind, make] of kinds) {
  describe(`${kind} case store`, () => {
    test('one app never sees another app\'s case of the same id', async () => {
      const store = make(Date.now);
      await store.put({ appId: 'A', caseId: '1' }, { n: 1 });
      assert.deepEqual(await store.get({ appId: 'A', caseId: '1' }), { n: 1 });
      assert.equal(await store.get({ appId: 'B', caseId: '1' }), undefined);
      await store.put({ appId: 'B', caseId: '1' }, { n: 2 });
      await store.delete({ appId: 'B', caseId: '1' });
      assert.deepEqual(await store.get({ appId: 'A', caseId: '1' }), { n: 1 });
      // Keys are not concatenated strings: ("A1","") and ("A","1") differ.
      assert.equal(await store.get({ appId: 'A1', caseId: '' }), undefined);
    });

    test('an idle case expires; a used one does not', async () => {
      let now = 1_000_000;
      const store = make(() => now);
      await store.put({ appId: 'A', caseId: 'old' }, { v: 'old' });
      await store.put({ appId: 'A', caseId: 'used' }, { v: 1 });
      now += 45_000;
      await store.put({ appId: 'A', caseId: 'used' }, { v: 2 });
      now += 30_000; // 'old' idle 75 s > 60 s; 'used' idle 30 s
      assert.equal(await store.get({ appId: 'A', caseId: 'old' }), undefined);
      assert.deepEqual(await store.get({ appId: 'A', caseId: 'used' }), { v: 2 });
      await store.put({ appId: 'A', caseId: 'x' }, 1);
      now += 61_000;
      assert.equal(await store.sweep(), 2);
      assert.equal(await store.get({ appId: 'A', caseId: 'used' }), undefined);
    });

    test('state comes back as a copy, not the stored object', async () => {
      const store = make(Date.now);
      const state = { list: [1] };
      await store.put({ appId: 'A', caseId: '1' }, state);
      state.list.push(2);
      const read = (await store.get({ appId: 'A', caseId: '1' })) as { list: number[] };
      assert.deepEqual(read, { list: [1] });
    });
  });
}

describe('case queue', () => {
  test('frames of one case run one at a time in arrival order; other cases are not held up', async () => {
    const cases = new Cases(new MemoryCaseStore({ idleSeconds: 60 }));
    const key = { appId: 'A', caseId: '7' };
    const log: string[] = [];
    const step = (label: string, ms: number) => async (state: number[] | undefined) => {
      log.push(`start ${label}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${label}`);
      return { state: [...(state ?? []), Number(label)], result: [...(state ?? []), Number(label)] };
    };
    const other = cases.update({ appId: 'B', caseId: '7' }, false, step('9', 1));
    const results = await Promise.all([cases.update(key, false, step('1', 30)), cases.update(key, false, step('2', 1)), cases.update(key, false, step('3', 10)), other]);
    assert.deepEqual(results.slice(0, 3), [[1], [1, 2], [1, 2, 3]]);
    const mine = log.filter((l) => !l.endsWith('9'));
    assert.deepEqual(mine, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    assert.ok(log.indexOf('end 9') < log.indexOf('end 1'), 'another app\'s case ran while case 7 of A was busy');
  });

  test('reset starts afresh; a failing frame leaves the state and does not block the next', async () => {
    const cases = new Cases(new MemoryCaseStore({ idleSeconds: 60 }));
    const key = { appId: 'A', caseId: '1' };
    const add = async (s: number | undefined) => ({ state: (s ?? 0) + 1, result: (s ?? 0) + 1 });
    assert.equal(await cases.update(key, false, add), 1);
    assert.equal(await cases.update(key, false, add), 2);
    const failing = cases.update(key, false, async () => { throw new Error('bad frame'); });
    const after = cases.update(key, false, add);
    await assert.rejects(failing, /bad frame/);
    assert.equal(await after, 3);
    assert.equal(await cases.update(key, true, add), 1);
  });

  test('the queue forgets idle keys', async () => {
    const q = new CaseQueue();
    await q.run({ appId: 'A', caseId: '1' }, async () => 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(q.busy, 0);
  });
});

describe('case settings', () => {
  test('BODYLENS_CASE_STORE and BODYLENS_CASE_IDLE_SECONDS are validated', async () => {
    const { loadCaseSettings } = await import('../../../src/config.js');
    assert.deepEqual(loadCaseSettings({}), { store: 'sqlite', idleSeconds: 600 });
    assert.deepEqual(loadCaseSettings({ BODYLENS_CASE_STORE: 'memory', BODYLENS_CASE_IDLE_SECONDS: '30' }), { store: 'memory', idleSeconds: 30 });
    assert.throws(() => loadCaseSettings({ BODYLENS_CASE_STORE: 'redis' }), /sqlite or memory/);
    assert.throws(() => loadCaseSettings({ BODYLENS_CASE_IDLE_SECONDS: '0' }), /BODYLENS_CASE_IDLE_SECONDS/);
  });
});
