/**
 * Private-dialect usage on a real SQLite file: counted per (service, quota day, outcome), written
 * on flush, read back (all, one service, a day range), old days pruned, and the shared recorder
 * refusing a key of the wrong shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/store/db.js';
import { PrivateUsage, privateUsageRows } from '../../../src/auth/private-usage.js';
import { OutcomeRecorder } from '../../../src/auth/limits.js';

test('counts per service, day and outcome; reads by service and range; prunes days past 90', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-private-usage-'));
  const db = openDatabase(dir);
  try {
    let now = Date.parse('2026-12-01T10:00:00+08:00');
    const usage = new PrivateUsage(db, { quotaUtcOffsetMinutes: 480, now: () => now });
    usage.record('keypoints', 'ok');
    usage.record('keypoints', 'ok');
    usage.record('keypoints', 'overloaded');
    usage.record('hand', 'not_served');
    // 23:30 Beijing is still the same quota day; 00:30 the next.
    now = Date.parse('2026-12-01T23:30:00+08:00');
    usage.record('keypoints', 'ok');
    now = Date.parse('2026-12-02T00:30:00+08:00');
    usage.record('keypoints', 'ok');
    assert.deepEqual(usage.rows({ service: 'keypoints' }), [
      { service: 'keypoints', day: '2026-12-01', outcome: 'ok', count: 3 },
      { service: 'keypoints', day: '2026-12-01', outcome: 'overloaded', count: 1 },
      { service: 'keypoints', day: '2026-12-02', outcome: 'ok', count: 1 },
    ]);
    assert.deepEqual(usage.rows({ from: '2026-12-02' }), [{ service: 'keypoints', day: '2026-12-02', outcome: 'ok', count: 1 }]);
    assert.equal(privateUsageRows(db).length, 4, 'another reader (the CLI) sees what was flushed');
    // 91 days on, the first call of the day deletes rows older than 90 days.
    now = Date.parse('2027-03-02T12:00:00+08:00');
    usage.record('hand', 'ok');
    assert.deepEqual(usage.rows(), [
      { service: 'keypoints', day: '2026-12-02', outcome: 'ok', count: 1 },
      { service: 'hand', day: '2027-03-02', outcome: 'ok', count: 1 },
    ]);
    assert.throws(() => new OutcomeRecorder(db).record('app', 'api', 'ok'), /4 key values expected/);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
