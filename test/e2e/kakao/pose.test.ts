/**
 * End to end for Kakao's image API: the real service on a real port, called the way Kakao's
 * own samples call it (multipart `file`, urlencoded `image_url`, `Authorization: KakaoAK`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RunningServer } from '../../../src/server.js';
import { openDatabase } from '../../../src/store/db.js';
import { createApp, ensureAuthSchema } from '../../../src/auth/apps.js';
import { fixture } from '../../helpers/helpers.js';
import { expectKakaoError, startKakaoTestServer, startMediaServer, type MediaServer } from '../../helpers/kakao.js';

const API_KEY = 'kakaoRestKey0123456789ab';
const SECRET_KEY = 'kakaoSecretKey0123456789abcdefgh';
const SLOW_KEY = 'kakaoSlowKey0123456789abc';
const skier = readFileSync(fixture('coco-000000000785.jpg'));
const skierHeic = readFileSync(fixture('coco-000000000785.heic'));
/** Public COCO val2017 annotation 442619 (the skier): nose and both ankles, x y. */
const SKIER_NOSE = [367, 81];
const SKIER_ANKLES = [[466, 362], [396, 341]];

let dir: string;
let server: RunningServer;
let base: string;
let media: MediaServer;
let mediaBase: string;

function upload(bytes: Uint8Array, name = 'photo.jpg', key = API_KEY, extra: Record<string, string> = {}): Promise<Response> {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(bytes)]), name);
  for (const [k, v] of Object.entries(extra)) body.append(k, v);
  return fetch(`${base}/pose`, { method: 'POST', headers: { authorization: `KakaoAK ${key}` }, body });
}

function byUrl(imageUrl: string, key = API_KEY): Promise<Response> {
  return fetch(`${base}/pose`, {
    method: 'POST',
    headers: { authorization: `KakaoAK ${key}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ image_url: imageUrl }).toString(),
  });
}

function checkSkier(persons: any[]): void {
  assert.equal(persons.length, 1, JSON.stringify(persons));
  const p = persons[0];
  assert.deepEqual(Object.keys(p).sort(), ['area', 'bbox', 'category_id', 'keypoints', 'score']);
  assert.equal(p.category_id, 1);
  assert.equal(p.keypoints.length, 51);
  assert.ok(p.score > 0.3 && p.score <= 1);
  const [x, y, w, h] = p.bbox;
  assert.ok(Math.abs(p.area - w * h) < 1, 'area is the bbox area');
  const near = (i: number, [gx, gy]: number[], tol: number) =>
    assert.ok(Math.hypot(p.keypoints[i * 3] - gx, p.keypoints[i * 3 + 1] - gy) < tol, `keypoint ${i} at ${p.keypoints.slice(i * 3, i * 3 + 2)}`);
  near(0, SKIER_NOSE, 12);
  near(15, SKIER_ANKLES[0], 20);
  near(16, SKIER_ANKLES[1], 20);
  // The bbox is the detected keypoints' extent plus one pixel, as in Kakao's example.
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 17; i++) {
    if (p.keypoints[i * 3 + 2] < 0.2) continue;
    xs.push(p.keypoints[i * 3]);
    ys.push(p.keypoints[i * 3 + 1]);
  }
  assert.ok(xs.length >= 10);
  assert.ok(Math.abs(x - Math.min(...xs)) < 0.01 && Math.abs(y - Math.min(...ys)) < 0.01, `bbox ${p.bbox}`);
  assert.ok(Math.abs(w - (Math.max(...xs) - Math.min(...xs) + 1)) < 0.01, `bbox width ${w}`);
  assert.ok(Math.abs(h - (Math.max(...ys) - Math.min(...ys) + 1)) < 0.01, `bbox height ${h}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bodylens-kakao-'));
  // Apps: the bootstrap one, and one allowed a single request per second.
  const db = openDatabase(dir);
  ensureAuthSchema(db);
  createApp(db, { name: 'slow', apiKey: SLOW_KEY, secretKey: 'kakaoSlowSecret0123456789abcdefg', qpsLimit: 1 });
  db.close();

  media = await startMediaServer({
    '/skier.jpg': (_req, res) => res.end(skier),
    '/moved': (_req, res) => { res.writeHead(302, { location: '/skier.jpg' }); res.end(); },
    '/big.jpg': (_req, res) => res.end(Buffer.alloc(600_000)),
  });
  mediaBase = media.base;

  server = await startKakaoTestServer(dir, { apiKey: API_KEY, secretKey: SECRET_KEY }, { BODYLENS_KAKAO_IMAGE_MAX_BYTES: '500000' });
  base = server.address;
});

after(async () => {
  await server.close();
  media.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /pose', () => {
  test('multipart JPEG: one person, COCO-17 keypoints in original pixels', async () => {
    const res = await upload(skier);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    checkSkier(await res.json());
  });

  test('HEIC and WebP uploads are decoded', async () => {
    const heic = await upload(skierHeic, 'photo.heic');
    assert.equal(heic.status, 200);
    checkSkier(await heic.json());
    const webp = await upload(await sharp(skier).webp({ quality: 90 }).toBuffer(), 'photo.webp');
    assert.equal(webp.status, 200);
    checkSkier(await webp.json());
  });

  test('image_url, also through a redirect', async () => {
    const direct = await byUrl(`${mediaBase}/skier.jpg`);
    assert.equal(direct.status, 200);
    checkSkier(await direct.json());
    const moved = await byUrl(`${mediaBase}/moved`);
    assert.equal(moved.status, 200);
    checkSkier(await moved.json());
  });

  test('an image with nobody in it is an empty array', async () => {
    const grey = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).png().toBuffer();
    const res = await upload(grey, 'grey.png');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), []);
  });
});

