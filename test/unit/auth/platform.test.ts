/**
 * The platform around auth: refresh grants, revoking tokens, secrets at rest, total limits,
 * usage per outcome and the `apps` commands beyond create/list/revoke. Real SQLite files.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ServiceError, type ErrorKind } from '../../../src/errors.js';
import { baiduCode } from '../../../src/api/baidu/errors.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { AUTH_MIGRATIONS, createApp, ensureAuthSchema, findAppById, revokeApp } from '../../../src/auth/apps.js';
import { AuthService, type AuthRequest } from '../../../src/auth/index.js';
import { runAppsCommand } from '../../../src/cli/apps.js';
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
    raw.close();

    const db = openDatabase(dataDir);
    const auth = new AuthService(db);
    const stored = (db.prepare("SELECT secret_key FROM apps WHERE app_id = '11112222'").get() as { secret_key: string }).secret_key;
    assert.match(stored, /^enc1:/);
    assert.ok(grant(auth, { apiKey: 'OldKey', secretKey: 'OldPlainSecret99' }).ok, 'the old secret still works');
    assert.deepEqual(db.prepare('SELECT api, count FROM usage_total').all(), [{ api: 'body_analysis', count: 7 }], 'past use counts toward totals');
    db.close();
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

describe('apps commands', () => {
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err, json: () => JSON.parse(out.join('\n')) };
  }

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
    assert.match(updated.secret_key, /^\S{4}\*{4}$/, 'update does not print the secret');

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
