/**
 * Usage of Baidu's private dialect (docs/private.md, "Usage"). Its callers are trusted by
 * network and have no app (an optional shared key names nobody), so its usage is keyed by the
 * service called: one row per (service, quota day, outcome) in `private_usage`, counted like an
 * app's outcomes (in memory, written at most once a second and on shutdown) and kept 90 days.
 */
import { applyMigrations, type Db, type MigrationSet } from '../store/db.js';
import { OutcomeRecorder, quotaDay, type OutcomeFlushErrorHandler } from './limits.js';
import { DEFAULT_QUOTA_UTC_OFFSET_MINUTES } from '../config.js';

export const PRIVATE_USAGE_MIGRATIONS: MigrationSet = {
  name: 'private_usage',
  migrations: [
    {
      version: 1,
      description: 'private dialect calls per service, day and outcome',
      up: (db) =>
        db.exec(`CREATE TABLE private_usage (
          service TEXT    NOT NULL,
          day     TEXT    NOT NULL,
          outcome TEXT    NOT NULL,
          count   INTEGER NOT NULL,
          PRIMARY KEY (service, day, outcome)
        )`),
    },
  ],
};

export interface PrivateUsageRow {
  service: string;
  day: string;
  /** 'ok' or the error kind the call ended with (overloaded: the concurrency cap). */
  outcome: string;
  count: number;
}

const KEEP_DAYS = 90;

export class PrivateUsage {
  private readonly recorder: OutcomeRecorder;
  private readonly offset: number;
  private readonly now: () => number;
  private prunedOn?: string;

  constructor(
    private readonly db: Db,
    options: { quotaUtcOffsetMinutes?: number; onFlushError?: OutcomeFlushErrorHandler; now?: () => number } = {},
  ) {
    applyMigrations(db, PRIVATE_USAGE_MIGRATIONS);
    this.offset = options.quotaUtcOffsetMinutes ?? DEFAULT_QUOTA_UTC_OFFSET_MINUTES;
    this.now = options.now ?? Date.now;
    this.recorder = new OutcomeRecorder(db, undefined, options.onFlushError, { table: 'private_usage', columns: ['service', 'day', 'outcome'] });
  }

  /** One call of `service` that ended with `outcome`. */
  record(service: string, outcome: string): void {
    const day = quotaDay(this.now(), this.offset);
    if (day !== this.prunedOn) {
      this.prunedOn = day;
      this.db.prepare('DELETE FROM private_usage WHERE day < ?').run(quotaDay(this.now() - KEEP_DAYS * 86_400_000, this.offset));
    }
    this.recorder.record(service, day, outcome);
  }

  /** Writes pending counts now; false when the write failed (counts kept). */
  flush(): boolean {
    return this.recorder.flush();
  }

  /** Rows of days `from`..`to` (YYYY-MM-DD, inclusive; default all), optionally of one service. */
  rows(range: { from?: string; to?: string; service?: string } = {}): PrivateUsageRow[] {
    this.flush();
    return privateUsageRows(this.db, range);
  }
}

/** The stored rows (what `bodylens private usage` and `/admin/private/usage` read). */
export function privateUsageRows(db: Db, range: { from?: string; to?: string; service?: string } = {}): PrivateUsageRow[] {
  applyMigrations(db, PRIVATE_USAGE_MIGRATIONS);
  return db
    .prepare(
      `SELECT service, day, outcome, count FROM private_usage
       WHERE day BETWEEN ? AND ? AND (? IS NULL OR service = ?) ORDER BY day, service, outcome`,
    )
    .all(range.from ?? '0000-00-00', range.to ?? '9999-99-99', range.service ?? null, range.service ?? null) as PrivateUsageRow[];
}
