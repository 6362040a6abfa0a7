/**
 * body_num's pieces without models: Baidu's `area`/`show` parsing, the area rules (they need the
 * image size), counting in the union of areas, merging heads from people and faces, and the
 * count picture's render switches.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { MAX_AREAS, checkAreas, countInAreas, insidePolygon } from '../../../src/capabilities/body_num/index.js';
import { bodyNumResponse, parseAreaText, parseShow } from '../../../src/api/baidu/count-format.js';
import { DEFAULT_HEAD_POSE_OPTIONS, dedupeHeads, faceHead, poseTiles, mergeFaces, mergeHeads, personHead, poseHead, type Head } from '../../../src/vision/heads.js';
import { FULL_COUNT_RENDER, countRenderLevel, heatMap, renderCount } from '../../../src/render/heat-map.js';
import type { Face } from '../../../src/vision/blazeface.js';
import type { FoundPerson } from '../../../src/vision/person-finder.js';

const size = { width: 640, height: 480 };
const square = (x: number, y: number, s: number) => [x, y, x + s, y, x + s, y + s, x, y + s];

describe('area parsing (Baidu text form)', () => {
  test('absent or blank → no areas', () => {
    assert.equal(parseAreaText(undefined), undefined);
    assert.equal(parseAreaText(''), undefined);
    assert.equal(parseAreaText('   '), undefined);
  });

  test('polygons split by ";" and values by ","; a trailing ";" is allowed', () => {
    assert.deepEqual(parseAreaText('1,1,10,1,10,10'), [[1, 1, 10, 1, 10, 10]]);
    assert.deepEqual(parseAreaText('1,1,10,1,10,10;20,20,30,20,30,30;'), [[1, 1, 10, 1, 10, 10], [20, 20, 30, 20, 30, 30]]);
    assert.deepEqual(parseAreaText(' 1, 2 ,3,4,5,6'), [[1, 2, 3, 4, 5, 6]]);
  });

  test('anything but whole numbers becomes NaN (found invalid once the image size is known)', () => {
    for (const bad of ['1,1,a,1,10,10', '1.5,1,10,1,10,10', '-1,1,10,1,10,10', '1,,10,1,10,10', '1,1,10,1,10,10;;2,2,3,3,4,4', '[1,1,10,1,10,10]']) {
      const parsed = parseAreaText(bad)!;
      assert.ok(parsed.some((p) => p.some((v) => Number.isNaN(v))), bad);
      assert.ok('invalid' in checkAreas(parsed, size), bad);
    }
  });

  test('show: only "true" asks for the picture', () => {
    for (const v of ['true', 'TRUE', ' True ']) assert.deepEqual(parseShow(v), FULL_COUNT_RENDER, v);
    for (const v of [undefined, '', 'false', '1', 'yes']) assert.equal(parseShow(v), null, String(v));
  });
});

describe('area rules', () => {
  test('a valid polygon is kept as given', () => {
    assert.deepEqual(checkAreas([square(1, 1, 100)], size), { areas: [square(1, 1, 100)] });
  });

  test('an odd number of values, fewer than 3 points or an empty polygon is invalid', () => {
    assert.match((checkAreas([[1, 1, 10, 1, 10]], size) as { invalid: string }).invalid, /odd/);
    assert.match((checkAreas([[1, 1, 10, 10]], size) as { invalid: string }).invalid, /fewer than 3/);
    assert.ok('invalid' in checkAreas([[]], size));
  });

  test('coordinates run from 1 to size - 1: 0 and the width/height itself are outside', () => {
    assert.ok('areas' in checkAreas([[1, 1, 639, 1, 639, 479]], size));
    assert.ok('invalid' in checkAreas([[0, 1, 10, 1, 10, 10]], size));
    assert.ok('invalid' in checkAreas([[1, 1, 640, 1, 10, 10]], size));
    assert.ok('invalid' in checkAreas([[1, 1, 10, 480, 10, 10]], size));
    assert.ok('invalid' in checkAreas([[1, 1, 10, 1, 10.5, 10]], size));
  });

  test('one bad polygon invalidates all of them', () => {
    assert.ok('invalid' in checkAreas([square(1, 1, 50), square(100, 100, 50), [1, 1, 2, 2, 3]], size));
  });

  test('more than 10 polygons: the first 10 are used (a bad 11th is never looked at)', () => {
    const many = Array.from({ length: 12 }, (_, i) => square(1 + i * 40, 1, 30));
    const r = checkAreas([...many.slice(0, 10), [0, 0, 1]], size) as { areas: number[][] };
    assert.equal(r.areas.length, MAX_AREAS);
    assert.equal((checkAreas(many, size) as { areas: number[][] }).areas.length, MAX_AREAS);
  });
});

describe('counting in areas', () => {
  test('point in polygon, concave shape included', () => {
    const l = [1, 1, 100, 1, 100, 30, 30, 30, 30, 100, 1, 100]; // an L
    assert.equal(insidePolygon(10, 10, l), true);
    assert.equal(insidePolygon(80, 20, l), true);
    assert.equal(insidePolygon(80, 80, l), false);
    assert.equal(insidePolygon(200, 10, l), false);
  });

  test('the union counts a person in two overlapping areas once; per-area counts count them in each', () => {
    const a = square(1, 1, 100);
    const b = square(50, 1, 100);
    const points = [{ x: 20, y: 20 }, { x: 70, y: 20 }, { x: 120, y: 20 }, { x: 300, y: 300 }];
    assert.deepEqual(countInAreas(points, [a, b]), { union: 3, perArea: [2, 2] });
    assert.deepEqual(countInAreas([], [a]), { union: 0, perArea: [0] });
  });

  test('Baidu response: area_counts only with valid areas, image only when drawn', () => {
    const base = { image: size, heads: [], count: 3, areas: null, areaCounts: null };
    assert.deepEqual(bodyNumResponse(7, base), { log_id: 7, person_num: 3 });
    const withAreas = bodyNumResponse(7, { ...base, areas: [square(1, 1, 9)], areaCounts: [3], picture: new Uint8Array([1, 2, 3]) });
    assert.deepEqual(withAreas, { log_id: 7, person_num: 3, area_counts: [3], image: 'AQID' });
  });
});

const person = (x: number, y: number, h: number, score: number): FoundPerson => ({
  box: { left: x - h * 0.2, top: y - h * 0.1, width: h * 0.4, height: h },
  score,
  head: { x, y, score: 0.5 },
  evidence: { support: score, maxScore: score, votes: 1, pose: 0 },
});
const face = (cx: number, cy: number, s: number, score: number): Face => ({
  box: { left: cx - s / 2, top: cy - s / 2, width: s, height: s },
  score,
  points: {} as Face['points'],
});

describe('head merging', () => {
  test('a face at a person\'s head is that person: one head, both sources, the better score', () => {
    const heads = mergeHeads([personHead(person(100, 100, 200, 0.5))], [faceHead(face(100, 104, 20, 0.9))], 1, 0.65);
    assert.equal(heads.length, 1);
    assert.deepEqual(heads[0].sources, { pose: false, person: true, face: true });
    assert.equal(heads[0].score, 0.9);
  });

  test('a confident face far from every person is a head of its own; a weak one is not', () => {
    const people = [personHead(person(100, 100, 200, 0.5))];
    assert.equal(mergeHeads(people, [faceHead(face(400, 100, 20, 0.8))], 1, 0.65).length, 2);
    assert.equal(mergeHeads(people, [faceHead(face(400, 100, 20, 0.5))], 1, 0.65).length, 1);
  });

  test('one person head is claimed by one face only; two people side by side keep two heads', () => {
    const people = [personHead(person(100, 100, 200, 0.6)), personHead(person(140, 100, 200, 0.6))];
    const faces = [faceHead(face(102, 104, 20, 0.9)), faceHead(face(138, 104, 20, 0.85))];
    const heads = mergeHeads(people, faces, 1, 0.65);
    assert.equal(heads.length, 2);
    assert.ok(heads.every((h: Head) => h.sources.face));
  });

  test('a pose\'s head sits at its face keypoints; a pose without a visible face point gives none', () => {
    const kp = (x: number, y: number, score: number) => ({ x, y, score });
    const keypoints = Array.from({ length: 17 }, () => kp(0, 0, 0.05));
    keypoints[0] = kp(100, 50, 0.8); // nose
    keypoints[1] = kp(96, 46, 0.7); // eyes
    keypoints[2] = kp(104, 46, 0.7);
    keypoints[5] = kp(85, 80, 0.6); // shoulders
    keypoints[6] = kp(115, 80, 0.6);
    const head = poseHead({ score: 0.4, keypoints }, 0.3)!;
    assert.ok(Math.abs(head.point.x - 100) < 1e-9 && Math.abs(head.point.y - 142 / 3) < 1e-9);
    assert.ok(head.box.width >= 18 - 1e-9, `size from the shoulders: ${head.box.width}`);
    assert.equal(head.score, 0.4);
    const hidden = keypoints.map((k, i) => (i < 5 ? { ...k, score: 0.1 } : k));
    assert.equal(poseHead({ score: 0.4, keypoints: hidden }, 0.3), null);
  });

  test('pose tiles keep people at one scale: at most 640 px in 1080p, 1024×768 and 4K, none in a small photo', () => {
    const sides = (w: number, h: number) => poseTiles(w, h, DEFAULT_HEAD_POSE_OPTIONS).map((t) => Math.round(t.width));
    assert.deepEqual(sides(1920, 1080), Array(8).fill(617)); // level 2, as measured
    assert.deepEqual(sides(1024, 768), Array(6).fill(439)); // level 2, as measured
    const uhd = poseTiles(3840, 2160, DEFAULT_HEAD_POSE_OPTIONS);
    assert.ok(uhd.length > 8 && uhd.every((t) => t.width <= 640 && t.width > 400), `${uhd.length} tiles of ${uhd[0].width}`);
    assert.equal(Math.max(...uhd.map((t) => t.x + t.width)), 3840);
    assert.equal(sides(640, 480).length, 0);
  });

  test('one head seen in two overlapping tiles (or twice by one source) is one; neighbours stay two', () => {
    const at = (x: number, score: number): Head => ({ box: { left: x - 10, top: 40, width: 20, height: 20 }, point: { x, y: 50 }, score, sources: { pose: true, person: false, face: false } });
    const kept = dedupeHeads([at(100, 0.5), at(104, 0.7), at(130, 0.6)], 0.5);
    assert.deepEqual(kept.map((h) => h.point.x), [104, 130]);
  });

  test('the same face seen by two overlapping tiles is merged (by intersection over the smaller box)', () => {
    const whole = face(300, 300, 24, 0.9);
    const cut = { ...face(294, 300, 12, 0.7), box: { left: 288, top: 288, width: 12, height: 24 } };
    assert.equal(mergeFaces([whole, cut], 0.5).length, 1);
    assert.equal(mergeFaces([whole, face(340, 300, 24, 0.8)], 0.5).length, 2);
  });
});

describe('count picture', () => {
  test('the private dialect\'s show levels 0-3 (clamped) map onto the three switches', () => {
    assert.equal(countRenderLevel(0), null);
    assert.equal(countRenderLevel(-2), null);
    assert.deepEqual(countRenderLevel(1), { heat: true, areas: true, total: false });
    assert.deepEqual(countRenderLevel(2), { heat: true, areas: true, total: true });
    assert.deepEqual(countRenderLevel(3), { heat: true, areas: false, total: true });
    assert.deepEqual(countRenderLevel(9), countRenderLevel(3));
  });

  const grey = { width: 200, height: 100, data: Buffer.alloc(200 * 100 * 3, 128) };

  test('the heat map reddens the head and leaves far pixels alone', () => {
    const out = heatMap(grey, [{ x: 50, y: 50, size: 10 }]);
    const at = (x: number, y: number) => [...out.data.subarray(3 * (y * 200 + x), 3 * (y * 200 + x) + 3)];
    const [r, g, b] = at(50, 50);
    assert.ok(r > 180 && g < 80 && b < 80, `${r},${g},${b}`);
    assert.deepEqual(at(180, 50), [128, 128, 128]);
  });

  test('a JPEG of the photo\'s size; areas drawn blue only when asked', async () => {
    const poly = [[10, 10, 190, 10, 190, 90, 10, 90]];
    const pixel = async (what: typeof FULL_COUNT_RENDER) => {
      const jpeg = await renderCount(grey, [], poly, 0, what);
      const meta = await sharp(jpeg).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 200, 100]);
      const { data } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
      const i = 3 * (10 * 200 + 100);
      return [data[i], data[i + 1], data[i + 2]];
    };
    const [r, , b] = await pixel({ heat: true, areas: true, total: false });
    assert.ok(b > r + 60, `blue line expected, got r=${r} b=${b}`);
    const [r2, , b2] = await pixel({ heat: true, areas: false, total: false });
    assert.ok(Math.abs(b2 - r2) < 10, `no line expected, got r=${r2} b=${b2}`);
  });
});
