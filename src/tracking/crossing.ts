/**
 * The one rule zones and lines share: when has a track really changed side?
 *
 * A track's side is only ever observed as one of two settled sides ('a' or 'b': outside or
 * inside an area, left or right of a line) or as nothing (the box straddles the boundary, or the
 * track was not seen). A track *settles* on a side after seeing it on `minFrames` observations
 * in a row (straddling frames in between neither help nor break the run); an event fires when a
 * track settles on the side opposite to the one it had settled on before. So:
 *
 * - loitering on the boundary (straddling) never counts, however long;
 * - a one-frame flicker to the far side and back never counts, in either direction (the
 *   failure mode of supervision #2598): it never settles;
 * - a track's first settled side is where it starts, not a crossing (a person first seen inside
 *   has not entered);
 * - a crossing fires once; crossing back fires the opposite event once;
 * - an unconfirmed track (too few hits, a one-frame detection) never fires; a crossing it made
 *   before being confirmed fires when it is confirmed.
 */
import type { Box } from '../types.js';

export type Side = 'a' | 'b';

/** Per track and per zone or line: plain data. */
export interface CrossingRecord {
  /** The side the track has settled on, if any. */
  settled?: Side;
  /** The other side it is being seen on, and for how many observations in a row. */
  candidate?: Side;
  run: number;
  /** A change of side made while the track was unconfirmed, fired once it is confirmed. */
  pending?: Side;
}

export interface CrossingOptions {
  /** Observations in a row on a side before the track counts as being there. */
  minFrames: number;
}

export const DEFAULT_CROSSING_OPTIONS: Readonly<CrossingOptions> = Object.freeze({ minFrames: 2 });

export const NEW_CROSSING: Readonly<CrossingRecord> = Object.freeze({ run: 0 });

/**
 * One observation of one track. `observed` is undefined for a straddling box; `confirmed` says
 * the tracker trusts the track. Returns the next record and the side just entered, if an event fired.
 */
export function crossingStep(
  record: CrossingRecord,
  observed: Side | undefined,
  confirmed: boolean,
  options: CrossingOptions = DEFAULT_CROSSING_OPTIONS,
): { record: CrossingRecord; entered?: Side } {
  let next: CrossingRecord = { ...record };
  let changed: Side | undefined;
  if (observed !== undefined) {
    if (observed === next.settled) {
      next.candidate = undefined;
      next.run = 0;
    } else {
      next.run = next.candidate === observed ? next.run + 1 : 1;
      next.candidate = observed;
      if (next.run >= options.minFrames) {
        if (next.settled !== undefined) changed = observed;
        next = { settled: observed, run: 0, pending: next.pending };
      }
    }
  }
  if (changed !== undefined) {
    // Two changes before confirmation (out and back) cancel: the track ends where it began.
    next.pending = next.pending === undefined ? changed : undefined;
  }
  if (confirmed && next.pending !== undefined) {
    const entered = next.pending;
    next.pending = undefined;
    return { record: next, entered };
  }
  return { record: next };
}

/** A track as zones and lines see it: its id, its box this frame, and whether the tracker trusts it. */
export interface CountedTrack {
  id: number;
  box: Box;
  confirmed: boolean;
}

export interface CrossingCounts {
  in: number;
  out: number;
}

/** The state of one zone or line: per track id (a string key, JSON-friendly) and running totals. */
export interface CrossingState {
  tracks: Record<string, CrossingRecord>;
  totals: CrossingCounts;
}

export const initialCrossingState = (): CrossingState => ({ tracks: {}, totals: { in: 0, out: 0 } });

export interface CrossingFrame {
  state: CrossingState;
  /** Events at this frame (`in`: settled on side 'b'; `out`: settled back on 'a'). */
  counts: CrossingCounts;
  entered: number[];
  left: number[];
}

/**
 * One frame of one zone or line: each observed track's side (`sideOf` its box) through
 * crossingStep; records of tracks the tracker no longer remembers (`alive`) are dropped.
 */
export function crossingFrame(
  state: CrossingState,
  tracks: readonly CountedTrack[],
  alive: readonly number[],
  sideOf: (box: Box) => Side | undefined,
  options: CrossingOptions = DEFAULT_CROSSING_OPTIONS,
): CrossingFrame {
  const keep = new Set(alive.map(String));
  const records = Object.fromEntries(Object.entries(state.tracks).filter(([id]) => keep.has(id)));
  const entered: number[] = [];
  const left: number[] = [];
  for (const t of tracks) {
    const step = crossingStep(records[t.id] ?? NEW_CROSSING, sideOf(t.box), t.confirmed, options);
    records[t.id] = step.record;
    if (step.entered === 'b') entered.push(t.id);
    else if (step.entered === 'a') left.push(t.id);
  }
  const counts = { in: entered.length, out: left.length };
  return { state: { tracks: records, totals: { in: state.totals.in + counts.in, out: state.totals.out + counts.out } }, counts, entered, left };
}
