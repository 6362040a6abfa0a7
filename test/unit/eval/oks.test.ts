import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BODY21_KEYPOINTS, type Body21KeypointName, type Person } from '../../../src/types.js';
import { POSE_SETS, parsePoseSet, personToDetection, toBody21Name } from '../../../eval/datasets.js';
import {
  COCO_SIGMAS, OKS_THRESHOLDS, RECALL_THRESHOLDS, evaluateImage, evaluateKeypoints, oks,
  type Detection, type GroundTruth, type ImageSample,
} from '../../../eval/oks.js';
import { checkFloors, main } from '../../../eval/run.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

/** A standing-person-ish COCO-17 GT at (x, y), all keypoints labelled. */
function person(x: number, y: number, area = 10000): GroundTruth {
  const keypoints: number[] = [];
  for (let i = 0; i < 17; i++) keypoints.push(x + (i % 2 ? 10 : -10), y + i * 12, 2);
  return { keypoints, bbox: [x - 30, y - 10, 60, 220], area, numKeypoints: 17 };
}

function asDetection(gt: GroundTruth, score: number, shift: (i: number) => [number, number] = () => [0, 0]): Detection {
  const keypoints: number[] = [];
  for (let i = 0; i < gt.keypoints.length / 3; i++) {
    const [dx, dy] = shift(i);
    keypoints.push(gt.keypoints[3 * i] + dx, gt.keypoints[3 * i + 1] + dy, 1);
  }
  return { keypoints, score };
}

/** Shift every keypoint so that each OKS term, hence the OKS, equals `target`. */
function shiftForOks(gt: GroundTruth, sigmas: readonly number[], target: number) {
  return (i: number): [number, number] => [2 * sigmas[i] * Math.sqrt(2 * gt.area * Math.log(1 / target)), 0];
}

const P = { sigmas: COCO_SIGMAS, maxDets: 20 };

describe('thresholds', () => {
  it('match cocoeval: 10 OKS thresholds .50:.95 and 101 recall points', () => {
    assert.equal(OKS_THRESHOLDS.length, 10);
    assert.equal(OKS_THRESHOLDS[0], 0.5);
    assert.equal(OKS_THRESHOLDS[9], 0.95);
    close(OKS_THRESHOLDS[5], 0.75);
    assert.equal(RECALL_THRESHOLDS.length, 101);
    assert.equal(RECALL_THRESHOLDS[100], 1);
  });
});

describe('oks', () => {
  it('is 1 for a perfect detection', () => {
    const gt = person(100, 50);
    close(oks(gt, asDetection(gt, 1).keypoints, COCO_SIGMAS), 1);
  });

  it('matches a hand-computed value and skips unlabelled points', () => {
    // σ = .1, .2, .05; area 100; point 1 unlabelled (far off, must not count).
    const gt: GroundTruth = { keypoints: [0, 0, 2, 50, 50, 0, 10, 10, 1], bbox: [0, 0, 10, 10], area: 100 };
    const dt = [3, 4, 1, 999, 999, 1, 11, 10, 1];
    // point 0: d²=25, (2σ)²=.04 → e = 25/.04/100/2 = 3.125; point 2: d²=1, (2σ)²=.01 → e = .5
    close(oks(gt, dt, [0.1, 0.2, 0.05]), (Math.exp(-3.125) + Math.exp(-0.5)) / 2);
    close(oks(gt, dt, [0.1, 0.2, 0.05]), 0.3252338, 1e-7); // (0.0439369 + 0.6065307) / 2
  });

  it('uses the doubled-bbox ignore region for GT without labelled keypoints', () => {
    const gt: GroundTruth = { keypoints: [0, 0, 0, 0, 0, 0], bbox: [10, 10, 10, 10], area: 100, numKeypoints: 0 };
    // Region is x,y ∈ [0, 30]: anything inside costs nothing.
    close(oks(gt, [0, 0, 1, 30, 30, 1], [0.1, 0.1]), 1);
    // 3 px right of the region on one point: e = 9/.04/100/2 = 1.125, averaged over both points.
    close(oks(gt, [33, 5, 1, 5, 5, 1], [0.1, 0.1]), (Math.exp(-1.125) + 1) / 2);
  });
});

