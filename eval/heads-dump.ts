/**
 * Head-candidate dump (development, not part of `npm run eval`): every MultiPose proposal of the
 * counting sets with very loose cuts, per window (whole image, the default level-2 tiles, level-3
 * tiles, and the level-2 tiles of the mirrored image), with the ground truth, into one JSON file
 * that eval/heads-fit.ts reads to fit and check the head probability offline. Nothing of the
 * eval data goes into the repo: the file goes to /tmp unless told otherwise.
 *   node dist/eval/heads-dump.js [--out /tmp/heads-dump.json] [--sets heads,mot17] [--input 320] [--skip-faces]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { decodeImage } from '../src/intake/index.js';
import { loadModel } from '../src/runtime/session.js';
import type { RgbImage } from '../src/types.js';
import { DEFAULT_HEAD_POSE_OPTIONS, poseTiles } from '../src/vision/heads.js';
import { DEFAULT_PROPOSAL_OPTIONS, detectPeople, type PersonProposal } from '../src/vision/person-proposals.js';
import { planWindows } from '../src/vision/tiles.js';
import { BLAZEFACE_256, FULL_RANGE_192_FACE, FULL_RANGE_192_PERSON, detectFaces, type FaceDetectorLayout } from '../src/vision/blazeface.js';
import type { CropWindow } from '../src/vision/crop.js';
import { countingSamples, type CountingSetName, type GtHead } from './counting.js';
import { evalDataRoot } from './suite.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: '/tmp/heads-dump.json' }, sets: { type: 'string', default: 'heads,mot17' }, input: { type: 'string', default: '256' }, 'skip-faces': { type: 'boolean', default: false } } });

/** One window a proposal came from: `kind` names the run (whole, l2, l3, l2flip). */
export interface DumpWindow {
  kind: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DumpImage {
  set: CountingSetName;
  name: string;
  width: number;
  height: number;
  /** MultiPose input side the proposals came from (256 or 320). */
  input: number;
  gt: GtHead[];
  optional: GtHead[];
  windows: DumpWindow[];
  /** Proposals: window index, centre score, 17 keypoints as [x, y, score] (image pixels). */
  proposals: { w: number; score: number; kp: [number, number, number][] }[];
  /** Face-detector boxes (score >= 0.2) per window: `src` blazeface, full-face or full-person (facemesh-detection-full's two heads). */
  faces: { src: string; w: number; score: number; box: [number, number, number, number] }[];
}

function mirror(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = (y * width + (width - 1 - x)) * 3;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { width, height, data: out };
}

// --input 320: movenet-multipose-320 instead of the 256 model (the tiles are the same).
const input = Number(values.input);
const model = await loadModel(input === 320 ? 'movenet-multipose-320' : 'movenet-multipose', { threads: 1 });
// The faces need facemesh-detection-full built (node dist/scripts/build-models.js facemesh-detection-full).
const FACE_SOURCES: [string, typeof model, FaceDetectorLayout][] = [];
if (!values['skip-faces']) {
  const blazeface = await loadModel('blazeface', { threads: 1 });
  const fullRange = await loadModel('facemesh-detection-full', { threads: 1 });
  FACE_SOURCES.push(['blazeface', blazeface, BLAZEFACE_256], ['full-face', fullRange, FULL_RANGE_192_FACE], ['full-person', fullRange, FULL_RANGE_192_PERSON]);
}
const opts = { ...DEFAULT_PROPOSAL_OPTIONS, minCenterScore: 0.03, minKeypointScore: 0, maxPeople: Infinity, input };
const dump: DumpImage[] = [];
for (const set of values.sets!.split(',') as CountingSetName[]) {
  for (const s of await countingSamples(evalDataRoot(), set)) {
    const image = await decodeImage(new Uint8Array(await readFile(s.path)));
    const flipped = mirror(image);
    const d: DumpImage = { set, name: s.name, width: image.width, height: image.height, input, gt: s.heads, optional: s.optionalHeads, windows: [], proposals: [], faces: [] };
    const add = (kind: string, window: CropWindow | undefined, ps: PersonProposal[], flip = false) => {
      const w = d.windows.length;
      const win = window ?? { x: 0, y: 0, width: image.width, height: image.height };
      d.windows.push({ kind, x: flip ? image.width - win.x - win.width : win.x, y: win.y, width: win.width, height: win.height });
      for (const p of ps) d.proposals.push({ w, score: p.score, kp: p.keypoints.map((k) => [flip ? image.width - 1 - k.x : k.x, k.y, k.score]) });
    };
    add('whole', undefined, await detectPeople(model, image, opts));
    const l2 = poseTiles(image.width, image.height, DEFAULT_HEAD_POSE_OPTIONS);
    for (const w of l2) add('l2', w, await detectPeople(model, image, opts, w));
    for (const w of l2) add('l2flip', w, await detectPeople(model, flipped, opts, w), true);
    for (const w of planWindows(image.width, image.height, { whole: false, levels: [3], overlap: DEFAULT_HEAD_POSE_OPTIONS.overlap })) add('l3', w, await detectPeople(model, image, opts, w));
    // Face detectors on the whole image and the level-2 and level-3 windows (indices as the proposals').
    for (const [w, win] of d.windows.entries()) {
      if (win.kind === 'l2flip') continue;
      for (const [src, m, layout] of FACE_SOURCES) {
        const window = win.kind === 'whole' ? undefined : win;
        for (const f of await detectFaces(m, image, { window, layout, minScore: 0.2 })) d.faces.push({ src, w, score: f.score, box: [f.box.left, f.box.top, f.box.width, f.box.height] });
      }
    }
    dump.push(d);
    const faces = FACE_SOURCES.map(([src]) => `, ${src} ${d.faces.filter((f) => f.src === src && f.score >= 0.5).length}`).join('');
    console.error(`${set} ${s.name}: ${d.proposals.length} proposals${faces ? `${faces} (faces >= 0.5, before merging windows)` : ''}, ${s.count} true`);
  }
}
await writeFile(values.out!, JSON.stringify(dump));
console.error(`wrote ${values.out}`);
