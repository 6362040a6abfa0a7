/**
 * The capability registry: every capability the engine can run, by name. The worker's task
 * table, model loading and warm-up, the CLI, the dialects' endpoint tables, BODYLENS_CAPABILITIES
 * and the registry test are all derived from this list (transformers.js `pipelines.js` habit:
 * an unknown name fails with the list of valid ones).
 *
 * Adding a capability: a folder here (options + DEFAULT_*, result, run, frame?, render?), its
 * entry below, one row per dialect that exposes it, its docs page, eval suite and bench case.
 */
import type { Capability } from './capability.js';
import { bodyAnalysis } from './body_analysis/index.js';
import { handAnalysis } from './hand_analysis/index.js';
import { gesture } from './gesture/index.js';
import { bodySeg } from './body_seg/index.js';
import { bodySegPhoto } from './body_seg_photo/index.js';
import { bodyDetection } from './body_detection/index.js';
import { bodyTracking } from './body_tracking/index.js';
import { bodyNum } from './body_num/index.js';
import { bodyAttr } from './body_attr/index.js';
import { personDetection } from './person_detection/index.js';
import { personAttributes } from './person_attributes/index.js';
import { driverBehavior } from './driver_behavior/index.js';

export const CAPABILITIES = [bodyAnalysis, handAnalysis, gesture, bodySeg, bodySegPhoto, bodyDetection, bodyAttr, personDetection, personAttributes, bodyNum, bodyTracking, driverBehavior] as const;

type Registered = (typeof CAPABILITIES)[number];
export type CapabilityName = Registered['name'];
export type CapabilityOf<N extends CapabilityName> = Extract<Registered, { name: N }>;
export type OptionsOf<N extends CapabilityName> = CapabilityOf<N>['defaults'] extends Readonly<infer O> ? O : never;
export type ResultOf<N extends CapabilityName> = Awaited<ReturnType<CapabilityOf<N>['run']>>;
export type FrameStateOf<N extends CapabilityName> = CapabilityOf<N> extends Capability<any, any, any, any, infer S, any> ? S : never;
export type FrameResultOf<N extends CapabilityName> = CapabilityOf<N> extends Capability<any, any, any, any, any, infer F> ? F : never;
/** Capabilities with a video-frame call (their frame state is not `never`). */
export type FrameCapabilityName = { [N in CapabilityName]: [FrameStateOf<N>] extends [never] ? never : N }[CapabilityName];

export const CAPABILITY_NAMES: readonly CapabilityName[] = CAPABILITIES.map((c) => c.name);

export function isCapabilityName(name: string): name is CapabilityName {
  return (CAPABILITY_NAMES as readonly string[]).includes(name);
}

/** The capability called `name`; an unknown name fails with the list of valid ones. */
export function capability<N extends CapabilityName>(name: N): CapabilityOf<N>;
export function capability(name: string): Capability;
export function capability(name: string): Capability {
  const found = CAPABILITIES.find((c) => c.name === name);
  if (!found) throw new Error(`unknown capability "${name}"; valid capabilities: ${CAPABILITY_NAMES.join(', ')}`);
  return found as Capability;
}

/** Every model the listed capabilities need, each once, in registry order of first use. */
export function modelsFor(names: readonly string[]): string[] {
  return [...new Set(names.flatMap((n) => capability(n).models))];
}

/**
 * A comma-separated list of capability names (BODYLENS_CAPABILITIES); empty or absent =
 * `fallback` (default: all). Unknown names fail with the valid ones.
 */
export function parseCapabilityList(text: string | undefined, fallback: readonly CapabilityName[] = CAPABILITY_NAMES): CapabilityName[] {
  const names = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) return [...fallback];
  const unknown = names.filter((n) => !isCapabilityName(n));
  if (unknown.length) throw new Error(`unknown capability ${unknown.map((n) => `"${n}"`).join(', ')}; valid capabilities: ${CAPABILITY_NAMES.join(', ')}`);
  return [...new Set(names)] as CapabilityName[];
}