describe('evaluateKeypoints', () => {
  it('scores ground truth as predictions AP = AR = 1', () => {
    const images: ImageSample[] = [
      { imageId: 1, gts: [person(100, 50), person(300, 60)], dts: [] },
      { imageId: 2, gts: [person(200, 40, 5000)], dts: [] },
    ];
    for (const im of images) im.gts.forEach((g, i) => (im.dts as Detection[]).push(asDetection(g, 0.9 - i * 0.1)));
    const r = evaluateKeypoints(images, P);
    assert.equal(r.numGt, 3);
    close(r.AP, 1); close(r.AP50, 1); close(r.AP75, 1); close(r.AR, 1);
  });

  it('drops AP by the thresholds a known jitter fails', () => {
    const gt = person(100, 50);
    // Every keypoint shifted so that OKS = 0.72: matched at .50–.70 (5 of 10 thresholds).
    const dt = asDetection(gt, 0.9, shiftForOks(gt, COCO_SIGMAS, 0.72));
    const r = evaluateKeypoints([{ imageId: 1, gts: [gt], dts: [dt] }], P);
    close(r.images[0].oks[0][0], 0.72);
    close(r.AP, 0.5); close(r.AP50, 1); close(r.AP75, 0); close(r.AR, 0.5);
    // A smaller jitter (OKS 0.93) passes .50–.90: 9 of 10.
    const dt2 = asDetection(gt, 0.9, shiftForOks(gt, COCO_SIGMAS, 0.93));
    close(evaluateKeypoints([{ imageId: 1, gts: [gt], dts: [dt2] }], P).AP, 0.9);
  });

  it('hand case: two points, OKS (1 + e^-.5)/2 ≈ .803 → 7 of 10 thresholds', () => {
    const gt: GroundTruth = { keypoints: [0, 0, 2, 10, 10, 2, 70, 70, 0], bbox: [0, 0, 10, 10], area: 100 };
    const dt: Detection = { keypoints: [0, 0, 1, 11, 10, 1, 0, 0, 1], score: 0.5 };
    const r = evaluateKeypoints([{ imageId: 7, gts: [gt], dts: [dt] }], { sigmas: [0.1, 0.05, 0.1] });
    close(r.images[0].oks[0][0], (1 + Math.exp(-0.5)) / 2);
    close(r.AP, 0.7); close(r.AR, 0.7); close(r.AP50, 1); close(r.AP75, 1);
  });

  it('a missing detection halves recall and cuts the PR curve at 0.5', () => {
    const a = person(100, 50);
    const b = person(300, 50);
    const r = evaluateKeypoints([{ imageId: 1, gts: [a, b], dts: [asDetection(a, 0.8)] }], P);
    close(r.AR, 0.5);
    // Precision 1 at recall points 0, .01, …, .50 (51 of 101), 0 beyond.
    close(r.AP, 51 / 101);
    assert.deepEqual(r.recall, new Array(10).fill(0.5));
  });

  it('counts a duplicate detection as a false positive', () => {
    const a = person(100, 50);
    const b = person(300, 50);
    const one = evaluateImage({ imageId: 1, gts: [a], dts: [asDetection(a, 0.9), asDetection(a, 0.8)] }, P);
    assert.ok(one);
    assert.deepEqual(one.dtMatch[0], [0, -1]);
    assert.deepEqual(one.dtIgnore[0], [false, false]);
    // Ranked 0.9 TP, 0.8 FP (duplicate), 0.5 TP: precision 1, .5, .667 → envelope 1, .667, .667.
    const r = evaluateKeypoints([
      { imageId: 1, gts: [a], dts: [asDetection(a, 0.5)] },
      { imageId: 2, gts: [b], dts: [asDetection(b, 0.9), asDetection(b, 0.8)] },
    ], P);
    close(r.AP, (51 * 1 + 50 * (2 / 3)) / 101, 1e-9);
    close(r.AR, 1);
  });

  it('lets the higher-scored detection take the GT first (greedy, not optimal)', () => {
    const a = person(100, 50);
    const loose = asDetection(a, 0.9, shiftForOks(a, COCO_SIGMAS, 0.6));
    const tight = asDetection(a, 0.8);
    const e = evaluateImage({ imageId: 1, gts: [a], dts: [tight, loose] }, P)!;
    // At .50 the loose (higher score) one wins and the exact one is a FP; above .60 the reverse.
    assert.deepEqual(e.dtMatch[0], [0, -1]);
    assert.deepEqual(e.dtMatch[4], [-1, 0]);
  });

  it('ignores GT without labelled keypoints and detections that match them', () => {
    const a = person(100, 50);
    const empty: GroundTruth = { keypoints: new Array(51).fill(0), bbox: [400, 40, 40, 200], area: 8000, numKeypoints: 0 };
    const onEmpty: Detection = { keypoints: asDetection(person(420, 60), 0).keypoints, score: 0.95 };
    const r = evaluateKeypoints([{ imageId: 1, gts: [empty, a], dts: [onEmpty, asDetection(a, 0.5)] }], P);
    assert.equal(r.numGt, 1);
    assert.deepEqual(r.images[0].gtOrder, [1, 0]); // ignored GT sorted last
    assert.deepEqual(r.images[0].dtIgnore[0], [true, false]);
    close(r.AP, 1); close(r.AR, 1);
    // The same stray detection with no ignore region to land in is a false positive.
    const r2 = evaluateKeypoints([{ imageId: 1, gts: [a], dts: [onEmpty, asDetection(a, 0.5)] }], P);
    close(r2.AP, (51 * 0.5 + 50 * 0.5) / 101, 1e-9);
  });

  it('treats crowd GT as ignore regions that absorb any number of detections', () => {
    const a = person(100, 50);
    const crowd: GroundTruth = { ...person(300, 50), iscrowd: true };
    const dts = [asDetection(crowd, 0.99), asDetection(crowd, 0.98), asDetection(a, 0.5)];
    const r = evaluateKeypoints([{ imageId: 1, gts: [crowd, a], dts }], P);
    assert.equal(r.numGt, 1);
    assert.deepEqual(r.images[0].dtIgnore[0], [true, true, false]);
    close(r.AP, 1);
  });

  it('keeps only the 20 highest-scored detections per image', () => {
    const a = person(100, 50);
    const junk = Array.from({ length: 20 }, (_, i) => asDetection(person(1000 + i * 100, 50), 0.9 - i * 0.001));
    const r = evaluateKeypoints([{ imageId: 1, gts: [a], dts: [...junk, asDetection(a, 0.1)] }], P);
    assert.equal(r.numDt, 20);
    close(r.AR, 0);
    close(evaluateKeypoints([{ imageId: 1, gts: [a], dts: [...junk, asDetection(a, 0.1)] }], { ...P, maxDets: 21 }).AR, 1);
  });

  it('reports -1 when nothing is scorable, as cocoeval does', () => {
    const empty: GroundTruth = { keypoints: new Array(51).fill(0), bbox: [0, 0, 10, 10], area: 100, numKeypoints: 0 };
    const r = evaluateKeypoints([{ imageId: 1, gts: [empty], dts: [] }], P);
    assert.equal(r.AP, -1);
    assert.equal(r.AR, -1);
  });
});

