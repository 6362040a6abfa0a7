/**
 * Does a second opinion on each person-finder candidate separate people from clutter? Runs the
 * finder (body_detection, minScore 0) on the box sets, then a BlazePose landmark model on a square
 * crop around every candidate, and dumps the candidate with BlazePose's evidence and its label
 * (as persons-dump.js), for offline fits:
 *   node dist/eval/verifier-probe.js [--set coco-mini,pennfudan,mot17] [--models blazepose-lite,blazepose-full] [--crop 1.25] > verify.jsonl
 * Per candidate and model: `flag` (BlazePose's pose-presence probability), `seg` (mean person-mask
 * probability inside the box), `segOut` (outside it, in the crop), `vis` (mean landmark visibility).
 */
import { parseArgs } from 'node:util';
import { createInProcessEngine } from '../src/engine/in-process.js';
import { loadModel, type Model } from '../src/runtime/session.js';
import type { Box, RgbImage } from '../src/types.js';
import { cropToTensor } from '../src/vision/crop.js';
import { MIN_HEIGHT } from './persons.js';
import { eachLabelledCandidate, type PersonSetName } from './person-sets.js';
import { evalDataRoot } from './suite.js';

const { values } = parseArgs({ options: { set: { type: 'string', multiple: true }, models: { type: 'string' }, crop: { type: 'string' }, 'eval-dir': { type: 'string' } } });
const sets = ((values.set ?? []).flatMap((s) => s.split(',')).filter(Boolean) as PersonSetName[]);
const chosen: PersonSetName[] = sets.length ? sets : ['coco-mini', 'pennfudan', 'mot17'];
const names = (values.models ?? 'blazepose-lite,blazepose-full').split(',');
const cropScale = Number(values.crop ?? 1.25);
const root = evalDataRoot(values['eval-dir']);
const engine = createInProcessEngine({ capabilities: ['body_detection'] });
await engine.ready;
const models: [string, Model][] = await Promise.all(names.map(async (n) => [n, await loadModel(n, { threads: 1 })] as [string, Model]));
const SIDE = 256;
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const r3 = (v: number) => Math.round(v * 1000) / 1000;

async function verify(model: Model, image: RgbImage, box: Box) {
  const side = cropScale * Math.max(box.width, box.height);
  const x = box.left + box.width / 2 - side / 2;
  const y = box.top + box.height / 2 - side / 2;
  const input = cropToTensor(image, { x, y, width: side, height: side }, { width: SIDE, height: SIDE }, { scale: 1 / 255 });
  const out = await model.run(input, [1, SIDE, SIDE, 3]);
  const seg = out.segmentation.data;
  // The box inside the crop, in crop pixels.
  const k = SIDE / side;
  const bx0 = (box.left - x) * k, by0 = (box.top - y) * k, bx1 = bx0 + box.width * k, by1 = by0 + box.height * k;
  let sin = 0, nin = 0, sout = 0, nout = 0;
  for (let py = 0; py < SIDE; py++) {
    for (let px = 0; px < SIDE; px++) {
      const v = seg[py * SIDE + px];
      if (px >= bx0 && px < bx1 && py >= by0 && py < by1) { sin += v; nin++; } else { sout += v; nout++; }
    }
  }
  const ld = out.ld_3d.data;
  let vis = 0;
  for (let i = 0; i < 33; i++) vis += sigmoid(ld[i * 5 + 3]);
  return { flag: r3(out.poseflag.data[0]), seg: r3(sin / Math.max(1, nin)), segOut: r3(sout / Math.max(1, nout)), vis: r3(vis / 33) };
}

const out = (l: unknown) => process.stdout.write(JSON.stringify(l) + '\n');
for (const set of chosen) {
  const gt = await eachLabelledCandidate(engine, root, set, MIN_HEIGHT, {}, async (name, image, p, label) => {
    const bp: Record<string, unknown> = {};
    for (const [n, m] of models) bp[n] = await verify(m, image, p.box);
    out({ set, image: name, width: image.width, height: image.height, box: p.box, evidence: p.evidence, score: p.score, label, bp });
  });
  out({ set, gt });
}
for (const [, m] of models) await m.release();
await engine.close();
