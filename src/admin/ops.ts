/**
 * App administration, once for both front ends: the CLI (`bodylens apps ...`, src/cli/apps.ts)
 * and the admin HTTP API (`/admin/...`, src/admin/routes.ts). Inputs are plain JSON-like objects
 * with Baidu-style snake_case names; outputs are JSON views. Failures are `AdminError`s with
 * the HTTP status the admin API answers (400 bad input, 404 no such app).
 */
import {
  createApp,
  findAppByIdOrApiKey,
  listApps,
  parseLimit,
  revokeApp,
  rotateSecret,
  updateApp,
  type App,
} from '../auth/apps.js';
import { dailyUsage, outcomeUsage, quotaDay, totalUsage } from '../auth/limits.js';
import { revokeToken } from '../auth/tokens.js';
import { privateUsageRows } from '../auth/private-usage.js';
import type { Db } from '../store/db.js';

export class AdminError extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

export interface AdminContext {
  db: Db;
  /** Minutes east of UTC where quota days turn (config quotaUtcOffsetMinutes). */
  quotaUtcOffsetMinutes: number;
  /** Writes pending usage counts before they are read (AuthService.flushUsage in the server). */
  flushUsage?(): void;
  now?: () => number;
}

/** Fields of an app a caller may set; absent = unchanged (update) or default (create). */
export interface AppInput {
  name?: string;
  app_id?: string;
  api_key?: string;
  secret_key?: string;
  /** Comma-separated string or list; null, "all" or "*" = every API. */
  apis?: string | string[] | null;
  /** Positive integer, or null for unlimited. */
  qps_limit?: number | null;
  daily_limit?: number | null;
  total_limit?: number | null;
  /** Update only: false reinstates a revoked app. */
  revoked?: boolean;
}

const INPUT_KEYS = new Set(['name', 'app_id', 'api_key', 'secret_key', 'apis', 'qps_limit', 'daily_limit', 'total_limit', 'revoked']);

/** A masked secret: no character of it, not even its length (a prefix would help guessing it). */
const MASKED = '********';

/** An app as JSON; the secret key masked unless `showSecret`. */
export function appView(ctx: AdminContext, app: App, showSecret: boolean) {
  const today = quotaDay((ctx.now ?? Date.now)(), ctx.quotaUtcOffsetMinutes);
  return {
    app_id: app.appId,
    name: app.name,
    api_key: app.apiKey,
    secret_key: showSecret ? app.secretKey : MASKED,
    apis: app.apis ?? 'all',
    qps_limit: app.qpsLimit,
    daily_limit: app.dailyLimit,
    total_limit: app.totalLimit,
    requests_today: dailyUsage(ctx.db, app.appId, today).reduce((sum, u) => sum + u.count, 0),
    created_at: new Date(app.createdAt).toISOString(),
    revoked_at: app.revokedAt == null ? null : new Date(app.revokedAt).toISOString(),
  };
}

export type AppView = ReturnType<typeof appView>;

function limit(value: unknown, field: string): number | null | undefined {
  return guarded(() => parseLimit(value, field));
}

function apis(value: AppInput['apis']): string[] | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string') return value.split(',');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new AdminError(400, 'apis must be a comma-separated string or a list of names');
}

function text(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AdminError(400, `${field} must be a string`);
  return value;
}

function checkInput(input: unknown): AppInput {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new AdminError(400, 'expected a JSON object');
  for (const key of Object.keys(input)) if (!INPUT_KEYS.has(key)) throw new AdminError(400, `unknown field "${key}"`);
  return input as AppInput;
}

