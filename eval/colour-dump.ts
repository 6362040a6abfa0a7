/**
 * Colour development dump (issue 11): for every PETA crop, upscaled as the attributes suite does,
 * the person_attributes evidence (top-down pose on the whole crop, the person mask) and the
 * sampled pixels of the upper and lower garment regions (r, g, b, mask weight, skin flag; pixels
 * off the mask too), plus
 * a sparse sample of the whole crop, with the PETA colour labels. Written as one JSON file
 * OUTSIDE the repo (eval data never goes into it), read by eval/colour-fit.js:
 *   node dist/eval/colour-dump.js --out /tmp/peta-colours.json [--eval-dir DIR]
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel } from '../src/runtime/session.js';
import { personView } from '../src/vision/attributes/index.js';
import { LOWER_PARTS, UPPER_PARTS, garmentRegions, partRegions } from '../src/vision/attributes/garments.js';
import { isSkin, maskWeight, sampleRegion, skeleton, type PersonView } from '../src/vision/attributes/regions.js';
import { DEFAULT_TOP_DOWN_OPTIONS, poseForBox } from '../src/vision/top-down.js';
import { loadPeta, upscaled } from './attributes.js';
import { evalDataRoot } from './suite.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, 'eval-dir': { type: 'string' } } });
if (!values.out) throw new Error('--out FILE (outside the repo) is required');
const root = evalDataRoot(values['eval-dir']);
const [thunder, lightning, selfie] = await Promise.all(['movenet-thunder', 'movenet-lightning', 'selfie'].map((n) => loadModel(n, { threads: 1 })));

/** Pixels of regions as flat [r, g, b, weight, skin] quintuples. */
/** Pixels of regions as flat [r, g, b, mask weight, skin] quintuples, every pixel of the region (mask weight 0 too). */
function pixels(v: PersonView, regions: Parameters<typeof sampleRegion>[1][], maxSamples = 1600, regionOf?: number[]): number[] {
  const out: number[] = [];
  regions.forEach((r, k) => {
    sampleRegion(v, r, (R, G, B, _w, x, y) => {
      out.push(R, G, B, Math.round(maskWeight(v, x, y) * 100) / 100, isSkin(R, G, B) ? 1 : 0);
      regionOf?.push(k);
    }, { useMask: false, maxSamples });
  });
  return out;
}

const samples = await loadPeta(root);
const rows = [];
for (const s of samples) {
  const image = await upscaled(s.path);
  const box = { left: 0, top: 0, width: image.width, height: image.height };
  const keypoints = await poseForBox({ thunder, lightning }, image, box, DEFAULT_TOP_DOWN_OPTIONS);
  const view = await personView({ selfie }, image, { box, keypoints }, true);
  const sk = skeleton(view);
  const g = garmentRegions(sk);
  const labels = [...s.labels];
  let upperRegion: number[] = [], lowerRegion: number[] = [];
  rows.push({
    subset: basename(dirname(dirname(s.path))),
    file: basename(s.path),
    upperLabels: labels.filter((l) => l.startsWith('upperBody')),
    lowerLabels: labels.filter((l) => l.startsWith('lowerBody')),
    posed: sk.posed,
    upper: pixels(view, partRegions(g.upper, UPPER_PARTS), 1600, (upperRegion = [])),
    lower: pixels(view, partRegions(g.lower, LOWER_PARTS), 1600, (lowerRegion = [])),
    /** Which region each pixel came from: its place in UPPER_PARTS / LOWER_PARTS (garments.ts). */
    upperRegion,
    lowerRegion,
    whole: pixels(view, [{ kind: 'rect', left: 0, top: 0, right: image.width, bottom: image.height }], 800),
  });
}
await Promise.all([thunder, lightning, selfie].map((m) => m.release()));
await writeFile(values.out, JSON.stringify(rows));
process.stdout.write(JSON.stringify({ probe: 'colour-dump', crops: rows.length, out: values.out }) + '\n');
