/**
 * A/B timing and model profile of two body_attr option sets on the same images, alternating A and
 * B image by image so both see the same load on a shared machine (one thread per model, in
 * process, every model run timed):
 *   node dist/eval/attr-ab.js --a '{}' --b '{"finder":{"tileDetectors":["centernet"]}}' [--images a.jpg,b.jpg] [--rounds 3]
 * Default images: the body_attr bench frame (MOT17-02 frame 1) and two more 1080p MOT17 frames.
 * Prints one JSON line: per option set the median and mean ms per image, people found (first
 * round), the mean ms per image spent in each model and its runs per image.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createExecutor } from '../src/engine/executor.js';
import { decodeImage } from '../src/intake/index.js';
import { evalDataRoot } from './suite.js';

const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, images: { type: 'string' }, rounds: { type: 'string' }, 'eval-dir': { type: 'string' } } });
const options = { a: JSON.parse(values.a ?? '{}'), b: JSON.parse(values.b ?? '{}') };
const rounds = Number(values.rounds ?? 3);
const root = evalDataRoot(values['eval-dir']);
const paths = values.images?.split(',') ?? ['MOT17-02-FRCNN/img1/000001.jpg', 'MOT17-09-FRCNN/img1/000001.jpg', 'MOT17-13-FRCNN/img1/000001.jpg'].map((p) => join(root, 'tracking', 'mot17-mini', p));
const images = await Promise.all(paths.map(async (p) => decodeImage(new Uint8Array(await readFile(p)))));
const executor = await createExecutor({ capabilities: ['body_attr'], threads: 1, warmup: false }, { timeRuns: true });
type Key = 'a' | 'b';
// A fresh copy of the pixels per call, as a request decodes its own: the whole-image CenterNet
// pass is kept per image buffer (detectors.ts), so reusing one buffer would skip it.
const fresh = (i: number) => ({ ...images[i], data: images[i].data.slice() });
const run = (k: Key, i: number) => executor.execute({ kind: 'run', capability: 'body_attr', input: { image: fresh(i) }, options: options[k] }) as Promise<{ persons: unknown[] }>;
await run('a', 0); // warm-up
executor.takeRuns();
const ms = { a: [] as number[], b: [] as number[] };
const people = { a: 0, b: 0 };
const perModel = { a: {} as Record<string, number>, b: {} as Record<string, number> };
const runsOf = { a: {} as Record<string, number>, b: {} as Record<string, number> };
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < images.length; i++) {
    for (const k of (r % 2 ? ['b', 'a'] : ['a', 'b']) as Key[]) {
      const t0 = performance.now();
      const out = await run(k, i);
      ms[k].push(performance.now() - t0);
      if (r === 0) people[k] += out.persons.length;
      for (const [m, s] of executor.takeRuns()) {
        perModel[k][m] = (perModel[k][m] ?? 0) + s;
        runsOf[k][m] = (runsOf[k][m] ?? 0) + 1;
      }
    }
  }
}
await executor.close();
const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const summary = (k: Key) => ({
  options: options[k],
  p50_ms: Math.round(median(ms[k])),
  mean_ms: Math.round(mean(ms[k])),
  people: people[k],
  model_ms_per_image: Object.fromEntries(Object.entries(perModel[k]).map(([m, s]) => [m, Math.round((s * 1000) / ms[k].length)])),
  model_runs_per_image: Object.fromEntries(Object.entries(runsOf[k]).map(([m, n]) => [m, Math.round((n * 10) / ms[k].length) / 10])),
});
process.stdout.write(JSON.stringify({ probe: 'attr-ab', images: images.length, rounds, a: summary('a'), b: summary('b') }) + '\n');
