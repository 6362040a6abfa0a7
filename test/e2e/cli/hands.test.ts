/** `bodylens analyze hand_analysis|fingertip|gesture <image> --render out.png`, in process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { captureAnalyze as capture } from '../../helpers/cli.js';
import { fixture } from '../../helpers/helpers.js';

test('gesture and hand_analysis print the API JSON and render a PNG of the photo', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-cli-'));
  try {
    const photo = fixture('hands-four.jpg');
    const gesturePng = join(dir, 'g.png');
    const g = await capture(['gesture', photo, '--render', gesturePng]);
    assert.equal(g.code, 0);
    const classes = JSON.parse(g.out).result.map((r: any) => r.classname).sort();
    assert.deepEqual(classes, ['Face', 'Fist', 'Five', 'Five', 'Two']);
    const meta = await sharp(readFileSync(gesturePng)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 1600, 1200]);

    const h = await capture(['hand_analysis', photo, '--render', join(dir, 'h.png')]);
    assert.equal(h.code, 0);
    assert.equal(JSON.parse(h.out).hand_num, 4);
    // The drawing changes pixels: the render is not the plain photo.
    const plain = await sharp(photo).raw().toBuffer();
    const drawn = await sharp(readFileSync(join(dir, 'h.png'))).removeAlpha().raw().toBuffer();
    let changed = 0;
    for (let i = 0; i < plain.length; i += 3) if (Math.abs(plain[i] - drawn[i]) > 40) changed++;
    assert.ok(changed > 1000, `only ${changed} pixels changed`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is not a picture answers with a Baidu error and exit code 1', async () => {
  const r = await capture(['fingertip', fixture('README.md')]);
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.out).error_code, 216201);
});

test('--capability runs any capability of the registry and prints its neutral result; unknown names list the valid ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-cli-'));
  try {
    const png = join(dir, 'd.png');
    const r = await capture(['--capability', 'body_detection', fixture('coco-000000000785.jpg'), '--render', png]);
    assert.equal(r.code, 0);
    const result = JSON.parse(r.out);
    assert.deepEqual(result.image, { width: 640, height: 425 });
    assert.equal(result.persons.length, 1, 'the skier, once');
    const p = result.persons[0];
    assert.ok(p.score > 0.5 && p.score <= 1);
    assert.equal(p.keypoints.length, 17);
    // The skier's COCO box is about x 281-499, y 45-391.
    assert.ok(Math.abs(p.box.left - 281) < 25 && Math.abs(p.box.top + p.box.height - 391) < 25, JSON.stringify(p.box));
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.width, meta.height], [640, 425]);
    assert.equal((await capture(['--capability', 'body_magic', fixture('coco-000000000785.jpg')])).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
