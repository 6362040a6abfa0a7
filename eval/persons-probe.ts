/**
 * Standalone person-finder measurement, single-threaded: node dist/eval/persons-probe.js
 *   [--set coco-mini,pose-coco ...] [--options '{"maxLevel":1}'] [--score person|keypoints|product]
 *   [--mot-frame] [--finder-only] [--eval-dir DIR]
 * Runs the persons suite (eval/persons.ts) with one-thread models for both the new finder and the
 * old body pipeline, and with --mot-frame times both on one 1920x1080 MOT17 frame (median of 3).
 * --finder-only skips body_analysis (its numbers then read as zero): sweeps of the finder at half the cost.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage } from '../src/intake/index.js';
import { createInProcessEngine } from '../src/engine/in-process.js';
import { makePersonsSuite, PERSON_SUITE_SETS } from './persons.js';
import { evalDataRoot, type EvalContext } from './suite.js';
import type { ScoreMode } from './datasets.js';

const { values } = parseArgs({ options: { set: { type: 'string', multiple: true }, score: { type: 'string' }, options: { type: 'string' }, 'mot-frame': { type: 'boolean' }, 'finder-only': { type: 'boolean' }, 'eval-dir': { type: 'string' } } });
const sets = (values.set ?? []).flatMap((s) => s.split(',')).filter(Boolean);
const options = values.options ? JSON.parse(values.options) : undefined;
const evalRoot = evalDataRoot(values['eval-dir']);
const engine = createInProcessEngine({ capabilities: ['body_detection', 'body_analysis'] });
await engine.ready;
const emit = (l: Record<string, unknown>) => process.stdout.write(JSON.stringify(l) + '\n');
const ctx: EvalContext = {
  evalRoot,
  options: { sets, suites: ['persons'], scoreMode: (values.score ?? 'person') as ScoreMode },
  engine: async () => engine,
  bodyAnalysis: values['finder-only'] ? async () => ({ image: { width: 0, height: 0 }, persons: [] }) : async (path) => engine.run('body_analysis', { bytes: new Uint8Array(await readFile(path)) }),
  emit,
};
// Warm-up (first runs allocate).
const warm = await decodeImage(new Uint8Array(await readFile(join(evalRoot, 'pose/coco/000000000785.jpg'))));
await engine.run('body_detection', { image: warm }, options);
await engine.run('body_analysis', { image: warm });
const chosen = sets.length ? sets : sets.length === 0 && values['mot-frame'] ? [] : PERSON_SUITE_SETS;
if (chosen.length) await makePersonsSuite({ options }).run(ctx, chosen);
if (values['mot-frame']) {
  const frame = await decodeImage(new Uint8Array(await readFile(join(evalRoot, 'tracking/mot17-mini/MOT17-13-FRCNN/img1/000001.jpg'))));
  const time = async (fn: () => Promise<unknown[]>) => {
    const ms: number[] = [];
    let n = 0;
    for (let k = 0; k < 3; k++) { const t0 = performance.now(); n = (await fn()).length; ms.push(performance.now() - t0); }
    return { ms: Math.round(ms.sort((a, b) => a - b)[1]), people: n };
  };
  emit({ eval: 'persons', set: 'mot17-frame', frame: 'MOT17-13-FRCNN/000001.jpg', size: `${frame.width}x${frame.height}`, new: await time(async () => (await engine.run('body_detection', { image: frame }, options)).persons), old: await time(async () => (await engine.run('body_analysis', { image: frame })).persons) });
}
await engine.close();