describe('POST /pose errors', () => {
  test('401 without a key, with an unknown key, or with another scheme', async () => {
    const body = new FormData();
    body.append('file', new Blob([skier]), 'a.jpg');
    await expectKakaoError(await fetch(`${base}/pose`, { method: 'POST', body }), 401, -401);
    await expectKakaoError(await upload(skier, 'a.jpg', 'noSuchKey0123456789abcdef'), 401, -401);
    await expectKakaoError(await fetch(`${base}/pose`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` }, body }), 401, -401);
  });

  test('400 for neither input, both inputs, or an empty form', async () => {
    await expectKakaoError(await fetch(`${base}/pose`, { method: 'POST', headers: { authorization: `KakaoAK ${API_KEY}` } }), 400, -2, /file or image_url/);
    await expectKakaoError(await upload(skier, 'a.jpg', API_KEY, { image_url: `${mediaBase}/skier.jpg` }), 400, -2, /not both/);
    await expectKakaoError(await byUrl(''), 400, -2);
  });

  test('400 for a malformed multipart body', async () => {
    const post = (contentType: string, body: string) =>
      fetch(`${base}/pose`, { method: 'POST', headers: { authorization: `KakaoAK ${API_KEY}`, 'content-type': contentType }, body });
    await expectKakaoError(await post('multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc'), 400, -2, /malformed multipart/);
    await expectKakaoError(await post('multipart/form-data', 'no boundary at all'), 400, -2, /malformed multipart/);
  });

  test('400 for undecodable bytes, 415 for formats Kakao does not take', async () => {
    await expectKakaoError(await upload(Buffer.from('definitely not an image')), 400, -2, /unrecognised/);
    await expectKakaoError(await upload(skier.subarray(0, skier.length >> 1)), 400, -2);
    const gif = await sharp(skier).gif().toBuffer();
    await expectKakaoError(await upload(gif, 'a.gif'), 415, -911, /GIF/);
    const bmpLike = Buffer.concat([Buffer.from('BM'), Buffer.alloc(100)]);
    await expectKakaoError(await upload(bmpLike, 'a.bmp'), 415, -911, /BMP/);
  });

  test('413 for a file over the byte limit or an image under the size limit', async () => {
    await expectKakaoError(await upload(Buffer.alloc(600_000, 1)), 413, -602);
    const tiny = await sharp({ create: { width: 30, height: 30, channels: 3, background: '#fff' } }).png().toBuffer();
    await expectKakaoError(await upload(tiny, 'tiny.png'), 413, -602);
    await expectKakaoError(await byUrl(`${mediaBase}/big.jpg`), 413, -602);
  });

  test('400 for URLs the server must not fetch, or cannot', async () => {
    await expectKakaoError(await byUrl('http://169.254.169.254/latest/meta-data/'), 400, -2, /169\.254/);
    await expectKakaoError(await byUrl(`http://127.0.0.2:${new URL(mediaBase).port}/skier.jpg`), 400, -2, /not allowed/);
    await expectKakaoError(await byUrl('file:///etc/passwd'), 400, -2, /scheme/);
    await expectKakaoError(await byUrl(`${mediaBase}/missing.jpg`), 400, -2, /404/);
  });

  test('429 over the app\'s QPS limit, and the service keeps answering', async () => {
    const results = await Promise.all([1, 2, 3].map(() => upload(skier, 'a.jpg', SLOW_KEY)));
    const statuses = results.map((r) => r.status).sort();
    assert.ok(statuses.includes(429), `statuses ${statuses}`);
    const limited = results.find((r) => r.status === 429)!;
    await expectKakaoError(limited, 429, -10);
    assert.equal((await upload(skier)).status, 200);
  });
});
