/** The person finder with the real models on a committed fixture (the COCO skier). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fixture } from '../../helpers/helpers.js';
import { decodeImage } from '../../../src/intake/index.js';
import type { RgbImage } from '../../../src/types.js';
import type { Model } from '../../../src/runtime/session.js';
import {
  DEFAULT_PERSON_FINDER_OPTIONS,
  PERSON_FINDER_MODELS,
  estimatePoses,
  findPeople,
  loadPersonFinderModels,
  personCandidates,
  releasePersonFinderModels,
  type PersonFinderModels,
} from '../../../src/vision/person-finder.js';
import { DEFAULT_TOP_DOWN_OPTIONS, poseForBox } from '../../../src/vision/top-down.js';

/** A model that counts its runs. */
function counting(m: Model): Model & { runs: number } {
  const c = { name: m.name, runs: 0, release: () => m.release(), run: (i: Float32Array, s: readonly number[]) => { c.runs++; return m.run(i, s); } };
  return c;
}

const skier = fixture('coco-000000000785.jpg');

describe('findPeople (real models)', () => {
  let models: PersonFinderModels;
  let image: RgbImage;
  before(async () => {
    models = await loadPersonFinderModels(1);
    image = await decodeImage(new Uint8Array(await readFile(skier)));
  });
  after(() => releasePersonFinderModels(models));

  test('lists its models', () => {
    assert.ok(PERSON_FINDER_MODELS.includes('nanodet') && PERSON_FINDER_MODELS.includes('movenet-thunder'));
  });

  test('the skier is one confident person with keypoints inside her box', async () => {
    const people = await findPeople(models, image);
    assert.equal(people.length, 1);
    const [p] = people;
    assert.ok(p.score > 0.6 && p.score <= 1, `score ${p.score}`);
    assert.equal(p.keypoints?.length, 17);
    assert.ok(p.box.height > image.height * 0.5, 'a full-body box');
    const inside = p.keypoints!.filter((k) => k.score > 0.3 && k.x >= p.box.left - 5 && k.x <= p.box.left + p.box.width + 5 && k.y >= p.box.top - 5 && k.y <= p.box.top + p.box.height + 5);
    assert.ok(inside.length >= 12, `${inside.length} confident keypoints in the box`);
    assert.ok(p.head.y < p.box.top + p.box.height * 0.3, 'head near the top');
  });

  test('the same person cut at the image border is still found', async () => {
    // Left 65 % of the image: the right border cuts through the skier (x 279-497).
    const w = Math.round(image.width * 0.65);
    const data = new Uint8Array(w * image.height * 3);
    for (let y = 0; y < image.height; y++) data.set(image.data.subarray(y * image.width * 3, (y * image.width + w) * 3), y * w * 3);
    const people = await findPeople(models, { width: w, height: image.height, data });
    assert.ok(people.length >= 1);
  });

  test('estimatePoses on a given box returns 17 keypoints and a confidence', async () => {
    const [p] = await findPeople(models, image, { pose: false });
    const [posed] = await estimatePoses(models.pose!, image, [p]);
    assert.equal(posed.keypoints.length, 17);
    assert.ok(posed.poseScore > 0.3);
  });

  test('refineMaxIou skips the second pass only when its crop would be nearly the first one', async () => {
    const [p] = await findPeople(models, image, { pose: false });
    const thunder = counting(models.pose!.thunder);
    const pose = { thunder, lightning: models.pose!.lightning };
    const twice = await poseForBox(pose, image, p.box, DEFAULT_TOP_DOWN_OPTIONS);
    assert.equal(thunder.runs, 2, 'the skier (a crop over 200 px) gets the keypoint-centred second pass');
    thunder.runs = 0;
    const once = await poseForBox(pose, image, p.box, { ...DEFAULT_TOP_DOWN_OPTIONS, refineMaxIou: 0 });
    assert.equal(thunder.runs, 1, 'any overlap skips it');
    assert.deepEqual(once, await poseForBox(models.pose!, image, p.box, { ...DEFAULT_TOP_DOWN_OPTIONS, refineAbove: 0 }));
    thunder.runs = 0;
    assert.deepEqual(await poseForBox(pose, image, p.box, { ...DEFAULT_TOP_DOWN_OPTIONS, refineMaxIou: 1.01 }), twice);
    assert.equal(thunder.runs, 2, 'an IoU no crop pair reaches never skips it');
  });

  test('tileSides gives one detector coarser tiles than the other', async () => {
    // The skier twice side by side: 1280 px wide, so the default plan tiles it.
    const w = image.width * 2;
    const data = new Uint8Array(w * image.height * 3);
    for (let y = 0; y < image.height; y++) {
      const row = image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3);
      data.set(row, y * w * 3);
      data.set(row, (y * w + image.width) * 3);
    }
    const wide = { width: w, height: image.height, data };
    const nanodet = counting(models.detectors.nanodet!);
    const centernet = counting(models.detectors.centernet!);
    const counted = { detectors: { nanodet, centernet } };
    const plain = await personCandidates(counted, wide, DEFAULT_PERSON_FINDER_OPTIONS);
    const tiled = { nanodet: nanodet.runs, centernet: centernet.runs };
    assert.ok(tiled.nanodet > 1 && tiled.nanodet === tiled.centernet, `both detectors on the tiles: ${JSON.stringify(tiled)}`);
    nanodet.runs = centernet.runs = 0;
    // Fresh pixels: CenterNet's whole-image pass is remembered per image (detectors.ts).
    const coarse = await personCandidates(counted, { ...wide, data: data.slice() }, { ...DEFAULT_PERSON_FINDER_OPTIONS, tileSides: { nanodet: 100_000 } });
    assert.equal(nanodet.runs, 1, 'NanoDet on the whole image only');
    assert.equal(centernet.runs, tiled.centernet, 'CenterNet keeps its tiles');
    assert.ok(plain.length >= 2 && coarse.length >= 2, 'both skiers found either way');
  });
});