/** Runs an apps.ts call, turning its plain errors into AdminErrors. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AdminError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new AdminError(/^no app /.test(message) ? 404 : 400, message);
  }
}

export function findApp(ctx: AdminContext, idOrApiKey: string): App {
  const app = findAppByIdOrApiKey(ctx.db, idOrApiKey);
  if (!app) throw new AdminError(404, `no app with app_id or api_key "${idOrApiKey}"`);
  return app;
}

export function createAppOp(ctx: AdminContext, raw: unknown): AppView {
  const input = checkInput(raw);
  if (input.revoked !== undefined) throw new AdminError(400, 'a new app cannot be revoked');
  const app = guarded(() =>
    createApp(ctx.db, {
      name: text(input.name, 'name'),
      appId: text(input.app_id, 'app_id'),
      apiKey: text(input.api_key, 'api_key'),
      secretKey: text(input.secret_key, 'secret_key'),
      apis: apis(input.apis) ?? null,
      qpsLimit: limit(input.qps_limit, 'qps_limit'),
      dailyLimit: limit(input.daily_limit, 'daily_limit'),
      totalLimit: limit(input.total_limit, 'total_limit'),
    }),
  );
  return appView(ctx, app, true);
}

export function listAppsOp(ctx: AdminContext, options: { all?: boolean; showSecrets?: boolean } = {}): AppView[] {
  ctx.flushUsage?.();
  return listApps(ctx.db, { includeRevoked: Boolean(options.all) }).map((a) => appView(ctx, a, Boolean(options.showSecrets)));
}

export function showAppOp(ctx: AdminContext, id: string, options: { showSecret?: boolean } = {}) {
  ctx.flushUsage?.();
  const app = findApp(ctx, id);
  return { ...appView(ctx, app, Boolean(options.showSecret)), requests_total: totalUsage(ctx.db, app.appId) };
}

export function updateAppOp(ctx: AdminContext, id: string, raw: unknown): AppView {
  const input = checkInput(raw);
  const app = findApp(ctx, id);
  const newId = text(input.app_id, 'app_id');
  if (newId !== undefined && newId !== app.appId) {
    throw new AdminError(400, 'app_id cannot be changed: it names the app in its tokens, usage and video jobs (create a new app instead)');
  }
  if (input.revoked === true) return revokeAppOp(ctx, app.appId);
  const updated = guarded(() =>
    updateApp(ctx.db, app.appId, {
      name: text(input.name, 'name'),
      apiKey: text(input.api_key, 'api_key'),
      secretKey: text(input.secret_key, 'secret_key'),
      apis: input.apis === undefined ? undefined : apis(input.apis) ?? null,
      qpsLimit: limit(input.qps_limit, 'qps_limit'),
      dailyLimit: limit(input.daily_limit, 'daily_limit'),
      totalLimit: limit(input.total_limit, 'total_limit'),
      revoked: input.revoked,
    }),
  );
  return appView(ctx, updated, false);
}

/** Revokes the app and ends its tokens at once. */
export function revokeAppOp(ctx: AdminContext, id: string): AppView {
  const app = revokeApp(ctx.db, findApp(ctx, id).appId);
  return appView(ctx, app!, false);
}

/** A new Secret Key (shown once); the app's tokens end, so clients fetch new ones with it. */
export function rotateSecretOp(ctx: AdminContext, id: string): AppView {
  return appView(ctx, guarded(() => rotateSecret(ctx.db, findApp(ctx, id).appId)), true);
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Requests per API, day and outcome ('ok' or the error kind), days from..to inclusive. */
export function usageOp(ctx: AdminContext, id: string, range: { from?: string; to?: string } = {}) {
  for (const [k, v] of Object.entries(range)) if (v !== undefined && (typeof v !== 'string' || !DAY_RE.test(v))) throw new AdminError(400, `${k} must be YYYY-MM-DD`);
  ctx.flushUsage?.();
  const app = findApp(ctx, id);
  return {
    app_id: app.appId,
    usage: outcomeUsage(ctx.db, app.appId, range.from, range.to),
    totals: totalUsage(ctx.db, app.appId),
  };
}

/** Calls of the private dialect (which has no apps) per service, day and outcome, days from..to inclusive. */
export function privateUsageOp(ctx: AdminContext, range: { from?: unknown; to?: unknown; service?: unknown } = {}) {
  for (const k of ['from', 'to'] as const) if (range[k] !== undefined && (typeof range[k] !== 'string' || !DAY_RE.test(range[k] as string))) throw new AdminError(400, `${k} must be YYYY-MM-DD`);
  if (range.service !== undefined && (typeof range.service !== 'string' || !/^[a-z_]{1,40}$/.test(range.service))) throw new AdminError(400, 'service must be one private service name');
  ctx.flushUsage?.();
  const usage = privateUsageRows(ctx.db, range as { from?: string; to?: string; service?: string });
  const totals = new Map<string, number>();
  for (const row of usage) totals.set(row.service, (totals.get(row.service) ?? 0) + row.count);
  return { usage, totals: [...totals].map(([service, count]) => ({ service, count })) };
}

export function revokeTokenOp(ctx: AdminContext, token: unknown): { revoked: boolean } {
  if (typeof token !== 'string' || !token.trim()) throw new AdminError(400, 'token must be a non-empty string');
  return { revoked: revokeToken(ctx.db, token) };
}
