/**
 * `bodylens apps ...`: manage the apps (API Key / Secret Key holders) in `<dataDir>/bodylens.db`.
 * The same operations as the admin HTTP API (src/admin/ops.ts); see USAGE.
 *
 * `runAppsCommand` takes the words after `apps` (a leading `apps` is skipped too) and returns the
 * process exit code: 0 ok, 1 failure, 2 usage error.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { DEFAULT_QUOTA_UTC_OFFSET_MINUTES } from '../config.js';
import { openDatabase, type Db } from '../store/db.js';
import { ensureAuthSchema, parseLimit } from '../auth/apps.js';
import {
  createAppOp,
  listAppsOp,
  revokeAppOp,
  revokeTokenOp,
  rotateSecretOp,
  showAppOp,
  updateAppOp,
  usageOp,
  privateUsageOp,
  type AdminContext,
  type AppInput,
  type AppView,
} from '../admin/ops.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

const USAGE = `Usage:
  bodylens apps create [--name N] [--app-id ID] [--api-key K --secret-key S]
                       [--apis a,b,...] [--qps N] [--daily N] [--total N] [--json]
      Create an app. Keys are random unless both are given. --apis limits the APIs it may
      call (default: all); --qps (requests/s per API), --daily (requests per API per day,
      Beijing time) and --total (requests per API ever) default to unlimited.
  bodylens apps list [--show-secrets] [--all] [--json]
      List active apps (--all: revoked ones too). Secret keys are masked unless --show-secrets.
  bodylens apps show <app_id|api_key> [--show-secrets]
      One app as JSON, with today's and lifetime request counts.
  bodylens apps update <app_id|api_key> [--name N] [--apis a,b|all] [--qps N|none]
                       [--daily N|none] [--total N|none] [--reinstate]
      Change an app; "none" removes a limit.
  bodylens apps revoke <app_id|api_key>      Revoke an app; its tokens stop working at once.
  bodylens apps revoke --token <token>       End one access or refresh token at once.
  bodylens apps rotate-secret <app_id|api_key>
      A new Secret Key (printed once); the app's tokens end.
  bodylens apps usage <app_id|api_key> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]
      Requests per API, day and outcome (ok, or the error that ended them).
  bodylens apps private-usage [--service S] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]
      Calls of the private dialect (BODYLENS_PRIVATE), which has no apps: per service, day
      and outcome.`;

class UsageError extends Error {}

/** A limit flag (auth/apps.ts parseLimit); "none" = unlimited where allowed (update). */
function positiveInt(value: string | undefined, flag: string, allowNone = false): number | null | undefined {
  if (allowNone && value === 'none') return null;
  try {
    return parseLimit(value, flag);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function formatTime(iso: string | null): string {
  return iso == null ? '' : iso.slice(0, 16).replace('T', ' ');
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

type Command = (ctx: AdminContext, args: string[], io: CliIo) => number;

function parse(args: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options'], positional: number) {
  const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
  if (positionals.length !== positional) {
    throw new UsageError(positional === 0 ? `unexpected argument "${positionals[0]}"` : 'give one app_id or api_key');
  }
  return { values: values as Record<string, string | boolean | undefined>, target: positionals[0] };
}

const limitFlags = { name: { type: 'string' }, apis: { type: 'string' }, qps: { type: 'string' }, daily: { type: 'string' }, total: { type: 'string' } } as const;

function limitInput(values: Record<string, string | boolean | undefined>, allowNone: boolean): AppInput {
  const s = (k: string) => values[k] as string | undefined;
  return {
    name: s('name'),
    apis: s('apis'),
    qps_limit: positiveInt(s('qps'), '--qps', allowNone),
    daily_limit: positiveInt(s('daily'), '--daily', allowNone),
    total_limit: positiveInt(s('total'), '--total', allowNone),
  };
}

function printApp(io: CliIo, verb: string, app: AppView): void {
  io.out(`${verb} app ${app.app_id}${app.name ? ` (${app.name})` : ''}`);
  io.out(`  AppID:      ${app.app_id}`);
  io.out(`  API Key:    ${app.api_key}`);
  io.out(`  Secret Key: ${app.secret_key}`);
  io.out(`  APIs:       ${Array.isArray(app.apis) ? app.apis.join(',') : app.apis}`);
  io.out(`  QPS limit:  ${app.qps_limit ?? 'unlimited'}`);
  io.out(`  Daily:      ${app.daily_limit ?? 'unlimited'}`);
  io.out(`  Total:      ${app.total_limit ?? 'unlimited'}`);
}

const create: Command = (ctx, args, io) => {
  const { values } = parse(args, { ...limitFlags, 'app-id': { type: 'string' }, 'api-key': { type: 'string' }, 'secret-key': { type: 'string' }, json: { type: 'boolean' } }, 0);
  if (Boolean(values['api-key']) !== Boolean(values['secret-key'])) throw new UsageError('--api-key and --secret-key go together');
  const app = createAppOp(ctx, {
    ...limitInput(values, false),
    apis: (values.apis as string | undefined) ?? null,
    app_id: values['app-id'] as string | undefined,
    api_key: values['api-key'] as string | undefined,
    secret_key: values['secret-key'] as string | undefined,
  });
  if (values.json) io.out(JSON.stringify(app, null, 2));
  else printApp(io, 'Created', app);
  return 0;
};

const list: Command = (ctx, args, io) => {
  const { values } = parse(args, { 'show-secrets': { type: 'boolean' }, all: { type: 'boolean' }, json: { type: 'boolean' } }, 0);
  const apps = listAppsOp(ctx, { all: Boolean(values.all), showSecrets: Boolean(values['show-secrets']) });
  if (values.json) {
    io.out(JSON.stringify(apps, null, 2));
    return 0;
  }
  if (!apps.length) {
    io.out('No apps. Create one with: bodylens apps create --name <name>');
    return 0;
  }
  const rows = [['APP_ID', 'NAME', 'API_KEY', 'SECRET_KEY', 'APIS', 'QPS', 'DAILY', 'TOTAL', 'TODAY', 'CREATED', 'STATUS']];
  const lim = (n: number | null) => (n == null ? '-' : String(n));
  for (const a of apps) {
    rows.push([
      a.app_id,
      a.name || '-',
      a.api_key,
      a.secret_key,
      Array.isArray(a.apis) ? a.apis.join(',') || '(none)' : a.apis,
      lim(a.qps_limit),
      lim(a.daily_limit),
      lim(a.total_limit),
      String(a.requests_today),
      formatTime(a.created_at),
      a.revoked_at == null ? 'active' : `revoked ${formatTime(a.revoked_at)}`,
    ]);
  }
  for (const line of table(rows)) io.out(line);
  return 0;
};

const show: Command = (ctx, args, io) => {
  const { values, target } = parse(args, { 'show-secrets': { type: 'boolean' } }, 1);
  io.out(JSON.stringify(showAppOp(ctx, target, { showSecret: Boolean(values['show-secrets']) }), null, 2));
  return 0;
};

const update: Command = (ctx, args, io) => {
  const { values, target } = parse(args, { ...limitFlags, reinstate: { type: 'boolean' } }, 1);
  const input = limitInput(values, true);
  const app = updateAppOp(ctx, target, { ...input, ...(values.reinstate ? { revoked: false } : {}) });
  io.out(JSON.stringify(app, null, 2));
  return 0;
};

const revoke: Command = (ctx, args, io) => {
  const { values, positionals } = parseArgs({ args, options: { token: { type: 'string' } }, strict: true, allowPositionals: true });
  if (values.token !== undefined) {
    if (positionals.length) throw new UsageError('give either an app or --token');
    const { revoked } = revokeTokenOp(ctx, values.token);
    if (!revoked) {
      io.err('No such token (already expired, revoked or never issued here).');
      return 1;
    }
    io.out('Token revoked; it no longer works.');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('revoke takes one app_id or api_key (or --token <token>)');
  const before = showAppOp(ctx, positionals[0]);
  const app = revokeAppOp(ctx, positionals[0]);
  io.out(before.revoked_at == null ? `Revoked app ${app.app_id}; its access tokens no longer work.` : `App ${app.app_id} was already revoked.`);
  return 0;
};

const rotate: Command = (ctx, args, io) => {
  const { target } = parse(args, {}, 1);
  printApp(io, 'New secret key for', rotateSecretOp(ctx, target));
  io.out('Its access tokens have ended; clients fetch new ones with the new Secret Key.');
  return 0;
};

const usage: Command = (ctx, args, io) => {
  const { values, target } = parse(args, { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } }, 1);
  const report = usageOp(ctx, target, { from: values.from as string | undefined, to: values.to as string | undefined });
  if (values.json) {
    io.out(JSON.stringify(report, null, 2));
    return 0;
  }
  if (!report.usage.length) io.out(`No requests recorded for app ${report.app_id}.`);
  else for (const line of table([['DAY', 'API', 'OUTCOME', 'COUNT'], ...report.usage.map((u) => [u.day, u.api, u.outcome, String(u.count)])])) io.out(line);
  return 0;
};

const privateUsage: Command = (ctx, args, io) => {
  const { values } = parse(args, { service: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } }, 0);
  const s = (k: string) => values[k] as string | undefined;
  const report = privateUsageOp(ctx, { service: s('service'), from: s('from'), to: s('to') });
  if (values.json) {
    io.out(JSON.stringify(report, null, 2));
    return 0;
  }
  if (!report.usage.length) io.out('No private-dialect calls recorded.');
  else for (const line of table([['DAY', 'SERVICE', 'OUTCOME', 'COUNT'], ...report.usage.map((u) => [u.day, u.service, u.outcome, String(u.count)])])) io.out(line);
  return 0;
};

const COMMANDS: Record<string, Command> = { create, list, show, update, revoke, 'rotate-secret': rotate, usage, 'private-usage': privateUsage };

export async function runAppsCommand(
  argv: string[],
  config: Pick<Config, 'dataDir'> & Partial<Pick<Config, 'serverKey' | 'quotaUtcOffsetMinutes'>>,
  io: CliIo = defaultIo,
): Promise<number> {
  const args = argv[0] === 'apps' ? argv.slice(1) : argv;
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    (sub === undefined ? io.err : io.out)(USAGE);
    return sub === undefined ? 2 : 0;
  }
  const command = COMMANDS[sub];
  if (!command) {
    io.err(`Unknown command "apps ${sub}".\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  let db: Db | undefined;
  try {
    db = openDatabase(config.dataDir, { serverKey: config.serverKey });
    ensureAuthSchema(db);
    return command({ db, quotaUtcOffsetMinutes: config.quotaUtcOffsetMinutes ?? DEFAULT_QUOTA_UTC_OFFSET_MINUTES }, rest, io);
  } catch (err) {
    const usageError = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`bodylens apps ${sub}: ${err instanceof Error ? err.message : String(err)}`);
    if (usageError) return 2;
    return 1;
  } finally {
    db?.close();
  }
}
