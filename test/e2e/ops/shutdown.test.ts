/**
 * Stopping the service for real: `npm start` stopped by npm's PID frees the port (npm runs the
 * server with `exec`, so its forwarded SIGTERM reaches it), and a graceful close lets the
 * request in flight complete, refuses a request arriving meanwhile in its dialect (Baidu 2),
 * says so in the log, and then refuses connections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fixture, testConfig } from '../../helpers/helpers.js';
import { packageRoot } from '../../../src/runtime/models.js';
import { inFlight } from '../../../src/api/observe.js';
import { errorReply, privateService } from '../../../src/api/private/services.js';

const API_KEY = 'shutdownApiKey0123456789';
const SECRET = 'shutdownSecretKey0123456789abcde';

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (err) {
    return /ECONNREFUSED/.test(String((err as { cause?: unknown }).cause ?? err));
  }
}

test('npm start stopped by its PID (SIGTERM to npm) stops the server and frees the port', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-npm-start-'));
  const child = spawn('npm', ['start'], {
    cwd: packageRoot(),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BODYLENS_DATA_DIR: dir, BODYLENS_WORKERS: '1', BODYLENS_CAPABILITIES: 'body_analysis', BODYLENS_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let base: string | undefined;
    for (let i = 0; i < 600 && !base; i++) {
      base = /"msg":"bodylens ready on (http:\/\/[^ ]+) /.exec(out)?.[1];
      if (!base) await sleep(100);
    }
    assert.ok(base, `the server did not start:\n${out}`);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    process.kill(child.pid!, 'SIGTERM');
    await exited;
    let free = false;
    for (let i = 0; i < 100 && !free; i++) {
      free = await refused(`${base}/healthz`);
      if (!free) await sleep(100);
    }
    assert.ok(free, `the port is still open after npm was stopped:\n${out}`);
    for (let i = 0; i < 50 && !out.includes('bodylens stopped'); i++) await sleep(100);
    assert.match(out, /SIGTERM received/);
    assert.match(out, /shutting down: refusing new requests/);
    assert.match(out, /bodylens stopped/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    // A server left behind by a failed stop (its pid is on every log line) must not outlive the test.
    const pid = Number(/"pid":(\d+)/.exec(out)?.[1]);
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child.stdout.destroy();
    child.stderr.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Writes raw HTTP on a socket and collects what comes back until the server ends it. */
function rawClient(port: number): { socket: Socket; answer: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const answer = new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('end', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  return { socket, answer };
}

test('close drains: the request in flight completes, a request arriving meanwhile is refused in its dialect, then the port closes', { timeout: 90_000 }, async () => {
  const { startServer } = await import('../../../src/server.js');
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-drain-'));
  const server = await startServer(
    testConfig(dir, { BODYLENS_CAPABILITIES: 'body_analysis', BODYLENS_API_KEY: API_KEY, BODYLENS_SECRET_KEY: SECRET, BODYLENS_PRIVATE: 'on', BODYLENS_PRIVATE_PORTS: 'keypoints:0' }),
  );
  try {
    await server.engine.ready;
    const base = server.address;
    const port = Number(new URL(base).port);
    const token = (await (await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${API_KEY}&client_secret=${SECRET}`)).json()).access_token;
    const body = new URLSearchParams({ image: readFileSync(fixture('coco-000000000785.jpg')).toString('base64') }).toString();
    const request = (len: number) =>
      `POST /rest/2.0/image-classify/v1/body_analysis?access_token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${len}\r\n`;
    // B: a connection whose request has begun (not idle) but not reached the server's routes yet.
    const late = rawClient(port);
    late.socket.write(request(7));
    // The same on the keypoints service's own port: refused with the service's own err_no.
    const latePrivate = rawClient(Number(new URL(server.privateAddresses.keypoints).port));
    latePrivate.socket.write('POST /GeneralClassifyService/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n');
    // A: a whole analysis request, in flight when the close begins.
    const early = rawClient(port);
    early.socket.write(`${request(Buffer.byteLength(body))}\r\n${body}`);
    for (let i = 0; i < 200 && inFlight(server.app) < 1; i++) await sleep(5);
    assert.equal(inFlight(server.app), 1, 'the analysis is in flight');
    const closed = server.close();
    await sleep(50);
    late.socket.write('\r\nimage=x');
    latePrivate.socket.write('\r\n{}');
    const [a, b, c] = await Promise.all([early.answer, late.answer, latePrivate.answer]);
    await closed;
    assert.match(a, /^HTTP\/1\.1 200/);
    const answerA = JSON.parse(a.slice(a.indexOf('\r\n\r\n') + 4).replace(/^[0-9a-f]+\r\n/, ''));
    assert.ok(answerA.person_num >= 1, `the request in flight completed: ${a.slice(0, 300)}`);
    assert.match(b, /^HTTP\/1\.1 200/);
    assert.match(b, /connection: close/i);
    const answerB = JSON.parse(b.slice(b.indexOf('{')));
    assert.equal(answerB.error_code, 2, 'refused as Baidu refuses: 2 Service temporarily unavailable');
    assert.match(c, /^HTTP\/1\.1 200/);
    assert.match(c, /connection: close/i);
    const answerC = JSON.parse(c.slice(c.indexOf('{')));
    assert.equal(answerC.err_no, errorReply(privateService('keypoints')!, 'unavailable').err_no, `the keypoints service's own failure number: ${c}`);
    assert.notEqual(answerC.err_no, 0);
    assert.ok(await refused(`${base}/healthz`), 'new connections are refused once closed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
