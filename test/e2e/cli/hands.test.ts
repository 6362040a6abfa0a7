/** `bodylens analyze hand_analysis|fingertip|gesture <image> --render out.png`, in process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runAnalyzeCommand } from '../../../src/cli/analyze.js';
import { fixture } from '../../helpers/helpers.js';

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    return { code: await runAnalyzeCommand(argv), out: lines.join('\n') };
  } finally {
    console.log = log;
  }
}

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
