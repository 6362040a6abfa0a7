/**
 * Accuracy harness: `npm run eval [-- --set coco] [--check]`.
 *
 * Runs each registered suite against the development data in ../shared/eval (never copied into
 * the repo), calling the analysis in-process, and prints one JSON line per suite/set.
 * `--check` compares each set's headline number with eval/floors.json and exits 1 below a floor.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import type { BodyAnalysis } from '../src/capabilities/body_analysis/index.js';
import type { Engine } from '../src/engine/engine.js';
import { evalDataRoot, round, registerSuite, registeredSuites, type EngineFactory, type EvalContext, type EvalSuite, type Score } from './suite.js';
import { POSE_SETS, POSE_SET_NAMES, SCORE_MODES, loadPoseSet, personToDetection, type PoseSetName, type ScoreMode } from './datasets.js';
import { evaluateKeypoints, type ImageSample } from './oks.js';
import { kakaoSuite } from './kakao.js';
import { videoSuite } from './video.js';
import { segmentationSuite } from './segmentation.js';
import { handsSuite } from './hands.js';
import { lspSuite } from './lsp.js';
import { personsSuite } from './persons.js';
import { trackingSuite } from './tracking.js';
import { countingSuite } from './counting.js';
import { attributesSuite } from './attributes.js';
import { driverSuite } from './driver.js';
import { packageRoot } from '../src/runtime/models.js';

export { registerSuite, registeredSuites, type EngineFactory, type EvalContext, type EvalOptions, type EvalSuite, type Score } from './suite.js';

// One untimed call per engine so first-run kernel set-up does not land in ms_per_image.
const warmedUp = new WeakSet<Engine>();
async function warmUp(engine: Engine, bytes: Uint8Array): Promise<void> {
  if (warmedUp.has(engine)) return;
  warmedUp.add(engine);
  await engine.run('body_analysis', { bytes }).catch(() => undefined);
}

/** OKS keypoint AP on COCO / CrowdPose / AIC (see eval/oks.ts and docs/eval.md). */
export const poseSuite: EvalSuite = {
  name: 'pose',
  sets: POSE_SET_NAMES,
  async run(ctx, sets) {
    const scores: Score[] = [];
    for (const set of sets as PoseSetName[]) {
      const spec = POSE_SETS[set];
      if (!existsSync(join(ctx.evalRoot, spec.dir, spec.annotationFile))) {
        ctx.emit({ eval: 'pose', set, skipped: true, reason: `no ${spec.dir}/${spec.annotationFile} under ${ctx.evalRoot}` });
        continue;
      }
      const data = await loadPoseSet(ctx.evalRoot, set);
      const engine = await ctx.engine();
      if (data.images[0]) await warmUp(engine, new Uint8Array(await readFile(data.images[0].path)));
      const samples: ImageSample[] = [];
      let ms = 0;
      let errors = 0;
      let sizeMismatch = 0;
      let personsDt = 0;
      for (const image of data.images) {
        const start = performance.now();
        let result: BodyAnalysis | undefined;
        try {
          result = await ctx.bodyAnalysis(image.path);
        } catch {
          errors++; // scored as an image with no detections
        }
        ms += performance.now() - start;
        if (result && (result.image.width !== image.width || result.image.height !== image.height)) sizeMismatch++;
        const dts = (result?.persons ?? []).map((p) => personToDetection(p, data.mapping, ctx.options.scoreMode));
        personsDt += dts.length;
        samples.push({ imageId: image.id, gts: image.gts, dts });
      }
      const r = evaluateKeypoints(samples, { sigmas: spec.sigmas, maxDets: 20 });
      ctx.emit({
        eval: 'pose',
        set,
        images: data.images.length,
        persons_gt: data.personsGt,
        persons_scored: data.personsScored,
        persons_dt: personsDt,
        AP: round(r.AP, 4),
        AP50: round(r.AP50, 4),
        AP75: round(r.AP75, 4),
        AR: round(r.AR, 4),
        ms_per_image: round(data.images.length ? ms / data.images.length : 0, 1),
        score: ctx.options.scoreMode,
        ...(errors ? { errors } : {}),
        ...(sizeMismatch ? { size_mismatch: sizeMismatch } : {}),
      });
      scores.push({ key: `pose/${set}`, metric: 'AP', value: r.AP });
    }
    return scores;
  },
};

registerSuite(poseSuite);
registerSuite(videoSuite);
registerSuite(kakaoSuite);
registerSuite(segmentationSuite);
registerSuite(handsSuite);
registerSuite(personsSuite);
registerSuite(lspSuite);
registerSuite(trackingSuite);
registerSuite(countingSuite);
registerSuite(attributesSuite);
registerSuite(driverSuite);

function selectedSets(suite: EvalSuite, filters: readonly string[]): string[] {
  if (filters.length === 0) return [...suite.sets];
  return suite.sets.filter((set) => filters.some((f) => f === set || f === `${suite.name}/${set}`));
}

export interface FloorCheck {
  ok: boolean;
  failures: Array<{ key: string; metric: string; value: number; floor: number }>;
  checked: string[];
}