describe('datasets', () => {
  it('maps CrowdPose and AIC names onto our keypoints', () => {
    assert.equal(toBody21Name('head'), 'top_head');
    assert.equal(toBody21Name('Head top'), 'top_head');
    assert.equal(toBody21Name('Neck'), 'neck');
    assert.equal(toBody21Name('Right Shoulder'), 'right_shoulder');
    assert.equal(toBody21Name('left_ankle'), 'left_ankle');
    assert.throws(() => toBody21Name('pelvis'));
  });

  it('orders a Person in the set order and uses bbox·0.53 for CrowdPose scale', () => {
    const names = ['left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
      'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle', 'head', 'neck'];
    const set = parsePoseSet({
      categories: [{ id: 1, name: 'person', keypoints: names }],
      images: [{ id: 5, file_name: 'a.jpg', width: 100, height: 100 }],
      annotations: [{ image_id: 5, category_id: 1, keypoints: new Array(42).fill(1), bbox: [0, 0, 10, 20], num_keypoints: 14, iscrowd: 0 }],
    }, POSE_SETS.crowdpose, '/nowhere');
    close(set.images[0].gts[0].area, 10 * 20 * 0.53);
    assert.equal(set.personsScored, 1);
    const keypoints = Object.fromEntries(BODY21_KEYPOINTS.map((n, i) => [n, { x: i, y: 100 + i, score: 0.5 }])) as Person['keypoints'];
    const p: Person = { box: { left: 0, top: 0, width: 1, height: 1 }, score: 0.8, keypoints };
    const d = personToDetection(p, set.mapping);
    const idx = (n: Body21KeypointName) => BODY21_KEYPOINTS.indexOf(n);
    assert.equal(d.keypoints[12 * 3], idx('top_head'));
    assert.equal(d.keypoints[13 * 3 + 1], 100 + idx('neck'));
    assert.equal(d.keypoints[0], idx('left_shoulder'));
    assert.equal(d.score, 0.8);
    close(personToDetection(p, set.mapping, 'product').score, 0.4);
  });
});

describe('eval runner', () => {
  it('checks floors per set', () => {
    const scores = [{ key: 'pose/coco', metric: 'AP', value: 0.4 }, { key: 'pose/aic', metric: 'AP', value: 0.2 }];
    const r = checkFloors(scores, { 'pose/coco': 0.3, 'pose/aic': 0.25, 'pose/crowdpose': 0.1 });
    assert.equal(r.ok, false);
    assert.deepEqual(r.failures.map((f) => f.key), ['pose/aic']);
    assert.deepEqual(r.checked, ['pose/coco', 'pose/aic']);
  });

  it('says so and exits 0 when the eval data is absent, with or without --check', async () => {
    for (const argv of [[], ['--check']]) {
      const lines: string[] = [];
      const code = await main(argv, {
        evalRoot: '/nonexistent/shared/eval',
        out: (l) => lines.push(l),
        createEngine: () => { throw new Error('must not start the engine'); },
      });
      assert.equal(code, 0);
      assert.equal(lines.length, 1);
      const line = JSON.parse(lines[0]);
      assert.equal(line.eval, 'skipped');
      if (argv.length) assert.equal(line.check, 'skipped');
    }
  });
});
