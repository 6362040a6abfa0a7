/**
 * Access tokens (Baidu auth method 1). `issueToken` answers in the shape of Baidu's
 * `/oauth/2.0/token` response; `verifyToken` maps a request's `access_token` back to its app.
 *
 * Token strings copy Baidu's layout, `24.<32 hex>.2592000.<expiry unix s>.282335-<app_id>`
 * (refresh tokens: `25.<32 hex>.315360000.<expiry>.282335-<app_id>`), because some clients
 * parse or log them. Only a SHA-256 of each access token is stored, with its app and expiry.
 *
 * Official SDKs switch to token mode only when `scope` lists `brain_all_scope`; otherwise they
 * fall back to signing requests. The scope we return is modelled on what Baidu returns for an
 * app with the BODY APIs enabled.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ServiceError } from '../errors.js';
import { appAllows, findAppById, type App } from './apps.js';
import { cachedStatement, type Db } from '../store/db.js';

/** 30 days, as Baidu. */
export const TOKEN_TTL_SECONDS = 2_592_000;
/** 10 years, the lifetime Baidu writes into refresh tokens. */
export const REFRESH_TTL_SECONDS = 315_360_000;
// Constant in every real Baidu token seen; kept so the string looks the same.
const TOKEN_ISSUER_ID = '282335';

/** Exactly the fields (and field order) of Baidu's successful token response. */
export interface TokenResponse {
  refresh_token: string;
  expires_in: number;
  session_key: string;
  access_token: string;
  scope: string;
  session_secret: string;
}


/** The `scope` string for an app: always `public brain_all_scope`, then the scope of each allowed API in `scopes` (api, scope). */
export function scopeFor(app: App, scopes: ReadonlyArray<readonly [string, string]>): string {
  const apiScopes = scopes
    .filter(([api]) => appAllows(app, api))
    .map(([, scope]) => scope);
  return ['public', 'brain_all_scope', ...apiScopes, 'wise_adapt'].join(' ');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

// "9mzd" opens every session_key Baidu hands out; these three bytes encode to it in base64.
const SESSION_KEY_PREFIX = Buffer.from('9mzd', 'base64');

/**
 * Mints a new access token for the app (earlier ones stay valid until they expire, as on Baidu)
 * and returns the Baidu-shaped response. `now` is unix ms.
 */
export function issueToken(db: Db, app: App, scopes: ReadonlyArray<readonly [string, string]>, now: number = Date.now()): TokenResponse {
  if (app.revokedAt != null) throw new ServiceError('token_invalid', 'app is revoked');
  const nowSec = Math.floor(now / 1000);
  const expiresAtSec = nowSec + TOKEN_TTL_SECONDS;
  const accessToken = `24.${randomBytes(16).toString('hex')}.${TOKEN_TTL_SECONDS}.${expiresAtSec}.${TOKEN_ISSUER_ID}-${app.appId}`;
  const refreshToken = `25.${randomBytes(16).toString('hex')}.${REFRESH_TTL_SECONDS}.${nowSec + REFRESH_TTL_SECONDS}.${TOKEN_ISSUER_ID}-${app.appId}`;

  db.transaction(() => {
    // Keep expired rows for a while so late callers still get 111 (expired) rather than 110.
    db.prepare('DELETE FROM access_tokens WHERE expires_at < ?').run(now - TOKEN_TTL_SECONDS * 1000);
    db.prepare('INSERT INTO access_tokens (token_hash, app_id, issued_at, expires_at) VALUES (?, ?, ?, ?)').run(
      hashToken(accessToken),
      app.appId,
      now,
      expiresAtSec * 1000,
    );
    db.prepare('INSERT INTO refresh_tokens (token_hash, app_id, issued_at, expires_at) VALUES (?, ?, ?, ?)').run(
      hashToken(refreshToken),
      app.appId,
      now,
      (nowSec + REFRESH_TTL_SECONDS) * 1000,
    );
  })();

  return {
    refresh_token: refreshToken,
    expires_in: TOKEN_TTL_SECONDS,
    session_key: Buffer.concat([SESSION_KEY_PREFIX, randomBytes(67)]).toString('base64'),
    access_token: accessToken,
    scope: scopeFor(app, scopes),
    session_secret: randomBytes(16).toString('hex'),
  };
}

/**
 * Takes a refresh token of `app` out of the store (each is good for one refresh, as on Baidu).
 * False when it is unknown, spent, expired or another app's.
 */
export function spendRefreshToken(db: Db, app: App, token: string, now: number = Date.now()): boolean {
  const hash = hashToken(token.trim());
  const row = cachedStatement(db, 'SELECT app_id, expires_at FROM refresh_tokens WHERE token_hash = ?').get(hash) as
    | { app_id: string; expires_at: number }
    | undefined;
  if (!row || row.app_id !== app.appId) return false;
  cachedStatement(db, 'DELETE FROM refresh_tokens WHERE token_hash = ?').run(hash);
  return now < row.expires_at;
}

/** Ends one access or refresh token at once; true when it existed. */
export function revokeToken(db: Db, token: string): boolean {
  const hash = hashToken(token.split('?')[0].trim());
  return (
    db.prepare('DELETE FROM access_tokens WHERE token_hash = ?').run(hash).changes +
      db.prepare('DELETE FROM refresh_tokens WHERE token_hash = ?').run(hash).changes >
    0
  );
}

// The app id a token string names at its end ("...282335-<app_id>").
const TOKEN_APP_RE = /^2[45]\.[0-9a-f]{32}\.\d+\.\d+\.\d+-([A-Za-z0-9_-]{1,64})$/;

/**
 * The app an access token belongs to. Missing → `token_missing` (100); unknown, malformed or
 * belonging to a revoked app → `token_invalid` (110); past its expiry → `token_expired` (111);
 * a well-formed token naming an app that does not exist → `app_not_found` (15); the token store
 * unreadable (e.g. the database locked past its busy timeout) → `token_service` (13).
 *
 * Tolerates a trailing `?...`: the official Node SDK builds its URL as
 * `...?aipSdk=node&access_token=<token>?aipSdk=node`, so the parsed query value carries one.
 */
export function verifyToken(db: Db, token: string | undefined | null, now: number = Date.now()): App {
  if (token == null || token === '') throw new ServiceError('token_missing');
  const clean = token.split('?')[0].trim();
  if (clean === '') throw new ServiceError('token_missing');
  if (clean.length > 512) throw new ServiceError('token_invalid');

  let row: { app_id: string; expires_at: number } | undefined;
  let app: App | undefined;
  try {
    row = cachedStatement(db, 'SELECT app_id, expires_at FROM access_tokens WHERE token_hash = ?').get(hashToken(clean)) as typeof row;
    if (!row) {
      const named = TOKEN_APP_RE.exec(clean)?.[1];
      if (named !== undefined && !findAppById(db, named)) throw new ServiceError('app_not_found', `token names app ${named}`);
      throw new ServiceError('token_invalid');
    }
    app = findAppById(db, row.app_id);
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    throw new ServiceError('token_service', (err as Error).message);
  }
  if (!app || app.revokedAt != null) throw new ServiceError('token_invalid');
  if (now >= row.expires_at) throw new ServiceError('token_expired');
  return app;
}
