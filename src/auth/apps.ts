/**
 * Apps: the holders of API keys. Each app has Baidu-shaped credentials (numeric-looking app_id,
 * 24-char API Key = AK, 32-char Secret Key = SK), an optional list of APIs it may call (NULL =
 * all), and optional per-app limits (NULL = unlimited). Also the auth schema (apps, tokens,
 * daily usage), applied with `ensureAuthSchema(db)`.
 *
 * Secret keys are stored encrypted (AES-256-GCM under the server key, store/secret-box.ts):
 * bce-auth-v1 signatures are HMACs keyed by the SK, so the server needs the SK itself, but the
 * database file alone does not give it away. Access and refresh tokens are stored as SHA-256
 * hashes only. The database file is created 0600.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { applyMigrations, cachedStatement, type Db, type MigrationSet } from '../store/db.js';
import { SecretBox, secretBoxOf } from '../store/secret-box.js';

export interface App {
  appId: string;
  apiKey: string;
  secretKey: string;
  name: string;
  /** APIs this app may call; null = every API. */
  apis: string[] | null;
  /** Requests per second per API; null = unlimited. */
  qpsLimit: number | null;
  /** Requests per API per quota day (Beijing time by default); null = unlimited. */
  dailyLimit: number | null;
  /** Requests per API over the app's whole life; null = unlimited. */
  totalLimit: number | null;
  /** Unix ms. */
  createdAt: number;
  /** Unix ms; null while active. */
  revokedAt: number | null;
}

export const AUTH_MIGRATIONS: MigrationSet = {
  name: 'auth',
  migrations: [
    {
      version: 1,
      description: 'apps, access tokens, daily usage',
      up(db) {
        db.exec(`
          CREATE TABLE apps (
            app_id      TEXT PRIMARY KEY,
            api_key     TEXT NOT NULL UNIQUE,
            secret_key  TEXT NOT NULL,
            name        TEXT NOT NULL DEFAULT '',
            apis        TEXT,
            qps_limit   INTEGER,
            daily_limit INTEGER,
            created_at  INTEGER NOT NULL,
            revoked_at  INTEGER
          );
          CREATE TABLE access_tokens (
            token_hash TEXT PRIMARY KEY,
            app_id     TEXT NOT NULL REFERENCES apps(app_id) ON DELETE CASCADE ON UPDATE CASCADE,
            issued_at  INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
          );
          CREATE INDEX access_tokens_app ON access_tokens(app_id);
          CREATE INDEX access_tokens_expiry ON access_tokens(expires_at);
          CREATE TABLE usage_daily (
            app_id TEXT NOT NULL REFERENCES apps(app_id) ON DELETE CASCADE ON UPDATE CASCADE,
            api    TEXT NOT NULL,
            day    TEXT NOT NULL,
            count  INTEGER NOT NULL,
            PRIMARY KEY (app_id, api, day)
          );
        `);
      },
    },
    {
      version: 2,
      description: 'total limits, refresh tokens, usage totals and outcomes, secret keys encrypted at rest',
      up(db) {
        db.exec(`
          ALTER TABLE apps ADD COLUMN total_limit INTEGER;
          CREATE TABLE refresh_tokens (
            token_hash TEXT PRIMARY KEY,
            app_id     TEXT NOT NULL REFERENCES apps(app_id) ON DELETE CASCADE ON UPDATE CASCADE,
            issued_at  INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
          );
          CREATE INDEX refresh_tokens_app ON refresh_tokens(app_id);
          CREATE TABLE usage_total (
            app_id TEXT NOT NULL REFERENCES apps(app_id) ON DELETE CASCADE ON UPDATE CASCADE,
            api    TEXT NOT NULL,
            count  INTEGER NOT NULL,
            PRIMARY KEY (app_id, api)
          );
          CREATE TABLE usage_outcomes (
            app_id  TEXT NOT NULL REFERENCES apps(app_id) ON DELETE CASCADE ON UPDATE CASCADE,
            api     TEXT NOT NULL,
            day     TEXT NOT NULL,
            outcome TEXT NOT NULL,
            count   INTEGER NOT NULL,
            PRIMARY KEY (app_id, api, day, outcome)
          );
          CREATE TABLE server_key_check (id INTEGER PRIMARY KEY CHECK (id = 1), sealed TEXT NOT NULL);
          -- What counted against daily quotas so far also counts toward the totals.
          INSERT INTO usage_total (app_id, api, count) SELECT app_id, api, SUM(count) FROM usage_daily GROUP BY app_id, api;
        `);
        // Existing databases kept secret keys in clear: seal them now.
        const box = secretBoxOf(db);
        const rows = db.prepare('SELECT app_id, secret_key FROM apps').all() as Array<{ app_id: string; secret_key: string }>;
        const update = db.prepare('UPDATE apps SET secret_key = ? WHERE app_id = ?');
        for (const r of rows) if (!SecretBox.isSealed(r.secret_key)) update.run(box.seal(r.secret_key), r.app_id);
      },
    },
  ],
};

