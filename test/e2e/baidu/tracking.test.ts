/**
 * body_tracking over real HTTP: the real service (SQLite case store, a worker, Fastify), the
 * official SDK's bodyTrackingV1, every validation rule of the request, cases kept per app,
 * reset, and concurrent frames of one case applied in arrival order.
 *
 * Frames: the committed skier photo pasted onto a grey canvas, moving left to right a step per
 * frame, so a person walks into the right half of the picture (the area).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { startServer, type RunningServer } from '../../../src/server.js';
import { openDatabase } from '../../../src/store/db.js';
import { createApp } from '../../../src/auth/apps.js';
import { fixture, testConfig, TEST_API_KEY, TEST_SECRET_KEY } from '../../helpers/helpers.js';

const sdk = createRequire(import.meta.url)('baidu-aip-sdk');
const W = 1000;
const H = 400;
/** The right half: three of its edges on the picture's border, so only x = 500 matters. */
const AREA = `500,1,${W - 1},1,${W - 1},${H - 1},500,${H - 1}`;
const STEPS = [0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600];

let dir: string;
let server: RunningServer;
const tokens: Record<'a' | 'b', string> = { a: '', b: '' };
const frames: string[] = [];

async function token(apiKey: string, secret: string) {
  const res = await fetch(`${server.address}/oauth/2.0/token?grant_type=client_credentials&client_id=${apiKey}&client_secret=${secret}`);
  return (await res.json()).access_token as string;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bodylens-tracking-'));
  server = await startServer(testConfig(dir, { BODYLENS_API_KEY: TEST_API_KEY, BODYLENS_SECRET_KEY: TEST_SECRET_KEY, BODYLENS_APP_ID: '10000005', BODYLENS_CAPABILITIES: 'body_tracking' }));
  await server.engine.ready;
  const db = openDatabase(dir);
  createApp(db, { name: 'second', appId: '10000006', apiKey: 'secondApiKey000000000000', secretKey: 'secondSecretKey0000000000000000' });
  db.close();
  tokens.a = await token(TEST_API_KEY, TEST_SECRET_KEY);
  tokens.b = await token('secondApiKey000000000000', 'secondSecretKey0000000000000000');
  const skier = await sharp(readFileSync(fixture('coco-000000000785.jpg'))).resize(384).toBuffer();
  for (const x of STEPS) {
    const jpeg = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 120, g: 120, b: 120 } } })
      .composite([{ input: skier, left: x, top: 70 }])
      .jpeg()
      .toBuffer();
    frames.push(jpeg.toString('base64'));
  }
});

