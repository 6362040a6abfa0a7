/**
 * The auth entry point for the HTTP layer:
 *
 *   const db = openDatabase(config.dataDir);
 *   const auth = new AuthService(db);                  // applies the auth schema
 *   const boot = ensureBootstrapApp(db, config);       // print boot.app's keys once if boot.generated
 *   ...
 *   const caller = auth.authenticate(req, 'body_analysis');   // throws ServiceError
 *
 * `authenticate` accepts Baidu's two methods: an `access_token` query parameter (method 1), or a
 * `bce-auth-v1` Authorization header (method 2). Then it checks the app may call the API
 * (`no_permission`, 6), its QPS (`qps_limit`, 18), its daily quota (`daily_limit`, 17) and its
 * total quota (`total_limit`, 19). Refused calls are counted per outcome (`record`) in memory
 * and written once a second, so a flood of them costs no database write each.
 */
import { ServiceError } from '../errors.js';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import {
  appAllows,
  checkSecret,
  countApps,
  createApp,
  ensureAuthSchema,
  findAppByApiKey,
  findAppById,
  updateApp,
  type App,
} from './apps.js';
import { consumeQuota, OutcomeRecorder, pruneUsage, QpsLimiter, quotaDay } from './limits.js';
import { DEFAULT_QUOTA_UTC_OFFSET_MINUTES } from '../config.js';
import { isBceAuthorization, verifySignature, DEFAULT_CLOCK_SKEW_SECONDS } from './signature.js';
import { issueToken, revokeToken, spendRefreshToken, verifyToken, type TokenResponse } from './tokens.js';

export type { App } from './apps.js';
export type { TokenResponse } from './tokens.js';

/** The parts of an HTTP request auth looks at (a Fastify request fits). */
export interface AuthRequest {
  query: Record<string, string | undefined>;
  headers: Record<string, string | string[] | undefined>;
  method: string;
  /** Path and query as received. */
  url: string;
}

export interface AuthenticatedApp {
  appId: string;
  apiKey: string;
  name: string;
  /** How the caller proved who it is. */
  method: 'access_token' | 'signature' | 'kakao_app_key';
}

export interface AuthServiceOptions {
  /** Clock, unix ms (tests inject one). */
  now?: () => number;
  /** Future tolerance for signature timestamps, seconds (default 300). */
  clockSkewSeconds?: number;
  /**
   * (API name, OAuth scope) pairs a token response may grant, from the dialect's endpoint table
   * (api/baidu/endpoints.ts `baiduScopes()`); default none besides Baidu's fixed ones.
   */
  scopes?: ReadonlyArray<readonly [string, string]>;
  /** Minutes east of UTC of the clock whose midnight turns daily quotas (default 480, Beijing). */
  quotaUtcOffsetMinutes?: number;
}

/** Outcome of a `/oauth/2.0/token` request, already in Baidu's OAuth shape. */
export type TokenExchangeResult =
  | { ok: true; status: 200; body: TokenResponse }
  | { ok: false; status: 400 | 401; body: { error_description: string; error: string } };

export { quotaDay } from './limits.js';

export class AuthService {
  readonly db: Db;
  private readonly now: () => number;
  private readonly clockSkewSeconds: number;
  private readonly scopes: ReadonlyArray<readonly [string, string]>;
  private readonly qps = new QpsLimiter();
  private readonly outcomes: OutcomeRecorder;
  readonly quotaUtcOffsetMinutes: number;
  /** The quota day whose old usage rows were last deleted (once a day is enough). */
  private usagePrunedOn?: string;

  constructor(db: Db, options: AuthServiceOptions = {}) {
    this.db = db;
    this.now = options.now ?? Date.now;
    this.clockSkewSeconds = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
    this.scopes = options.scopes ?? [];
    this.quotaUtcOffsetMinutes = options.quotaUtcOffsetMinutes ?? DEFAULT_QUOTA_UTC_OFFSET_MINUTES;
    this.outcomes = new OutcomeRecorder(db);
    ensureAuthSchema(db);
  }

