/**
 * The web console end to end: the real service (SQLite, a worker, real models) and real headless
 * Chromium (Debian's /usr/bin/chromium through playwright-core). Each view loads and matches its
 * expected layout (element boxes from layout.json, not pixels); an uploaded photo yields the
 * drawn result beside the JSON; an area drawn by mouse reaches the request; a video's frames go
 * as one tracking case; a Kakao video job shows progress and skeletons; apps are created,
 * limited, rotated and revoked and their usage is charted. A screenshot of each view is saved
 * and its path printed. Without Chromium the browser tests are skipped with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { fixture, testConfig, TEST_API_KEY, TEST_SECRET_KEY } from '../../helpers/helpers.js';
import { browserSkipReason, choosePhoto, launchBrowser, layoutOf, type Browser, type ElementBox } from '../../helpers/browser.js';
import { makeSkierClip } from '../../helpers/video-clip.js';
import type { RunningServer } from '../../../src/server.js';
import { BAIDU_APIS } from '../../../src/api/baidu/endpoints.js';

const skip = browserSkipReason();
if (skip) console.log(skip);

const ADMIN_KEY = 'console-test-admin-key-0123456789';
const SERVED = ['body_analysis', 'body_num', 'body_seg', 'body_tracking'];
/** Where the screenshots go (printed; the closing note lists them). */
export const SCREEN_DIR = join(tmpdir(), 'bodylens-console-screens');
const LAYOUT = JSON.parse(readFileSync(new URL('../../../../test/e2e/console/layout.json', import.meta.url), 'utf8'));

let server: RunningServer;
let base: string;
let dir: string;
let browser: Browser;
let clip: string;
const screenshots: string[] = [];

before(async () => {
  const { startServer } = await import('../../../src/server.js');
  dir = mkdtempSync(join(tmpdir(), 'bodylens-console-'));
  server = await startServer(testConfig(dir, {
    BODYLENS_API_KEY: TEST_API_KEY,
    BODYLENS_SECRET_KEY: TEST_SECRET_KEY,
    BODYLENS_APP_ID: '10000016',
    BODYLENS_ADMIN_KEY: ADMIN_KEY,
    BODYLENS_CAPABILITIES: SERVED.join(','),
  }));
  base = server.address;
  await server.engine.ready;
  mkdirSync(SCREEN_DIR, { recursive: true });
  if (!skip) {
    browser = await launchBrowser();
    clip = makeSkierClip(join(dir, 'skier.mp4'), { frames: 10, fps: 5, dx: 3, dy: 1, width: 600, height: 400, pixelFormat: 'yuv420p' });
  }
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
  if (screenshots.length) console.log(`console screenshots:\n${screenshots.map((s) => `  ${s}`).join('\n')}`);
});

async function screenshot(name: string): Promise<void> {
  const path = join(SCREEN_DIR, `console-${name}.png`);
  await browser.page.screenshot({ path, fullPage: true });
  screenshots.push(path);
  console.log(`screenshot ${name}: ${path}`);
}

