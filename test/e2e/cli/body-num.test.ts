/** `bodylens analyze body_num` as a user runs it: flags from the endpoint's fields, a JPEG render. */
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

test('body_num --area --show --render out.jpg: the count, the area count, the picture in out-dir, a JPEG render', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-num-cli-'));
  try {
    const render = join(dir, 'out.jpg');
    const { stdout } = await run(process.execPath, [
      cli, 'analyze', 'body_num', fixture('coco-000000000785.jpg'), '--area', '1,1,639,1,639,424,1,424;1,1,100,1,100,100', '--show', 'true', '--out-dir', dir, '--render', render,
    ]);
    const json = JSON.parse(stdout);
    assert.equal(json.person_num, 1);
    assert.deepEqual(json.area_counts, [1, 0]);
    assert.equal(json.image, join(dir, 'image.jpg'));
    for (const file of [json.image, render]) {
      const meta = await sharp(file).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 640, 425], file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
