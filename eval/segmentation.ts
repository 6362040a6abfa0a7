/**
 * Segmentation suite: mean IoU of the person mask (scoremap > 127, i.e. confidence > 0.5) against
 *   - human-seg: segmentation/human-seg masks (machine-made by remove.bg: they hold the main
 *     subject(s), so people in the background count against us);
 *   - coco: the union of all person polygons / RLEs in pose/coco/test_coco.json;
 *   - id-photo: body_seg_photo on the human-seg photos; IoU of its scoremap against the human-seg
 *     mask inside the cut, over the photos it accepts (the others are counted as `rejected`).
 * An image where both masks are empty scores 1.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import type { Engine } from '../src/engine/engine.js';
import type { Box, RgbImage } from '../src/types.js';
import { round, type EvalSuite, type Score } from './suite.js';

interface SegSample {
  name: string;
  path: string;
  /** Ground truth, 1 byte per pixel of the decoded image, non-zero = person. */
  truth(width: number, height: number): Promise<Uint8Array>;
}

const HUMAN_SEG = 'segmentation/human-seg';
const COCO = 'pose/coco';

function humanSegSamples(root: string): SegSample[] {
  const dir = join(root, HUMAN_SEG);
  return readdirSync(join(dir, 'images'))
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .map((f) => ({
      name: f,
      path: join(dir, 'images', f),
      // Masks come at other sizes than their photos; nearest-resize them onto the photo.
      truth: async (width, height) => {
        const mask = join(dir, 'masks', f.replace(/\.[^.]+$/, '.png'));
        const grey = await sharp(mask).extractChannel(0).resize(width, height, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer();
        return Uint8Array.from(grey, (v) => (v > 127 ? 1 : 0));
      },
    }));
}

type Rle = { counts: number[] | string; size: [number, number] };
interface CocoSegJson {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { image_id: number; category_id?: number; segmentation?: number[][] | Rle }[];
}

/** COCO's compressed RLE string → run lengths (see pycocotools' rleFrString). */
export function decodeRleString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0, k = 0, more = true;
    while (more) {
      const c = s.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

/** Person regions of one COCO image painted into a mask (polygons via SVG, RLE column-major). */
export async function paintCoco(anns: CocoSegJson['annotations'], width: number, height: number): Promise<Uint8Array> {
  const out = new Uint8Array(width * height);
  const polygons: number[][] = [];
  for (const a of anns) {
    const seg = a.segmentation;
    if (!seg) continue;
    if (Array.isArray(seg)) { polygons.push(...seg); continue; }
    const counts = typeof seg.counts === 'string' ? decodeRleString(seg.counts) : seg.counts;
    const h = seg.size[0]; // size is [height, width]; runs go down columns
    let i = 0;
    counts.forEach((run, j) => {
      if (j % 2 === 1) for (let k = i; k < i + run; k++) { const x = Math.floor(k / h), y = k % h; if (x < width && y < height) out[y * width + x] = 1; }
      i += run;
    });
  }
  if (polygons.length) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="black"/>${polygons.map((p) => `<polygon points="${p.join(' ')}" fill="white"/>`).join('')}</svg>`;
    const grey = await sharp(Buffer.from(svg)).extractChannel(0).raw().toBuffer();
    for (let i = 0; i < out.length; i++) if (grey[i] > 127) out[i] = 1;
  }
  return out;
}

async function cocoSamples(root: string): Promise<SegSample[]> {
  const dir = join(root, COCO);
  const json = JSON.parse(await readFile(join(dir, 'test_coco.json'), 'utf8')) as CocoSegJson;
  return json.images.map((im) => ({
    name: im.file_name,
    path: join(dir, im.file_name),
    truth: (width, height) => paintCoco(json.annotations.filter((a) => a.image_id === im.id && (a.category_id ?? 1) === 1), width, height),
  }));
}

export function maskIou(scoremap: Uint8Array, truth: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < truth.length; i++) {
    const ours = scoremap[i] > 127, theirs = truth[i] !== 0;
    if (ours && theirs) inter++;
    if (ours || theirs) union++;
  }
  return union ? inter / union : 1;
}

const SETS = {
  'human-seg': { needs: join(HUMAN_SEG, 'images'), load: async (root: string) => humanSegSamples(root) },
  coco: { needs: join(COCO, 'test_coco.json'), load: cocoSamples },
  'id-photo': { needs: join(HUMAN_SEG, 'images'), load: async (root: string) => humanSegSamples(root) },
} as const;
type SetName = keyof typeof SETS;

/** What one photo yields: a scoremap over `frame` (a rectangle of the photo) and a person count. */
interface Measure {
  run(bytes: Uint8Array, image: RgbImage): Promise<{ scoremap: Uint8Array; frame: Box; persons: number }>;
}

/** The scoremap PNG of a result as one byte per pixel. */
async function greyPixels(png: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await sharp(png).extractChannel(0).raw().toBuffer());
}

/** body_seg as the API computes it: the scoremap PNG it would return. */
function bodySegMeasure(engine: Engine): Measure {
  return {
    async run(_bytes, image) {
      const seg = await engine.run('body_seg', { image }, { types: ['scoremap'] });
      return { scoremap: await greyPixels(seg.images.scoremap!), frame: { left: 0, top: 0, width: image.width, height: image.height }, persons: seg.persons.length };
    },
  };
}

function idPhotoMeasure(engine: Engine): Measure {
  return {
    async run(bytes) {
      const r = await engine.run('body_seg_photo', { bytes });
      return { scoremap: await greyPixels(r.scoremap), frame: r.cutBox, persons: 1 };
    },
  };
}

/** The part of a full-photo mask inside `frame`. */
export function cropMask(mask: Uint8Array, width: number, frame: Box): Uint8Array {
  // A full-width band is contiguous: a view, no copy.
  if (frame.left === 0 && frame.width === width) return mask.subarray(frame.top * width, (frame.top + frame.height) * width);
  const out = new Uint8Array(frame.width * frame.height);
  for (let y = 0; y < frame.height; y++) {
    const from = (frame.top + y) * width + frame.left;
    out.set(mask.subarray(from, from + frame.width), y * frame.width);
  }
  return out;
}

export const segmentationSuite: EvalSuite = {
  name: 'segmentation',
  sets: Object.keys(SETS),
  async run(ctx, sets) {
    const scores: Score[] = [];
    for (const set of sets as SetName[]) {
      const spec = SETS[set];
      if (!existsSync(join(ctx.evalRoot, spec.needs))) {
        ctx.emit({ eval: 'segmentation', set, skipped: true, reason: `no ${spec.needs} under ${ctx.evalRoot}` });
        continue;
      }
      const samples = await spec.load(ctx.evalRoot);
      const engine = await ctx.engine();
      const { decodeImage } = await import('../src/intake/index.js');
      const measure = set === 'id-photo' ? idPhotoMeasure(engine) : bodySegMeasure(engine);
      const ious: number[] = [];
      let ms = 0, persons = 0, rejected = 0;
      for (const sample of samples) {
        const bytes = new Uint8Array(await readFile(sample.path));
        const image: RgbImage = await decodeImage(bytes);
        if (ious.length + rejected === 0) await measure.run(bytes, image).catch(() => undefined); // warm-up, untimed
        const start = performance.now();
        const result = await measure.run(bytes, image).catch((e: unknown) => {
          if ((e as { kind?: string }).kind === 'detect_error') return undefined;
          throw e;
        });
        ms += performance.now() - start;
        if (!result) { rejected++; continue; }
        persons += result.persons;
        const truth = await sample.truth(image.width, image.height);
        ious.push(maskIou(result.scoremap, cropMask(truth, image.width, result.frame)));
      }
      // No scored photo at all is NaN (printed as null), which fails any floor.
      const mean = ious.length ? ious.reduce((a, b) => a + b, 0) / ious.length : NaN;
      ctx.emit({
        eval: 'segmentation',
        set,
        images: samples.length,
        ...(set === 'id-photo' ? { rejected } : {}),
        mIoU: round(mean, 4),
        min_IoU: ious.length ? round(Math.min(...ious), 4) : null,
        persons_dt: persons,
        ms_per_image: round(samples.length ? ms / samples.length : 0, 1),
      });
      scores.push({ key: `segmentation/${set}`, metric: 'mIoU', value: mean });
    }
    return scores;
  },
};