export function checkFloors(scores: readonly Score[], floors: Record<string, number>): FloorCheck {
  const failures: FloorCheck['failures'] = [];
  const checked: string[] = [];
  for (const s of scores) {
    const floor = floors[s.key];
    if (typeof floor !== 'number') continue;
    checked.push(s.key);
    // A NaN or -1 (no scorable ground truth) fails any positive floor, as it should.
    if (!(s.value >= floor)) failures.push({ key: s.key, metric: s.metric, value: s.value, floor });
  }
  return { ok: failures.length === 0, failures, checked };
}

const USAGE = `usage: node dist/eval/run.js [--suite pose] [--set coco|pose/coco ...] [--score ${SCORE_MODES.join('|')}] [--check] [--eval-dir DIR]`;

export interface MainDeps {
  createEngine?: EngineFactory;
  evalRoot?: string;
  floorsPath?: string;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

async function defaultEngine(): Promise<Engine> {
  // Loaded lazily so a missing data folder never pays for model start-up.
  const { createInProcessEngine } = await import('../src/engine/in-process.js');
  // All cores per model run, as the harness's analyzers always had (ms_per_image stays comparable).
  return createInProcessEngine({ threads: availableParallelism() });
}

/** Runs the harness; returns the process exit code. */
export async function main(argv: string[], deps: MainDeps = {}): Promise<number> {
  const out = deps.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = deps.err ?? ((l: string) => process.stderr.write(l + '\n'));
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        set: { type: 'string', multiple: true },
        suite: { type: 'string', multiple: true },
        score: { type: 'string' },
        check: { type: 'boolean' },
        'eval-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) { out(USAGE); return 0; }
  const scoreMode = (args.score ?? 'person') as ScoreMode;
  if (!SCORE_MODES.includes(scoreMode)) { err(`--score must be one of ${SCORE_MODES.join(', ')}\n${USAGE}`); return 2; }
  const setFilters = (args.set ?? []).flatMap((s) => s.split(',')).filter(Boolean);
  const suiteFilters = (args.suite ?? []).flatMap((s) => s.split(',')).filter(Boolean);
  const check = Boolean(args.check);
  const emit = (line: Record<string, unknown>): void => out(JSON.stringify(line));

  const root = packageRoot();
  const evalRoot = evalDataRoot(deps.evalRoot ?? args['eval-dir']);
  if (!existsSync(evalRoot)) {
    emit({ eval: 'skipped', reason: `eval data not found at ${evalRoot}`, ...(check ? { check: 'skipped' } : {}) });
    return 0;
  }

  const plan = registeredSuites()
    .filter((s) => suiteFilters.length === 0 || suiteFilters.includes(s.name))
    .map((s) => ({ suite: s, sets: selectedSets(s, setFilters) }))
    .filter((p) => p.sets.length > 0);
  if (plan.length === 0) {
    err(`no suite/set matches --suite ${suiteFilters.join(',') || '*'} --set ${setFilters.join(',') || '*'}; known: ${registeredSuites().map((s) => s.sets.map((x) => `${s.name}/${x}`).join(' ')).join(' ')}`);
    return 2;
  }

  let engine: Promise<Engine> | undefined;
  const analyses = new Map<string, Promise<BodyAnalysis>>();
  const ctx: EvalContext = {
    evalRoot,
    options: { sets: setFilters, suites: suiteFilters, scoreMode },
    engine: () =>
      (engine ??= (deps.createEngine ? Promise.resolve(deps.createEngine()) : defaultEngine()).then(async (e) => {
        await e.ready;
        return e;
      })),
    bodyAnalysis(path) {
      let result = analyses.get(path);
      if (!result) {
        result = Promise.all([ctx.engine(), readFile(path)]).then(([e, bytes]) => e.run('body_analysis', { bytes: new Uint8Array(bytes) }));
        analyses.set(path, result);
      }
      return result;
    },
    emit,
  };

  const scores: Score[] = [];
  try {
    for (const { suite, sets } of plan) scores.push(...(await suite.run(ctx, sets)));
  } catch (e) {
    emit({ eval: 'error', message: (e as Error).message });
    err((e as Error).stack ?? String(e));
    return 1;
  } finally {
    if (engine) await (await engine.catch(() => undefined))?.close();
  }

  if (!check) return 0;
  const floorsPath = deps.floorsPath ?? join(root, 'eval', 'floors.json');
  const floors = JSON.parse(await readFile(floorsPath, 'utf8')) as Record<string, number>;
  const result = checkFloors(scores, floors);
  if (result.checked.length === 0) {
    emit({ check: 'skipped', reason: 'no evaluated set has a floor in eval/floors.json' });
    return 0;
  }
  emit({ check: result.ok ? 'pass' : 'fail', checked: result.checked, failures: result.failures });
  if (!result.ok) {
    for (const f of result.failures) err(`eval floor not met: ${f.key} ${f.metric} ${f.value.toFixed(4)} < floor ${f.floor}`);
    return 1;
  }
  return 0;
}

const entry = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : '';
if (import.meta.url === entry) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exitCode = 1; },
  );
}
