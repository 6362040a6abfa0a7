/**
 * The Kakao route, measured end to end: the real service on a loopback port, each COCO image
 * uploaded to `POST /pose` as Kakao's samples do, the answer scored with the same OKS AP as the
 * in-process pose suite. It also runs the in-process analysis on the same images, so the line
 * shows whether the dialect layer (HTTP, multipart, Kakao formatting and rounding) changes
 * accuracy: `parity` = 1 − |AP(route) − AP(in-process)| has a floor of 0.99.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { COCO_KEYPOINTS } from '../src/types.js';
import { POSE_SETS, loadPoseSet, personToDetection } from './datasets.js';
import { evaluateKeypoints, type Detection, type ImageSample } from './oks.js';
import { round, type EvalSuite, type Score } from './suite.js';

const KEY = 'evalKakaoKey0123456789ab';

export const kakaoSuite: EvalSuite = {
  name: 'kakao',
  sets: ['coco'],
  async run(ctx) {
    const spec = POSE_SETS.coco;
    if (!existsSync(join(ctx.evalRoot, spec.dir, spec.annotationFile))) {
      ctx.emit({ eval: 'kakao_pose', set: 'coco', skipped: true, reason: `no ${spec.dir}/${spec.annotationFile}` });
      return [];
    }
    const data = await loadPoseSet(ctx.evalRoot, 'coco');
    if (data.mapping.join() !== COCO_KEYPOINTS.join()) throw new Error('the COCO set is expected in COCO-17 order');

    const dataDir = mkdtempSync(join(tmpdir(), 'bodylens-eval-kakao-'));
    const server = await startServer(loadConfig({
      PORT: '0', HOST: '127.0.0.1', BODYLENS_DATA_DIR: dataDir, BODYLENS_WORKERS: '1', BODYLENS_LOG_LEVEL: 'warn',
      BODYLENS_API_KEY: KEY, BODYLENS_SECRET_KEY: 'evalKakaoSecret0123456789abcdefg',
    }));
    const viaRoute: ImageSample[] = [];
    const inProcess: ImageSample[] = [];
    let ms = 0;
    let errors = 0;
    try {
      await server.engine.ready;
      for (const image of data.images) {
        const bytes = await readFile(image.path);
        const body = new FormData();
        body.append('file', new Blob([new Uint8Array(bytes)]), 'image.jpg');
        const start = performance.now();
        const res = await fetch(`${server.address}/pose`, { method: 'POST', headers: { authorization: `KakaoAK ${KEY}` }, body });
        const persons = (await res.json()) as Array<{ keypoints: number[]; score: number }>;
        ms += performance.now() - start;
        if (res.status !== 200) errors++;
        const dts: Detection[] = res.status === 200 ? persons.map((p) => ({ keypoints: p.keypoints, score: p.score })) : [];
        viaRoute.push({ imageId: image.id, gts: image.gts, dts });
        const local = await ctx.bodyAnalysis(image.path).catch(() => undefined);
        // Ranked by person score like the route's answers, whatever --score says, so parity measures the dialect only.
        const localDts = (local?.persons ?? []).map((p) => personToDetection(p, data.mapping, 'person'));
        inProcess.push({ imageId: image.id, gts: image.gts, dts: localDts });
      }
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const route = evaluateKeypoints(viaRoute, { sigmas: spec.sigmas, maxDets: 20 });
    const local = evaluateKeypoints(inProcess, { sigmas: spec.sigmas, maxDets: 20 });
    const parity = 1 - Math.abs(route.AP - local.AP);
    ctx.emit({
      eval: 'kakao_pose',
      set: 'coco',
      images: data.images.length,
      AP: round(route.AP, 4),
      AP50: round(route.AP50, 4),
      AR: round(route.AR, 4),
      AP_in_process: round(local.AP, 4),
      parity: round(parity, 4),
      ms_per_image_http: round(data.images.length ? ms / data.images.length : 0, 1),
      ...(errors ? { errors } : {}),
    });
    const scores: Score[] = [
      { key: 'kakao/coco', metric: 'AP', value: route.AP },
      { key: 'kakao/coco_parity', metric: 'parity', value: parity },
    ];
    return scores;
  },
};
