/**
 * Dumps every person-finder candidate of the box sets with its evidence and its label, for
 * fitting and checking the calibrated score offline (one thread):
 *   node dist/eval/persons-dump.js [--set coco-mini,pennfudan,mot17] [--options '{...}'] > cands.jsonl
 * One JSON line per candidate: set, image, image size, box, evidence, score, and `label`:
 * 1 = matches a scored person (IoU ≥ 0.5, greedy by score: labelBoxes), 0 = false positive,
 * null = on an ignore region (people under 30 px, crowd regions, non-pedestrian MOT classes).
 * A last line per set gives the scored ground-truth count (for recall).
 */
import { parseArgs } from 'node:util';
import { createInProcessEngine } from '../src/engine/in-process.js';
import { MIN_HEIGHT } from './persons.js';
import { eachLabelledCandidate, type PersonSetName } from './person-sets.js';
import { evalDataRoot } from './suite.js';

const { values } = parseArgs({ options: { set: { type: 'string', multiple: true }, options: { type: 'string' }, 'eval-dir': { type: 'string' } } });
const sets = ((values.set ?? []).flatMap((s) => s.split(',')).filter(Boolean) as PersonSetName[]);
const chosen: PersonSetName[] = sets.length ? sets : ['coco-mini', 'pennfudan', 'mot17'];
const options = values.options ? JSON.parse(values.options) : {};
const root = evalDataRoot(values['eval-dir']);
const engine = createInProcessEngine({ capabilities: ['body_detection'] });
await engine.ready;
const out = (l: unknown) => process.stdout.write(JSON.stringify(l) + '\n');
for (const set of chosen) {
  const gt = await eachLabelledCandidate(engine, root, set, MIN_HEIGHT, options, (name, image, p, label) => {
    out({ set, image: name, width: image.width, height: image.height, box: p.box, evidence: p.evidence, score: p.score, label });
  });
  out({ set, gt });
}
await engine.close();

