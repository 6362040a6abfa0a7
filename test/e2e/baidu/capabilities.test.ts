/**
 * A process serving only some capabilities (BODYLENS_CAPABILITIES), and failures outside any
 * route, each answered in the dialect of its path: Baidu REST, Baidu OAuth, Kakao, neutral.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../../src/server.js';
import { fixture, testConfig, TEST_API_KEY, TEST_SECRET_KEY } from '../../helpers/helpers.js';

let dir: string;
let server: RunningServer;
let token: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bodylens-caps-'));
  server = await startServer(testConfig(dir, { BODYLENS_API_KEY: TEST_API_KEY, BODYLENS_SECRET_KEY: TEST_SECRET_KEY, BODYLENS_CAPABILITIES: 'gesture' }));
  await server.engine.ready;
  const res = await fetch(`${server.address}/oauth/2.0/token?grant_type=client_credentials&client_id=${TEST_API_KEY}&client_secret=${TEST_SECRET_KEY}`);
  token = (await res.json()).access_token;
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const image = () => readFileSync(fixture('hands-four.jpg')).toString('base64');

async function baidu(api: string, query = `access_token=${token}`) {
  const res = await fetch(`${server.address}/rest/2.0/image-classify/v1/${api}?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ image: image() }).toString(),
  });
  assert.equal(res.status, 200);
  return res.json();
}

describe('BODYLENS_CAPABILITIES=gesture', () => {
  test('serves gesture, and only loads what it serves', async () => {
    assert.deepEqual(server.engine.capabilities, ['gesture']);
    const body = await baidu('gesture');
    assert.equal(body.error_code, undefined, JSON.stringify(body));
    assert.ok(body.result_num >= 1);
  });

  test('Baidu: an API of another capability answers 216102 "service not support", before authentication (no token needed)', async () => {
    for (const api of ['body_analysis', 'hand_analysis', 'body_seg']) {
      const body = await baidu(api);
      assert.deepEqual([body.error_code, body.error_msg], [216102, 'service not support'], api);
    }
    assert.equal((await baidu('body_analysis', 'access_token=nonsense')).error_code, 216102);
  });

  test('Kakao: POST /pose and POST /pose/job answer 503 / -7 before reading any input', async () => {
    for (const path of ['/pose', '/pose/job']) {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(fixture('coco-000000000785.jpg'))]), 'a.jpg');
      const res = await fetch(`${server.address}${path}`, { method: 'POST', headers: { authorization: `KakaoAK ${TEST_API_KEY}` }, body: form });
      assert.equal(res.status, 503, path);
      assert.equal((await res.json()).code, -7, path);
    }
  });
});

describe('failures outside any route', () => {
  test('unknown paths: Baidu REST → 3 with HTTP 200, Kakao → 404 / -3, elsewhere the neutral entry', async () => {
    const rest = await fetch(`${server.address}/rest/2.0/image-classify/v1/nope/more`);
    assert.equal(rest.status, 200);
    assert.equal((await rest.json()).error_code, 3);
    const kakao = await fetch(`${server.address}/pose/job/x/y`, { method: 'PUT' });
    assert.equal(kakao.status, 404);
    assert.equal((await kakao.json()).code, -3);
    const other = await fetch(`${server.address}/nope`);
    assert.equal(other.status, 404);
    assert.deepEqual(await other.json(), { error: 'not_found', message: 'no route GET /nope' });
  });

  test('the OAuth endpoint answers a body over the limit in OAuth\'s shape', async () => {
    const res = await fetch(`${server.address}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x='.padEnd(13 * 1024 * 1024, 'a'),
    });
    assert.equal(res.status, 413);
    const body = await res.json();
    assert.equal(body.error, 'invalid_request');
    assert.equal(typeof body.error_description, 'string');
  });
});
