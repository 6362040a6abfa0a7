/**
 * The SDK in a real browser: headless Chromium (Debian's, through playwright-core) loads the
 * built client files as ES modules on the server's origin and calls the real server (token
 * fetch, a Baidu API with Blob input, Kakao pose, a typed error). Skipped with a message when no
 * Chromium is installed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { startBaiduTestServer, fixture, TEST_API_KEY, TEST_SECRET_KEY, type BaiduTestServer } from '../../helpers/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install -y chromium): browser test of the SDK skipped`;
const clientDir = fileURLToPath(new URL('../../../src/client/', import.meta.url));

let baidu: BaiduTestServer;
let browser: import('playwright-core').Browser | undefined;

before(async () => {
  if (skip) return;
  baidu = await startBaiduTestServer('9000004');
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
  await baidu?.close();
});

test('BodylensClient runs in Chromium against the real server', { skip }, async () => {
  const page = await browser!.newPage();
  // The built client files, served on the server's origin (the server sends no CORS headers).
  await page.route('**/__sdk/*.js', (route) => {
    const file = join(clientDir, new URL(route.request().url()).pathname.split('/').pop()!);
    return route.fulfill({ status: 200, contentType: 'text/javascript', body: readFileSync(file, 'utf8') });
  });
  await page.goto(`${baidu.base}/docs`);
  const photo = readFileSync(fixture('coco-000000000785.jpg')).toString('base64');
  const result = await page.evaluate(
    async ({ apiKey, secretKey, photo }) => {
      const { BodylensClient, BodylensError } = await import(`${location.origin}/__sdk/index.js`);
      const client = new BodylensClient({ baseUrl: location.origin, apiKey, secretKey });
      const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
      const analysis = await client.bodyAnalysis(new Blob([bytes], { type: 'image/jpeg' }));
      const people = await client.pose(bytes);
      let error: unknown;
      try {
        await client.gesture(new TextEncoder().encode('not a picture'));
      } catch (e) {
        error = e instanceof BodylensError ? { dialect: (e as { dialect: string }).dialect, code: (e as { code: number }).code } : String(e);
      }
      return { persons: analysis.person_num, points: Object.keys(analysis.person_info[0].body_parts).length, kakao: people.length, keypoints: people[0].keypoints.length, error, node: typeof (globalThis as { process?: unknown }).process };
    },
    { apiKey: TEST_API_KEY, secretKey: TEST_SECRET_KEY, photo },
  );
  assert.deepEqual(result, { persons: 1, points: 21, kakao: 1, keypoints: 51, error: { dialect: 'baidu', code: 216201 }, node: 'undefined' });
  await page.close();
});
