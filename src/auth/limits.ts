/**
 * Per-app request limits, like the ones Baidu enforces per API:
 * - QPS: at most N requests of one app to one API within any one-second window (sliding, in
 *   memory, per process) → `qps_limit` (18). Baidu counts QPS separately for each API.
 * - Daily quota: at most N requests of one app to one API per quota day (persisted in SQLite, so
 *   it survives restarts and is shared by processes using the same file; the day turns at
 *   midnight Beijing time as on Baidu, BODYLENS_QUOTA_UTC_OFFSET) → `daily_limit` (17).
 * - Total quota: at most N requests of one app to one API ever → `total_limit` (19).
 * A null limit means unlimited. As on Baidu, every request that gets past authentication counts,
 * whether or not it then succeeds.
 */
import { ServiceError } from '../errors.js';
import { cachedStatement, type Db } from '../store/db.js';
import { DEFAULT_QUOTA_UTC_OFFSET_MINUTES } from '../config.js';

const WINDOW_MS = 1000;

export class QpsLimiter {
  // key → ascending timestamps (ms) of requests admitted within the last window
  private readonly windows = new Map<string, number[]>();
  private sweeps = 0;

  /**
   * Admits one request for (appId, api) at `now` or throws `qps_limit`. Returns a function that
   * gives the slot back (for a request refused by a later check).
   */
  take(appId: string, api: string, limit: number | null, now: number): () => void {
    if (limit == null) return () => {};
    const key = `${appId}\u0000${api}`;
    let stamps = this.windows.get(key);
    if (!stamps) {
      stamps = [];
      this.windows.set(key, stamps);
    }
    let old = 0;
    while (old < stamps.length && stamps[old] <= now - WINDOW_MS) old++;
    if (old) stamps.splice(0, old);
    if (stamps.length >= limit) throw new ServiceError('qps_limit', `more than ${limit} requests/s`);
    stamps.push(now);
    if (++this.sweeps >= 10_000) this.sweep(now);
    return () => {
      const i = stamps.lastIndexOf(now);
      if (i >= 0) stamps.splice(i, 1);
    };
  }

  /** Forgets idle keys so the map does not grow with every app/API ever seen. */
  sweep(now: number): void {
    this.sweeps = 0;
    for (const [key, stamps] of this.windows) {
      if (!stamps.length || stamps[stamps.length - 1] <= now - WINDOW_MS) this.windows.delete(key);
    }
  }
}