  /** The quota day of an instant (default now). */
  day(now: number = this.now()): string {
    return quotaDay(now, this.quotaUtcOffsetMinutes);
  }

  /** Counts how an admitted request ended ('ok' or its error kind), per app, API and day. */
  record(appId: string, api: string, outcome: string): void {
    this.outcomes.record(appId, api, this.day(), outcome);
  }

  /** Writes pending outcome counts now (before reading usage, and on shutdown). */
  flushUsage(): void {
    this.outcomes.flush();
  }

  /** Ends one access or refresh token at once. */
  revokeToken(token: string): boolean {
    return revokeToken(this.db, token);
  }

  /**
   * Identifies the caller of `api` and charges the request to it, or throws a ServiceError:
   * token_missing (100), token_invalid (110), token_expired (111), iam_failed (14),
   * no_permission (6), qps_limit (18), daily_limit (17).
   */
  authenticate(req: AuthRequest, api: string): AuthenticatedApp {
    const now = this.now();
    let app: App;
    let method: AuthenticatedApp['method'];
    const token = firstValue(req.query.access_token as string | string[] | undefined);
    const authorization = firstValue(req.headers.authorization);
    if (token === undefined && isBceAuthorization(authorization)) {
      app = verifySignature(req, authorization, (ak) => findAppByApiKey(this.db, ak), {
        now,
        clockSkewSeconds: this.clockSkewSeconds,
      });
      method = 'signature';
    } else {
      app = verifyToken(this.db, token, now);
      method = 'access_token';
    }

    return this.admit(app, api, method, now);
  }

  /**
   * Kakao's scheme: `Authorization: KakaoAK <REST API key>`, where an app's API Key is its REST
   * API key. Missing header → token_missing; unknown or revoked key → token_invalid (both 401
   * with Kakao code -401). Then the same permission, QPS and daily checks as Baidu callers.
   */
  authenticateKakao(req: Pick<AuthRequest, 'headers'>, api: string, options: { charge?: boolean } = {}): AuthenticatedApp {
    const now = this.now();
    const authorization = firstValue(req.headers.authorization);
    const match = authorization === undefined ? null : /^KakaoAK\s+(\S+)\s*$/.exec(authorization);
    if (!match) {
      throw new ServiceError('token_missing', authorization === undefined ? 'no Authorization header' : 'expected "Authorization: KakaoAK <REST API key>"');
    }
    const app = findAppByApiKey(this.db, match[1]);
    if (!app || app.revokedAt != null) throw new ServiceError('token_invalid', 'unknown or revoked app key');
    if (options.charge === false) {
      // Reading a job's state: the key and the permission count, the QPS and quotas do not.
      if (!appAllows(app, api)) throw new ServiceError('no_permission', `app ${app.appId} may not call ${api}`);
      return { appId: app.appId, apiKey: app.apiKey, name: app.name, method: 'kakao_app_key' };
    }
    return this.admit(app, api, 'kakao_app_key', now);
  }

  /**
   * Permission, then QPS, then daily and total quota; a request refused for quota gives its QPS
   * slot back. Refusals are recorded as outcomes here; admitted calls by the route (`record`).
   */
  private admit(app: App, api: string, method: AuthenticatedApp['method'], now: number): AuthenticatedApp {
    const day = quotaDay(now, this.quotaUtcOffsetMinutes);
    try {
      if (!appAllows(app, api)) throw new ServiceError('no_permission', `app ${app.appId} may not call ${api}`);
      const release = this.qps.take(app.appId, api, app.qpsLimit, now);
      try {
        consumeQuota(this.db, app.appId, api, { daily: app.dailyLimit, total: app.totalLimit }, day);
      } catch (err) {
        release();
        throw err;
      }
    } catch (err) {
      if (err instanceof ServiceError) this.outcomes.record(app.appId, api, day, err.kind);
      throw err;
    }
    if (day !== this.usagePrunedOn) {
      this.usagePrunedOn = day;
      pruneUsage(this.db, now, this.quotaUtcOffsetMinutes);
    }
    return { appId: app.appId, apiKey: app.apiKey, name: app.name, method };
  }

