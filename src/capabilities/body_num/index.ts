/**
 * body_num: a static people count from heads (src/vision/heads.ts), in the whole image or in
 * the union of up to 10 polygon areas, with an optional heat-map picture (src/render/heat-map.ts).
 *
 * Areas arrive as flat coordinate lists (x1,y1,x2,y2,... per polygon, image pixels, from 1).
 * They are checked here because the rules need the image size: more than 10 → the first 10;
 * a polygon with an odd number of values, fewer than 3 vertices, a value that is not a whole
 * number, or a coordinate outside 1..width-1 / 1..height-1 makes the whole `areas` invalid, and
 * then the whole image is counted with no per-area counts (no error, as Baidu does).
 * A head counts in an area when its point lies inside the polygon (even-odd rule); `count` is the
 * number of heads inside at least one area, each once.
 */
import { defineCapability } from '../capability.js';
import { DEFAULT_HEAD_OPTIONS, HEAD_FINDER_MODELS, findHeads, type Head, type HeadOptions } from '../../vision/heads.js';
import { FULL_COUNT_RENDER, renderCount, type CountRender } from '../../render/heat-map.js';
import { pointInPolygon } from '../../tracking/zones.js';

/** Baidu's limit on areas per request. */
export const MAX_AREAS = 10;

export interface BodyNumOptions {
  /** Polygons as flat x,y lists (absent/empty = the whole image); checked against the image in run. */
  areas?: readonly (readonly number[])[];
  /** What the returned picture shows; null = no picture. */
  render: CountRender | null;
  heads: Partial<HeadOptions>;
  /** Heads at or above this score are counted. */
  minHeadScore: number;
}

export const DEFAULT_BODY_NUM_OPTIONS: Readonly<BodyNumOptions> = { render: null, heads: {}, minHeadScore: 0 };

export interface BodyNumResult {
  image: { width: number; height: number };
  /** Every head found in the whole image (counted or not). */
  heads: Head[];
  /** People counted: in the union of the areas when they are valid, else in the whole image. */
  count: number;
  /** The areas used (the first 10), or null when none were given or they were invalid. */
  areas: number[][] | null;
  /** Heads per area (null without valid areas). */
  areaCounts: number[] | null;
  /** Why given areas were ignored. */
  areasIgnored?: string;
  /** The picture (JPEG) when options.render asked for one. */
  picture?: Uint8Array;
}

/** The first MAX_AREAS polygons, or why they are invalid for an image of this size. */
export function checkAreas(areas: readonly (readonly number[])[], size: { width: number; height: number }): { areas: number[][] } | { invalid: string } {
  const used = areas.slice(0, MAX_AREAS);
  for (const [i, poly] of used.entries()) {
    if (poly.length % 2 !== 0) return { invalid: `area ${i + 1} has an odd number of coordinates (${poly.length})` };
    if (poly.length < 6) return { invalid: `area ${i + 1} has fewer than 3 points` };
    for (let k = 0; k < poly.length; k++) {
      const v = poly[k];
      const limit = k % 2 === 0 ? size.width : size.height;
      if (!Number.isInteger(v) || v < 1 || v >= limit) {
        return { invalid: `area ${i + 1} coordinate ${k + 1} (${v}) is not a whole number in 1..${limit - 1}` };
      }
    }
  }
  return { areas: used.map((p) => [...p]) };
}

const polygonPoints = (poly: readonly number[]) => Array.from({ length: poly.length / 2 }, (_, i) => ({ x: poly[2 * i], y: poly[2 * i + 1] }));

/** Point in polygon (flat x,y list), by the zones' even-odd test. */
export function insidePolygon(x: number, y: number, poly: readonly number[]): boolean {
  return pointInPolygon({ x, y }, polygonPoints(poly));
}

/** Counts in the union of the polygons (each point once) and per polygon. */
export function countInAreas(points: readonly { x: number; y: number }[], areas: readonly (readonly number[])[]): { union: number; perArea: number[] } {
  const polygons = areas.map(polygonPoints);
  const perArea = areas.map(() => 0);
  let union = 0;
  for (const p of points) {
    let any = false;
    polygons.forEach((poly, i) => {
      if (pointInPolygon(p, poly)) {
        perArea[i]++;
        any = true;
      }
    });
    if (any) union++;
  }
  return { union, perArea };
}

const heatPoints = (heads: readonly Head[]) => heads.map((h) => ({ x: h.point.x, y: h.point.y, size: Math.max(h.box.width, h.box.height) }));

export const bodyNum = defineCapability({
  name: 'body_num',
  summary: 'people count from heads, in the whole image or in up to 10 areas, with a heat-map picture',
  summaryZh: '按头部数人，整图或最多 10 个区域，可附热力图',
  models: HEAD_FINDER_MODELS,
  defaults: DEFAULT_BODY_NUM_OPTIONS,
  async run(models, image, options): Promise<BodyNumResult> {
    const heads = (await findHeads({ multipose: models['movenet-multipose'] }, image, { ...DEFAULT_HEAD_OPTIONS, ...options.heads })).filter((h) => h.score >= options.minHeadScore);
    const checked = options.areas?.length ? checkAreas(options.areas, image) : undefined;
    const areas = checked && 'areas' in checked ? checked.areas : null;
    const counted = areas ? countInAreas(heads.map((h) => h.point), areas) : null;
    const result: BodyNumResult = {
      image: { width: image.width, height: image.height },
      heads,
      count: counted ? counted.union : heads.length,
      areas,
      areaCounts: counted ? counted.perArea : null,
      ...(checked && 'invalid' in checked ? { areasIgnored: checked.invalid } : {}),
    };
    if (options.render) result.picture = new Uint8Array(await renderCount(image, heatPoints(heads), areas, result.count, options.render));
    return result;
  },
  render: (image, result) => renderCount(image, heatPoints(result.heads), result.areas, result.count, FULL_COUNT_RENDER, 'png'),
  files: (result): Record<string, Uint8Array> => (result.picture ? { image: result.picture } : {}),
  docs: 'docs/counting.md',
  eval: ['counting'],
  bench: ['body_num'],
});
