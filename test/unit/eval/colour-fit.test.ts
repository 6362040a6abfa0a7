/** eval/colour-fit's modes on a small synthetic dump (made here: no eval data). */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tool = fileURLToPath(new URL('../../../eval/colour-fit.js', import.meta.url));

/** A crop whose upper garment is `up` and lower `low` (sRGB), 40 pixels each, fully masked, no skin. */
const crop = (subset: string, file: string, up: [number, number, number], low: [number, number, number], upName: string, lowName: string) => {
  const pixels = (c: [number, number, number], n: number) => Array.from({ length: n }, () => [...c, 1, 0]).flat();
  return {
    subset, file, upperLabels: [`upperBody${upName}`], lowerLabels: [`lowerBody${lowName}`],
    upper: pixels(up, 40), lower: [...pixels(low, 30), ...pixels([230, 230, 230], 10)], whole: pixels([128, 128, 128], 20),
    upperRegion: Array.from({ length: 40 }, (_, i) => i % 3),
    // 30 thigh pixels, then 10 of the band below the hips (a white hem).
    lowerRegion: [...Array.from({ length: 30 }, (_, i) => i % 2), ...Array.from({ length: 10 }, () => 2)],
  };
};

describe('eval/colour-fit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-colour-fit-'));
  const dump = join(dir, 'dump.json');
  writeFileSync(dump, JSON.stringify([
    crop('A', 'a1', [200, 30, 30], [30, 40, 160], 'Red', 'Blue'),
    crop('A', 'a2', [20, 20, 20], [120, 120, 120], 'Black', 'Grey'),
    crop('B', 'b1', [30, 150, 40], [20, 20, 20], 'Green', 'Black'),
    crop('B', 'b2', [240, 240, 240], [30, 40, 160], 'White', 'Blue'),
  ]));
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [tool, '--dump', dump, '--passes', '1', ...args], { encoding: 'utf8' });
    return { status: r.status, lines: r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), stderr: r.stderr };
  };
  test('default: the leave-one-subset-out fits and the joint fit, no single lines', () => {
    const { status, lines } = run();
    assert.equal(status, 0);
    assert.deepEqual(lines.map((l) => l.fit), ['colour', 'colour', 'colour']);
  });
  test('--knobs single prints only the one-knob lines (no fits)', () => {
    const { status, lines } = run('--knobs', 'single');
    assert.equal(status, 0);
    assert.ok(lines.length > 20, `${lines.length} lines`);
    for (const l of lines) {
      assert.equal(l.fit, undefined);
      assert.equal(typeof l.single, 'string');
      assert.deepEqual(Object.keys(l.delta as object).sort(), ['A', 'B']);
    }
    // A named group limits the sweep to its knobs.
    const adapt = run('--knobs', 'single,adapt').lines;
    assert.ok(adapt.length > 0 && adapt.length < lines.length);
  });
  test('an unknown knob group or region name is refused', () => {
    assert.notEqual(run('--knobs', 'colours').status, 0);
    const bad = run('--drop', 'lower:knee');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /not a region of lower/);
  });
  test('--drop by name is --drop by number', () => {
    assert.deepEqual(run('--drop', 'lower:hipBand').lines, run('--drop', 'lower:2').lines);
    assert.deepEqual(run().lines, run('--drop', 'lower:hipBand').lines);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
});
