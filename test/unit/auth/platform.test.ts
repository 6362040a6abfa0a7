/**
 * The platform around auth: refresh grants, revoking tokens, secrets at rest, total limits,
 * usage per outcome and the `apps` commands beyond create/list/revoke. Real SQLite files.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ServiceError, type ErrorKind } from '../../../src/errors.js';
import { baiduCode } from '../../../src/api/baidu/errors.js';
import { applyMigrations, openDatabase, type Db } from '../../../src/store/db.js';
import { AUTH_MIGRATIONS, createApp, ensureAuthSchema, findAppById, revokeApp } from '../../../src/auth/apps.js';
import { AuthService, ensureBootstrapApp, type AuthRequest } from '../../../src/auth/index.js';
import { runAppsCommand } from '../../../src/cli/apps.js';
import { OutcomeRecorder } from '../../../src/auth/limits.js';
import { Worker } from 'node:worker_threads';
import { AdminError, createAppOp, findApp, updateAppOp } from '../../../src/admin/ops.js';
import { POSE_JOB_MIGRATIONS } from '../../../src/video/jobs.js';
import { SERVER_KEY_FILENAME } from '../../../src/store/secret-box.js';

let dir: string;
let n = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bodylens-platform-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const fresh = () => join(dir, `d${++n}`);
const req = (token: string): AuthRequest => ({ query: { access_token: token }, headers: {}, method: 'POST', url: `/x?access_token=${token}` });

function expectKind(fn: () => unknown, kind: ErrorKind, code: number): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ServiceError, String(err));
    assert.equal(err.kind, kind);
    assert.equal(baiduCode(err.kind), code);
    return true;
  });
}

function grant(auth: AuthService, app: { apiKey: string; secretKey: string }, extra: Record<string, string> = {}) {
  return auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey, ...extra });
}

describe('tokens', () => {
  test('grant_type=refresh_token: a new pair, the refresh token good once, client authentication required', () => {
    const db = openDatabase(fresh());
    let now = 1_700_000_000_000;
    const auth = new AuthService(db, { now: () => now });
    const app = createApp(db);
    const first = grant(auth, app);
    assert.ok(first.ok);
    now += 60_000;
    const refresh = { grant_type: 'refresh_token', refresh_token: first.body.refresh_token };
    assert.deepEqual(auth.exchangeClientCredentials({ ...refresh, client_id: app.apiKey, client_secret: 'wrong' }), {
      ok: false,
      status: 401,
      body: { error_description: 'Client authentication failed', error: 'invalid_client' },
    });
    const second = auth.exchangeClientCredentials({ ...refresh, client_id: app.apiKey, client_secret: app.secretKey });
    assert.ok(second.ok);
    assert.deepEqual(Object.keys(second.body), ['refresh_token', 'expires_in', 'session_key', 'access_token', 'scope', 'session_secret']);
    assert.notEqual(second.body.access_token, first.body.access_token);
    assert.equal(auth.authenticate(req(second.body.access_token), 'body_analysis').appId, app.appId);
    // Spent: a second use fails as Baidu's OAuth words it.
    const again = auth.exchangeClientCredentials({ ...refresh, client_id: app.apiKey, client_secret: app.secretKey });
    assert.deepEqual(again, { ok: false, status: 400, body: { error_description: 'Invalid refresh token', error: 'invalid_grant' } });
    // Another app's refresh token is refused too.
    const other = createApp(db);
    assert.equal(auth.exchangeClientCredentials({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token, client_id: other.apiKey, client_secret: other.secretKey }).ok, false);
    db.close();
  });

  test('revoking a token, or the app, takes effect on the very next request', () => {
    const db = openDatabase(fresh());
    const auth = new AuthService(db);
    const app = createApp(db);
    const a = grant(auth, app);
    const b = grant(auth, app);
    assert.ok(a.ok && b.ok);
    auth.authenticate(req(a.body.access_token), 'body_analysis');
    assert.equal(auth.revokeToken(a.body.access_token), true);
    expectKind(() => auth.authenticate(req(a.body.access_token), 'body_analysis'), 'token_invalid', 110);
    auth.authenticate(req(b.body.access_token), 'body_analysis');
    assert.equal(auth.revokeToken(a.body.access_token), false, 'already gone');
    // Revoking the app ends its access and refresh tokens at once.
    assert.ok(revokeApp(db, app.appId)?.revokedAt);
    expectKind(() => auth.authenticate(req(b.body.access_token), 'body_analysis'), 'token_invalid', 110);
    const refreshed = auth.exchangeClientCredentials({ grant_type: 'refresh_token', refresh_token: b.body.refresh_token, client_id: app.apiKey, client_secret: app.secretKey });
    assert.deepEqual(refreshed, { ok: false, status: 401, body: { error_description: 'unknown client id', error: 'invalid_client' } });
    db.close();
  });
});

describe('refresh tokens spent concurrently', () => {
  test('four connections spending the same refresh tokens at once: each token is spent exactly once', async () => {
    const dataDir = fresh();
    const serverKey = 'c'.repeat(64);
    const db = openDatabase(dataDir, { serverKey });
    const auth = new AuthService(db);
    const app = createApp(db, { apiKey: 'RaceApiKey00000000000000', secretKey: 'RaceSecretKey0123456789abcdefghi' });
    const tokens = Array.from({ length: 40 }, () => {
      const t = grant(auth, app);
      assert.ok(t.ok);
      return t.body.refresh_token;
    });
    // Worker threads, each with its own connection (as separate processes would have), start
    // every token's spend together behind a shared barrier.
    const workers = 4;
    const barrier = new Int32Array(new SharedArrayBuffer(4 * (tokens.length + 1)));
    const tokensModule = new URL('../../../src/auth/tokens.js', import.meta.url).href;
    const dbModule = new URL('../../../src/store/db.js', import.meta.url).href;
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      (async () => {
        const { openDatabase } = await import(${JSON.stringify(dbModule)});
        const { spendRefreshToken } = await import(${JSON.stringify(tokensModule)});
        const { dataDir, serverKey, appId, tokens, barrier, workers } = workerData;
        const db = openDatabase(dataDir, { serverKey });
        const won = [];
        for (let i = 0; i < tokens.length; i++) {
          Atomics.add(barrier, i, 1);
          while (Atomics.load(barrier, i) < workers) {} // spin: start together
          if (spendRefreshToken(db, { appId }, tokens[i])) won.push(i);
        }
        db.close();
        parentPort.postMessage(won);
      })();`;
    const results = await Promise.all(
      Array.from({ length: workers }, () => new Promise<number[]>((resolve, reject) => {
        const w = new Worker(code, { eval: true, workerData: { dataDir, serverKey, appId: app.appId, tokens, barrier, workers } });
        w.once('message', resolve);
        w.once('error', reject);
      })),
    );
    const wins = new Map<number, number>();
    for (const won of results) for (const i of won) wins.set(i, (wins.get(i) ?? 0) + 1);
    const doubled = [...wins].filter(([, n]) => n > 1).length;
    assert.equal(doubled, 0, `${doubled} of ${tokens.length} refresh tokens were spent more than once`);
    assert.equal(wins.size, tokens.length, 'every token was spent once');
    db.close();
  });
});

describe('token store failures', () => {
  test('a token store that cannot be read → 13 "Get service token failed", not a crash or 110', () => {
    const db = openDatabase(fresh());
    const auth = new AuthService(db);
    const app = createApp(db);
    const t = grant(auth, app);
    assert.ok(t.ok);
    db.close();
    expectKind(() => auth.authenticate(req(t.body.access_token), 'body_analysis'), 'token_service', 13);
  });
});

describe('secrets at rest', () => {
  test('the database file holds no secret key and no token; the server key is 0600; the data dir 0700', () => {
    const dataDir = fresh();
    const db = openDatabase(dataDir);
    const auth = new AuthService(db);
    const app = createApp(db, { apiKey: 'AtRestKey000000000000000', secretKey: 'VerySecretKeyValue0123456789abcd' });
    const t = grant(auth, app);
    assert.ok(t.ok);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = Buffer.concat(readdirSync(dataDir).filter((f) => f.startsWith('bodylens.db')).map((f) => readFileSync(join(dataDir, f))));
    assert.ok(bytes.includes(Buffer.from('AtRestKey000000000000000')), 'the API key is not secret and is stored');
    assert.ok(!bytes.includes(Buffer.from('VerySecretKeyValue0123456789abcd')), 'secret key found in the database file');
    assert.ok(!bytes.includes(Buffer.from(t.body.access_token)), 'access token found in the database file');
    assert.ok(!bytes.includes(Buffer.from(t.body.refresh_token)), 'refresh token found in the database file');
    assert.equal(statSync(join(dataDir, SERVER_KEY_FILENAME)).mode & 0o777, 0o600);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    // Reopened with the same key file, the secret works again.
    const again = openDatabase(dataDir);
    assert.equal(findAppById(again, app.appId)!.secretKey, 'VerySecretKeyValue0123456789abcd');
    again.close();
  });

  test('a data directory that existed before keeps its mode (warned about when others can read it); one bodylens creates is 0700', () => {
    const shared = fresh();
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    const warnings: string[] = [];
    openDatabase(shared, { warn: (m) => warnings.push(m) }).close();
    assert.equal(statSync(shared).mode & 0o777, 0o755, 'a pre-existing directory was chmodded');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /open to other users \(mode 755\)/);
    assert.equal(statSync(join(shared, 'bodylens.db')).mode & 0o777, 0o600, 'the database file itself is still private');

    const own = fresh();
    mkdirSync(own, { mode: 0o700 });
    const quiet: string[] = [];
    openDatabase(own, { warn: (m) => quiet.push(m) }).close();
    assert.equal(quiet.length, 0, 'a private directory is not warned about');

    const created = join(fresh(), 'nested', 'data');
    openDatabase(created, { warn: (m) => quiet.push(m) }).close();
    assert.equal(statSync(created).mode & 0o777, 0o700);
    assert.equal(quiet.length, 0);
  });

  test('a wrong server key is refused at start, not silently used', () => {
    const dataDir = fresh();
    const db = openDatabase(dataDir, { serverKey: 'a'.repeat(64) });
    ensureAuthSchema(db);
    createApp(db);
    db.close();
    const wrong = openDatabase(dataDir, { serverKey: 'b'.repeat(64) });
    assert.throws(() => ensureAuthSchema(wrong), /wrong server key/);
    wrong.close();
    const right = openDatabase(dataDir, { serverKey: 'a'.repeat(64) });
    ensureAuthSchema(right);
    right.close();
  });

  test('the server key check is written by the migration itself, in its transaction', () => {
    const db = openDatabase(fresh(), { serverKey: 'd'.repeat(64) });
    applyMigrations(db, AUTH_MIGRATIONS); // the migration alone, no ensureAuthSchema after it
    const row = db.prepare('SELECT sealed FROM server_key_check').all() as Array<{ sealed: string }>;
    assert.equal(row.length, 1);
    assert.match(row[0].sealed, /^enc1:/);
    ensureAuthSchema(db); // reads it back and verifies it
    db.close();
  });

  test('a database missing its key check (left by an older build) is checked against its sealed secrets, not stamped with any key', () => {
    const dataDir = fresh();
    const db = openDatabase(dataDir, { serverKey: 'a'.repeat(64) });
    ensureAuthSchema(db);
    createApp(db, { apiKey: 'CheckKey0000000000000000', secretKey: 'CheckSecret0123456789abcdefghijk' });
    db.prepare('DELETE FROM server_key_check').run();
    db.close();
    const wrong = openDatabase(dataDir, { serverKey: 'b'.repeat(64) });
    assert.throws(() => ensureAuthSchema(wrong), /wrong server key/);
    assert.equal((wrong.prepare('SELECT COUNT(*) AS n FROM server_key_check').get() as { n: number }).n, 0, 'the wrong key was recorded');
    wrong.close();
    const right = openDatabase(dataDir, { serverKey: 'a'.repeat(64) });
    ensureAuthSchema(right);
    assert.equal((right.prepare('SELECT COUNT(*) AS n FROM server_key_check').get() as { n: number }).n, 1);
    right.close();
    const wrongAgain = openDatabase(dataDir, { serverKey: 'b'.repeat(64) });
    assert.throws(() => ensureAuthSchema(wrongAgain), /wrong server key/);
    wrongAgain.close();
  });

  test('an older database with secret keys in clear is migrated: sealed, still usable', () => {
    const dataDir = fresh();
    openDatabase(dataDir).close(); // creates the directory and server.key
    // Build the version-1 schema by hand, as an older install left it.
    const raw = new Database(join(dataDir, 'bodylens.db'));
    raw.exec(`CREATE TABLE schema_migrations (set_name TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY (set_name, version))`);
    AUTH_MIGRATIONS.migrations[0].up(raw as unknown as Db);
    raw.prepare("INSERT INTO schema_migrations VALUES ('auth', 1, 'v1', 0)").run();
    raw.prepare("INSERT INTO apps (app_id, api_key, secret_key, name, created_at) VALUES ('11112222', 'OldKey', 'OldPlainSecret99', 'old', 0)").run();
    raw.prepare("INSERT INTO usage_daily VALUES ('11112222', 'body_analysis', '2024-01-01', 7)").run();
    // 50 apps: sealing makes each row longer, so SQLite moves rows and the old text would stay in freed pages.
    const secrets = ['OldPlainSecret99'];
    const insert = raw.prepare('INSERT INTO apps (app_id, api_key, secret_key, name, created_at) VALUES (?, ?, ?, ?, 0)');
    for (let i = 0; i < 49; i++) {
      const secret = `ClearSecret${String(i).padStart(2, '0')}xxxxxxxxxxxxxxxxxxx`;
      secrets.push(secret);
      insert.run(String(20000000 + i), `OldKey${i}`, secret, `old app ${i}`);
    }
    raw.close();

    const db = openDatabase(dataDir);
    ensureAuthSchema(db);
    const rawBytes = () =>
      Buffer.concat(readdirSync(dataDir).filter((f) => f.startsWith('bodylens.db')).map((f) => readFileSync(join(dataDir, f))));
    const leaked = (bytes: Buffer) => secrets.filter((s) => bytes.includes(Buffer.from(s)));
    // While the service runs (file and -wal as they are) and after a checkpoint: no clear secret anywhere.
    assert.deepEqual(leaked(rawBytes()), [], 'clear secret keys left in the database file or its WAL');
    db.pragma('wal_checkpoint(TRUNCATE)');
    assert.deepEqual(leaked(rawBytes()), [], 'clear secret keys left in the database file after a checkpoint');
    const auth = new AuthService(db);
    const stored = (db.prepare("SELECT secret_key FROM apps WHERE app_id = '11112222'").get() as { secret_key: string }).secret_key;
    assert.match(stored, /^enc1:/);
    assert.ok(grant(auth, { apiKey: 'OldKey', secretKey: 'OldPlainSecret99' }).ok, 'the old secret still works');
    assert.ok(grant(auth, { apiKey: 'OldKey48', secretKey: secrets[49] }).ok, 'every old secret still works');
    assert.deepEqual(db.prepare('SELECT api, count FROM usage_total').all(), [{ api: 'body_analysis', count: 7 }], 'past use counts toward totals');
    db.close();
    assert.deepEqual(leaked(rawBytes()), [], 'clear secret keys left after close');
  });
});

describe('limits and usage', () => {
  test('total limit → 19, exact, per API, across restarts; refusals never count', () => {
    const dataDir = fresh();
    let db = openDatabase(dataDir);
    let now = Date.UTC(2024, 5, 1, 4);
    let auth = new AuthService(db, { now: () => now });
    const app = createApp(db, { totalLimit: 3 });
    const t = grant(auth, app);
    assert.ok(t.ok);
    for (let i = 0; i < 3; i++) auth.authenticate(req(t.body.access_token), 'body_analysis');
    expectKind(() => auth.authenticate(req(t.body.access_token), 'body_analysis'), 'total_limit', 19);
    auth.authenticate(req(t.body.access_token), 'gesture');
    db.close();
    db = openDatabase(dataDir);
    now += 3 * 86_400_000; // another day: the daily count resets, the total does not
    auth = new AuthService(db, { now: () => now });
    for (let i = 0; i < 5; i++) expectKind(() => auth.authenticate(req(t.body.access_token), 'body_analysis'), 'total_limit', 19);
    assert.deepEqual(db.prepare("SELECT count FROM usage_total WHERE api = 'body_analysis'").get(), { count: 3 });
    db.close();
  });

  test('a daily refusal leaves the total untouched (one transaction)', () => {
    const db = openDatabase(fresh());
    const auth = new AuthService(db);
    const app = createApp(db, { dailyLimit: 2, totalLimit: 10 });
    const t = grant(auth, app);
    assert.ok(t.ok);
    for (let i = 0; i < 2; i++) auth.authenticate(req(t.body.access_token), 'body_analysis');
    for (let i = 0; i < 4; i++) expectKind(() => auth.authenticate(req(t.body.access_token), 'body_analysis'), 'daily_limit', 17);
    assert.deepEqual(db.prepare('SELECT count FROM usage_total').get(), { count: 2 });
    db.close();
  });

  test('usage per app, API, day and outcome: refusals counted by kind, admitted calls by the route', () => {
    const db = openDatabase(fresh());
    const now = Date.UTC(2024, 5, 1, 20); // 04:00 on June 2nd in Beijing
    const auth = new AuthService(db, { now: () => now });
    const app = createApp(db, { qpsLimit: 2, apis: ['body_analysis'] });
    const t = grant(auth, app);
    assert.ok(t.ok);
    for (let i = 0; i < 2; i++) {
      auth.authenticate(req(t.body.access_token), 'body_analysis');
      auth.record(app.appId, 'body_analysis', 'ok');
    }
    for (let i = 0; i < 3; i++) expectKind(() => auth.authenticate(req(t.body.access_token), 'body_analysis'), 'qps_limit', 18);
    expectKind(() => auth.authenticate(req(t.body.access_token), 'gesture'), 'no_permission', 6);
    auth.flushUsage();
    assert.deepEqual(db.prepare('SELECT api, day, outcome, count FROM usage_outcomes ORDER BY api, outcome').all(), [
      { api: 'body_analysis', day: '2024-06-02', outcome: 'ok', count: 2 },
      { api: 'body_analysis', day: '2024-06-02', outcome: 'qps_limit', count: 3 },
      { api: 'gesture', day: '2024-06-02', outcome: 'no_permission', count: 1 },
    ]);
    db.close();
  });
});

describe('usage outcome writes', () => {
  test('a busy database at the timed flush: no crash, counts kept, logged, written on a later flush', async () => {
    const dataDir = fresh();
    const db = openDatabase(dataDir, { busyTimeoutMs: 0 });
    ensureAuthSchema(db);
    const app = createApp(db, { apiKey: 'FlushApiKey0000000000000', secretKey: 'FlushSecretKey0123456789abcdefgh' });
    const errors: Array<{ message: string; pending: number }> = [];
    const recorder = new OutcomeRecorder(db, 20, (err, pending) => errors.push({ message: err.message, pending }));
    // Another connection (another process, say) holds the write lock.
    const other = new Database(join(dataDir, 'bodylens.db'));
    other.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < 3; i++) recorder.record(app.appId, 'body_analysis', '2026-01-01', 'ok');
    recorder.record(app.appId, 'body_analysis', '2026-01-01', 'qps_exceeded');
    await new Promise((r) => setTimeout(r, 100)); // the timer fired (an uncaught throw there would fail this test)
    assert.ok(errors.length >= 1, 'the failed write was reported');
    assert.equal(errors[0].pending, 2);
    assert.ok(errors.every((e) => !e.message.includes(app.secretKey)));
    assert.equal(recorder.flush(), false, 'still locked: not written, not thrown');
    recorder.record(app.appId, 'body_analysis', '2026-01-01', 'ok');
    other.exec('COMMIT');
    other.close();
    assert.equal(recorder.flush(), true);
    assert.deepEqual(
      db.prepare('SELECT outcome, count FROM usage_outcomes ORDER BY outcome').all(),
      [{ outcome: 'ok', count: 4 }, { outcome: 'qps_exceeded', count: 1 }],
      'no count lost or doubled',
    );
    db.close();
  });
});

describe('updating credentials', () => {
  test('a new secret_key or api_key ends the tokens; app_id cannot change; same keys again keep them', () => {
    const db = openDatabase(fresh());
    const auth = new AuthService(db);
    const ctx = { db, quotaUtcOffsetMinutes: 480 };
    const app = createApp(db, { apiKey: 'PatchKey0000000000000000', secretKey: 'PatchSecret0123456789abcdefghijk' });
    const t1 = grant(auth, app);
    assert.ok(t1.ok);
    // Same secret again (what a restart with BODYLENS_SECRET_KEY does): tokens stay.
    updateAppOp(ctx, app.appId, { secret_key: app.secretKey, name: 'renamed' });
    assert.equal(auth.authenticate(req(t1.body.access_token), 'body_analysis').appId, app.appId);

    updateAppOp(ctx, app.appId, { secret_key: 'PatchSecretNew0123456789abcdefgh' });
    expectKind(() => auth.authenticate(req(t1.body.access_token), 'body_analysis'), 'token_invalid', 110);
    assert.equal(auth.exchangeClientCredentials({ grant_type: 'refresh_token', refresh_token: t1.body.refresh_token, client_id: app.apiKey, client_secret: 'PatchSecretNew0123456789abcdefgh' }).ok, false, 'refresh token ended too');

    const t2 = grant(auth, { apiKey: app.apiKey, secretKey: 'PatchSecretNew0123456789abcdefgh' });
    assert.ok(t2.ok);
    updateAppOp(ctx, app.appId, { api_key: 'PatchKeyNew0000000000000' });
    expectKind(() => auth.authenticate(req(t2.body.access_token), 'body_analysis'), 'token_invalid', 110);

    assert.throws(() => updateAppOp(ctx, app.appId, { app_id: '99990000' }), (err: unknown) => {
      assert.ok(err instanceof AdminError);
      assert.equal(err.status, 400);
      assert.match(err.message, /app_id cannot be changed/);
      return true;
    });
    assert.ok(findAppById(db, app.appId), 'the app kept its id');
    db.close();
  });

  test('one rule for limits and one lookup by app_id or API key, whichever front end', async () => {
    const dataDir = fresh();
    const db = openDatabase(dataDir);
    ensureAuthSchema(db);
    const ctx = { db, quotaUtcOffsetMinutes: 480 };
    const messages: string[] = [];
    for (const bad of ['0', '1.5', '-3', 'many']) {
      const keep = (err: unknown) => messages.push((err as Error).message) > 0;
      assert.throws(() => createAppOp(ctx, { qps_limit: bad }), keep);
      assert.throws(() => createApp(db, { qpsLimit: Number(bad) }), keep);
    }
    const app = createAppOp(ctx, { qps_limit: '7', daily_limit: 9 });
    assert.deepEqual([app.qps_limit, app.daily_limit], [7, 9]);
    db.close();
    const cli: string[] = [];
    for (const bad of ['0', '1.5', '-3', 'many']) {
      const out: string[] = [];
      assert.equal(await runAppsCommand(['create', `--qps=${bad}`], { dataDir }, { out: () => undefined, err: (l) => out.push(l) }), 2);
      cli.push(out.join(' '));
    }
    const again = openDatabase(dataDir);
    assert.ok(messages.every((m) => /must be a positive integer \(or none for unlimited\)/.test(m)), messages.join('\n'));
    assert.ok(cli.every((m) => m.includes('--qps must be a positive integer (or none for unlimited)')), cli.join('\n'));
    // Found by app_id or by API key, the same app, for every operation.
    const actx = { db: again, quotaUtcOffsetMinutes: 480 };
    assert.equal(findApp(actx, app.api_key).appId, app.app_id);
    assert.equal(findApp(actx, app.app_id).appId, app.app_id);
    assert.equal(revokeApp(again, app.api_key)?.appId, app.app_id);
    again.close();
  });

  test('a start-up rename (BODYLENS_APP_ID) takes the app\'s video jobs along', () => {
    const db = openDatabase(fresh());
    ensureAuthSchema(db);
    applyMigrations(db, POSE_JOB_MIGRATIONS);
    const app = createApp(db, { appId: '11110000', apiKey: 'RenameKey000000000000000', secretKey: 'RenameSecret0123456789abcdefghij' });
    db.prepare("INSERT INTO pose_jobs (id, status, source_kind, smoothing, created_at, app_id) VALUES ('job-1', 'success', 'file', 1, 0, ?)").run(app.appId);
    ensureBootstrapApp(db, { bootstrapApp: { appId: '22220000', apiKey: app.apiKey, secretKey: app.secretKey } });
    assert.equal(findAppById(db, '11110000'), undefined);
    assert.deepEqual(db.prepare('SELECT app_id FROM pose_jobs').all(), [{ app_id: '22220000' }]);
    db.close();
  });
});

describe('apps commands', () => {
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err, json: () => JSON.parse(out.join('\n')) };
  }

  test('without BODYLENS_SERVER_KEY against a database sealed with it: a clear error, no stray server.key', async () => {
    const dataDir = fresh();
    const db = openDatabase(dataDir, { serverKey: 'e'.repeat(64) });
    ensureAuthSchema(db);
    createApp(db, { apiKey: 'EnvKeyApp000000000000000', secretKey: 'EnvKeySecret0123456789abcdefghij' });
    db.close();
    const c = capture();
    assert.equal(await runAppsCommand(['list'], { dataDir }, c.io), 1);
    assert.match(c.err.join('\n'), /BODYLENS_SERVER_KEY is not set/);
    assert.ok(!existsSync(join(dataDir, SERVER_KEY_FILENAME)), 'a stray server.key was generated');
    // With the key, the same command works; a new data directory still gets its key file.
    const ok = capture();
    assert.equal(await runAppsCommand(['list', '--json'], { dataDir, serverKey: 'e'.repeat(64) }, ok.io), 0);
    assert.equal(ok.json().length, 1);
    const newDir = fresh();
    assert.equal(await runAppsCommand(['list'], { dataDir: newDir }, capture().io), 0);
    assert.ok(existsSync(join(newDir, SERVER_KEY_FILENAME)));
  });

  test('show, update, rotate-secret, usage, revoke --token', async () => {
    const config = { dataDir: fresh() };
    let c = capture();
    assert.equal(await runAppsCommand(['create', '--name', 'shop', '--qps', '5', '--total', '100', '--json'], config, c.io), 0);
    const made = c.json();
    assert.equal(made.total_limit, 100);

    c = capture();
    assert.equal(await runAppsCommand(['update', made.app_id, '--qps', 'none', '--daily', '50', '--apis', 'body_analysis,gesture'], config, c.io), 0);
    const updated = c.json();
    assert.deepEqual([updated.qps_limit, updated.daily_limit, updated.apis], [null, 50, ['body_analysis', 'gesture']]);
    assert.equal(updated.secret_key, '********', 'update does not print the secret, nor any part of it');

    // A token, then rotate: the token ends, the new secret is printed once and works.
    const db = openDatabase(config.dataDir);
    const auth = new AuthService(db);
    const t = grant(auth, { apiKey: made.api_key, secretKey: made.secret_key });
    assert.ok(t.ok);
    c = capture();
    assert.equal(await runAppsCommand(['rotate-secret', made.api_key], config, c.io), 0);
    const secretLine = c.out.find((l) => l.includes('Secret Key:'))!;
    const newSecret = secretLine.split(':')[1].trim();
    assert.notEqual(newSecret, made.secret_key);
    expectKind(() => auth.authenticate(req(t.body.access_token), 'body_analysis'), 'token_invalid', 110);
    assert.equal(grant(auth, { apiKey: made.api_key, secretKey: made.secret_key }).ok, false, 'the old secret no longer works');
    const t2 = grant(auth, { apiKey: made.api_key, secretKey: newSecret });
    assert.ok(t2.ok);
    auth.authenticate(req(t2.body.access_token), 'body_analysis');
    auth.record(made.app_id, 'body_analysis', 'ok');
    auth.flushUsage();

    c = capture();
    assert.equal(await runAppsCommand(['usage', made.app_id, '--json'], config, c.io), 0);
    const usage = c.json();
    assert.equal(usage.usage.length, 1);
    assert.deepEqual([usage.usage[0].api, usage.usage[0].outcome, usage.usage[0].count], ['body_analysis', 'ok', 1]);
    assert.deepEqual(usage.totals, [{ api: 'body_analysis', count: 1 }]);

    c = capture();
    assert.equal(await runAppsCommand(['show', made.app_id], config, c.io), 0);
    assert.equal(c.json().requests_today, 1);

    c = capture();
    assert.equal(await runAppsCommand(['revoke', '--token', t2.body.access_token], config, c.io), 0);
    expectKind(() => auth.authenticate(req(t2.body.access_token), 'body_analysis'), 'token_invalid', 110);
    assert.equal(await runAppsCommand(['revoke', '--token', t2.body.access_token], config, capture().io), 1);
    assert.equal(await runAppsCommand(['show', 'nobody'], config, capture().io), 1);
    assert.equal(await runAppsCommand(['update', made.app_id, '--qps', 'many'], config, capture().io), 2);
    assert.equal(await runAppsCommand(['usage', made.app_id, '--from', 'yesterday'], config, capture().io), 1);
    db.close();
  });
});
