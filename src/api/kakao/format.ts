/**
 * Kakao Pose API response shapes (COCO format): one object per person with COCO-17 keypoints,
 * plus the fixed `categories` block that video results carry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../runtime/models.js';
import { COCO_KEYPOINTS, type Person } from '../../types.js';
import { pointsBox } from '../../vision/box.js';
import type { PoseJobView, StoredVideoResult } from '../../video/jobs.js';
import { round } from '../round.js';

/** Points at or above this confidence count as "detected" for the person's bbox. */
export const KAKAO_BBOX_MIN_SCORE = 0.2;

export interface KakaoPerson {
  area: number;
  /** [x, y, w, h]: the tight box around the detected keypoints. */
  bbox: [number, number, number, number];
  category_id: 1;
  /** [x1, y1, s1, ..., x17, y17, s17] in COCO order, original pixels. */
  keypoints: number[];
  score: number;
}

/**
 * Kakao's bbox spans the detected keypoints (not the body outline) and `area` is its w × h.
 * Falls back to every point when none reaches the threshold, so the box is never empty.
 */
export function toKakaoPerson(person: Person): KakaoPerson {
  const points = COCO_KEYPOINTS.map((name) => person.keypoints[name]);
  const detected = points.filter((p) => p.score >= KAKAO_BBOX_MIN_SCORE);
  const span = detected.length > 0 ? detected : points;
  const { left: x, top: y, width: w, height: h } = pointsBox(span);
  return {
    area: round(w * h, 4),
    bbox: [round(x, 4), round(y, 4), round(w, 4), round(h, 4)],
    category_id: 1,
    keypoints: points.flatMap((p) => [round(p.x, 4), round(p.y, 4), round(p.score, 4)]),
    score: round(person.score, 4),
  };
}

/** 1-based COCO keypoint pairs, exactly as Kakao lists them. */
export const KAKAO_SKELETON: ReadonlyArray<readonly [number, number]> = [
  [1, 2], [1, 3], [2, 3], [2, 4], [3, 5], [4, 6], [5, 7], [6, 7], [6, 8], [6, 12], [7, 9],
  [7, 13], [8, 10], [9, 11], [12, 13], [14, 12], [15, 13], [16, 14], [17, 15],
];

export const KAKAO_CATEGORIES = [
  {
    id: 1,
    keypoints: [...COCO_KEYPOINTS],
    name: 'person',
    skeleton: KAKAO_SKELETON.map(([a, b]) => [a, b]),
    supercategory: 'person',
  },
];

let packageInfo: { version: string; homepage: string } | undefined;

function bodylensPackage(): { version: string; homepage: string } {
  if (!packageInfo) {
    const pj = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string; homepage?: string };
    packageInfo = { version: pj.version ?? '', homepage: pj.homepage ?? '' };
  }
  return packageInfo;
}

/** The `info` block of a video result: who produced it and when (Kakao puts its own there). */
export function kakaoVideoInfo(createdAt: Date) {
  const { version, homepage } = bodylensPackage();
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    contributor: 'bodylens',
    date_created: `${createdAt.getUTCFullYear()}/${pad(createdAt.getUTCMonth() + 1)}/${pad(createdAt.getUTCDate())}`,
    description: 'Human pose estimation result from bodylens',
    name: 'bodylens',
    url: homepage,
    version,
    year: createdAt.getUTCFullYear(),
  };
}

/** Kakao's annotations of a neutral video result: one entry per analysed frame. */
export function kakaoAnnotations(result: StoredVideoResult) {
  if (result.version === undefined) return result.annotations;
  return result.frames.map((f) => ({ frame_num: f.frame_num, objects: f.persons.map((t) => toKakaoPerson(t.person)) }));
}

/** A video analysis in Kakao's result format (what the CLI prints). */
export function kakaoVideoResult(result: StoredVideoResult, createdAt: Date) {
  return {
    annotations: kakaoAnnotations(result),
    categories: KAKAO_CATEGORIES,
    info: kakaoVideoInfo(createdAt),
    video: result.video,
  };
}

/** A finished video job as `GET /pose/job/{id}` returns it on success (keys in Kakao's order). */
export function kakaoVideoSuccess(jobId: string, result: StoredVideoResult, createdAt: Date) {
  const { annotations, categories, info, video } = kakaoVideoResult(result, createdAt);
  return { annotations, categories, info, job_id: jobId, status: 'success' as const, video };
}

/** `GET /pose/job/{id}` in Kakao's shape (keys in Kakao's order), plus `progress` while processing. */
export function kakaoJobView(view: PoseJobView): object {
  switch (view.status) {
    case 'not found':
    case 'waiting':
      return { job_id: view.job_id, status: view.status };
    case 'processing':
      return { job_id: view.job_id, progress: Math.round(view.progress * 1000) / 1000, status: 'processing' };
    case 'failed':
      return { description: view.description, job_id: view.job_id, status: 'failed' };
    case 'success':
      return kakaoVideoSuccess(view.job_id, view.result, view.createdAt);
  }
}
