/**
 * The CLI's progress line: on a terminal a bar redrawn in place (at most 10 times a second)
 * with frames, frames/s and ETA; elsewhere a plain line per 10 %; and the real
 * `bodylens analyze pose <video>` writes those lines to stderr, leaving stdout pure JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Progress } from '../../../src/cli/progress.js';
import { makeSkierClip } from '../../helpers/video-clip.js';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 100, write: (t: string) => chunks.push(t) } };
}

test('terminal: one bar redrawn in place with frames/s and ETA, throttled', () => {
  let t = 0;
  const { chunks, stream } = fakeStream(true);
  const p = new Progress('pose', 100, stream, () => t);
  for (let i = 1; i <= 50; i++) {
    t += 20; // 50 frames/s
    p.update(i);
  }
  // 50 updates over 1 s: the first, then every 100 ms.
  assert.ok(chunks.length >= 9 && chunks.length <= 11, `${chunks.length} redraws`);
  const last = chunks[chunks.length - 1];
  assert.ok(last.startsWith('\r'));
  assert.match(last, /pose \[#+-+\] \d+% \d+\/100 frames 50\.0 frames\/s ETA 1s/);
  p.update(100);
  p.finish();
  assert.match(chunks[chunks.length - 1], /^\rpose: 100 frames in 1s \(\d+\.\d frames\/s\)/);
});

test('not a terminal: a plain line per 10 %, no bar, no carriage returns', () => {
  let t = 0;
  const { chunks, stream } = fakeStream(false);
  const p = new Progress('body_tracking', 40, stream, () => t);
  for (let i = 1; i <= 40; i++) {
    t += 100;
    p.update(i);
  }
  p.finish();
  assert.equal(chunks.length, 12, chunks.join('')); // 0 %, 10 %, ... 100 %, then the final line
  assert.ok(chunks.every((c) => !c.includes('\r') && c.endsWith('\n')));
  assert.match(chunks[5], /^body_tracking 50% 20\/40 frames 10\.0 frames\/s ETA 2s\n$/);
});

test('bodylens analyze pose <video>: progress on stderr, the JSON result alone on stdout', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-progress-'));
  try {
    const clip = makeSkierClip(join(dir, 'clip.mp4'), { frames: 12, fps: 12 });
    const cli = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, 'analyze', 'pose', clip], { maxBuffer: 64 << 20 });
    const result = JSON.parse(stdout);
    assert.ok(result.annotations.length >= 10, 'frames analysed');
    const lines = stderr.split('\n').filter((l) => l.startsWith('pose'));
    assert.ok(lines.some((l) => /^pose 100% \d+\/\d+ frames [\d.]+ frames\/s ETA/.test(l)), stderr);
    assert.match(stderr, /pose: \d+ frames in \d+s \([\d.]+ frames\/s\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
