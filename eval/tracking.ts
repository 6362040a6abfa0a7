/**
 * Tracking suite (body_tracking with dynamic=true):
 *
 * - `scripted`: the generated scenes of tracking-scenes.ts (entering, leaving, loitering on the
 *   boundary, crossing, occluding, returning) at 2, 5 and 10 fps, one case per scene and rate,
 *   through the capability's frame call exactly as the API runs it. Reports in/out accuracy
 *   (1 − |counted − true| summed over scenes and directions / true crossings), double counts
 *   (counts beyond the truth), counts while loitering, and ID switches (an actor's matched
 *   confirmed track changing), per rate and overall.
 * - `mot17`: the MOT17-mini sequences (pedestrians, consider = 1, visibility ≥ 0.25): IDF1 and ID
 *   switches of the confirmed tracks against the ground-truth identities. The sequences are only
 *   4-5 frames long, so this is a short-horizon check of association, not a MOTA benchmark.
 *
 * Predicted and true people are paired per frame by IoU ≥ 0.3 between the predicted
 * head-shoulder box and the one derived (same function) from the true body box.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { minCostAssignment } from '../src/tracking/assignment.js';
import { boxIou } from '../src/vision/box.js';
import { headShoulderBox } from '../src/vision/head-shoulder.js';
import { decodeImage } from '../src/intake/index.js';
import type { BodyTrackingState } from '../src/capabilities/body_tracking/index.js';
import type { Box } from '../src/types.js';
import { actorTruth, composeFrame, loadCutOuts, medianBackground, scenes } from './tracking-scenes.js';
import { round, type EvalSuite, type Score } from './suite.js';

const VIDEO = 'video/walking-topdown/vtest.avi';
const PENNFUDAN = 'segmentation/pennfudan';
const MOT17 = 'tracking/mot17-mini';
const RATES = [2, 5, 10];
const MATCH_IOU = 0.3;
/** Person height in the scripted scenes (720p frames: a person seen from about 3 m). */
const PERSON_HEIGHT = 220;

/** Per-frame pairs (true index → predicted track id) by IoU of head-shoulder boxes. */
function matchFrame(truth: ReadonlyArray<Box | undefined>, predicted: ReadonlyArray<{ id: number; box: Box }>): Map<number, number> {
  const present = truth.map((b, i) => [b, i] as const).filter((x): x is readonly [Box, number] => x[0] !== undefined);
  const out = new Map<number, number>();
  if (!present.length || !predicted.length) return out;
  const iou = present.map(([b]) => predicted.map((p) => boxIou(headShoulderBox({ box: b }), p.box)));
  for (const [r, c] of minCostAssignment(iou.map((row) => row.map((v) => 1 - v)))) {
    if (iou[r][c] >= MATCH_IOU) out.set(present[r][1], predicted[c].id);
  }
  return out;
}

/** Counts identity switches: a truth's matched track id changing from one it had before. */
class SwitchCounter {
  private readonly last = new Map<string, number>();
  switches = 0;
  observe(truthKey: string, trackId: number | undefined): void {
    if (trackId === undefined) return;
    const previous = this.last.get(truthKey);
    if (previous !== undefined && previous !== trackId) this.switches++;
    this.last.set(truthKey, trackId);
  }
}

/** IDF1 from per-frame (truth id, track id) pairs and the detection totals (Ristani et al., 2016). */
function idf1(pairs: ReadonlyArray<[number, number]>, truths: number, predictions: number): number {
  const truthIds = [...new Set(pairs.map((p) => p[0]))];
  const trackIds = [...new Set(pairs.map((p) => p[1]))];
  if (!truthIds.length || !trackIds.length) return 0;
  const together = truthIds.map((g) => trackIds.map((t) => pairs.filter((p) => p[0] === g && p[1] === t).length));
  const idtp = minCostAssignment(together.map((row) => row.map((n) => -n))).reduce((s, [g, t]) => s + together[g][t], 0);
  return (2 * idtp) / (truths + predictions);
}

