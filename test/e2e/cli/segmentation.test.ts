/** `bodylens analyze body_seg|body_seg_photo` as a user runs it: a child process writing files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { fixture } from '../../helpers/helpers.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

test('body_seg --out-dir writes the three PNGs, --render the overlay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-seg-cli-'));
  try {
    const { stdout } = await run(process.execPath, [cli, 'analyze', 'body_seg', fixture('coco-000000000785.jpg'), '--out-dir', dir, '--render', join(dir, 'render.png')]);
    const json = JSON.parse(stdout);
    assert.equal(json.person_num, 1);
    for (const [name, channels] of [['labelmap', 1], ['scoremap', 1], ['foreground', 4]] as const) {
      assert.equal(json[name], join(dir, `${name}.png`));
      const meta = await sharp(json[name]).metadata();
      assert.deepEqual([meta.width, meta.height, meta.channels], [640, 425, channels], name);
    }
    const render = await sharp(join(dir, 'render.png')).metadata();
    assert.deepEqual([render.format, render.width, render.height], ['png', 640, 425]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('body_seg_photo --out-dir writes cut, demo and scoremap; errors print the Baidu error and exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-seg-cli-'));
  try {
    const { stdout } = await run(process.execPath, [cli, 'analyze', 'body_seg_photo', fixture('hands-96_pic00005.jpg'), '--out-dir', dir]);
    const json = JSON.parse(stdout);
    assert.deepEqual(json.seg_info, { scoremap: join(dir, 'scoremap.png'), demo: join(dir, 'demo.jpg'), cut: join(dir, 'cut.jpg') });
    assert.equal((await sharp(json.seg_info.demo).metadata()).format, 'jpeg');
    const bad = await run(process.execPath, [cli, 'analyze', 'body_seg', fixture('coco-000000000785.jpg'), '--type', 'everything']).catch((e) => e);
    assert.equal(bad.code, 1);
    assert.equal(JSON.parse(bad.stdout).error_code, 216100);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
