/**
 * Case state: what a stream of frames (Baidu's `body_tracking` with `case_id`) carries from one
 * request to the next, keyed by (app, case_id) so one app can never read or overwrite another's.
 *
 * The store is deliberately small and async (get / put / delete / sweep), so a Redis
 * implementation can replace the in-memory and SQLite ones without touching callers. Idle
 * expiry: a case not written for `idleSeconds` reads as absent and is removed by the next sweep.
 *
 * Ordering is not the store's job: `CaseQueue` runs the updates of one key one after another in
 * arrival order (a promise chain per key) inside this process. Several nodes sharing a Redis
 * store would need a lock there too (e.g. a per-key lease); one process needs none.
 */
import type { Db, MigrationSet } from './db.js';
import { applyMigrations, cachedStatement } from './db.js';

/** Which case: the app that owns it and its case id (Baidu's int32, kept as text). */
export interface CaseKey {
  appId: string;
  caseId: string;
}

export interface CaseStore {
  /** The case's state, or undefined when it does not exist or has been idle too long. */
  get(key: CaseKey): Promise<unknown | undefined>;
  /** Writes the case's state (JSON-serialisable plain data) and marks it used now. */
  put(key: CaseKey, state: unknown): Promise<void>;
  delete(key: CaseKey): Promise<void>;
  /** Removes every case idle longer than the limit; returns how many went. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

export interface CaseStoreOptions {
  /** A case unused this long is gone (seconds). */
  idleSeconds: number;
  /** Clock, unix ms (tests inject one). */
  now?: () => number;
}

const keyString = (key: CaseKey) => JSON.stringify([key.appId, key.caseId]);

/** Cases in this process's memory (CLI, eval, tests, a single-node server). */
export class MemoryCaseStore implements CaseStore {
  private readonly cases = new Map<string, { state: string; usedAt: number }>();
  private readonly idleMs: number;
  private readonly now: () => number;

  constructor(options: CaseStoreOptions) {
    this.idleMs = options.idleSeconds * 1000;
    this.now = options.now ?? Date.now;
  }

  async get(key: CaseKey): Promise<unknown | undefined> {
    const entry = this.cases.get(keyString(key));
    if (!entry) return undefined;
    if (this.now() - entry.usedAt > this.idleMs) {
      this.cases.delete(keyString(key));
      return undefined;
    }
    // Stored serialised, like every other store: callers never share an object with it.
    return JSON.parse(entry.state);
  }

  async put(key: CaseKey, state: unknown): Promise<void> {
    this.cases.set(keyString(key), { state: JSON.stringify(state), usedAt: this.now() });
  }

  async delete(key: CaseKey): Promise<void> {
    this.cases.delete(keyString(key));
  }

  async sweep(): Promise<number> {
    const now = this.now();
    let removed = 0;
    for (const [k, entry] of this.cases) {
      if (now - entry.usedAt > this.idleMs) {
        this.cases.delete(k);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.cases.clear();
  }
}

export const CASE_MIGRATIONS: MigrationSet = {
  name: 'cases',
  migrations: [
    {
      version: 1,
      description: 'tracking cases per (app, case_id)',
      up: (db) =>
        db.exec(`CREATE TABLE cases (
          app_id   TEXT    NOT NULL,
          case_id  TEXT    NOT NULL,
          state    TEXT    NOT NULL,
          used_at  INTEGER NOT NULL,
          PRIMARY KEY (app_id, case_id)
        );
        CREATE INDEX cases_used_at ON cases (used_at);`),
    },
  ],
};

/** Cases in the service's SQLite database (they survive a restart). */
export class SqliteCaseStore implements CaseStore {
  private readonly idleMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    options: CaseStoreOptions,
  ) {
    this.idleMs = options.idleSeconds * 1000;
    this.now = options.now ?? Date.now;
    applyMigrations(db, CASE_MIGRATIONS);
  }

  async get(key: CaseKey): Promise<unknown | undefined> {
    const row = cachedStatement(this.db, 'SELECT state, used_at FROM cases WHERE app_id = ? AND case_id = ?').get(key.appId, key.caseId) as
      | { state: string; used_at: number }
      | undefined;
    if (!row) return undefined;
    if (this.now() - row.used_at > this.idleMs) {
      await this.delete(key);
      return undefined;
    }
    return JSON.parse(row.state);
  }

  async put(key: CaseKey, state: unknown): Promise<void> {
    cachedStatement(
      this.db,
      `INSERT INTO cases (app_id, case_id, state, used_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (app_id, case_id) DO UPDATE SET state = excluded.state, used_at = excluded.used_at`,
    ).run(key.appId, key.caseId, JSON.stringify(state), this.now());
  }

  async delete(key: CaseKey): Promise<void> {
    cachedStatement(this.db, 'DELETE FROM cases WHERE app_id = ? AND case_id = ?').run(key.appId, key.caseId);
  }

  async sweep(): Promise<number> {
    return cachedStatement(this.db, 'DELETE FROM cases WHERE used_at < ?').run(this.now() - this.idleMs).changes;
  }

  async close(): Promise<void> {
    // The database belongs to the server; nothing of ours to release.
  }
}

/**
 * Runs tasks of one key strictly one after another, in the order they were queued; tasks of
 * different keys run freely. A failed task does not block the ones after it.
 */
export class CaseQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: CaseKey, task: () => Promise<T>): Promise<T> {
    const k = keyString(key);
    const previous = this.tails.get(k) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(k, tail);
    // Forget the chain once it is idle, so the map holds only keys with work in flight.
    void tail.then(() => {
      if (this.tails.get(k) === tail) this.tails.delete(k);
    });
    return result;
  }

  /** Keys with queued or running work (diagnostics, tests). */
  get busy(): number {
    return this.tails.size;
  }
}

/** What one frame of a case does: the previous state (undefined for a new or reset case) in, the next out. */
export type CaseStep<S, R> = (state: S | undefined) => Promise<{ state: S; result: R }>;

/** A store and the queue that orders its updates: the one object the request path needs. */
export class Cases {
  private readonly queue = new CaseQueue();
  constructor(readonly store: CaseStore) {}

  /**
   * Applies `step` to the case's state in arrival order; `reset` starts the case afresh
   * (Baidu's case_init=true). A step that throws leaves the stored state as it was.
   */
  update<S, R>(key: CaseKey, reset: boolean, step: CaseStep<S, R>): Promise<R> {
    return this.queue.run(key, async () => {
      const previous = reset ? undefined : ((await this.store.get(key)) as S | undefined);
      const { state, result } = await step(previous);
      await this.store.put(key, state);
      return result;
    });
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
