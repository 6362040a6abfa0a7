/** `bodylens analyze body_tracking <photo|video>`: a still count, and a video fed as one case with a rendered MP4. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureAnalyze as capture } from '../../helpers/cli.js';
import { probeVideo } from '../../../src/video/decode.js';
import { fixture } from '../../helpers/helpers.js';
import { makeSkierClip } from '../../helpers/video-clip.js';

test('a photo: the dynamic=false count; a video: every frame as one case, totals, and an MP4', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-cli-tracking-'));
  try {
    const still = await capture(['body_tracking', fixture('coco-000000000785.jpg'), '--dynamic', 'false']);
    assert.equal(still.code, 0, still.out);
    assert.equal(JSON.parse(still.out).person_num, 1);

    const clip = makeSkierClip(join(dir, 'skier.mp4'), { frames: 8, fps: 5, dx: 4, dy: 0 });
    const out = join(dir, 'tracked.mp4');
    const r = await capture(['body_tracking', clip, '--area', '1,1,600,1,600,400,1,400', '--render', out]);
    assert.equal(r.code, 0, r.out);
    const json = JSON.parse(r.out);
    assert.equal(json.frames.length, 8);
    assert.deepEqual(json.totals, { areas: [{ in: 0, out: 0 }], lines: [] });
    // The skier stays inside the area: confirmed from the second frame on, always ID 1.
    assert.equal(json.frames[0].person_info.length, 0);
    for (const f of json.frames.slice(1)) assert.deepEqual(f.person_info.map((p: { ID: number }) => p.ID), [1]);
    const video = await probeVideo(out);
    // The encoder rounds odd sizes up to even ones.
    assert.deepEqual([video.width, video.height], [602, 402]);
    assert.equal(video.frameCount, 8);

    const noArea = await capture(['body_tracking', clip]);
    assert.equal(noArea.code, 1);
    assert.equal(JSON.parse(noArea.out).error_code, 282003);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