  /**
   * Baidu's client_credentials exchange. Errors as Baidu's OAuth server words them:
   * unknown/revoked client → 401 invalid_client "unknown client id"; wrong secret → 401
   * invalid_client "Client authentication failed"; any grant type but client_credentials → 400
   * unsupported_grant_type.
   */
  exchangeClientCredentials(params: {
    grant_type?: string;
    client_id?: string;
    client_secret?: string;
    refresh_token?: string;
  }): TokenExchangeResult {
    if (params.grant_type !== 'client_credentials' && params.grant_type !== 'refresh_token') {
      return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported');
    }
    const app = params.client_id ? findAppByApiKey(this.db, params.client_id) : undefined;
    if (!app || app.revokedAt != null) return oauthError(401, 'invalid_client', 'unknown client id');
    if (!checkSecret(app, params.client_secret)) {
      return oauthError(401, 'invalid_client', 'Client authentication failed');
    }
    const now = this.now();
    if (params.grant_type === 'refresh_token') {
      // Baidu's refresh grant: the client authenticates as for client_credentials and spends the
      // refresh token (one use); a new access + refresh pair comes back in the same shape.
      if (!params.refresh_token) return oauthError(400, 'invalid_request', 'missing refresh_token');
      if (!spendRefreshToken(this.db, app, params.refresh_token, now)) return oauthError(400, 'invalid_grant', 'Invalid refresh token');
    }
    return { ok: true, status: 200, body: issueToken(this.db, app, this.scopes, now) };
  }

  /** Looks an access token up without charging anything (for tools and tests). */
  verifyToken(token: string | undefined): App {
    return verifyToken(this.db, token, this.now());
  }
}

function oauthError(status: 400 | 401, error: string, description: string): TokenExchangeResult {
  // Baidu writes error_description before error; kept for byte-level look-alike responses.
  return { ok: false, status, body: { error_description: description, error } };
}

// Query parsers turn a repeated parameter into an array; the first one counts.
function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export interface BootstrapResult {
  /** The configured app, or the one generated; null when apps already existed and none is configured. */
  app: App | null;
  /** 'created'/'updated': from config.bootstrapApp; 'generated': first start, random keys; 'none': nothing to do. */
  action: 'created' | 'updated' | 'generated' | 'none';
  /** True when the server should print the app's credentials (only right after generating them). */
  generated: boolean;
}

/**
 * Start-up bootstrap. With `config.bootstrapApp`, makes sure that app exists with those keys,
 * all APIs and not revoked (its limits are left as they are). Without it, and only when the
 * database has no app at all, creates one with random keys and reports them once.
 */
export function ensureBootstrapApp(db: Db, config: Pick<Config, 'bootstrapApp'>, now: number = Date.now()): BootstrapResult {
  ensureAuthSchema(db);
  const wanted = config.bootstrapApp;
  return db.transaction((): BootstrapResult => {
    if (!wanted) {
      if (countApps(db) > 0) return { app: null, action: 'none', generated: false };
      const app = createApp(db, { name: 'default', now });
      return { app, action: 'generated', generated: true };
    }

    const byId = wanted.appId ? findAppById(db, wanted.appId) : undefined;
    const byKey = findAppByApiKey(db, wanted.apiKey);
    if (byId && byKey && byId.appId !== byKey.appId) {
      throw new Error(
        `BODYLENS_APP_ID ${wanted.appId} and BODYLENS_API_KEY belong to two different apps (${byId.appId}, ${byKey.appId})`,
      );
    }
    const existing = byId ?? byKey;
    if (!existing) {
      const app = createApp(db, {
        name: 'bootstrap',
        appId: wanted.appId,
        apiKey: wanted.apiKey,
        secretKey: wanted.secretKey,
        apis: null,
        now,
      });
      return { app, action: 'created', generated: false };
    }
    const app = updateApp(db, existing.appId, {
      appId: wanted.appId ?? existing.appId,
      apiKey: wanted.apiKey,
      secretKey: wanted.secretKey,
      apis: null,
      revoked: false,
    });
    return { app, action: 'updated', generated: false };
  }).immediate();
}
