import { after, before, describe, test } from 'node:test';
import { baiduCode } from '../../../src/api/baidu/errors.js';
import { baiduScopes } from '../../../src/api/baidu/endpoints.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ServiceError, type ErrorKind } from '../../../src/errors.js';
import { applyMigrations, openDatabase, schemaVersion, type Db } from '../../../src/store/db.js';
import {
  AUTH_MIGRATIONS,
  checkSecret,
  createApp,
  ensureAuthSchema,
  findAppByApiKey,
  listApps,
  revokeApp,
} from '../../../src/auth/apps.js';
import { AuthService, ensureBootstrapApp, type AuthRequest } from '../../../src/auth/index.js';
import { quotaDay } from '../../../src/auth/limits.js';
import { canonicalQueryString, signRequest } from '../../../src/auth/signature.js';
import { TOKEN_TTL_SECONDS } from '../../../src/auth/tokens.js';
import { runAppsCommand } from '../../../src/cli/apps.js';

const require = createRequire(import.meta.url);
// The official SDK's own signer and request builder (CommonJS, no types).
const BceAuth = require('baidu-aip-sdk/src/auth/bceAuth/auth.js');
const RequestInfo = require('baidu-aip-sdk/src/client/requestInfo.js');

const BODY_PATH = '/rest/2.0/image-classify/v1/body_analysis';

