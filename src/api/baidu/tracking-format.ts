/**
 * Baidu's `body_tracking` form fields and response shapes (seed 001, 人流量统计-动态版).
 *
 * Fields: `dynamic` (required, true/false), and with dynamic=true `case_id` (int32),
 * `case_init` (true/false) and `area` (one polygon "x1,y1,x2,y2,...": an even number of
 * coordinates, more than 3 vertices, inside the image); `show` (true = the rendered frame; any
 * other value = false). Each failure is its own error: a missing field is 282003 "missing
 * parameters: <name>", a bad value 282004 "invalid parameter(s): <why>".
 *
 * Beyond Baidu (opt-in, ignored by Baidu clients because they never send them): `area` may hold
 * up to 10 polygons separated by ';', `line=x1,y1,x2,y2[;...]` adds counting lines, and
 * `totals=true` adds the case's running totals. With several areas, a line or totals=true the
 * answer also carries `area_counts[] {in, out, inside}`, `line_counts[] {in, out}` and `totals`.
 */
import type { BodyCount, BodyTrackingFrame, BodyTrackingOptions } from '../../capabilities/body_tracking/index.js';
import { MAX_AREAS } from '../../capabilities/body_num/index.js';
import { ServiceError } from '../../errors.js';
import type { Line } from '../../tracking/lines.js';
import type { Point } from '../../tracking/zones.js';
import type { Box } from '../../types.js';
import { base64 } from './seg-format.js';
import type { Form } from './endpoints.js';
import { flagOption, requiredField } from './options.js';

/** Most polygons one `area` may hold (the extension; Baidu takes one). */
export const MAX_LINES = 10;

const invalid = (why: string) => new ServiceError('invalid_value', why);
const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** A true/false field (any letter case); `required` fields must be present (282003). */
export function parseFlag(form: Form, name: string, required: true): boolean;
export function parseFlag(form: Form, name: string, required: false): boolean | undefined;
export function parseFlag(form: Form, name: string, required: boolean): boolean | undefined {
  if (!required && !present(form[name])) return undefined;
  const value = requiredField(form, name);
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'false') return v === 'true';
  throw invalid(`${name} must be true or false, got "${value.slice(0, 40)}"`);
}

/** The numbers of one comma-separated list (`what` names it in errors). */
function numbers(text: string, what: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  const bad = parts.findIndex((p, i) => p === '' || !Number.isFinite(values[i]));
  if (bad >= 0) throw invalid(`${what}: "${parts[bad].slice(0, 20)}" is not a number`);
  return values;
}

/** Twice the signed area of a polygon (0 for a degenerate one). */
function doubleArea(points: readonly Point[]): number {
  let sum = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) sum += points[j].x * points[i].y - points[i].x * points[j].y;
  return sum;
}

/** `area`: polygons separated by ';', each "x1,y1,x2,y2,...". Vertices inside the image are checked once it is decoded. */
export function parseAreas(text: string): Point[][] {
  const polygons = text.split(';').map((s) => s.trim()).filter((s, i, all) => s !== '' || all.length === 1);
  if (polygons.length > MAX_AREAS) throw invalid(`area: at most ${MAX_AREAS} polygons, got ${polygons.length}`);
  return polygons.map((polygon, i) => {
    const what = polygons.length > 1 ? `area polygon ${i + 1}` : 'area';
    const values = numbers(polygon, what);
    if (values.length % 2 !== 0) throw invalid(`${what}: an even number of coordinates (x,y pairs) is needed, got ${values.length}`);
    if (values.length / 2 <= 3) throw invalid(`${what}: more than 3 vertices are needed, got ${values.length / 2}`);
    const points = Array.from({ length: values.length / 2 }, (_, k) => ({ x: values[2 * k], y: values[2 * k + 1] }));
    if (doubleArea(points) === 0) throw invalid(`${what}: the polygon encloses no area`);
    return points;
  });
}

