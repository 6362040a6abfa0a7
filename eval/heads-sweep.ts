/**
 * Head-finder sweep (development, not part of `npm run eval`): MultiPose proposals are computed
 * once per image and window (whole + level-2 tiles), then the head rules are swept offline:
 * centre cut, face-keypoint cut and the duplicate radius.
 *   node dist/eval/heads-sweep.js
 */
import { readFile } from 'node:fs/promises';
import { decodeImage } from '../src/intake/index.js';
import { loadModel } from '../src/runtime/session.js';
import { DEFAULT_HEAD_POSE_OPTIONS, dedupeHeads, poseHead, type Head } from '../src/vision/heads.js';
import { DEFAULT_PROPOSAL_OPTIONS, detectPeople, type PersonProposal } from '../src/vision/person-proposals.js';
import { planWindows } from '../src/vision/tiles.js';
import { countErrors, countingSamples } from './counting.js';
import { evalDataRoot, round } from './suite.js';

const root = evalDataRoot();
const model = await loadModel('movenet-multipose', { threads: 1 });
const o = DEFAULT_HEAD_POSE_OPTIONS;
const results: Record<string, Record<string, { rel: number; range: number }>> = {};
for (const set of ['heads', 'mot17'] as const) {
  const samples = await countingSamples(root, set);
  const proposals: PersonProposal[][] = [];
  for (const s of samples) {
    const image = await decodeImage(new Uint8Array(await readFile(s.path)));
    const opts = { ...DEFAULT_PROPOSAL_OPTIONS, minCenterScore: 0.05, maxPeople: Infinity };
    const all = await detectPeople(model, image, opts);
    for (const w of planWindows(image.width, image.height, { whole: false, levels: o.levels, overlap: o.overlap })) all.push(...(await detectPeople(model, image, opts, w)));
    proposals.push(all);
  }
  results[set] = {};
  for (const centre of [0.05, 0.1, 0.15, 0.2]) {
    for (const kp of [0.2, 0.3, 0.4, 0.5]) {
      for (const radius of [0.3, 0.5, 0.7, 1]) {
        const counts = proposals.map((ps) => dedupeHeads(ps.filter((p) => p.score >= centre).map((p) => poseHead(p, kp)).filter((h): h is Head => h !== null), radius).length);
        const e = countErrors(counts, samples);
        results[set][`${centre}/${kp}/${radius}`] = { rel: round(e.rel_error, 4), range: round(e.rel_error_range, 4) };
      }
    }
  }
}
const rows = Object.keys(results.heads).map((k) => ({ k, heads: results.heads[k].rel, mot17: results.mot17[k].rel, mot17_range: results.mot17[k].range, mean: round((results.heads[k].rel + results.mot17[k].range) / 2, 4) }));
for (const r of rows.sort((a, b) => a.mean - b.mean)) console.log(JSON.stringify(r));