after(async () => {
  sdk.HttpClient.setRequestInterceptor(null);
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(fields: Record<string, string>, app: 'a' | 'b' = 'a') {
  const res = await fetch(`${server.address}/rest/2.0/image-classify/v1/body_tracking?access_token=${tokens[app]}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  assert.equal(res.status, 200);
  return res.json();
}

const frame = (i: number, caseId: string, init = i === 0) => ({ image: frames[i], dynamic: 'true', case_id: caseId, case_init: String(init), area: AREA });

/** Sends every frame of the walk as one case; returns the answers. */
async function walk(caseId: string, app: 'a' | 'b' = 'a') {
  const answers = [];
  for (let i = 0; i < frames.length; i++) answers.push(await call(frame(i, caseId), app));
  return answers;
}

describe('body_tracking dynamic', () => {
  test('a person walking into the area: one in, never an out, one ID from 1, shaped as Baidu documents', async () => {
    const answers = await walk('1');
    for (const a of answers) {
      assert.equal(a.error_code, undefined, JSON.stringify(a).slice(0, 300));
      assert.deepEqual(Object.keys(a).sort(), ['log_id', 'person_count', 'person_info', 'person_num']);
    }
    assert.equal(answers.reduce((s, a) => s + a.person_count.in, 0), 1);
    assert.equal(answers.reduce((s, a) => s + a.person_count.out, 0), 0);
    // The frame of the `in`: the head-shoulder box is wholly right of x = 500.
    const at = answers.findIndex((a) => a.person_count.in === 1);
    const box = answers[at].person_info[0].location;
    assert.ok(box.left >= 500, JSON.stringify(answers[at]));
    const ids = new Set(answers.flatMap((a) => a.person_info.map((p: { ID: number }) => p.ID)));
    assert.deepEqual([...ids], [1]);
    assert.equal(answers[0].person_info.length, 0, 'a new track has no ID yet');
    assert.equal(answers[0].person_num, 1);
    for (const k of ['left', 'top', 'width', 'height']) assert.ok(Number.isInteger(box[k]));
  });

  test('cases are per app: the same case_id of another app is another case, and neither disturbs the other', async () => {
    // App a continues case 1 (its person is inside now); app b starts its own case 1 afresh.
    const a = await call(frame(frames.length - 1, '1', false));
    assert.equal(a.person_info[0]?.ID, 1);
    const b = await call(frame(0, '1', false), 'b');
    assert.equal(b.error_code, undefined);
    assert.equal(b.person_info.length, 0, 'app b sees no track of app a');
    const bWalk = await walk('1', 'b');
    assert.equal(bWalk.reduce((s, x) => s + x.person_count.in, 0), 1);
    assert.equal(bWalk.flatMap((x) => x.person_info.map((p: { ID: number }) => p.ID))[0], 1, 'IDs start from 1 in each case');
  });

  test('case_init=true resets the case: IDs start from 1 again', async () => {
    await walk('2');
    const again = await walk('2');
    assert.equal(again.flatMap((x) => x.person_info.map((p: { ID: number }) => p.ID))[0], 1);
    assert.equal(again.reduce((s, x) => s + x.person_count.in, 0), 1);
  });

  test('concurrent frames of one case are applied in arrival order, one at a time', async () => {
    await call(frame(0, '3', true));
    // All in flight together (each takes the worker longer than the 50 ms between sends), and
    // arriving in frame order (the spacing keeps their bodies from completing out of order on a
    // loaded machine): read-modify-write without the case queue would lose updates.
    const sent = [];
    for (let i = 1; i < frames.length; i++) {
      sent.push(call(frame(i, '3', false)));
      await new Promise((r) => setTimeout(r, 50));
    }
    const answers = await Promise.all(sent);
    assert.equal(answers.reduce((s, a) => s + a.person_count.in, 0), 1);
    assert.ok(answers.every((a) => a.person_info.every((p: { ID: number }) => p.ID === 1)), JSON.stringify(answers.map((a) => a.person_info)));
  });

  test('show=true: a JPEG of the frame size; the extensions answer area_counts, line_counts and totals', async () => {
    const a = await call({ ...frame(0, '4', true), show: 'true', line: '500,1,500,399', totals: 'true' });
    const meta = await sharp(Buffer.from(a.image, 'base64')).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', W, H]);
    assert.deepEqual(a.totals, { areas: [{ in: 0, out: 0 }], lines: [{ in: 0, out: 0 }] });
    assert.equal(a.area_counts.length, 1);
    assert.equal(a.line_counts.length, 1);
    const plain = await call({ ...frame(1, '4', false), show: 'yes' });
    assert.equal(plain.image, undefined, 'any value but true means no image');
  });

  test('the official SDK bodyTrackingV1, unmodified', async () => {
    sdk.HttpClient.setRequestInterceptor((options: Record<string, any>) => {
      options.url = String(options.url).replace('https://aip.baidubce.com', server.address);
      return options;
    });
    const client = new sdk.bodyAnalysis('10000005', TEST_API_KEY, TEST_SECRET_KEY);
    const answers = [];
    for (let i = 0; i < frames.length; i++) answers.push(await client.bodyTrackingV1('true', frames[i], { case_id: 9, case_init: i === 0 ? 'true' : 'false', area: AREA }));
    assert.equal(answers[0].error_code, undefined, JSON.stringify(answers[0]));
    assert.equal(answers.reduce((s, a) => s + a.person_count.in, 0), 1);
    const still = await client.bodyTrackingV1('false', frames[3]);
    assert.equal(still.person_num, 1);
  });
});

describe('body_tracking static', () => {
  test('dynamic=false counts head-shoulders, inside the area when one is given', async () => {
    const all = await call({ image: frames[0], dynamic: 'false' });
    assert.equal(all.error_code, undefined, JSON.stringify(all));
    assert.equal(all.person_num, 1);
    assert.equal((await call({ image: frames[0], dynamic: 'false', area: AREA })).person_num, 0);
    assert.equal((await call({ image: frames[10], dynamic: 'false', area: AREA })).person_num, 1);
  });
});

describe('body_tracking validation: each failure its own error', () => {
  const base = () => ({ image: frames[0], dynamic: 'true', case_id: '5', case_init: 'true', area: AREA });
  const cases: Array<[string, Record<string, string | undefined>, number, RegExp]> = [
    ['no image', { image: undefined }, 216101, /not enough param/],
    ['no dynamic', { dynamic: undefined }, 282003, /missing parameters: dynamic/],
    ['dynamic not a flag', { dynamic: 'maybe' }, 282004, /dynamic must be true or false/],
    ['no case_id', { case_id: undefined }, 282003, /missing parameters: case_id/],
    ['case_id not an integer', { case_id: 'abc' }, 282004, /case_id must be an int32/],
    ['case_id beyond int32', { case_id: '2147483648' }, 282004, /case_id must be an int32/],
    ['no case_init', { case_init: undefined }, 282003, /missing parameters: case_init/],
    ['case_init not a flag', { case_init: '1' }, 282004, /case_init must be true or false/],
    ['no area', { area: undefined }, 282003, /missing parameters: area/],
    ['area: odd count', { area: '1,1,100,1,100,100,1' }, 282004, /even number of coordinates/],
    ['area: three vertices', { area: '1,1,100,1,100,100' }, 282004, /more than 3 vertices/],
    ['area: not numbers', { area: '1,1,a,1,100,100,1,100' }, 282004, /is not a number/],
    ['area: empty coordinate', { area: '1,1,,1,100,100,1,100' }, 282004, /is not a number/],
    ['area: beyond the width', { area: `1,1,${W + 1},1,${W + 1},100,1,100` }, 282004, /outside the 1000x400 image/],
    ['area: negative', { area: '-1,1,100,1,100,100,1,100' }, 282004, /outside/],
    ['area: no surface', { area: '1,1,50,50,100,100,150,150' }, 282004, /encloses no area/],
    ['area: 11 polygons', { area: Array(11).fill('1,1,10,1,10,10,1,10').join(';') }, 282004, /at most 10 polygons/],
    ['line: 3 numbers', { line: '1,1,2' }, 282004, /4 numbers/],
    ['not a picture', { image: Buffer.from('plain text').toString('base64') }, 216201, /image format error/],
  ];
  for (const [name, change, code, msg] of cases) {
    test(name, async () => {
      const fields = Object.fromEntries(Object.entries({ ...base(), ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>;
      const r = await call(fields);
      assert.equal(r.error_code, code, JSON.stringify(r));
      assert.match(r.error_msg, msg);
    });
  }
  test('dynamic=false needs no case fields; a bad area still fails', async () => {
    assert.equal((await call({ image: frames[0], dynamic: 'FALSE' })).error_code, undefined);
    assert.equal((await call({ image: frames[0], dynamic: 'false', area: '1,1,2,2' })).error_code, 282004);
  });
});