function expectError(fn: () => unknown, kind: ErrorKind, code: number): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ServiceError, `expected ServiceError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    assert.equal(baiduCode(err.kind), code);
    return true;
  });
}

/** A request as the HTTP layer would hand it over. */
function tokenRequest(token: string | undefined, extraQuery = ''): AuthRequest {
  const qs = token === undefined ? extraQuery : `access_token=${encodeURIComponent(token)}${extraQuery ? '&' + extraQuery : ''}`;
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of new URLSearchParams(qs)) query[k] = v;
  return { method: 'POST', url: `${BODY_PATH}${qs ? '?' + qs : ''}`, query, headers: { host: 'localhost' } };
}

/** A request signed by the official SDK exactly as it signs its own (RequestInfo.makeBceOptions). */
function sdkSignedRequest(ak: string, sk: string, at: number): AuthRequest {
  const info = new RequestInfo(BODY_PATH, { image: 'aGVsbG8=' }, 'POST');
  info.createDate = new Date(at);
  info.makeBceOptions(ak, sk);
  const url = new URL(info.getUrl());
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(info.headers as Record<string, string>)) headers[k.toLowerCase()] = v;
  return {
    method: 'POST',
    url: url.pathname + url.search,
    query: Object.fromEntries(url.searchParams),
    headers,
  };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bodylens-auth-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function freshDb(): { db: Db; dataDir: string } {
  const dataDir = join(dir, `db${++counter}`, 'nested');
  const db = openDatabase(dataDir);
  ensureAuthSchema(db);
  return { db, dataDir };
}

describe('database', () => {
  test('creates the directory and a private WAL database; migrations are idempotent', () => {
    const { db, dataDir } = freshDb();
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(schemaVersion(db, 'auth'), 2);
    assert.equal(applyMigrations(db, AUTH_MIGRATIONS), 0);
    assert.equal(statSync(join(dataDir, 'bodylens.db')).mode & 0o777, 0o600);
    db.close();
  });

  test('later migration sets append independently; a newer schema is refused', () => {
    const { db } = freshDb();
    const jobs = {
      name: 'jobs',
      migrations: [{ version: 1, description: 't', up: (d: Db) => d.exec('CREATE TABLE jobs_t (id INTEGER)') }],
    };
    assert.equal(applyMigrations(db, jobs), 1);
    const more = {
      ...jobs,
      migrations: [...jobs.migrations, { version: 2, description: 'c', up: (d: Db) => d.exec('ALTER TABLE jobs_t ADD c TEXT') }],
    };
    assert.equal(applyMigrations(db, more), 1);
    assert.equal(schemaVersion(db, 'jobs'), 2);
    assert.throws(() => applyMigrations(db, jobs), /newer than this code/);
    db.close();
  });
});

describe('apps', () => {
  test('create with random Baidu-shaped keys, list, revoke', () => {
    const { db } = freshDb();
    const a = createApp(db, { name: 'first' });
    assert.match(a.appId, /^[1-9]\d{7}$/);
    assert.match(a.apiKey, /^[A-Za-z0-9]{24}$/);
    assert.match(a.secretKey, /^[A-Za-z0-9]{32}$/);
    assert.equal(a.apis, null);
    assert.equal(a.qpsLimit, null);
    assert.equal(a.dailyLimit, null);

    const b = createApp(db, { name: 'second', apiKey: 'givenApiKey0000000000000', secretKey: 'givenSecret', apis: ['body_attr'], qpsLimit: 5, dailyLimit: 100 });
    assert.equal(findAppByApiKey(db, 'givenApiKey0000000000000')?.appId, b.appId);
    assert.deepEqual(b.apis, ['body_attr']);
    assert.throws(() => createApp(db, { apiKey: 'givenApiKey0000000000000', secretKey: 'x' }), /already exists/);
    assert.throws(() => createApp(db, { apiKey: 'onlyKey' }), /both/);
    assert.throws(() => createApp(db, { apiKey: 'has/slash', secretKey: 'x' }), /api key/);

    assert.deepEqual(listApps(db).map((x) => x.name), ['first', 'second']);
    assert.ok(checkSecret(b, 'givenSecret'));
    assert.ok(!checkSecret(b, 'givenSecreT'));
    assert.ok(!checkSecret(b, undefined));

    const revoked = revokeApp(db, b.apiKey, 123);
    assert.equal(revoked?.revokedAt, 123);
    assert.deepEqual(listApps(db).map((x) => x.name), ['first']);
    assert.equal(listApps(db, { includeRevoked: true }).length, 2);
    assert.equal(revokeApp(db, 'nope'), undefined);
    db.close();
  });
});

describe('tokens', () => {
  test('issue in Baidu shape, verify, expire after 30 days', () => {
    const { db } = freshDb();
    let now = Date.UTC(2024, 0, 10, 12, 0, 0);
    const auth = new AuthService(db, { now: () => now, scopes: baiduScopes() });
    const app = createApp(db, { name: 't' });

    const res = auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey });
    assert.ok(res.ok);
    const body = res.body;
    assert.deepEqual(Object.keys(body), ['refresh_token', 'expires_in', 'session_key', 'access_token', 'scope', 'session_secret']);
    assert.equal(body.expires_in, 2592000);
    const expiry = Math.floor(now / 1000) + TOKEN_TTL_SECONDS;
    assert.match(body.access_token, new RegExp(`^24\\.[0-9a-f]{32}\\.2592000\\.${expiry}\\.282335-${app.appId}$`));
    assert.match(body.refresh_token, new RegExp(`^25\\.[0-9a-f]{32}\\.315360000\\.\\d{10}\\.282335-${app.appId}$`));
    assert.ok(body.scope.split(' ').includes('brain_all_scope'));
    assert.ok(body.scope.split(' ').includes('brain_body_analysis'));
    assert.match(body.session_key, /^9mzd[A-Za-z0-9+/]{90}==$/);
    assert.match(body.session_secret, /^[0-9a-f]{32}$/);

    const who = auth.authenticate(tokenRequest(body.access_token), 'body_analysis');
    assert.deepEqual(who, { appId: app.appId, apiKey: app.apiKey, name: 't', method: 'access_token' });
    // The official Node SDK sends "...&access_token=<token>?aipSdk=node".
    assert.equal(auth.authenticate(tokenRequest(body.access_token + '?aipSdk=node', 'aipSdk=node'), 'body_analysis').appId, app.appId);

    now += (TOKEN_TTL_SECONDS - 1) * 1000;
    assert.equal(auth.verifyToken(body.access_token).appId, app.appId);
    now += 1000;
    expectError(() => auth.authenticate(tokenRequest(body.access_token), 'body_analysis'), 'token_expired', 111);
    db.close();
  });

  test('missing → 100, bad → 110, a token of an app that does not exist → 15, revoked app → 110', () => {
    const { db } = freshDb();
    const auth = new AuthService(db);
    const app = createApp(db);
    const res = auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey });
    assert.ok(res.ok);

    expectError(() => auth.authenticate(tokenRequest(undefined), 'body_analysis'), 'token_missing', 100);
    expectError(() => auth.authenticate(tokenRequest(''), 'body_analysis'), 'token_missing', 100);
    // Well-formed, but no app 12345678 here: Baidu 15 "app not exists or create failed".
    expectError(() => auth.authenticate(tokenRequest('24.0123456789abcdef0123456789abcdef.2592000.1999999999.282335-12345678'), 'body_analysis'), 'app_not_found', 15);
    // Well-formed, naming this app, but never issued: 110.
    expectError(() => auth.authenticate(tokenRequest(`24.0123456789abcdef0123456789abcdef.2592000.1999999999.282335-${app.appId}`), 'body_analysis'), 'token_invalid', 110);
    expectError(() => auth.authenticate(tokenRequest('garbage'), 'body_analysis'), 'token_invalid', 110);

    revokeApp(db, app.appId);
    expectError(() => auth.authenticate(tokenRequest(res.body.access_token), 'body_analysis'), 'token_invalid', 110);
    // Reinstating the app does not revive tokens issued before the revocation.
    ensureBootstrapApp(db, { bootstrapApp: { apiKey: app.apiKey, secretKey: app.secretKey, appId: app.appId } });
    expectError(() => auth.authenticate(tokenRequest(res.body.access_token), 'body_analysis'), 'token_invalid', 110);
    db.close();
  });

  test('token endpoint logic: grant type, unknown client, wrong secret', () => {
    const { db } = freshDb();
    const auth = new AuthService(db);
    const app = createApp(db);
    assert.deepEqual(auth.exchangeClientCredentials({ grant_type: 'password', client_id: app.apiKey, client_secret: app.secretKey }), {
      ok: false,
      status: 400,
      body: { error_description: 'The authorization grant type is not supported', error: 'unsupported_grant_type' },
    });
    assert.deepEqual(auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }), {
      ok: false,
      status: 401,
      body: { error_description: 'unknown client id', error: 'invalid_client' },
    });
    assert.deepEqual(auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: 'wrong' }), {
      ok: false,
      status: 401,
      body: { error_description: 'Client authentication failed', error: 'invalid_client' },
    });
    revokeApp(db, app.appId);
    const revoked = auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey });
    assert.equal(revoked.ok ? '' : revoked.body.error_description, 'unknown client id');
    db.close();
  });
});

describe('bce-auth-v1 signatures', () => {
  test('a request signed by the official SDK verifies', () => {
    const { db } = freshDb();
    const now = Date.UTC(2024, 5, 1, 8, 30, 0);
    const auth = new AuthService(db, { now: () => now });
    const app = createApp(db, { name: 'signer' });
    const req = sdkSignedRequest(app.apiKey, app.secretKey, now);
    assert.match(String(req.headers.authorization), /^bce-auth-v1\/[A-Za-z0-9]{24}\/2024-06-01T08:30:00Z\/1800\/content-type;host;x-bce-date\/[0-9a-f]{64}$/);
    assert.equal(req.url, `${BODY_PATH}?aipSdk=node`);
    assert.deepEqual(auth.authenticate(req, 'body_analysis'), { appId: app.appId, apiKey: app.apiKey, name: 'signer', method: 'signature' });
    db.close();
  });

  test('our signer agrees with the SDK signer (query, odd characters, default headers)', () => {
    const sdk = new BceAuth('ak', 'sk');
    const ts = Date.UTC(2023, 2, 4, 5, 6, 7);
    const headers = { Host: 'example.com', 'Content-Type': 'application/x-www-form-urlencoded', 'x-bce-date': '2023-03-04T05:06:07Z', 'X-Other': 'ignored' };
    const params = { b: 'two words', a: "x!'()*~y", aipSdk: 'node' };
    const expected = sdk.generateAuthorization('POST', '/rest/2.0/image-classify/v1/body_attr', params, headers, ts / 1000);
    const url = '/rest/2.0/image-classify/v1/body_attr?b=two%20words&a=x!\'()*~y&aipSdk=node';
    assert.equal(signRequest('ak', 'sk', { method: 'POST', url, headers }, { timestamp: ts }), expected);
    assert.equal(canonicalQueryString('b=1&a=2&authorization=zz&c'), 'a=2&b=1&c=');
  });

  test('tampered, wrong key, unknown AK, stale and future signatures → 14', () => {
    const { db } = freshDb();
    let now = Date.UTC(2024, 5, 1, 8, 30, 0);
    const auth = new AuthService(db, { now: () => now });
    const app = createApp(db);
    const signedAt = now;
    const good = sdkSignedRequest(app.apiKey, app.secretKey, signedAt);

    expectError(() => auth.authenticate({ ...good, url: good.url + '&extra=1' }, 'body_analysis'), 'iam_failed', 14);
    expectError(() => auth.authenticate({ ...good, url: good.url.replace('body_analysis', 'body_attr') }, 'body_analysis'), 'iam_failed', 14);
    expectError(() => auth.authenticate({ ...good, headers: { ...good.headers, host: 'evil.example' } }, 'body_analysis'), 'iam_failed', 14);
    const sig = String(good.headers.authorization);
    const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    expectError(() => auth.authenticate({ ...good, headers: { ...good.headers, authorization: flipped } }, 'body_analysis'), 'iam_failed', 14);
    expectError(() => auth.authenticate({ ...good, headers: { ...good.headers, authorization: 'bce-auth-v1/x/y' } }, 'body_analysis'), 'iam_failed', 14);
    expectError(() => auth.authenticate(sdkSignedRequest(app.apiKey, 'not-the-secret', signedAt), 'body_analysis'), 'iam_failed', 14);
    expectError(() => auth.authenticate(sdkSignedRequest('UnknownAccessKey', app.secretKey, signedAt), 'body_analysis'), 'iam_failed', 14);

    // The SDK signs with a 1800 s lifetime: valid to the last second, stale after.
    now = signedAt + 1800 * 1000;
    assert.equal(auth.authenticate(good, 'body_analysis').method, 'signature');
    now += 1000;
    expectError(() => auth.authenticate(good, 'body_analysis'), 'iam_failed', 14);

    // A client clock slightly ahead is tolerated; ten minutes ahead is not.
    now = signedAt - 60 * 1000;
    assert.equal(auth.authenticate(good, 'body_analysis').appId, app.appId);
    now = signedAt - 600 * 1000;
    expectError(() => auth.authenticate(good, 'body_analysis'), 'iam_failed', 14);

    now = signedAt;
    revokeApp(db, app.appId);
    expectError(() => auth.authenticate(good, 'body_analysis'), 'iam_failed', 14);
    db.close();
  });
});

describe('permissions and limits', () => {
  test('an app limited to some APIs gets 6 for others', () => {
    const { db } = freshDb();
    const auth = new AuthService(db, { scopes: baiduScopes() });
    const app = createApp(db, { apis: ['body_attr'] });
    const res = auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey });
    assert.ok(res.ok);
    assert.ok(res.body.scope.includes('brain_all_scope'));
    assert.ok(!res.body.scope.includes('brain_body_analysis'));
    assert.ok(res.body.scope.includes('brain_body_attr'), 'the allowed API\'s scope is granted');
    assert.equal(auth.authenticate(tokenRequest(res.body.access_token), 'body_attr').appId, app.appId);
    expectError(() => auth.authenticate(tokenRequest(res.body.access_token), 'body_analysis'), 'no_permission', 6);
    db.close();
  });

  test('QPS: sliding one-second window per API → 18', () => {
    const { db } = freshDb();
    let now = 1_700_000_000_000;
    const auth = new AuthService(db, { now: () => now });
    const app = createApp(db, { qpsLimit: 2 });
    const free = createApp(db);
    const token = (a: typeof app) => {
      const r = auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: a.apiKey, client_secret: a.secretKey });
      assert.ok(r.ok);
      return r.body.access_token;
    };
    const t = token(app);
    auth.authenticate(tokenRequest(t), 'body_analysis');
    now += 400;
    auth.authenticate(tokenRequest(t), 'body_analysis');
    now += 500;
    expectError(() => auth.authenticate(tokenRequest(t), 'body_analysis'), 'qps_limit', 18);
    auth.authenticate(tokenRequest(t), 'body_attr'); // counted per API
    now += 101; // the first request has left the window
    auth.authenticate(tokenRequest(t), 'body_analysis');
    expectError(() => auth.authenticate(tokenRequest(t), 'body_analysis'), 'qps_limit', 18);

    const f = token(free);
    for (let i = 0; i < 50; i++) auth.authenticate(tokenRequest(f), 'body_analysis');
    db.close();
  });

  test('daily quota → 17, per API, persists across reopening, resets at midnight Beijing time', () => {
    const dataDir = join(dir, 'quota');
    let db = openDatabase(dataDir);
    const noon = Date.UTC(2024, 2, 15, 4, 0, 0); // 12:00 in Beijing (UTC+8)
    let now = noon;
    let auth = new AuthService(db, { now: () => now });
    const app = createApp(db, { dailyLimit: 3 });
    const r = auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey });
    assert.ok(r.ok);
    const t = r.body.access_token;
    for (let i = 0; i < 3; i++) auth.authenticate(tokenRequest(t), 'body_analysis');
    expectError(() => auth.authenticate(tokenRequest(t), 'body_analysis'), 'daily_limit', 17);
    auth.authenticate(tokenRequest(t), 'body_attr');
    db.close();

    db = openDatabase(dataDir);
    auth = new AuthService(db, { now: () => now });
    expectError(() => auth.authenticate(tokenRequest(t), 'body_analysis'), 'daily_limit', 17);
    now = Date.UTC(2024, 2, 15, 15, 59, 59); // 23:59:59 in Beijing
    expectError(() => auth.authenticate(tokenRequest(t), 'body_analysis'), 'daily_limit', 17);
    now = Date.UTC(2024, 2, 15, 16, 0, 0); // midnight in Beijing, still the 15th in UTC
    assert.equal(quotaDay(now), '2024-03-16');
    assert.equal(quotaDay(now, 0), '2024-03-15', 'another offset turns the day elsewhere');
    auth.authenticate(tokenRequest(t), 'body_analysis');
    db.close();
  });

  test('usage rows older than 90 days are deleted as a new day begins', () => {
    const { db } = freshDb();
    let now = Date.UTC(2024, 0, 10, 4, 0, 0);
    const auth = new AuthService(db, { now: () => now });
    const app = createApp(db);
    const call = () => {
      const r = auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey });
      assert.ok(r.ok);
      auth.authenticate(tokenRequest(r.body.access_token), 'body_analysis');
    };
    const days = () => (db.prepare('SELECT day FROM usage_daily ORDER BY day').all() as { day: string }[]).map((r) => r.day);
    call();
    now = Date.UTC(2024, 2, 1, 4, 0, 0); // 51 days later: kept
    call();
    assert.deepEqual(days(), ['2024-01-10', '2024-03-01']);
    now = Date.UTC(2024, 4, 1, 4, 0, 0); // 112 days after the first
    call();
    assert.deepEqual(days(), ['2024-03-01', '2024-05-01']);
    db.close();
  });

  test('a quota refusal does not use up a QPS slot', () => {
    const { db } = freshDb();
    const now = 1_700_000_000_000;
    const auth = new AuthService(db, { now: () => now });
    const app = createApp(db, { dailyLimit: 1, qpsLimit: 2 });
    const r = auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: app.apiKey, client_secret: app.secretKey });
    assert.ok(r.ok);
    auth.authenticate(tokenRequest(r.body.access_token), 'body_analysis');
    for (let i = 0; i < 3; i++) expectError(() => auth.authenticate(tokenRequest(r.body.access_token), 'body_analysis'), 'daily_limit', 17);
    db.close();
  });
});

describe('bootstrap', () => {
  test('first start without config generates one app, once', () => {
    const { db } = freshDb();
    const first = ensureBootstrapApp(db, {});
    assert.equal(first.action, 'generated');
    assert.equal(first.generated, true);
    assert.match(first.app!.apiKey, /^[A-Za-z0-9]{24}$/);
    const second = ensureBootstrapApp(db, {});
    assert.deepEqual(second, { app: null, action: 'none', generated: false });
    assert.equal(listApps(db).length, 1);
    db.close();
  });

  test('configured app is created, then refreshed (keys, all APIs, reinstated)', () => {
    const { db } = freshDb();
    const cfg = { bootstrapApp: { apiKey: 'BootKey000000000000000000', secretKey: 'BootSecret', appId: '12345678' } };
    const created = ensureBootstrapApp(db, cfg);
    assert.equal(created.action, 'created');
    assert.equal(created.generated, false);
    assert.equal(created.app?.appId, '12345678');

    revokeApp(db, '12345678');
    const auth = new AuthService(db);
    const updated = ensureBootstrapApp(db, { bootstrapApp: { ...cfg.bootstrapApp, secretKey: 'NewSecret' } });
    assert.equal(updated.action, 'updated');
    assert.equal(updated.app?.revokedAt, null);
    assert.equal(updated.app?.apis, null);
    assert.ok(auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: 'BootKey000000000000000000', client_secret: 'NewSecret' }).ok);

    // Without an app id in the config, the key identifies the app.
    const byKey = ensureBootstrapApp(db, { bootstrapApp: { apiKey: 'BootKey000000000000000000', secretKey: 'NewSecret' } });
    assert.equal(byKey.app?.appId, '12345678');
    assert.equal(listApps(db, { includeRevoked: true }).length, 1);

    // A new app id for the same key renames the app; its tokens follow.
    const r = auth.exchangeClientCredentials({ grant_type: 'client_credentials', client_id: 'BootKey000000000000000000', client_secret: 'NewSecret' });
    assert.ok(r.ok);
    const renamed = ensureBootstrapApp(db, { bootstrapApp: { apiKey: 'BootKey000000000000000000', secretKey: 'NewSecret', appId: '87654321' } });
    assert.equal(renamed.app?.appId, '87654321');
    assert.equal(auth.verifyToken(r.body.access_token).appId, '87654321');
    assert.equal(listApps(db, { includeRevoked: true }).length, 1);

    // An app id and a key that belong to two different apps is a configuration error.
    const other = createApp(db, { appId: '11111111' });
    assert.throws(() => ensureBootstrapApp(db, { bootstrapApp: { apiKey: other.apiKey, secretKey: 'x', appId: '87654321' } }), /two different apps/);
    db.close();
  });
});

describe('cli', () => {
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
  }

  test('apps create / list / revoke', async () => {
    const config = { dataDir: join(dir, 'cli') };
    let c = capture();
    assert.equal(await runAppsCommand(['create', '--name', 'demo', '--qps', '5', '--daily', '1000', '--json'], config, c.io), 0);
    const made = JSON.parse(c.out.join('\n'));
    assert.equal(made.name, 'demo');
    assert.equal(made.qps_limit, 5);
    assert.equal(made.daily_limit, 1000);
    assert.match(made.secret_key, /^[A-Za-z0-9]{32}$/);

    c = capture();
    assert.equal(await runAppsCommand(['apps', 'create', '--api-key', 'MyKey', '--secret-key', 'MySecretValue', '--apis', 'body_analysis,gesture'], config, c.io), 0);
    assert.ok(c.out.some((l) => l.includes('MySecretValue')));

    c = capture();
    assert.equal(await runAppsCommand(['list'], config, c.io), 0);
    const listing = c.out.join('\n');
    assert.match(listing, /APP_ID\s+NAME\s+API_KEY\s+SECRET_KEY/);
    assert.ok(listing.includes('MyKey'));
    assert.ok(listing.includes('MySe****'));
    assert.ok(!listing.includes('MySecretValue'));
    assert.ok(!listing.includes(made.secret_key));

    c = capture();
    assert.equal(await runAppsCommand(['list', '--show-secrets'], config, c.io), 0);
    assert.ok(c.out.join('\n').includes('MySecretValue'));

    c = capture();
    assert.equal(await runAppsCommand(['revoke', 'MyKey'], config, c.io), 0);
    c = capture();
    await runAppsCommand(['list'], config, c.io);
    assert.ok(!c.out.join('\n').includes('MyKey'));
    c = capture();
    await runAppsCommand(['list', '--all'], config, c.io);
    assert.match(c.out.join('\n'), /MyKey.*revoked/);

    c = capture();
    assert.equal(await runAppsCommand(['revoke', 'nobody'], config, c.io), 1);
    assert.equal(await runAppsCommand(['create', '--qps', 'lots'], config, capture().io), 2);
    assert.equal(await runAppsCommand(['create', '--bogus'], config, capture().io), 2);
    assert.equal(await runAppsCommand(['frobnicate'], config, capture().io), 2);
    assert.equal(await runAppsCommand(['create', '--api-key', 'MyKey', '--secret-key', 's'], config, capture().io), 1);
  });
});
