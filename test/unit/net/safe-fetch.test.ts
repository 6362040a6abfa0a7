import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createAddressPolicy } from '../../../src/net/address-policy.js';
import { FetchError, checkUrl, fetchBytes, fetchToFile, ping, type FetchFailure } from '../../../src/net/safe-fetch.js';

describe('address policy', () => {
  const policy = createAddressPolicy();
  const refused = [
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a9fe:a9fe', '2002:c0a8:0101::1', 'not-an-ip',
  ];
  const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'];
  for (const a of refused) test(`refuses ${a}`, () => assert.equal(policy.allows(a), false));
  for (const a of allowed) test(`allows ${a}`, () => assert.equal(policy.allows(a), true));

  test('the allow-list opens exactly the listed ranges', () => {
    const lan = createAddressPolicy(['192.168.10.0/24', '127.0.0.1']);
    assert.equal(lan.allows('192.168.10.7'), true);
    assert.equal(lan.allows('192.168.11.7'), false);
    assert.equal(lan.allows('127.0.0.1'), true);
    assert.equal(lan.allows('127.0.0.2'), false);
    assert.throws(() => createAddressPolicy(['example.com']), /not an IP address/);
    assert.throws(() => createAddressPolicy(['10.0.0.0/40']), /bad prefix/);
  });
});

function failsWith(reason: FetchFailure, message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof FetchError, `expected FetchError, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    if (message) assert.match(err.message, message);
    return true;
  };
}

describe('safe fetch against a real local server', () => {
  let server: Server;
  let base: string;
  let port: number;
  const body = Buffer.alloc(5000, 7);
  const loopback = createAddressPolicy(['127.0.0.1']);
  const limits = { maxBytes: 10_000, timeoutMs: 2000 };

  before(async () => {
    server = createServer((req, res) => {
      switch (req.url?.split('?')[0]) {
        case '/file': res.end(body); break;
        case '/declared-big': res.writeHead(200, { 'content-length': '20000' }); res.end(Buffer.alloc(20000)); break;
        case '/chunked-big': res.write(Buffer.alloc(8000)); res.end(Buffer.alloc(8000)); break;
        case '/to-file': res.writeHead(302, { location: '/file' }); res.end(); break;
        case '/to-other-loopback': res.writeHead(302, { location: `http://127.0.0.2:${port}/file` }); res.end(); break;
        case '/to-metadata': res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }); res.end(); break;
        case '/loop': res.writeHead(302, { location: '/loop' }); res.end(); break;
        case '/slow': break; // never answers
        default: res.writeHead(404); res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('fetches an allowed address, following a same-rule redirect', async () => {
    assert.deepEqual(await fetchBytes(`${base}/file`, loopback, limits), body);
    assert.deepEqual(await fetchBytes(`${base}/to-file`, loopback, limits), body);
  });

  test('loopback is refused without the allow-list, by literal and by DNS name', async () => {
    const strict = createAddressPolicy();
    await assert.rejects(fetchBytes(`${base}/file`, strict, limits), failsWith('refused', /127\.0\.0\.1/));
    await assert.rejects(fetchBytes(`http://localhost:${port}/file`, strict, limits), failsWith('refused', /localhost resolves/));
    await assert.rejects(fetchBytes(`http://[::ffff:127.0.0.1]:${port}/file`, strict, limits), failsWith('refused'));
  });

  test('redirects to disallowed addresses are refused', async () => {
    await assert.rejects(fetchBytes(`${base}/to-other-loopback`, loopback, limits), failsWith('refused', /127\.0\.0\.2/));
    await assert.rejects(fetchBytes(`${base}/to-metadata`, loopback, limits), failsWith('refused', /169\.254/));
    await assert.rejects(fetchBytes(`${base}/loop`, loopback, limits), failsWith('unreachable', /redirects/));
  });

  test('size is capped by Content-Length and while streaming', async () => {
    await assert.rejects(fetchBytes(`${base}/declared-big`, loopback, limits), failsWith('too_large'));
    await assert.rejects(fetchBytes(`${base}/chunked-big`, loopback, limits), failsWith('too_large'));
  });

  test('a server that never answers hits the deadline', async () => {
    await assert.rejects(fetchBytes(`${base}/slow`, loopback, { maxBytes: 100, timeoutMs: 300 }), failsWith('unreachable', /300 ms/));
  });

  test('HTTP errors and dead ports are unreachable', async () => {
    await assert.rejects(fetchBytes(`${base}/missing`, loopback, limits), failsWith('unreachable', /404/));
    await assert.rejects(fetchBytes('http://127.0.0.1:1/', loopback, limits), failsWith('unreachable'));
  });

  test('bad URLs are refused before any network use', () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'gopher://x', 'not a url', 'http://user:pw@example.com/']) {
      assert.throws(() => checkUrl(url, loopback), failsWith('refused'));
    }
  });

  test('fetchToFile writes the body and leaves nothing behind on failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bodylens-fetch-'));
    await fetchToFile(`${base}/file`, join(dir, 'ok'), loopback, limits);
    assert.deepEqual(await readFile(join(dir, 'ok')), body);
    await assert.rejects(fetchToFile(`${base}/chunked-big`, join(dir, 'big'), loopback, limits), failsWith('too_large'));
    await assert.rejects(stat(join(dir, 'big')), { code: 'ENOENT' });
  });

  test('ping reports the status and obeys the policy', async () => {
    assert.equal(await ping(`${base}/file?job_id=1`, loopback, 1000), 200);
    await assert.rejects(ping(`${base}/file`, createAddressPolicy(), 1000), failsWith('refused'));
  });
});