/** The quota day of a unix-ms instant, YYYY-MM-DD, on a clock `offsetMinutes` east of UTC (Beijing: 480). */
export function quotaDay(now: number, offsetMinutes: number = DEFAULT_QUOTA_UTC_OFFSET_MINUTES): string {
  return new Date(now + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/**
 * Counts one request of (appId, api) against the day's and the lifetime quota, or throws
 * `daily_limit` (17) / `total_limit` (19) when a count has reached its limit, counting nothing.
 * Conditional upserts in one immediate transaction, so concurrent processes cannot overshoot.
 */
export function consumeQuota(
  db: Db,
  appId: string,
  api: string,
  limits: { daily: number | null; total: number | null },
  day: string,
): void {
  db.transaction(() => {
    bump(db, 'usage_daily', appId, api, day, limits.daily, 'daily_limit', `${limits.daily} requests/day to ${api}`);
    bump(db, 'usage_total', appId, api, undefined, limits.total, 'total_limit', `${limits.total} requests in all to ${api}`);
  }).immediate();
}

function bump(
  db: Db,
  table: 'usage_daily' | 'usage_total',
  appId: string,
  api: string,
  day: string | undefined,
  limit: number | null,
  kind: 'daily_limit' | 'total_limit',
  detail: string,
): void {
  const cols = day === undefined ? 'app_id, api' : 'app_id, api, day';
  const marks = day === undefined ? '?, ?' : '?, ?, ?';
  const keys = day === undefined ? [appId, api] : [appId, api, day];
  if (limit == null) {
    cachedStatement(db, `INSERT INTO ${table} (${cols}, count) VALUES (${marks}, 1) ON CONFLICT (${cols}) DO UPDATE SET count = count + 1`).run(...keys);
    return;
  }
  const changes = cachedStatement(
    db,
    `INSERT INTO ${table} (${cols}, count) SELECT ${marks}, 1 WHERE ? >= 1
     ON CONFLICT (${cols}) DO UPDATE SET count = count + 1 WHERE count < ?`,
  ).run(...keys, limit, limit).changes;
  if (changes === 0) throw new ServiceError(kind, detail);
}

export interface UsageRow {
  api: string;
  day: string;
  count: number;
}

/** Requests counted for an app on a quota day, per API. */
export function dailyUsage(db: Db, appId: string, day: string): UsageRow[] {
  return db.prepare('SELECT api, day, count FROM usage_daily WHERE app_id = ? AND day = ? ORDER BY api').all(appId, day) as UsageRow[];
}

/** Lifetime requests of an app per API (what the total limit counts). */
export function totalUsage(db: Db, appId: string): Array<{ api: string; count: number }> {
  return db.prepare('SELECT api, count FROM usage_total WHERE app_id = ? ORDER BY api').all(appId) as Array<{ api: string; count: number }>;
}

export interface OutcomeRow {
  api: string;
  day: string;
  /** 'ok', or the error kind the request ended with (e.g. qps_limit, image_format). */
  outcome: string;
  count: number;
}

/** Per API, day and outcome, days `from`..`to` (inclusive, YYYY-MM-DD; default all). */
export function outcomeUsage(db: Db, appId: string, from = '0000-00-00', to = '9999-99-99'): OutcomeRow[] {
  return db
    .prepare('SELECT api, day, outcome, count FROM usage_outcomes WHERE app_id = ? AND day BETWEEN ? AND ? ORDER BY day, api, outcome')
    .all(appId, from, to) as OutcomeRow[];
}

/** Deletes per-day usage rows older than `keepDays` days before `day`; returns how many. */
export function pruneUsage(db: Db, now: number, offsetMinutes: number, keepDays = 90): number {
  const cutoff = quotaDay(now - keepDays * 86_400_000, offsetMinutes);
  return (
    db.prepare('DELETE FROM usage_daily WHERE day < ?').run(cutoff).changes +
    db.prepare('DELETE FROM usage_outcomes WHERE day < ?').run(cutoff).changes
  );
}

/** Told when writing outcome counts failed (the counts are kept and retried); gets no secrets. */
export type OutcomeFlushErrorHandler = (err: Error, pendingCounts: number) => void;

const warnFlushError: OutcomeFlushErrorHandler = (err, pendingCounts) =>
  console.error(`bodylens: usage outcome counts not written yet (${pendingCounts} kept, retried): ${err.message}`);

/** The table an OutcomeRecorder counts into: its key columns (the last is the outcome) and a `count` column. */
export interface OutcomeTable {
  table: string;
  columns: readonly string[];
}

/** Apps' calls: (app, API, quota day, outcome). */
export const APP_OUTCOMES: OutcomeTable = { table: 'usage_outcomes', columns: ['app_id', 'api', 'day', 'outcome'] };

/**
 * Outcome counts gathered in memory and written in one transaction at most once a second (and
 * on `flush`), so a flood of refused calls costs no database write each. A write that fails (a
 * busy database, a full disk) keeps the counts for the next try instead of throwing out of a
 * timer and ending the process.
 */
export class OutcomeRecorder {
  private pending = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly flushMs = 1000,
    private readonly onError: OutcomeFlushErrorHandler = warnFlushError,
    private readonly target: OutcomeTable = APP_OUTCOMES,
  ) {}

  /** One call, by the target's key columns in order (apps: app id, API, day, outcome). */
  record(...key: string[]): void {
    if (key.length !== this.target.columns.length) throw new Error(`${this.target.table}: ${this.target.columns.length} key values expected`);
    const joined = key.join('\u0000');
    this.pending.set(joined, (this.pending.get(joined) ?? 0) + 1);
    this.schedule();
  }

  private schedule(): void {
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes what is pending; false (counts kept, a retry scheduled, onError told) when the write failed. */
  flush(): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.size || !this.db.open) return true;
    const batch = this.pending;
    this.pending = new Map();
    try {
      const { table, columns } = this.target;
      const upsert = cachedStatement(
        this.db,
        `INSERT INTO ${table} (${columns.join(', ')}, count) VALUES (${columns.map(() => '?').join(', ')}, ?)
         ON CONFLICT (${columns.join(', ')}) DO UPDATE SET count = count + excluded.count`,
      );
      this.db.transaction(() => {
        for (const [key, n] of batch) {
          try {
            upsert.run(...key.split('\u0000'), n);
          } catch (err) {
            // An app deleted meanwhile has no row to count against: skip it. Anything else fails the batch.
            if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw err;
          }
        }
      })();
      return true;
    } catch (err) {
      for (const [key, n] of batch) this.pending.set(key, (this.pending.get(key) ?? 0) + n);
      try {
        this.onError(err as Error, this.pending.size);
      } catch {
        // a failing logger must not take the counts down with it
      }
      this.schedule();
      return false;
    }
  }
}
