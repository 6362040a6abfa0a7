/**
 * Kakao Pose API response shapes (COCO format): one object per person with COCO-17 keypoints,
 * plus the fixed `categories` block that video results carry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../runtime/models.js';
import { COCO_KEYPOINTS, type Box, type Person } from '../../types.js';
import { clampBox, pointsBox } from '../../vision/box.js';
import type { PoseJobView, StoredVideoResult } from '../../video/jobs.js';
import { round } from '../round.js';

/** Points at or above this confidence count as "detected" for the person's bbox. */
export const KAKAO_BBOX_MIN_SCORE = 0.2;

export interface KakaoPerson {
  area: number;
  /** [x, y, w, h]: images, the keypoint extent plus one pixel; videos, the person box in the frame. */
  bbox: [number, number, number, number];
  category_id: 1;
  /** [x1, y1, s1, ..., x17, y17, s17] in COCO order, original pixels. */
  keypoints: number[];
  score: number;
}

function kakaoPerson(box: Box, keypoints: number[], score: number): KakaoPerson {
  const { left: x, top: y, width: w, height: h } = box;
  return {
    area: round(w * h, 4),
    bbox: [round(x, 4), round(y, 4), round(w, 4), round(h, 4)],
    category_id: 1,
    keypoints,
    score: round(score, 4),
  };
}

/**
 * A person of `POST /pose`. Kakao's image example boxes the keypoints, one pixel wider and
 * taller than their extent (its bbox is x0, y0, x1 - x0 + 1, y1 - y0 + 1), and `area` is w × h.
 * The extent covers the detected points (score ≥ 0.2), or every point when none is.
 */
export function toKakaoPerson(person: Person): KakaoPerson {
  const points = COCO_KEYPOINTS.map((name) => person.keypoints[name]);
  const detected = points.filter((p) => p.score >= KAKAO_BBOX_MIN_SCORE);
  const extent = pointsBox(detected.length > 0 ? detected : points);
  const box = { ...extent, width: extent.width + 1, height: extent.height + 1 };
  return kakaoPerson(box, points.flatMap((p) => [round(p.x, 4), round(p.y, 4), round(p.score, 4)]), person.score);
}

/**
 * A person of a video frame. Kakao's video example differs from its image one: the bbox is the
 * person's box (wider than the keypoints), clamped to the frame, and a keypoint the model did not
 * see (score < 0.2) is written 0, 0, 0.
 */
export function toKakaoVideoPerson(person: Person, frame: { width: number; height: number }): KakaoPerson {
  const points = COCO_KEYPOINTS.map((name) => person.keypoints[name]);
  const keypoints = points.flatMap((p) => (p.score < KAKAO_BBOX_MIN_SCORE ? [0, 0, 0] : [round(p.x, 4), round(p.y, 4), round(p.score, 4)]));
  return kakaoPerson(clampBox(person.box, frame), keypoints, person.score);
}

/** A Kakao `bbox` [x, y, w, h] as a Box (what the Kakao renders draw). */
export function kakaoBox(bbox: KakaoPerson['bbox']): Box {
  return { left: bbox[0], top: bbox[1], width: bbox[2], height: bbox[3] };
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
  return result.frames.map((f) => ({ frame_num: f.frame_num, objects: f.persons.map((t) => toKakaoVideoPerson(t.person, result.video)) }));
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