const KEY_CHECK_PLAIN = 'bodylens server key check';

/**
 * Creates or upgrades the auth tables (sealing clear secret keys of older databases); safe to
 * call on every start. Fails when the database's secrets were sealed under another server key.
 */
export function ensureAuthSchema(db: Db): void {
  applyMigrations(db, AUTH_MIGRATIONS);
  const box = secretBoxOf(db);
  const check = cachedStatement(db, 'SELECT sealed FROM server_key_check WHERE id = 1').get() as { sealed: string } | undefined;
  if (!check) {
    db.prepare('INSERT OR IGNORE INTO server_key_check (id, sealed) VALUES (1, ?)').run(box.seal(KEY_CHECK_PLAIN));
  } else if (box.open(check.sealed) !== KEY_CHECK_PLAIN) {
    throw new Error('wrong server key for this database');
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number, alphabet = ALNUM): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** 24 alphanumerics, like a Baidu API Key. */
export function generateApiKey(): string {
  return randomString(24);
}

/** 32 alphanumerics, like a Baidu Secret Key. */
export function generateSecretKey(): string {
  return randomString(32);
}

/** 8 digits, no leading zero, like recent Baidu AppIDs. */
export function generateAppId(): string {
  return String(randomInt(10_000_000, 100_000_000));
}

// AK and app_id end up inside "bce-auth-v1/{ak}/..." and "...-{appid}" token strings, so no '/', '.', spaces.
const APP_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const API_KEY_RE = /^[A-Za-z0-9_-]{1,128}$/;
const SECRET_KEY_RE = /^[\x21-\x7e]{1,128}$/;
const API_NAME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

export function validateAppId(appId: string): void {
  if (!APP_ID_RE.test(appId)) throw new Error(`app id must be 1-64 characters of A-Z a-z 0-9 _ -, got "${appId}"`);
}
export function validateApiKey(apiKey: string): void {
  if (!API_KEY_RE.test(apiKey)) throw new Error('api key must be 1-128 characters of A-Z a-z 0-9 _ -');
}
export function validateSecretKey(secretKey: string): void {
  if (!SECRET_KEY_RE.test(secretKey)) throw new Error('secret key must be 1-128 printable ASCII characters, no spaces');
}

function normalizeApis(apis: readonly string[] | null | undefined): string[] | null {
  if (apis == null) return null;
  const list = [...new Set(apis.map((a) => a.trim()).filter(Boolean))];
  if (list.includes('*') || list.includes('all')) return null;
  for (const a of list) if (!API_NAME_RE.test(a)) throw new Error(`bad API name "${a}"`);
  return list;
}

function normalizeLimit(value: number | null | undefined, what: string): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be a positive integer (or unset for unlimited)`);
  return value;
}

interface AppRow {
  app_id: string;
  api_key: string;
  secret_key: string;
  name: string;
  apis: string | null;
  qps_limit: number | null;
  daily_limit: number | null;
  total_limit: number | null;
  created_at: number;
  revoked_at: number | null;
}

function fromRow(db: Db, row: AppRow): App {
  return {
    appId: row.app_id,
    apiKey: row.api_key,
    secretKey: secretBoxOf(db).open(row.secret_key),
    name: row.name,
    apis: row.apis == null ? null : (JSON.parse(row.apis) as string[]),
    qpsLimit: row.qps_limit,
    dailyLimit: row.daily_limit,
    totalLimit: row.total_limit,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export interface CreateAppOptions {
  name?: string;
  /** Defaults to a random 8-digit id. */
  appId?: string;
  /** Give both keys or neither; defaults are random. */
  apiKey?: string;
  secretKey?: string;
  /** null/undefined = all APIs. */
  apis?: readonly string[] | null;
  qpsLimit?: number | null;
  dailyLimit?: number | null;
  totalLimit?: number | null;
  /** Unix ms (default now). */
  now?: number;
}

export function createApp(db: Db, options: CreateAppOptions = {}): App {
  if (Boolean(options.apiKey) !== Boolean(options.secretKey)) {
    throw new Error('give both the api key and the secret key, or neither');
  }
  const apiKey = options.apiKey ?? generateApiKey();
  const secretKey = options.secretKey ?? generateSecretKey();
  validateApiKey(apiKey);
  validateSecretKey(secretKey);
  if (options.appId !== undefined) validateAppId(options.appId);
  if (findAppByApiKey(db, apiKey)) throw new Error('an app with this api key already exists');

  let appId = options.appId;
  if (appId === undefined) {
    do appId = generateAppId();
    while (findAppById(db, appId));
  } else if (findAppById(db, appId)) {
    throw new Error(`app ${appId} already exists`);
  }

  const apis = normalizeApis(options.apis);
  const row: AppRow = {
    app_id: appId,
    api_key: apiKey,
    secret_key: secretBoxOf(db).seal(secretKey),
    name: (options.name ?? '').trim(),
    apis: apis == null ? null : JSON.stringify(apis),
    qps_limit: normalizeLimit(options.qpsLimit, 'QPS limit'),
    daily_limit: normalizeLimit(options.dailyLimit, 'daily limit'),
    total_limit: normalizeLimit(options.totalLimit, 'total limit'),
    created_at: options.now ?? Date.now(),
    revoked_at: null,
  };
  db.prepare(
    `INSERT INTO apps (app_id, api_key, secret_key, name, apis, qps_limit, daily_limit, total_limit, created_at, revoked_at)
     VALUES (@app_id, @api_key, @secret_key, @name, @apis, @qps_limit, @daily_limit, @total_limit, @created_at, @revoked_at)`,
  ).run(row);
  return fromRow(db, row);
}

export interface UpdateAppPatch {
  appId?: string;
  apiKey?: string;
  secretKey?: string;
  name?: string;
  apis?: readonly string[] | null;
  qpsLimit?: number | null;
  dailyLimit?: number | null;
  totalLimit?: number | null;
  /** Set false to reinstate a revoked app. */
  revoked?: boolean;
  now?: number;
}

/** Changes the given fields of an app (tokens and usage follow an app_id change). */
export function updateApp(db: Db, appId: string, patch: UpdateAppPatch): App {
  const current = findAppById(db, appId);
  if (!current) throw new Error(`no app ${appId}`);
  const sets: string[] = [];
  const params: Record<string, unknown> = { where: appId };
  if (patch.appId !== undefined && patch.appId !== appId) {
    validateAppId(patch.appId);
    if (findAppById(db, patch.appId)) throw new Error(`app ${patch.appId} already exists`);
    sets.push('app_id = @app_id');
    params.app_id = patch.appId;
  }
  if (patch.apiKey !== undefined && patch.apiKey !== current.apiKey) {
    validateApiKey(patch.apiKey);
    if (findAppByApiKey(db, patch.apiKey)) throw new Error('an app with this api key already exists');
    sets.push('api_key = @api_key');
    params.api_key = patch.apiKey;
  }
  if (patch.secretKey !== undefined) {
    validateSecretKey(patch.secretKey);
    sets.push('secret_key = @secret_key');
    params.secret_key = secretBoxOf(db).seal(patch.secretKey);
  }
  if (patch.name !== undefined) {
    sets.push('name = @name');
    params.name = patch.name.trim();
  }
  if (patch.apis !== undefined) {
    const apis = normalizeApis(patch.apis);
    sets.push('apis = @apis');
    params.apis = apis == null ? null : JSON.stringify(apis);
  }
  if (patch.qpsLimit !== undefined) {
    sets.push('qps_limit = @qps_limit');
    params.qps_limit = normalizeLimit(patch.qpsLimit, 'QPS limit');
  }
  if (patch.dailyLimit !== undefined) {
    sets.push('daily_limit = @daily_limit');
    params.daily_limit = normalizeLimit(patch.dailyLimit, 'daily limit');
  }
  if (patch.totalLimit !== undefined) {
    sets.push('total_limit = @total_limit');
    params.total_limit = normalizeLimit(patch.totalLimit, 'total limit');
  }
  if (patch.revoked !== undefined) {
    sets.push('revoked_at = @revoked_at');
    params.revoked_at = patch.revoked ? (current.revokedAt ?? patch.now ?? Date.now()) : null;
  }
  if (sets.length) db.prepare(`UPDATE apps SET ${sets.join(', ')} WHERE app_id = @where`).run(params);
  return findAppById(db, (params.app_id as string | undefined) ?? appId)!;
}

export function findAppById(db: Db, appId: string): App | undefined {
  const row = cachedStatement(db, 'SELECT * FROM apps WHERE app_id = ?').get(appId) as AppRow | undefined;
  return row && fromRow(db, row);
}

/** Finds an app by its API Key, revoked or not (callers check `revokedAt`). */
export function findAppByApiKey(db: Db, apiKey: string): App | undefined {
  const row = cachedStatement(db, 'SELECT * FROM apps WHERE api_key = ?').get(apiKey) as AppRow | undefined;
  return row && fromRow(db, row);
}

/** Every app, oldest first; revoked ones only when asked. */
export function listApps(db: Db, options: { includeRevoked?: boolean } = {}): App[] {
  const sql = options.includeRevoked
    ? 'SELECT * FROM apps ORDER BY created_at, rowid'
    : 'SELECT * FROM apps WHERE revoked_at IS NULL ORDER BY created_at, rowid';
  return (db.prepare(sql).all() as AppRow[]).map((row) => fromRow(db, row));
}

export function countApps(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM apps').get() as { n: number }).n;
}

/**
 * Revokes the app named by app_id or API Key and deletes its access tokens (so reinstating the
 * app later does not revive them). Returns the app, or undefined when there is none.
 */
export function revokeApp(db: Db, idOrApiKey: string, now: number = Date.now()): App | undefined {
  const app = findAppById(db, idOrApiKey) ?? findAppByApiKey(db, idOrApiKey);
  if (!app) return undefined;
  db.transaction(() => {
    db.prepare('UPDATE apps SET revoked_at = COALESCE(revoked_at, ?) WHERE app_id = ?').run(now, app.appId);
    deleteTokens(db, app.appId);
  })();
  return findAppById(db, app.appId);
}

/** Deletes every access and refresh token of an app. */
export function deleteTokens(db: Db, appId: string): void {
  db.prepare('DELETE FROM access_tokens WHERE app_id = ?').run(appId);
  db.prepare('DELETE FROM refresh_tokens WHERE app_id = ?').run(appId);
}

/** Gives an app a new random Secret Key and ends its tokens (the old key may have leaked). */
export function rotateSecret(db: Db, appId: string): App {
  const app = findAppById(db, appId) ?? findAppByApiKey(db, appId);
  if (!app) throw new Error(`no app ${appId}`);
  return db.transaction(() => {
    const updated = updateApp(db, app.appId, { secretKey: generateSecretKey() });
    deleteTokens(db, app.appId);
    return updated;
  })();
}

/** Constant-time string equality (hashing first hides the length too). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** Whether `secret` is the app's Secret Key, compared in constant time. */
export function checkSecret(app: App, secret: string | undefined): boolean {
  return typeof secret === 'string' && safeEqual(app.secretKey, secret);
}

/** Whether the app may call `api` (no list = everything). */
export function appAllows(app: App, api: string): boolean {
  return app.apis == null || app.apis.includes(api);
}