/** `line` (beyond Baidu): segments separated by ';', each "x1,y1,x2,y2". */
export function parseLines(text: string): Line[] {
  const segments = text.split(';').map((s) => s.trim()).filter(Boolean);
  if (segments.length > MAX_LINES) throw invalid(`line: at most ${MAX_LINES} lines, got ${segments.length}`);
  return segments.map((segment, i) => {
    const what = `line ${i + 1}`;
    const v = numbers(segment, what);
    if (v.length !== 4) throw invalid(`${what}: x1,y1,x2,y2 (4 numbers) is needed, got ${v.length}`);
    if (v[0] === v[2] && v[1] === v[3]) throw invalid(`${what}: its two points are the same`);
    return { from: { x: v[0], y: v[1] }, to: { x: v[2], y: v[3] } };
  });
}

/** Baidu's case_id: an int32. */
function parseCaseId(value: string | undefined): string {
  const v = requiredField({ case_id: value }, 'case_id').trim();
  const n = Number(v);
  if (!/^[+-]?\d+$/.test(v) || n < -(2 ** 31) || n > 2 ** 31 - 1) throw invalid(`case_id must be an int32, got "${v.slice(0, 20)}"`);
  return String(n);
}

export interface CaseRef {
  id: string;
  /** case_init=true: start the case afresh. */
  reset: boolean;
}

/** The case a request belongs to (dynamic=true), or undefined for a still-image count; validates in the documented order. */
export function trackingCase(form: Form): CaseRef | undefined {
  if (!parseFlag(form, 'dynamic', true)) return undefined;
  const id = parseCaseId(form.case_id);
  const reset = parseFlag(form, 'case_init', true);
  return { id, reset };
}

/** The capability options of a request (after `trackingCase`, which checked the case fields). */
export function trackingOptions(form: Form): Partial<BodyTrackingOptions> {
  if (parseFlag(form, 'dynamic', true)) requiredField(form, 'area');
  return {
    areas: present(form.area) ? parseAreas(form.area) : [],
    lines: present(form.line) ? parseLines(form.line) : [],
    // Baidu: any value but true (or none) means false.
    show: flagOption(form.show),
  };
}

const location = (b: Box) => ({ left: Math.round(b.left), top: Math.round(b.top), width: Math.round(b.width), height: Math.round(b.height) });

/** dynamic=false: the count (in the areas when given) and each head-shoulder box. */
export function bodyCountResponse(logId: number, result: BodyCount) {
  return {
    log_id: logId,
    person_num: result.persons.length,
    person_info: result.persons.map((p) => ({ location: location(p.box) })),
    ...(result.areaCounts.length > 1 ? { area_counts: result.areaCounts } : {}),
    ...(result.rendered ? { image: base64(result.rendered) } : {}),
  };
}

/** Does the request use an extension (several areas, a line, totals)? Then the extra fields are answered. */
export function wantsExtras(form: Form): boolean {
  const areas = (form.area ?? '').split(';').filter((part) => part.trim() !== '');
  return areas.length > 1 || present(form.line) || flagOption(form.totals);
}

/** dynamic=true: people this frame, confirmed tracks with their IDs, in/out of the (first) area at this frame. */
export function bodyTrackingResponse(logId: number, result: BodyTrackingFrame, extras = false) {
  const first = result.areas[0] ?? { in: 0, out: 0 };
  return {
    log_id: logId,
    person_num: result.personNum,
    person_info: result.persons.filter((p) => p.confirmed && p.id !== undefined).map((p) => ({ ID: p.id!, location: location(p.box) })),
    person_count: { in: first.in, out: first.out },
    ...(extras
      ? { area_counts: result.areas.map((a) => ({ in: a.in, out: a.out, inside: a.inside })), line_counts: result.lines, totals: result.totals }
      : {}),
    ...(result.rendered ? { image: base64(result.rendered) } : {}),
  };
}