async function scripted(ctx: Parameters<EvalSuite['run']>[0]): Promise<Score[]> {
  const started = performance.now();
  const background = await medianBackground(join(ctx.evalRoot, VIDEO));
  const cutOuts = await loadCutOuts(join(ctx.evalRoot, PENNFUDAN), PERSON_HEIGHT, 8);
  const W = background.width;
  const H = background.height;
  const edge = Math.round(W / 2);
  const area = [{ x: edge, y: 0 }, { x: W, y: 0 }, { x: W, y: H }, { x: edge, y: H }];
  const list = scenes(W, H, edge, PERSON_HEIGHT);
  const engine = await ctx.engine();
  const scores: Score[] = [];
  const overall = { crossings: 0, errors: 0, double: 0, loiter: 0, switches: 0, frames: 0 };
  let frameMs = 0;
  for (const fps of RATES) {
    const r = { crossings: 0, errors: 0, double: 0, missed: 0, loiter: 0, switches: 0, frames: 0 };
    const perScene: Record<string, string> = {};
    for (const scene of list) {
      const truths = scene.actors.map((a) => actorTruth(scene, a, cutOuts, area));
      const counted = scene.actors.map(() => ({ in: 0, out: 0 }));
      let unattributed = 0;
      let state: BodyTrackingState | undefined;
      const switches = new SwitchCounter();
      // The actor each track was last paired with: events are charged to that actor.
      const owner = new Map<number, number>();
      for (let k = 0; k / fps <= scene.seconds; k++) {
        const t = k / fps;
        const { image, boxes } = composeFrame(background, cutOuts, scene, t);
        const begun = performance.now();
        const out = await engine.frame('body_tracking', image, state, t, { areas: [area] });
        frameMs += performance.now() - begun;
        state = out.state;
        const confirmed = out.result.persons.filter((p) => p.confirmed && p.id !== undefined).map((p) => ({ id: p.id!, box: p.box }));
        const matches = matchFrame(boxes, confirmed);
        scene.actors.forEach((_, i) => switches.observe(String(i), matches.get(i)));
        for (const [actor, id] of matches) owner.set(id, actor);
        const charge = (ids: number[], direction: 'in' | 'out') => {
          for (const id of ids) {
            const actor = owner.get(id);
            if (actor === undefined) unattributed++;
            else counted[actor][direction]++;
          }
        };
        charge(out.result.areas[0].entered, 'in');
        charge(out.result.areas[0].left, 'out');
        r.frames++;
      }
      const sum = (list: Array<{ in: number; out: number }>) => list.reduce((s, e) => ({ in: s.in + e.in, out: s.out + e.out }), { in: 0, out: 0 });
      const truth = sum(truths);
      const got = sum(counted);
      r.crossings += truth.in + truth.out;
      scene.actors.forEach((_, i) => {
        for (const d of ['in', 'out'] as const) {
          r.errors += Math.abs(counted[i][d] - truths[i][d]);
          r.double += Math.max(0, counted[i][d] - truths[i][d]);
          r.missed += Math.max(0, truths[i][d] - counted[i][d]);
          if (scene.loiterers?.includes(i)) r.loiter += counted[i][d];
        }
      });
      r.errors += unattributed;
      r.double += unattributed;
      r.switches += switches.switches;
      perScene[scene.name] = `${got.in}/${truth.in} in, ${got.out}/${truth.out} out, ${unattributed} unattributed, ${switches.switches} idsw`;
    }
    const accuracy = r.crossings ? Math.max(0, 1 - r.errors / r.crossings) : 0;
    ctx.emit({ eval: 'tracking', set: 'scripted', fps, scenes: list.length, frames: r.frames, crossings: r.crossings, inout_accuracy: round(accuracy, 4), double_counts: r.double, missed: r.missed, loiter_counts: r.loiter, id_switches: r.switches, per_scene: perScene });
    scores.push({ key: `tracking/scripted-${fps}fps`, metric: 'inout_accuracy', value: accuracy });
    overall.crossings += r.crossings;
    overall.errors += r.errors;
    overall.double += r.double;
    overall.loiter += r.loiter;
    overall.switches += r.switches;
    overall.frames += r.frames;
  }
  const accuracy = overall.crossings ? Math.max(0, 1 - overall.errors / overall.crossings) : 0;
  const switchesPer20 = overall.crossings ? (20 * overall.switches) / overall.crossings : 0;
  ctx.emit({
    eval: 'tracking',
    set: 'scripted',
    fps: 'all',
    frames: overall.frames,
    crossings: overall.crossings,
    inout_accuracy: round(accuracy, 4),
    double_counts: overall.double,
    loiter_counts: overall.loiter,
    id_switches: overall.switches,
    id_switches_per_20_crossings: round(switchesPer20, 2),
    ms_per_frame: round(frameMs / Math.max(1, overall.frames), 1),
    seconds: round((performance.now() - started) / 1000, 1),
  });
  scores.push({ key: 'tracking/scripted', metric: 'inout_accuracy', value: accuracy });
  // Floors are minimums: the loitering and switch rules as "1 − rate" numbers.
  scores.push({ key: 'tracking/scripted/loiter_clean', metric: 'loiter_clean', value: overall.loiter === 0 ? 1 : 0 });
  scores.push({ key: 'tracking/scripted/switch_margin', metric: 'switch_margin', value: 1 - switchesPer20 });
  return scores;
}

