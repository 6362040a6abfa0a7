/**
 * A/B timing of two person-finder option sets on the same images, alternating A and B image by
 * image so both see the same load on a shared machine (one thread per model):
 *   node dist/eval/finder-ab.js --a '{}' --b '{"tileDetectors":["centernet","nanodet"]}' [--set mot17] [--rounds 2]
 * Prints one JSON line: per option set the median and mean ms per image (wall clock), the median
 * CPU ms of this process per image (`cpu_p50_ms`: on a machine shared with other work the wall
 * clock mostly measures the wait for a core, the CPU time measures the work) and the people found.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { decodeImage } from '../src/intake/index.js';
import { DEFAULT_PERSON_FINDER_OPTIONS, findPeople, loadPersonFinderModels, releasePersonFinderModels } from '../src/vision/person-finder.js';
import { mergeOptions } from '../src/capabilities/capability.js';
import { loadPersonSet, type PersonSetName } from './person-sets.js';
import { evalDataRoot } from './suite.js';

const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, set: { type: 'string' }, rounds: { type: 'string' }, 'eval-dir': { type: 'string' } } });
// Deep-merged onto the defaults: `{"topDown":{"refineMaxIou":0.7}}` keeps topDown's other fields.
const a = mergeOptions(DEFAULT_PERSON_FINDER_OPTIONS, JSON.parse(values.a ?? '{}'));
const b = mergeOptions(DEFAULT_PERSON_FINDER_OPTIONS, JSON.parse(values.b ?? '{}'));
const set = (values.set ?? 'mot17') as PersonSetName;
const rounds = Number(values.rounds ?? 2);
const samples = await loadPersonSet(evalDataRoot(values['eval-dir']), set);
const models = await loadPersonFinderModels(1);
const ms = { a: [] as number[], b: [] as number[] };
const cpu = { a: [] as number[], b: [] as number[] };
const people = { a: 0, b: 0 };
const images = await Promise.all(samples.map(async (s) => decodeImage(new Uint8Array(await readFile(s.path)))));
await findPeople(models, images[0], a); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const image of images) {
    for (const [k, o] of (r % 2 ? [['b', b], ['a', a]] : [['a', a], ['b', b]]) as ['a' | 'b', object][]) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const found = await findPeople(models, image, o);
      const c1 = process.cpuUsage(c0);
      ms[k].push(performance.now() - t0);
      cpu[k].push((c1.user + c1.system) / 1000);
      if (r === 0) people[k] += found.length;
    }
  }
}
await releasePersonFinderModels(models);
const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
process.stdout.write(JSON.stringify({ probe: 'finder-ab', set, images: images.length, rounds, a: { options: a, p50_ms: Math.round(median(ms.a)), mean_ms: Math.round(mean(ms.a)), cpu_p50_ms: Math.round(median(cpu.a)), people: people.a }, b: { options: b, p50_ms: Math.round(median(ms.b)), mean_ms: Math.round(mean(ms.b)), cpu_p50_ms: Math.round(median(cpu.b)), people: people.b } }) + '\n');
