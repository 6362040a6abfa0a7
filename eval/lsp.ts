/**
 * LSP-extended suite (`pose/lsp-extended`): 100 sports photos, one person each, 14 joints named
 * as Baidu names them, `neck` and `top_head` among them. PCK@0.2 of the torso: a visible joint is
 * correct when body_analysis puts it within 0.2 × the torso size of the label, the torso size
 * being the distance from the left shoulder to the right hip (the usual LSP convention; an occluded
 * end's labelled position still gives the scale; without one, the other diagonal). Of the
 * people found in a photo the one with the most correct joints is scored (the photo holds one
 * labelled person); none found scores every joint as missed. Labels are crowd-sourced and noisy.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Body21KeypointName } from '../src/types.js';
import { round, type EvalSuite, type Score } from './suite.js';

const DIR = 'pose/lsp-extended';
/** PCK threshold as a share of the torso size. */
const PCK_SHARE = 0.2;

interface LspData {
  keypoint_names: Body21KeypointName[];
  images: { id: number; file_name: string }[];
  annotations: { image_id: number; keypoints: number[] }[];
}

interface Joint { name: Body21KeypointName; x: number; y: number }

/** Visible joints of one annotation and its torso size (undefined when either end is unlabelled). */
export function lspJoints(names: readonly Body21KeypointName[], keypoints: readonly number[]): { joints: Joint[]; torso?: number } {
  const all = names.map((name, i) => ({ name, x: keypoints[3 * i], y: keypoints[3 * i + 1], v: keypoints[3 * i + 2] }));
  const at = (n: Body21KeypointName) => all.find((j) => j.name === n);
  // The torso is a scale: an occluded end's labelled guess still serves, one outside the photo
  // (LSPe writes those as x = 0, y < 0) does not; then the other diagonal serves.
  const placed = (j?: { x: number; y: number }): j is { x: number; y: number } => j !== undefined && j.x > 0 && j.y > 0;
  const diagonal = (a: Body21KeypointName, b: Body21KeypointName) => {
    const p = at(a), q = at(b);
    return placed(p) && placed(q) ? Math.hypot(p.x - q.x, p.y - q.y) : undefined;
  };
  const torso = diagonal('left_shoulder', 'right_hip') ?? diagonal('right_shoulder', 'left_hip');
  return { joints: all.filter((j) => j.v > 0).map(({ name, x, y }) => ({ name, x, y })), torso };
}

/** Which labelled joints a predicted person gets within the threshold. */
export function correctJoints(joints: readonly Joint[], predicted: Record<Body21KeypointName, { x: number; y: number }>, threshold: number): Set<Body21KeypointName> {
  return new Set(joints.filter((j) => Math.hypot(predicted[j.name].x - j.x, predicted[j.name].y - j.y) <= threshold).map((j) => j.name));
}

/** One labelled photo: its file, visible joints and torso size (photos without a torso are left out). */
export interface LspSample { path: string; joints: Joint[]; torso: number }

/** The labelled photos of lsp-extended, or undefined when the set is not under evalRoot. */
export async function loadLsp(evalRoot: string): Promise<{ names: Body21KeypointName[]; samples: LspSample[]; noTorso: number } | undefined> {
  const file = join(evalRoot, DIR, 'annotations.json');
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(await readFile(file, 'utf8')) as LspData;
  const samples: LspSample[] = [];
  let noTorso = 0;
  for (const image of data.images) {
    const ann = data.annotations.find((a) => a.image_id === image.id);
    if (!ann) continue;
    const { joints, torso } = lspJoints(data.keypoint_names, ann.keypoints);
    if (!torso) { noTorso++; continue; }
    samples.push({ path: join(evalRoot, DIR, image.file_name), joints, torso });
  }
  return { names: data.keypoint_names, samples, noTorso };
}

type Predicted = { keypoints: Record<Body21KeypointName, { x: number; y: number }> };

/** PCK@0.2 counts over photos: per photo the predicted person with the most correct joints is scored. */
export class LspTally {
  private readonly hits: Map<Body21KeypointName, { correct: number; total: number }>;
  images = 0;
  noPerson = 0;
  constructor(private readonly names: readonly Body21KeypointName[]) {
    this.hits = new Map(names.map((n) => [n, { correct: 0, total: 0 }]));
  }

  add(sample: LspSample, persons: readonly Predicted[]): void {
    this.images++;
    const threshold = PCK_SHARE * sample.torso;
    let best = new Set<Body21KeypointName>();
    for (const p of persons) {
      const c = correctJoints(sample.joints, p.keypoints, threshold);
      if (c.size > best.size) best = c;
    }
    if (!persons.length) this.noPerson++;
    for (const j of sample.joints) {
      const h = this.hits.get(j.name)!;
      h.total++;
      if (best.has(j.name)) h.correct++;
    }
  }

  /** PCK over the named joints (all of them by default). */
  pck(names: readonly Body21KeypointName[] = this.names): number {
    const c = names.reduce((s, n) => s + this.hits.get(n)!.correct, 0), t = names.reduce((s, n) => s + this.hits.get(n)!.total, 0);
    return t ? c / t : NaN;
  }

  perJoint(): Record<string, number> {
    return Object.fromEntries(this.names.map((n) => [n, round(this.pck([n]), 4)]));
  }
}

export const lspSuite: EvalSuite = {
  name: 'lsp',
  sets: ['lsp-extended'],
  async run(ctx) {
    const set = await loadLsp(ctx.evalRoot);
    if (!set) {
      ctx.emit({ eval: 'lsp', set: 'lsp-extended', skipped: true, reason: `no ${DIR}/annotations.json under ${ctx.evalRoot}` });
      return [];
    }
    const engine = await ctx.engine();
    const tally = new LspTally(set.names);
    let ms = 0;
    for (const sample of set.samples) {
      const t0 = performance.now();
      const result = await engine.run('body_analysis', { bytes: new Uint8Array(await readFile(sample.path)) }).catch(() => undefined);
      ms += performance.now() - t0;
      tally.add(sample, result?.persons ?? []);
    }
    const perJoint = tally.perJoint();
    ctx.emit({
      eval: 'lsp', set: 'lsp-extended', images: tally.images, skipped_no_torso: set.noTorso, no_person: tally.noPerson,
      pck_0_2: round(tally.pck(), 4), neck: perJoint.neck, top_head: perJoint.top_head, per_joint: perJoint,
      ms_per_image: round(ms / Math.max(tally.images, 1), 1),
    });
    return [
      { key: 'lsp/lsp-extended', metric: 'pck_0_2', value: tally.pck() },
      { key: 'lsp/neck', metric: 'pck_0_2', value: tally.pck(['neck']) },
      { key: 'lsp/top_head', metric: 'pck_0_2', value: tally.pck(['top_head']) },
    ];
  },
};
