/**
 * The eval harness's suite registry and the types suites share. A suite in its own file imports
 * its types from here (not from run.ts, which imports the suite) and run.ts registers it.
 */
import { join, resolve } from 'node:path';
import { packageRoot } from '../src/runtime/models.js';
import type { BodyAnalysis } from '../src/capabilities/body_analysis/index.js';
import type { Engine } from '../src/engine/engine.js';
import type { ScoreMode } from './datasets.js';

/**
 * Where the development data is: an explicit folder, else $BODYLENS_EVAL_DIR, else ../shared/eval
 * beside the repository (harnesses read it at run time; it is never copied into the repo).
 */
export function evalDataRoot(explicit?: string): string {
  return resolve(explicit ?? process.env.BODYLENS_EVAL_DIR ?? join(packageRoot(), '..', 'shared', 'eval'));
}

/** Rounds a reported number to `digits` decimals. */
export const round = (v: number, digits: number): number => Number(v.toFixed(digits));

/** The engine the suites run capabilities on (one in-process engine per run, see EvalContext). */
export type EngineFactory = () => Engine;

export interface EvalOptions {
  /** Set filters: "coco" (any suite) or "pose/coco"; empty = all. */
  sets: string[];
  /** Suite filters; empty = all. */
  suites: string[];
  scoreMode: ScoreMode;
}

export interface EvalContext {
  evalRoot: string;
  options: EvalOptions;
  /** The shared in-process engine (every capability), created and made ready on first use. */
  engine(): Promise<Engine>;
  /**
   * body_analysis of an image file on the shared engine, computed once per run (the pose suite
   * and the Kakao suite's in-process side read the same COCO images). Rejects like the API.
   */
  bodyAnalysis(path: string): Promise<BodyAnalysis>;
  /** Print one JSON line. */
  emit(line: Record<string, unknown>): void;
}

/** A number a floor can be set on; `key` is "<suite>/<set>", as in eval/floors.json. */
export interface Score {
  key: string;
  metric: string;
  value: number;
}

/**
 * One kind of evaluation (pose OKS AP today; hand PCK, gesture accuracy, segmentation IoU
 * later). A suite prints its own JSON lines through ctx.emit and returns the numbers to check.
 */
export interface EvalSuite {
  name: string;
  sets: readonly string[];
  run(ctx: EvalContext, sets: readonly string[]): Promise<Score[]>;
}

const suites = new Map<string, EvalSuite>();

export function registerSuite(suite: EvalSuite): void {
  if (suites.has(suite.name)) throw new Error(`eval suite "${suite.name}" registered twice`);
  suites.set(suite.name, suite);
}

export function registeredSuites(): EvalSuite[] {
  return [...suites.values()];
}