/** The view's element boxes against layout.json: x and width within tolerance, and the relations. */
async function assertLayout(view: 'try' | 'video' | 'apps'): Promise<void> {
  const spec = LAYOUT.views[view];
  const tol: number = LAYOUT.tolerance;
  const selectors = [...new Set<string>([...Object.keys(spec.boxes), ...[...spec.sameTop, ...spec.below, ...spec.inside].flat(), ...(spec.hidden ?? [])])];
  const boxes = await layoutOf(browser.page, selectors);
  const got = (s: string): ElementBox => {
    assert.ok(boxes[s], `${view}: ${s} is visible`);
    return boxes[s]!;
  };
  for (const [s, want] of Object.entries(spec.boxes as Record<string, { x: number; width: number }>)) {
    assert.ok(Math.abs(got(s).x - want.x) <= tol && Math.abs(got(s).width - want.width) <= tol, `${view}: ${s} at x ${got(s).x} width ${got(s).width}, expected ${want.x} / ${want.width}`);
  }
  for (const [a, b] of spec.sameTop) assert.ok(Math.abs(got(a).y - got(b).y) <= tol, `${view}: ${a} (y ${got(a).y}) and ${b} (y ${got(b).y}) start level`);
  for (const [a, b] of spec.below) assert.ok(got(a).y + got(a).height <= got(b).y + tol, `${view}: ${b} (y ${got(b).y}) below ${a} (ends ${got(a).y + got(a).height})`);
  for (const [a, b] of spec.inside) {
    const i = got(a), o = got(b);
    assert.ok(i.x >= o.x - tol && i.y >= o.y - tol && i.x + i.width <= o.x + o.width + tol && i.y + i.height <= o.y + o.height + tol, `${view}: ${a} ${JSON.stringify(i)} inside ${b} ${JSON.stringify(o)}`);
  }
  for (const s of spec.hidden ?? []) assert.equal(boxes[s], null, `${view}: ${s} hidden`);
  // Nothing overflows the window sideways.
  const scrollWidth = await browser.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= LAYOUT.viewport.width, `${view}: page ${scrollWidth} px wide`);
}

async function open(view: string): Promise<void> {
  await browser.page.goto(`${base}/console/#${view}`);
  await browser.page.waitForSelector('body[data-ready=true]');
  assert.equal(await browser.page.getAttribute('body', 'data-view'), view);
}

async function signIn(): Promise<void> {
  const page = browser.page;
  await page.fill('#api-key', TEST_API_KEY);
  await page.fill('#secret-key', TEST_SECRET_KEY);
  await page.click('#get-token');
  await page.waitForFunction(() => (document.querySelector('#access-token') as HTMLInputElement).value.startsWith('24.'));
}

const json = async () => JSON.parse(await browser.page.textContent('#json') ?? 'null');

/** Clicks the vertices (fractions of the element's size) with the mouse; a double click adds the last and closes the polygon. */
async function drawPolygon(selector: string, clicks: number[][]): Promise<void> {
  const box = (await browser.page.locator(selector).boundingBox())!;
  const at = ([fx, fy]: number[]) => [box.x + fx * box.width, box.y + fy * box.height] as const;
  for (const c of clicks.slice(0, -1)) await browser.page.mouse.click(...at(c));
  await browser.page.mouse.dblclick(...at(clicks[clicks.length - 1]));
}

async function runTry(): Promise<void> {
  await browser.page.click('#run');
  await browser.page.waitForFunction(() => /status (good|bad)/.test(document.querySelector('#try-status')!.className), null, { timeout: 120_000 });
}

