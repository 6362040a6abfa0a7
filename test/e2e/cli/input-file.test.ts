/**
 * The CLI as a user runs it (a child process of dist/src/cli/main.js, the package's `bin`): a
 * missing or unreadable input names the file and exits 2 before any model loads; the bin is an
 * executable file with a shebang, so `npx bodylens ...` runs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const main = join(root, 'dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 60_000 });

test('a missing input file is named, exit 2, nothing on stdout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-cli-'));
  try {
    const missing = join(dir, 'photo.jpg');
    for (const args of [['analyze', 'body_analysis', missing], ['analyze', 'pose', missing], ['analyze', '--capability', 'body_detection', missing], ['analyze', 'body_tracking', missing, '--dynamic', 'false']]) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim(), `bodylens: input file not found: ${missing}`);
    }
    const r = run('analyze', 'body_analysis', dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /input is a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bin is executable with a node shebang (npx bodylens)', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.bin.bodylens, 'dist/src/cli/main.js');
  assert.ok(readFileSync(main, 'utf8').startsWith('#!/usr/bin/env node\n'));
  assert.ok(statSync(main).mode & 0o111, 'dist/src/cli/main.js is executable (npm run build sets it)');
});