interface MotRow {
  frame: number;
  id: number;
  box: Box;
}

async function mot17(ctx: Parameters<EvalSuite['run']>[0]): Promise<Score[]> {
  const dir = join(ctx.evalRoot, MOT17);
  const engine = await ctx.engine();
  const pairs: Array<[number, number]> = [];
  let truths = 0;
  let predictions = 0;
  let switchesTotal = 0;
  let frames = 0;
  let base = 0;
  for (const seq of readdirSync(dir).filter((d) => d.startsWith('MOT17-')).sort()) {
    const info = await readFile(join(dir, seq, 'seqinfo.ini'), 'utf8');
    const fps = Number(/frameRate=(\d+)/.exec(info)?.[1] ?? 30);
    const rows: MotRow[] = (await readFile(join(dir, seq, 'gt', 'gt.txt'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => l.split(',').map(Number))
      .filter(([, , , , , , consider, cls, vis]) => consider === 1 && cls === 1 && vis >= 0.25)
      .map(([frame, id, x, y, w, h]) => ({ frame, id: base + id, box: { left: x - 1, top: y - 1, width: w, height: h } }));
    base += 100_000; // identities of different sequences never meet
    let state: BodyTrackingState | undefined;
    const switches = new SwitchCounter();
    for (const f of readdirSync(join(dir, seq, 'img1')).filter((x) => x.endsWith('.jpg')).sort()) {
      const frame = Number(f.replace('.jpg', ''));
      const image = await decodeImage(await readFile(join(dir, seq, 'img1', f)));
      const out = await engine.frame('body_tracking', image, state, (frame - 1) / fps, {});
      state = out.state;
      const truth = rows.filter((r) => r.frame === frame);
      const confirmed = out.result.persons.filter((p) => p.confirmed && p.id !== undefined).map((p) => ({ id: p.id!, box: p.box }));
      const matches = matchFrame(truth.map((r) => r.box), confirmed);
      for (const [i, trackId] of matches) {
        pairs.push([truth[i].id, base + trackId]);
        switches.observe(String(truth[i].id), trackId);
      }
      truths += truth.length;
      predictions += confirmed.length;
      frames++;
    }
    switchesTotal += switches.switches;
  }
  const score = idf1(pairs, truths, predictions);
  ctx.emit({ eval: 'tracking', set: 'mot17', frames, truths, predictions, matched: pairs.length, idf1: round(score, 4), id_switches: switchesTotal });
  return [{ key: 'tracking/mot17', metric: 'idf1', value: score }];
}

export const trackingSuite: EvalSuite = {
  name: 'tracking',
  sets: ['scripted', 'mot17'],
  async run(ctx, sets) {
    const scores: Score[] = [];
    for (const set of sets) {
      const needs = set === 'scripted' ? [VIDEO, PENNFUDAN] : [MOT17];
      const absent = needs.find((p) => !existsSync(join(ctx.evalRoot, p)));
      if (absent) {
        ctx.emit({ eval: 'tracking', set, skipped: true, reason: `no ${absent} under ${ctx.evalRoot}` });
        continue;
      }
      scores.push(...(set === 'scripted' ? await scripted(ctx) : await mot17(ctx)));
    }
    return scores;
  },
};