describe('console routes (HTTP, no browser)', () => {
  test('the page, its assets and the API list from the dialect tables', async () => {
    const bare = await fetch(`${base}/console`, { redirect: 'manual' });
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get('location'), '/console/');
    const page = await fetch(`${base}/console/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    // Nothing is fetched from elsewhere: every script and stylesheet is the console's own.
    for (const m of html.matchAll(/(?:src|href)="([^"]+)"/g)) assert.ok(m[1].startsWith('/console/') || m[1].startsWith('data:'), m[1]);
    for (const asset of ['console.js', 'console.css', 'i18n.js', 'draw.js', 'chart.js', 'snippets.js']) {
      const r = await fetch(`${base}/console/assets/${asset}`);
      assert.equal(r.status, 200, asset);
      // (The SVG namespace is a name, not a fetch.)
      assert.doesNotMatch((await r.text()).replaceAll('http://www.w3.org/2000/svg', ''), /https?:\/\/[a-z]/i, `${asset} references no remote URL`);
    }
    const missing = await fetch(`${base}/console/assets/..%2Fpackage.json`);
    assert.equal(missing.status, 404);
    const { apis } = await (await fetch(`${base}/console/api/apis`)).json();
    assert.deepEqual(apis.filter((a: any) => a.dialect === 'baidu').map((a: any) => a.name), BAIDU_APIS.map((r) => r.name));
    for (const a of apis) assert.equal(a.served, SERVED.includes(a.capability) && !a.planned, `${a.name} served`);
    assert.deepEqual(apis.find((a: any) => a.name === 'body_num').fields.map((f: any) => f.name), ['area', 'show']);
  });

  test('try: bad inputs answer a Baidu error code in the response, never a crash', async () => {
    const post = async (api: string, body: string, token = '') => {
      const token0 = token || (await (await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${TEST_API_KEY}&client_secret=${TEST_SECRET_KEY}`)).json()).access_token;
      const r = await fetch(`${base}/console/api/try/${api}?access_token=${token0}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      assert.equal(r.status, 200);
      return r.json();
    };
    assert.equal((await post('body_analysis', 'image=', 'nope')).response.error_code, 110);
    assert.equal((await post('no_such_api', 'image=abc')).response.error_code, 3);
    const bad = await post('body_analysis', `image=${encodeURIComponent(Buffer.from('not a picture at all').toString('base64'))}`);
    assert.equal(bad.response.error_code, 216201);
    assert.equal(bad.render, null);
    const empty = await post('body_analysis', '');
    assert.ok(typeof empty.response.error_code === 'number' && empty.response.error_code !== 282000, JSON.stringify(empty));
    // A capability this process does not serve: refused before authentication.
    assert.equal((await post('gesture', 'image=abc')).response.error_code, 216102);
  });
});

describe('console in Chromium', { skip }, () => {
  test('Try: every API of the table is listed; an uploaded photo yields the drawn result beside the JSON', async () => {
    const page = browser.page;
    await open('try');
    const options = await page.$$eval('#api option', (os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled })));
    assert.deepEqual(options.filter((o) => o.value.startsWith('baidu:')).map((o) => o.value.slice(6)), BAIDU_APIS.map((r) => r.name));
    assert.deepEqual(options.filter((o) => !o.disabled).map((o) => o.value), ['baidu:body_analysis', 'baidu:body_num', 'baidu:body_seg', 'baidu:body_tracking', 'kakao:pose']);
    await signIn();
    await page.selectOption('#api', 'baidu:body_analysis');
    await choosePhoto(browser.page, fixture('coco-000000000785.jpg'));
    await runTry();
    const answer = await json();
    assert.equal(answer.person_num, 1, JSON.stringify(answer).slice(0, 300));
    await page.waitForFunction(() => (document.querySelector('#result') as HTMLImageElement).naturalWidth > 0);
    // The result picture is the capability's render: the photo's size, the person's box drawn in yellow.
    const src = (await page.getAttribute('#result', 'src'))!;
    const png = Buffer.from(src.replace(/^data:image\/png;base64,/, ''), 'base64');
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [640, 425]);
    const loc = answer.person_info[0].location;
    const at = (x: number, y: number) => [...data.subarray((Math.round(y) * info.width + Math.round(x)) * 3, (Math.round(y) * info.width + Math.round(x)) * 3 + 3)];
    const edge = at(loc.left, loc.top + loc.height * 0.6);
    assert.ok(edge[0] > 180 && edge[1] > 140 && edge[2] < 110, `box edge pixel ${edge}`);
    assert.match(await page.textContent('#try-status') ?? '', /\d+ ms/);
    // The snippets name the request just made.
    await page.click('[data-snippet=curl]');
    const curl = await page.textContent('#snippet') ?? '';
    assert.match(curl, /--data-urlencode image@photo\.b64/);
    assert.match(curl, /\/rest\/2\.0\/image-classify\/v1\/body_analysis\?access_token=\$TOKEN/);
    await page.click('[data-snippet=node]');
    assert.match(await page.textContent('#snippet') ?? '', /import \{ BodylensClient \} from 'bodylens\/client';[\s\S]*client\.bodyAnalysis\(image\)/);
    await page.click('[data-snippet=python]');
    assert.match(await page.textContent('#snippet') ?? '', /requests\.post\(HOST \+ "\/rest\/2\.0\/image-classify\/v1\/body_analysis"/);
    assert.deepEqual(browser.errors, []);
    await assertLayout('try');
    await screenshot('try');
  });

  test('Try: an area drawn by mouse on the photo reaches the body_num request as its area field', async () => {
    const page = browser.page;
    await page.selectOption('#api', 'baidu:body_num');
    assert.equal(await page.isVisible('#area-tools'), true);
    const clicks = [[0.3, 0.05], [0.9, 0.05], [0.9, 0.95], [0.3, 0.95]];
    await drawPolygon('#preview', clicks);
    const request = page.waitForRequest((r) => r.url().includes('/console/api/try/body_num'));
    await runTry();
    const form = new URLSearchParams((await request).postData() ?? '');
    const area = form.get('area')!.split(',').map(Number);
    assert.equal(area.length, 8, form.get('area')!);
    clicks.forEach(([fx, fy], i) => {
      assert.ok(Math.abs(area[2 * i] - fx * 640) <= 2 && Math.abs(area[2 * i + 1] - fy * 425) <= 2, `vertex ${i}: ${area.slice(2 * i, 2 * i + 2)} vs ${[fx * 640, fy * 425]}`);
    });
    assert.equal(await page.inputValue('#fields [name=area]'), form.get('area'));
    const answer = await json();
    assert.equal(answer.person_num, 1);
    assert.deepEqual(answer.area_counts, [1], JSON.stringify(answer));
    await page.click('[data-snippet=curl]');
    assert.ok((await page.textContent('#snippet'))!.includes(`--data-urlencode 'area=${form.get('area')}'`));
    await screenshot('try-area');
    // A bad token answers the Baidu code in the page, no crash.
    await page.fill('#access-token', 'not-a-token');
    await runTry();
    assert.equal((await json()).error_code, 110);
    assert.match(await page.textContent('#try-status') ?? '', /110/);
    await signIn();
  });

  test('Try: body_seg shows the mask drawn on the photo and the images of the answer (labelmap, scoremap, cut-out)', async () => {
    const page = browser.page;
    await page.selectOption('#api', 'baidu:body_seg');
    await runTry();
    const answer = await json();
    assert.equal(answer.person_num, 1, JSON.stringify(answer).slice(0, 200));
    await page.waitForFunction(() => (document.querySelector('#result') as HTMLImageElement).naturalWidth === 640);
    assert.equal(await page.isVisible('#files'), true);
    const names = await page.$$eval('#file-list figcaption', (cs) => cs.map((c) => c.textContent));
    assert.deepEqual(names, ['labelmap', 'scoremap', 'foreground']);
    // The cut-out is a PNG with transparency where the snow was.
    const src = await page.getAttribute('#file-list img[alt=foreground]', 'src');
    const cut = await sharp(Buffer.from(src!.replace(/^data:image\/png;base64,/, ''), 'base64')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.equal(cut.info.width, 640);
    assert.equal(cut.data[(10 * 640 + 10) * 4 + 3], 0, 'a corner of snow is transparent');
    await screenshot('try-seg');
  });

  test('Try: Kakao pose on the photo (KakaoAK key), drawn in the page from its bbox and keypoints', async () => {
    const page = browser.page;
    await page.selectOption('#api', 'kakao:pose');
    assert.equal(await page.isVisible('#files'), true, 'still showing the last answer\'s images');
    const request = page.waitForRequest((r) => r.url().endsWith('/pose'));
    await runTry();
    assert.equal((await request).headers().authorization, `KakaoAK ${TEST_API_KEY}`);
    const persons = await json();
    assert.equal(persons.length, 1, JSON.stringify(persons).slice(0, 200));
    assert.equal(persons[0].keypoints.length, 51);
    assert.equal(await page.isVisible('#files'), false);
    await page.waitForFunction(() => (document.querySelector('#result') as HTMLImageElement).naturalWidth === 640);
    // The drawn box is Kakao's bbox: its left edge is yellow in the result.
    const [x, y, , h] = persons[0].bbox;
    const edge = await page.$eval('#result', (img, [px, py]) => {
      const c = document.createElement('canvas');
      const i = img as HTMLImageElement;
      c.width = i.naturalWidth;
      c.height = i.naturalHeight;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(i, 0, 0);
      return [...ctx.getImageData(px, py, 1, 1).data.slice(0, 3)];
    }, [Math.round(x), Math.round(y + h * 0.6)]);
    assert.ok(edge[0] > 180 && edge[1] > 140 && edge[2] < 110, `bbox edge pixel ${edge}`);
    await page.click('[data-snippet=curl]');
    assert.match(await page.textContent('#snippet') ?? '', /-H 'Authorization: KakaoAK [^']+' \\\n\s+-F file=@photo\.jpg/);
  });

  test('Try: a camera frame (Chromium\'s fake camera) is analysed like an upload', async () => {
    const cam = await launchBrowser({ extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
    try {
      const page = cam.page;
      await page.goto(`${base}/console/#try`);
      await page.waitForSelector('body[data-ready=true]');
      await page.fill('#api-key', TEST_API_KEY);
      await page.fill('#secret-key', TEST_SECRET_KEY);
      await page.click('#get-token');
      await page.waitForFunction(() => (document.querySelector('#access-token') as HTMLInputElement).value.startsWith('24.'));
      await page.selectOption('#api', 'baidu:body_analysis');
      await page.click('#camera');
      await page.waitForSelector('#snap:not([hidden])');
      await page.waitForFunction(() => (document.querySelector('#camera-video') as HTMLVideoElement).videoWidth > 0);
      await page.click('#snap');
      await page.waitForFunction(() => document.body.dataset.photos === '1');
      const sent = page.waitForRequest((r) => r.url().includes('/console/api/try/body_analysis'));
      await page.click('#run');
      await page.waitForFunction(() => /good|bad/.test(document.querySelector('#try-status')!.className), null, { timeout: 120_000 });
      const image = Buffer.from(new URLSearchParams((await sent).postData() ?? '').get('image')!, 'base64');
      assert.equal((await sharp(image).metadata()).format, 'jpeg');
      const answer = JSON.parse(await page.textContent('#json') ?? '{}');
      // The fake camera shows a test pattern: a valid answer (no person is expected), drawn.
      assert.equal(answer.error_code, undefined, JSON.stringify(answer));
      assert.equal(typeof answer.person_num, 'number');
      await page.waitForFunction(() => (document.querySelector('#result') as HTMLImageElement).naturalWidth > 0);
      assert.deepEqual(cam.errors, []);
    } finally {
      await cam.close();
    }
  });

  test('Video: frames of an uploaded video go as one tracking case; IDs and in/out counters shown', async () => {
    const page = browser.page;
    await open('video');
    await page.setInputFiles('#video-file', clip);
    await page.waitForFunction(() => (document.querySelector('#video-canvas') as HTMLCanvasElement).width === 600);
    await page.fill('#video-max', '4');
    // The counting area drawn by mouse on the first frame (the right 70 % of the 600 × 400 frame).
    const clicks = [[0.3, 0.02], [0.98, 0.02], [0.98, 0.98], [0.3, 0.98]];
    await drawPolygon('#video-canvas', clicks);
    const drawn = (await page.inputValue('#video-area')).split(',').map(Number);
    assert.equal(drawn.length, 8);
    clicks.forEach(([fx, fy], i) => assert.ok(Math.abs(drawn[2 * i] - fx * 600) <= 2 && Math.abs(drawn[2 * i + 1] - fy * 400) <= 2, `vertex ${i}: ${drawn}`));
    const sent: URLSearchParams[] = [];
    page.on('request', (r) => { if (r.url().includes('/console/api/try/body_tracking')) sent.push(new URLSearchParams(r.postData() ?? '')); });
    await page.click('#video-run');
    await page.waitForFunction(() => /good|bad/.test(document.querySelector('#video-status')!.className), null, { timeout: 180_000 });
    assert.equal(await page.getAttribute('#video-status', 'class'), 'status good', await page.textContent('#video-status') ?? '');
    assert.equal(sent.length, 4);
    assert.deepEqual(sent.map((f) => f.get('case_init')), ['true', 'false', 'false', 'false']);
    assert.equal(new Set(sent.map((f) => f.get('case_id'))).size, 1);
    assert.ok(sent.every((f) => f.get('dynamic') === 'true' && f.get('area') === drawn.join(',')));
    const counter = (name: string) => page.textContent(`#counters dd[data-counter="${name}"]`);
    assert.equal(await counter('frames'), '4');
    assert.equal(await counter('people'), '1');
    assert.match(await counter('in') ?? '', /^\d+$/);
    assert.match(await counter('out') ?? '', /^\d+$/);
    assert.equal(await page.$eval('#video-progress', (p) => (p as HTMLProgressElement).value), 1);
    assert.deepEqual(browser.errors, []);
    await assertLayout('video');
    await screenshot('video-tracking');
  });

  test('Video: a Kakao pose job with a progress bar, then the skeletons drawn over the video', async () => {
    const page = browser.page;
    await page.selectOption('#video-mode', 'kakao');
    const polls: string[] = [];
    page.on('response', (r) => { if (/\/pose\/job\/[^/]+$/.test(r.url())) polls.push(r.url()); });
    await page.click('#video-run');
    await page.waitForFunction(() => /success|failed|not found/.test(document.querySelector('#video-status')!.textContent ?? ''), null, { timeout: 180_000 });
    assert.match(await page.textContent('#video-status') ?? '', /success 100%/);
    assert.ok(polls.length >= 1);
    const result = JSON.parse(await page.textContent('#video-json') ?? '{}');
    assert.equal(result.status, 'success');
    assert.ok(result.annotations.length >= 5);
    // Skeleton colours are on the canvas (the video itself is white snow, grey and red).
    const green = await page.$eval('#video-canvas', (c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 1] > 170 && d[i] < 90 && d[i + 2] < 140) n++;
      return n;
    });
    assert.ok(green > 50, `green limb pixels ${green}`);
    await screenshot('video-kakao');
  });

  test('Apps: create, list, set limits and permissions, rotate, revoke; usage charted per API and outcome', async () => {
    const page = browser.page;
    page.on('dialog', (d) => void d.accept());
    await open('apps');
    await page.fill('#admin-key', 'wrong');
    await page.click('#admin-load');
    await page.waitForFunction(() => /bad/.test(document.querySelector('#apps-status')!.className));
    assert.match(await page.textContent('#apps-status') ?? '', /401/);
    await page.fill('#admin-key', ADMIN_KEY);
    await page.click('#admin-load');
    await page.waitForSelector('#apps-table tbody tr[data-app="10000016"]');
    // Create.
    await page.fill('#app-form [name=name]', 'console-made');
    await page.fill('#app-form [name=apis]', 'body_analysis,body_num');
    await page.fill('#app-form [name=daily_limit]', '500');
    await page.click('#app-save');
    await page.waitForFunction(() => /Secret Key/.test(document.querySelector('#secret-once')!.textContent ?? ''));
    const created = (await page.textContent('#secret-once'))!;
    const appId = /^(\S+)/.exec(created)![1];
    const row = `#apps-table tbody tr[data-app="${appId}"]`;
    await page.waitForSelector(row);
    const listed = await (await fetch(`${base}/admin/apps/${appId}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json();
    assert.equal(listed.name, 'console-made');
    assert.deepEqual(listed.apis, ['body_analysis', 'body_num']);
    assert.equal(listed.daily_limit, 500);
    // The new app's key works for a call made in the page.
    const secret = /Secret Key[^:]*[:：]\s*(\S+)/.exec(created)![1];
    const token = (await (await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${listed.api_key}&client_secret=${secret}`)).json()).access_token;
    assert.ok(token);
    // Edit: limits and permissions.
    await page.click(`${row} [data-action=edit]`);
    await page.fill('#app-form [name=qps_limit]', '3');
    await page.fill('#app-form [name=apis]', 'body_num');
    await page.click('#app-save');
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('3 / 500'), row);
    const edited = await (await fetch(`${base}/admin/apps/${appId}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json();
    assert.deepEqual([edited.qps_limit, edited.apis], [3, ['body_num']]);
    // Rotate: a new secret shown once; the old one no longer gets a token.
    await page.click(`${row} [data-action=rotate]`);
    await page.waitForFunction((old) => !document.querySelector('#secret-once')!.textContent!.includes(old) && /Secret Key/.test(document.querySelector('#secret-once')!.textContent!), secret);
    const refused = await (await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${listed.api_key}&client_secret=${secret}`)).json();
    assert.equal(refused.access_token, undefined);
    // Revoke.
    await page.click(`${row} [data-action=revoke]`);
    await page.check('#show-revoked');
    await page.waitForSelector(`${row}.revoked`);
    // Usage of the app the Try and Video tests called as: bars per API, then per outcome.
    await page.click('#apps-table tbody tr[data-app="10000016"] [data-action=show_usage]');
    await page.waitForSelector('#usage-chart svg rect.bar');
    const keys = async () => [...new Set(await page.$$eval('#usage-chart rect.bar', (rs) => rs.map((r) => r.getAttribute('data-key'))))].sort();
    assert.deepEqual(await keys(), ['body_analysis', 'body_num', 'body_seg', 'body_tracking', 'pose', 'pose_job']);
    await page.selectOption('#usage-by', 'outcome');
    const outcomes = await keys();
    assert.ok(outcomes.includes('ok'), outcomes.join(','));
    assert.ok(outcomes.includes('image_format'), `the bad image of the HTTP test is counted: ${outcomes}`);
    await page.selectOption('#usage-by', 'api');
    assert.deepEqual(browser.errors.filter((e) => !/401/.test(e)), []);
    await assertLayout('apps');
    await screenshot('apps');
  });

  test('Language: Chinese for a zh browser, English otherwise; the choice is kept', async () => {
    const zh = await launchBrowser({ locale: 'zh-CN' });
    try {
      await zh.page.goto(`${base}/console/`);
      await zh.page.waitForSelector('body[data-ready=true]');
      assert.equal(await zh.page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await zh.page.textContent('#nav [data-view=try]'), '在线调试');
      assert.equal(await zh.page.textContent('#run'), '运行');
      // The API's summary and its fields' hints come from the dialect table's Chinese.
      await zh.page.selectOption('#api', 'baidu:body_num');
      assert.match(await zh.page.textContent('#api-summary') ?? '', /按头部数人/);
      assert.match(await zh.page.textContent('#fields label:has(input[name=area]) .hint') ?? '', /多边形/);
      const path = join(SCREEN_DIR, 'console-try-zh.png');
      await zh.page.screenshot({ path, fullPage: true });
      screenshots.push(path);
      // A status line follows the switch too.
      await zh.page.click('#run');
      assert.equal(await zh.page.textContent('#try-status'), '请先选择图片或拍一帧。');
      await zh.page.click('#lang [data-lang=en]');
      assert.equal(await zh.page.textContent('#run'), 'Run');
      assert.match(await zh.page.textContent('#fields label:has(input[name=area]) .hint') ?? '', /up to 10 polygons/, 'the hints follow the language switch');
      assert.equal(await zh.page.textContent('#try-status'), 'Choose an image or take a camera frame first.');
      await zh.page.reload();
      await zh.page.waitForSelector('body[data-ready=true]');
      assert.equal(await zh.page.textContent('#run'), 'Run');
    } finally {
      await zh.close();
    }
    await open('try');
    assert.equal(await browser.page.getAttribute('html', 'lang'), 'en');
  });
});
