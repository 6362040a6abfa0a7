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

export const lspSuite: EvalSuite = {
  name: 'lsp',
  sets: ['lsp-extended'],
  async run(ctx) {
    const file = join(ctx.evalRoot, DIR, 'annotations.json');
    if (!existsSync(file)) {
      ctx.emit({ eval: 'lsp', set: 'lsp-extended', skipped: true, reason: `no ${DIR}/annotations.json under ${ctx.evalRoot}` });
      return [];
    }
    const data = JSON.parse(await readFile(file, 'utf8')) as LspData;
    const engine = await ctx.engine();
    const hits = new Map<Body21KeypointName, { correct: number; total: number }>(data.keypoint_names.map((n) => [n, { correct: 0, total: 0 }]));
    let images = 0, noTorso = 0, noPerson = 0, ms = 0;
    for (const image of data.images) {
      const ann = data.annotations.find((a) => a.image_id === image.id);
      if (!ann) continue;
      const { joints, torso } = lspJoints(data.keypoint_names, ann.keypoints);
      if (!torso) { noTorso++; continue; }
      images++;
      const t0 = performance.now();
      const result = await engine.run('body_analysis', { bytes: new Uint8Array(await readFile(join(ctx.evalRoot, DIR, image.file_name))) }).catch(() => undefined);
      ms += performance.now() - t0;
      const threshold = PCK_SHARE * torso;
      let best = new Set<Body21KeypointName>();
      for (const p of result?.persons ?? []) {
        const c = correctJoints(joints, p.keypoints, threshold);
        if (c.size > best.size) best = c;
      }
      if (!result?.persons.length) noPerson++;
      for (const j of joints) {
        const h = hits.get(j.name)!;
        h.total++;
        if (best.has(j.name)) h.correct++;
      }
    }
    const pck = (names: readonly Body21KeypointName[]) => {
      const c = names.reduce((s, n) => s + hits.get(n)!.correct, 0), t = names.reduce((s, n) => s + hits.get(n)!.total, 0);
      return t ? c / t : NaN;
    };
    const overall = pck(data.keypoint_names);
    const perJoint = Object.fromEntries(data.keypoint_names.map((n) => [n, round(pck([n]), 4)]));
    ctx.emit({
      eval: 'lsp', set: 'lsp-extended', images, skipped_no_torso: noTorso, no_person: noPerson,
      pck_0_2: round(overall, 4), neck: perJoint.neck, top_head: perJoint.top_head, per_joint: perJoint,
      ms_per_image: round(ms / Math.max(images, 1), 1),
    });
    return [
      { key: 'lsp/lsp-extended', metric: 'pck_0_2', value: overall },
      { key: 'lsp/neck', metric: 'pck_0_2', value: pck(['neck']) },
      { key: 'lsp/top_head', metric: 'pck_0_2', value: pck(['top_head']) },
    ];
  },
};
