/**
 * Head-finder sweep (development, not part of `npm run eval`): MultiPose proposals are computed
 * once per image and window (whole + level-2 tiles), then the head rules are swept offline:
 * centre cut, face-keypoint cut and the duplicate radius.
 *   node dist/eval/heads-sweep.js
 *   node dist/eval/heads-sweep.js --fine   # level-3 tiles added from their own (higher) centre cut
 */
import { readFile } from 'node:fs/promises';
import { decodeImage } from '../src/intake/index.js';
import { loadModel } from '../src/runtime/session.js';
import { parseArgs } from 'node:util';
import { DEFAULT_HEAD_POSE_OPTIONS, dedupeHeads, mergeHeads, poseHead, type Head } from '../src/vision/heads.js';
import { DEFAULT_PROPOSAL_OPTIONS, detectPeople, type PersonProposal } from '../src/vision/person-proposals.js';
import { planWindows } from '../src/vision/tiles.js';
import { poseTiles } from '../src/vision/heads.js';
import { countErrors, countingSamples } from './counting.js';
import { evalDataRoot, round } from './suite.js';

const { values } = parseArgs({ options: { fine: { type: 'boolean', default: false } } });
const root = evalDataRoot();
const model = await loadModel('movenet-multipose', { threads: 1 });
const o = DEFAULT_HEAD_POSE_OPTIONS;
const results: Record<string, Record<string, { rel: number; range: number }>> = {};
for (const set of ['heads', 'mot17'] as const) {
  const samples = await countingSamples(root, set);
  const proposals: PersonProposal[][] = [];
  const fine: PersonProposal[][] = [];
  for (const s of samples) {
    const image = await decodeImage(new Uint8Array(await readFile(s.path)));
    const opts = { ...DEFAULT_PROPOSAL_OPTIONS, minCenterScore: 0.05, maxPeople: Infinity };
    const all = await detectPeople(model, image, opts);
    for (const w of poseTiles(image.width, image.height, o)) all.push(...(await detectPeople(model, image, opts, w)));
    proposals.push(all);
    const extra: PersonProposal[] = [];
    if (values.fine) for (const w of planWindows(image.width, image.height, { whole: false, levels: [3], overlap: o.overlap })) extra.push(...(await detectPeople(model, image, opts, w)));
    fine.push(extra);
  }
  results[set] = {};
  const heads = (ps: PersonProposal[], cut: number, kp: number) => ps.filter((p) => p.score >= cut).map((p) => poseHead(p, kp)).filter((h): h is Head => h !== null);
  for (const centre of values.fine ? [0.1] : [0.05, 0.1, 0.15, 0.2]) {
    for (const kp of values.fine ? [0.3] : [0.2, 0.3, 0.4, 0.5]) {
      for (const radius of values.fine ? [0.5] : [0.3, 0.5, 0.7, 1]) {
        for (const fineCut of values.fine ? [0.2, 0.3, 0.4, 0.5, 0.6] : [2]) {
          // Level-3 heads join only where no coarser head is (mergeHeads semantics) and from their own cut.
          const counts = proposals.map((ps, i) => {
            const base = dedupeHeads(heads(ps, centre, kp), radius);
            return fineCut > 1 ? base.length : mergeHeads(base, dedupeHeads(heads(fine[i], fineCut, kp), radius), 1, fineCut).length;
          });
          const e = countErrors(counts, samples);
          results[set][`${centre}/${kp}/${radius}/${fineCut}`] = { rel: round(e.rel_error, 4), range: round(e.rel_error_range, 4) };
        }
      }
    }
  }
}
const rows = Object.keys(results.heads).map((k) => ({ k, heads: results.heads[k].rel, mot17: results.mot17[k].rel, mot17_range: results.mot17[k].range, mean: round((results.heads[k].rel + results.mot17[k].range) / 2, 4) }));
for (const r of rows.sort((a, b) => a.mean - b.mean)) console.log(JSON.stringify(r));
