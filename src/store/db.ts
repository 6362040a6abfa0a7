/**
 * The service's one SQLite database, `<dataDir>/bodylens.db`, and a small migration mechanism.
 *
 * Each module owns a named, ordered list of migrations (a `MigrationSet`) and applies it with
 * `applyMigrations(db, set)` (idempotent; cheap when already current). Versions are tracked per
 * set in `schema_migrations`, so modules can grow their schema independently without editing
 * this file:
 *
 *   export const JOB_MIGRATIONS: MigrationSet = { name: 'jobs', migrations: [
 *     { version: 1, description: 'jobs table', up: (db) => db.exec('CREATE TABLE jobs (...)') },
 *   ] };
 *   applyMigrations(db, JOB_MIGRATIONS);
 *
 * Append new migrations with higher versions; never edit or renumber one that has shipped.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bindSecretBox, loadServerKey, SecretBox } from './secret-box.js';

export type Db = Database.Database;

export const DB_FILENAME = 'bodylens.db';

export interface Migration {
  /** Positive integer, strictly increasing within its set. */
  version: number;
  description: string;
  up(db: Db): void;
}

export interface MigrationSet {
  /** Unique per module, e.g. 'auth', 'jobs'. */
  name: string;
  migrations: readonly Migration[];
}

export interface OpenDatabaseOptions {
  /** Migration sets applied right after opening, in the order given. */
  migrations?: readonly MigrationSet[];
  /** Wait this long for another connection's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** The key sealing secrets at rest (config BODYLENS_SERVER_KEY); default `<dataDir>/server.key` (store/secret-box.ts). */
  serverKey?: string;
}

/**
 * Opens (creating the directory and file if needed) `<dataDir>/bodylens.db`.
 * Pass `':memory:'` as dataDir for a throwaway in-memory database.
 */
export function openDatabase(dataDir: string, options: OpenDatabaseOptions = {}): Db {
  let db: Db;
  if (dataDir === ':memory:') {
    db = new Database(':memory:');
  } else {
    // The data directory holds secrets, callers' videos and results: private to the service's user.
    // An older install's directory (0755) is tightened on open.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      chmodSync(dataDir, 0o700);
    } catch {
      // best effort: some filesystems have no permission bits
    }
    const file = join(dataDir, DB_FILENAME);
    const isNew = !existsSync(file);
    db = new Database(file);
    // The file holds apps' (encrypted) secret keys and usage; keep it private.
    // SQLite gives the -wal/-shm files the same mode as the database.
    if (isNew) {
      try {
        chmodSync(file, 0o600);
      } catch {
        // best effort: some filesystems have no permission bits
      }
    }
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL is durable across application crashes; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
  }
  bindSecretBox(db, new SecretBox(loadServerKey(dataDir, options.serverKey)));
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('foreign_keys = ON');
  for (const set of options.migrations ?? []) applyMigrations(db, set);
  return db;
}

function ensureMigrationTable(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    set_name    TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    description TEXT    NOT NULL,
    applied_at  INTEGER NOT NULL,
    PRIMARY KEY (set_name, version)
  )`);
}

/** Highest applied version of a set (0 when none). */
export function schemaVersion(db: Db, setName: string): number {
  ensureMigrationTable(db);
  const row = db
    .prepare('SELECT MAX(version) AS v FROM schema_migrations WHERE set_name = ?')
    .get(setName) as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies the set's pending migrations in order, all in one transaction together with their
 * version rows (all or nothing), and returns how many ran. Refuses a database newer than the
 * code (a downgrade).
 */
export function applyMigrations(db: Db, set: MigrationSet): number {
  const ordered = [...set.migrations].sort((a, b) => a.version - b.version);
  for (let i = 0; i < ordered.length; i++) {
    const v = ordered[i].version;
    if (!Number.isInteger(v) || v < 1) throw new Error(`migration set ${set.name}: bad version ${v}`);
    if (i > 0 && ordered[i - 1].version === v) throw new Error(`migration set ${set.name}: duplicate version ${v}`);
  }
  const latest = ordered.length ? ordered[ordered.length - 1].version : 0;

  const run = db.transaction(() => {
    // Re-read inside the (immediate) transaction so two processes starting together don't both migrate.
    const current = schemaVersion(db, set.name);
    if (current > latest) {
      throw new Error(
        `database schema "${set.name}" is at version ${current}, newer than this code knows (${latest}); refusing to run`,
      );
    }
    const insert = db.prepare(
      'INSERT INTO schema_migrations (set_name, version, description, applied_at) VALUES (?, ?, ?, ?)',
    );
    let applied = 0;
    for (const m of ordered) {
      if (m.version <= current) continue;
      m.up(db);
      insert.run(set.name, m.version, m.description, Date.now());
      applied++;
    }
    return applied;
  });
  ensureMigrationTable(db);
  return run.immediate();
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/** `db.prepare(sql)`, compiled once per connection (for statements on hot request paths). */
export function cachedStatement(db: Db, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}
