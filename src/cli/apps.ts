/**
 * `bodylens apps ...`: manage the apps (API Key / Secret Key holders) in `<dataDir>/bodylens.db`.
 *
 *   bodylens apps create [--name N] [--app-id ID] [--api-key K --secret-key S]
 *                        [--apis a,b,...] [--qps N] [--daily N] [--json]
 *   bodylens apps list [--show-secrets] [--all] [--json]
 *   bodylens apps revoke <app_id|api_key>
 *
 * `runAppsCommand` takes the words after `apps` (a leading `apps` is skipped too) and returns the
 * process exit code: 0 ok, 1 failure, 2 usage error.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { openDatabase, type Db } from '../store/db.js';
import { createApp, ensureAuthSchema, listApps, revokeApp, type App } from '../auth/apps.js';
import { dailyUsage } from '../auth/limits.js';

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
                       [--apis a,b,...] [--qps N] [--daily N] [--json]
      Create an app. Keys are random unless both are given. --apis limits the APIs it may
      call (default: all); --qps (requests/s per API) and --daily (requests/day per API)
      default to unlimited.
  bodylens apps list [--show-secrets] [--all] [--json]
      List active apps (--all: revoked ones too). Secret keys are masked unless --show-secrets.
  bodylens apps revoke <app_id|api_key>
      Revoke an app; its access tokens stop working at once.`;

class UsageError extends Error {}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} must be a positive integer`);
  return Number(value);
}

function mask(secret: string): string {
  return secret.length <= 4 ? '****' : `${secret.slice(0, 4)}****`;
}

function formatTime(ms: number | null): string {
  if (ms == null) return '';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

function appJson(app: App, showSecret: boolean, today?: number) {
  return {
    app_id: app.appId,
    name: app.name,
    api_key: app.apiKey,
    secret_key: showSecret ? app.secretKey : mask(app.secretKey),
    apis: app.apis ?? 'all',
    qps_limit: app.qpsLimit,
    daily_limit: app.dailyLimit,
    ...(today === undefined ? {} : { requests_today: today }),
    created_at: new Date(app.createdAt).toISOString(),
    revoked_at: app.revokedAt == null ? null : new Date(app.revokedAt).toISOString(),
  };
}

function create(db: Db, args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      'app-id': { type: 'string' },
      'api-key': { type: 'string' },
      'secret-key': { type: 'string' },
      apis: { type: 'string' },
      qps: { type: 'string' },
      daily: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (Boolean(values['api-key']) !== Boolean(values['secret-key'])) {
    throw new UsageError('--api-key and --secret-key go together');
  }
  const app = createApp(db, {
    name: values.name,
    appId: values['app-id'],
    apiKey: values['api-key'],
    secretKey: values['secret-key'],
    apis: values.apis === undefined ? null : values.apis.split(','),
    qpsLimit: positiveInt(values.qps, '--qps'),
    dailyLimit: positiveInt(values.daily, '--daily'),
  });
  if (values.json) {
    io.out(JSON.stringify(appJson(app, true), null, 2));
  } else {
    io.out(`Created app ${app.appId}${app.name ? ` (${app.name})` : ''}`);
    io.out(`  AppID:      ${app.appId}`);
    io.out(`  API Key:    ${app.apiKey}`);
    io.out(`  Secret Key: ${app.secretKey}`);
    io.out(`  APIs:       ${app.apis ? app.apis.join(',') : 'all'}`);
    io.out(`  QPS limit:  ${app.qpsLimit ?? 'unlimited'}`);
    io.out(`  Daily:      ${app.dailyLimit ?? 'unlimited'}`);
  }
  return 0;
}

function list(db: Db, args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'show-secrets': { type: 'boolean' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const show = Boolean(values['show-secrets']);
  const apps = listApps(db, { includeRevoked: Boolean(values.all) });
  const today = (app: App) => dailyUsage(db, app.appId).reduce((sum, u) => sum + u.count, 0);
  if (values.json) {
    io.out(JSON.stringify(apps.map((a) => appJson(a, show, today(a))), null, 2));
    return 0;
  }
  if (!apps.length) {
    io.out('No apps. Create one with: bodylens apps create --name <name>');
    return 0;
  }
  const rows = [['APP_ID', 'NAME', 'API_KEY', 'SECRET_KEY', 'APIS', 'QPS', 'DAILY', 'TODAY', 'CREATED', 'STATUS']];
  for (const a of apps) {
    rows.push([
      a.appId,
      a.name || '-',
      a.apiKey,
      show ? a.secretKey : mask(a.secretKey),
      a.apis ? a.apis.join(',') || '(none)' : 'all',
      a.qpsLimit == null ? '-' : String(a.qpsLimit),
      a.dailyLimit == null ? '-' : String(a.dailyLimit),
      String(today(a)),
      formatTime(a.createdAt),
      a.revokedAt == null ? 'active' : `revoked ${formatTime(a.revokedAt)}`,
    ]);
  }
  for (const line of table(rows)) io.out(line);
  return 0;
}

function revoke(db: Db, args: string[], io: CliIo): number {
  const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('revoke takes one app_id or api_key');
  const wasActive = listApps(db).some((a) => a.appId === positionals[0] || a.apiKey === positionals[0]);
  const app = revokeApp(db, positionals[0]);
  if (!app) {
    io.err(`No app with app_id or api_key "${positionals[0]}"`);
    return 1;
  }
  io.out(wasActive ? `Revoked app ${app.appId}; its access tokens no longer work.` : `App ${app.appId} was already revoked.`);
  return 0;
}

export async function runAppsCommand(argv: string[], config: Pick<Config, 'dataDir'>, io: CliIo = defaultIo): Promise<number> {
  const args = argv[0] === 'apps' ? argv.slice(1) : argv;
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    (sub === undefined ? io.err : io.out)(USAGE);
    return sub === undefined ? 2 : 0;
  }
  const commands: Record<string, (db: Db, args: string[], io: CliIo) => number> = { create, list, revoke };
  const command = commands[sub];
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
    db = openDatabase(config.dataDir);
    ensureAuthSchema(db);
    return command(db, rest, io);
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`bodylens apps ${sub}: ${err instanceof Error ? err.message : String(err)}`);
    return usage ? 2 : 1;
  } finally {
    db?.close();
  }
}
