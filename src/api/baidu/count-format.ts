/** Baidu body_num: its `area` and `show` fields, and its response. */
import type { BodyNumResult } from '../../capabilities/body_num/index.js';
import { FULL_COUNT_RENDER, type CountRender } from '../../render/heat-map.js';
import { base64 } from './seg-format.js';
import { flagOption } from './options.js';

/**
 * `area`: polygons separated by `;`, each `x1,y1,x2,y2,...` (a trailing `;` is allowed). Absent
 * or blank = none. A value that is not a whole number is kept as NaN, so the capability, which
 * knows the image size, finds the areas invalid and counts the whole image (Baidu answers no
 * error for a bad `area`).
 */
export function parseAreaText(text: string | undefined): number[][] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const parts = text.split(';').map((p) => p.trim());
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((p) => p.split(',').map(areaCoordinate));
}

/**
 * One `area` coordinate, from the form's text or the private dialect's JSON: a whole number
 * (digits, or a JSON integer); anything else is NaN, which makes its polygon invalid.
 */
export function areaCoordinate(value: unknown): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number.NaN;
  return typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
}

/** `show`: "true" (any case) → the full picture; anything else (absent, false, other values) → none. */
export function parseShow(text: string | undefined): CountRender | null {
  return flagOption(text) ? FULL_COUNT_RENDER : null;
}

export function bodyNumResponse(logId: number, result: BodyNumResult) {
  return {
    log_id: logId,
    person_num: result.count,
    ...(result.areaCounts ? { area_counts: result.areaCounts } : {}),
    ...(result.picture ? { image: base64(result.picture) } : {}),
  };
}
