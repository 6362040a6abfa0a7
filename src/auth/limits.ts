/**
 * Per-app request limits, like the ones Baidu enforces per API:
 * - QPS: at most N requests of one app to one API within any one-second window (sliding, in
 *   memory, per process) → `qps_limit` (18). Baidu counts QPS separately for each API.
 * - Daily quota: at most N requests of one app to one API per local calendar day (persisted in
 *   SQLite, so it survives restarts and is shared by processes using the same file; the day
 *   turns at local midnight of the server's time zone, TZ) → `daily_limit` (17).
 * A null limit means unlimited. As on Baidu, every request that gets past authentication counts,
 * whether or not it then succeeds.
 */
import { ServiceError } from '../errors.js';
import { cachedStatement, type Db } from '../store/db.js';

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

/** Local calendar day of a unix-ms instant, YYYY-MM-DD (the quota period). */
export function localDay(now: number): string {
  const d = new Date(now);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * Counts one request of (appId, api) for today, or throws `daily_limit` when the count has
 * reached `limit`. A single conditional upsert, so concurrent processes cannot overshoot.
 */
export function consumeDailyQuota(db: Db, appId: string, api: string, limit: number | null, now: number): void {
  const day = localDay(now);
  if (limit == null) {
    cachedStatement(
      db,
      `INSERT INTO usage_daily (app_id, api, day, count) VALUES (?, ?, ?, 1)
       ON CONFLICT (app_id, api, day) DO UPDATE SET count = count + 1`,
    ).run(appId, api, day);
    return;
  }
  const changes = cachedStatement(
    db,
    `INSERT INTO usage_daily (app_id, api, day, count) SELECT ?, ?, ?, 1 WHERE ? >= 1
     ON CONFLICT (app_id, api, day) DO UPDATE SET count = count + 1 WHERE count < ?`,
  ).run(appId, api, day, limit, limit).changes;
  if (changes === 0) throw new ServiceError('daily_limit', `${limit} requests/day to ${api}`);
}

export interface UsageRow {
  api: string;
  day: string;
  count: number;
}

/** Requests counted for an app on a day (default: today), per API. */
export function dailyUsage(db: Db, appId: string, now: number = Date.now()): UsageRow[] {
  return db
    .prepare('SELECT api, day, count FROM usage_daily WHERE app_id = ? AND day = ? ORDER BY api')
    .all(appId, localDay(now)) as UsageRow[];
}

/** Deletes usage rows older than `keepDays` days; returns how many. */
export function pruneUsage(db: Db, now: number = Date.now(), keepDays = 90): number {
  return db.prepare('DELETE FROM usage_daily WHERE day < ?').run(localDay(now - keepDays * 86_400_000)).changes;
}
