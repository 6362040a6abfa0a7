/**
 * End to end: the real service (SQLite, inference worker, Fastify) on a real port, called by the
 * official Baidu SDK and by plain HTTP for every error the dialect promises.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startServer, type RunningServer } from '../src/server.js';
import { DEFAULT_VIDEO_SETTINGS } from '../src/config.js';
import { BODY21_KEYPOINTS, COCO_KEYPOINTS } from '../src/types.js';
import { fixture } from './helpers.js';

const require = createRequire(import.meta.url);
const sdk = require('baidu-aip-sdk');

const API_KEY = 'e2eApiKey0123456789abcd';
const SECRET_KEY = 'e2eSecretKey0123456789abcdefghij';
/** Public COCO val2017 annotation 442619 (the skier), COCO-17 order, x y v. */
const SKIER_GT = [
  367, 81, 2, 374, 73, 2, 360, 75, 2, 386, 78, 2, 356, 81, 2, 399, 108, 2, 358, 129, 2, 433, 142, 2, 341, 159, 2,
  449, 165, 2, 309, 178, 2, 424, 203, 2, 393, 214, 2, 429, 294, 2, 367, 273, 2, 466, 362, 2, 396, 341, 2,
];

let dir: string;
let server: RunningServer;
let base: string;
let token: string;
const skier = readFileSync(fixture('coco-000000000785.jpg'));

async function call(api: string, body: string, query = `access_token=${token}`): Promise<any> {
  const res = await fetch(`${base}/rest/2.0/image-classify/v1/${api}?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  assert.equal(res.status, 200, 'Baidu answers errors with HTTP 200');
  return res.json();
}

const form = (image: string) => new URLSearchParams({ image }).toString();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bodylens-e2e-'));
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    bootstrapApp: { apiKey: API_KEY, secretKey: SECRET_KEY, appId: '10000001' },
    workers: 1,
    threadsPerWorker: 1,
    logLevel: 'warn',
    video: DEFAULT_VIDEO_SETTINGS,
  });
  base = server.address;
  await server.pool.ready;
  const res = await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${API_KEY}&client_secret=${SECRET_KEY}`);
  token = (await res.json()).access_token;
});

after(async () => {
  sdk.HttpClient.setRequestInterceptor(null);
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('official baidu-aip-sdk', () => {
  test('fetches a token and runs bodyAnalysisV1 on a real photo', async () => {
    sdk.HttpClient.setRequestInterceptor((options: Record<string, any>) => {
      options.url = String(options.url).replace('https://aip.baidubce.com', base);
      return options;
    });
    const client = new sdk.bodyAnalysis('10000001', API_KEY, SECRET_KEY);
    const result = await client.bodyAnalysisV1(skier.toString('base64'));
    assert.equal(result.error_code, undefined, JSON.stringify(result));
    assert.equal(typeof result.log_id, 'number');
    assert.equal(result.person_num, 1);
    const person = result.person_info[0];
    assert.deepEqual(Object.keys(person.body_parts).sort(), [...BODY21_KEYPOINTS].sort());
    for (const key of ['left', 'top', 'width', 'height', 'score']) assert.equal(typeof person.location[key], 'number');
    // Most COCO points land within 10% of the skier's height of the public annotation.
    const height = 347;
    const close = COCO_KEYPOINTS.filter((name, k) => {
      const p = person.body_parts[name];
      return Math.hypot(p.x - SKIER_GT[3 * k], p.y - SKIER_GT[3 * k + 1]) < 0.1 * height;
    });
    assert.ok(close.length >= 14, `only ${close.length}/17 keypoints near the annotation: ${close}`);
    // Derived points sit where anatomy puts them.
    const bp = person.body_parts;
    assert.ok(bp.top_head.y < bp.nose.y && bp.neck.y > bp.nose.y && bp.neck.y < bp.left_hip.y);
    assert.ok(bp.left_mouth_corner.y > bp.nose.y - 5 && bp.left_mouth_corner.y < bp.neck.y);
  });
});

describe('Baidu errors over HTTP', () => {
  test('token problems', async () => {
    assert.equal((await call('body_analysis', form('x'), '')).error_code, 100);
    assert.equal((await call('body_analysis', form('x'), 'access_token=24.nope')).error_code, 110);
  });

  test('unknown API path → 3', async () => {
    const r = await call('no_such_api', form('x'));
    assert.equal(r.error_code, 3);
    assert.equal(typeof r.log_id, 'number');
    const deeper = await fetch(`${base}/rest/2.0/image-classify/v2/whatever`, { method: 'POST' });
    assert.equal((await deeper.json()).error_code, 3);
  });

  test('image field problems', async () => {
    assert.equal((await call('body_analysis', 'other=1')).error_code, 216101);
    assert.equal((await call('body_analysis', form(''))).error_code, 216200);
    assert.equal((await call('body_analysis', form('###not base64###'))).error_code, 216203);
    assert.equal((await call('body_analysis', form(Buffer.from('plain text, not a picture').toString('base64')))).error_code, 216201);
    const tiny = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer();
    assert.equal((await call('body_analysis', form(tiny.toString('base64')))).error_code, 216202);
    const truncated = skier.subarray(0, skier.length >> 1);
    assert.equal((await call('body_analysis', form(truncated.toString('base64')))).error_code, 216201);
  });

  test('over 4 MB of base64 → 216202, also beyond the transport limit', async () => {
    const big = Buffer.alloc(3_200_000, 7).toString('base64'); // ~4.3 MB encoded
    assert.equal((await call('body_analysis', form(big))).error_code, 216202);
    const huge = 'a'.repeat(13 * 1024 * 1024);
    assert.equal((await call('body_analysis', `image=${huge}`)).error_code, 216202);
  });

  test('a data: header and a missing content type are tolerated', async () => {
    const r = await call('body_analysis', form(`data:image/jpeg;base64,${skier.toString('base64')}`));
    assert.equal(r.person_num, 1);
    const res = await fetch(`${base}/rest/2.0/image-classify/v1/body_analysis?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: form(skier.toString('base64')),
    });
    assert.equal((await res.json()).person_num, 1);
  });

  test('an image with nobody in it → person_num 0', async () => {
    const empty = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#8899aa' } }).jpeg().toBuffer();
    const r = await call('body_analysis', form(empty.toString('base64')));
    assert.deepEqual({ person_num: r.person_num, person_info: r.person_info }, { person_num: 0, person_info: [] });
  });

  test('healthz is 200 once workers are warm', async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
  });
});
