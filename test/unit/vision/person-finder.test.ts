/** The person finder with the real models on a committed fixture (the COCO skier). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fixture } from '../../helpers/helpers.js';
import { decodeImage } from '../../../src/intake/index.js';
import type { RgbImage } from '../../../src/types.js';
import {
  PERSON_FINDER_MODELS,
  estimatePoses,
  findPeople,
  loadPersonFinderModels,
  releasePersonFinderModels,
  type PersonFinderModels,
} from '../../../src/vision/person-finder.js';

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
});
