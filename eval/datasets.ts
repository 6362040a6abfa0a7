/**
 * Pose evaluation sets (COCO-17, CrowdPose-14, AI Challenger-14, all in COCO json layout) and the
 * mapping from our 21 Baidu keypoints to each set's keypoint order.
 * Left/right are the person's own in our types and in all three sets.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BODY21_KEYPOINTS, type Body21KeypointName, type Person } from '../src/types.js';
import { AIC_SIGMAS, COCO_SIGMAS, CROWDPOSE_SIGMAS, areaFromBbox, type BboxXywh, type Detection, type GroundTruth } from './oks.js';

export type PoseSetName = 'coco' | 'crowdpose' | 'aic' | 'coco-mini' | 'studio-single';
export const POSE_SET_NAMES: readonly PoseSetName[] = ['coco', 'crowdpose', 'aic', 'coco-mini', 'studio-single'];

/** How the OKS scale s² is obtained for a set's ground truth. */
export type AreaConvention =
  /** The annotation's `area` (segment area, COCO); w·h·0.53 if an annotation lacks it. */
  | { kind: 'annotation' }
  /** bbox w·h·factor, ignoring any `area` field. */
  | { kind: 'bbox'; factor: number };

export interface PoseSetSpec {
  name: PoseSetName;
  /** Folder under the eval root. */
  dir: string;
  annotationFile: string;
  sigmas: readonly number[];
  area: AreaConvention;
}

export const POSE_SETS: Record<PoseSetName, PoseSetSpec> = {
  coco: { name: 'coco', dir: 'pose/coco', annotationFile: 'test_coco.json', sigmas: COCO_SIGMAS, area: { kind: 'annotation' } },
  // crowdposetools' cocoeval uses bbox w·h·0.53 for both OKS and area ranges.
  crowdpose: { name: 'crowdpose', dir: 'pose/crowdpose', annotationFile: 'test_crowdpose.json', sigmas: CROWDPOSE_SIGMAS, area: { kind: 'bbox', factor: 0.53 } },
  // COCO-style AP on AIC as mmpose reports it (xtcocotools use_area=False → w·h·0.53); the 2017
  // challenger scorer used w·h+1 with a different, non-PR score (see docs/eval.md).
  aic: { name: 'aic', dir: 'pose/aic', annotationFile: 'test_aic.json', sigmas: AIC_SIGMAS, area: { kind: 'bbox', factor: 0.53 } },
  // Everyday COCO train2017 scenes, mostly small people: the main multi-person set.
  'coco-mini': { name: 'coco-mini', dir: 'pose/coco-mini', annotationFile: 'annotations.json', sigmas: COCO_SIGMAS, area: { kind: 'annotation' } },
  // One person per studio/fashion photo, COCO-17 with every point marked visible.
  'studio-single': { name: 'studio-single', dir: 'pose/studio-single', annotationFile: 'annotations.json', sigmas: COCO_SIGMAS, area: { kind: 'annotation' } },
};

/** Which number ranks detections for AP. */
export type ScoreMode =
  /** person.score (default): the detector's person confidence. */
  | 'person'
  /** Mean of the mapped keypoints' scores. */
  | 'keypoints'
  /** person.score × mean mapped keypoint score (the usual top-down rescoring). */
  | 'product';
export const SCORE_MODES: readonly ScoreMode[] = ['person', 'keypoints', 'product'];

const ALIASES: Record<string, Body21KeypointName> = {
  head: 'top_head', // CrowdPose: top of the head
  head_top: 'top_head', // AI Challenger "Head top"
};

/** Map a dataset keypoint name ("Right Shoulder", "head", "left_ankle") to our name. */
export function toBody21Name(datasetName: string): Body21KeypointName {
  const norm = datasetName.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const name = ALIASES[norm] ?? norm;
  if (!(BODY21_KEYPOINTS as readonly string[]).includes(name)) {
    throw new Error(`keypoint "${datasetName}" has no counterpart among our 21 keypoints`);
  }
  return name as Body21KeypointName;
}

export interface PoseImage {
  id: number;
  fileName: string;
  path: string;
  width: number;
  height: number;
  gts: GroundTruth[];
}

export interface PoseSet {
  spec: PoseSetSpec;
  /** The set's keypoint names, in its order. */
  keypointNames: string[];
  /** Our keypoint for each of the set's keypoints. */
  mapping: Body21KeypointName[];
  images: PoseImage[];
  /** All person annotations, including ones that the metric ignores. */
  personsGt: number;
  /** Annotations the metric scores (labelled keypoints, not crowd). */
  personsScored: number;
}

interface CocoJson {
  categories: Array<{ id: number; name: string; keypoints?: string[] }>;
  images: Array<{ id: number; file_name: string; width: number; height: number }>;
  annotations: Array<{
    image_id: number;
    category_id?: number;
    keypoints: number[];
    bbox: number[];
    area?: number;
    iscrowd?: number | boolean;
    num_keypoints?: number;
  }>;
}

export function gtArea(ann: { bbox: number[]; area?: number }, convention: AreaConvention): number {
  const bbox = ann.bbox as unknown as BboxXywh;
  if (convention.kind === 'annotation') return typeof ann.area === 'number' ? ann.area : areaFromBbox(bbox, 0.53);
  return areaFromBbox(bbox, convention.factor);
}

/** Parse a COCO-layout keypoint annotation file for one of the sets. */
export function parsePoseSet(json: CocoJson, spec: PoseSetSpec, dir: string): PoseSet {
  const category = json.categories.find((c) => c.name === 'person' && c.keypoints) ?? json.categories.find((c) => c.keypoints);
  if (!category?.keypoints) throw new Error(`${spec.name}: no keypoint category`);
  const keypointNames = category.keypoints;
  if (keypointNames.length !== spec.sigmas.length) {
    throw new Error(`${spec.name}: ${keypointNames.length} keypoints but ${spec.sigmas.length} sigmas`);
  }
  const mapping = keypointNames.map(toBody21Name);
  const byImage = new Map<number, GroundTruth[]>();
  let personsGt = 0;
  let personsScored = 0;
  for (const ann of json.annotations) {
    if (ann.category_id !== undefined && ann.category_id !== category.id) continue;
    if (ann.keypoints.length !== keypointNames.length * 3) throw new Error(`${spec.name}: annotation with wrong keypoint count`);
    const gt: GroundTruth = {
      keypoints: ann.keypoints,
      bbox: ann.bbox as unknown as BboxXywh,
      area: gtArea(ann, spec.area),
      iscrowd: Boolean(ann.iscrowd),
      numKeypoints: ann.num_keypoints,
    };
    personsGt++;
    const labelled = gt.numKeypoints ?? ann.keypoints.filter((_, i) => i % 3 === 2 && ann.keypoints[i] > 0).length;
    if (!gt.iscrowd && labelled > 0) personsScored++;
    const list = byImage.get(ann.image_id) ?? [];
    list.push(gt);
    byImage.set(ann.image_id, list);
  }
  const images = json.images.map((im) => ({
    id: im.id,
    fileName: im.file_name,
    path: join(dir, im.file_name),
    width: im.width,
    height: im.height,
    gts: byImage.get(im.id) ?? [],
  }));
  return { spec, keypointNames, mapping, images, personsGt, personsScored };
}

/** Load one set from `<evalRoot>/<spec.dir>`. */
export async function loadPoseSet(evalRoot: string, name: PoseSetName): Promise<PoseSet> {
  const spec = POSE_SETS[name];
  const dir = join(evalRoot, spec.dir);
  const json = JSON.parse(await readFile(join(dir, spec.annotationFile), 'utf8')) as CocoJson;
  return parsePoseSet(json, spec, dir);
}

/** One of our persons as a detection in the set's keypoint order. */
export function personToDetection(person: Person, mapping: readonly Body21KeypointName[], mode: ScoreMode = 'person'): Detection {
  const keypoints: number[] = [];
  let kpSum = 0;
  for (const name of mapping) {
    const kp = person.keypoints[name];
    keypoints.push(kp.x, kp.y, kp.score);
    kpSum += kp.score;
  }
  const kpMean = mapping.length ? kpSum / mapping.length : 0;
  const score = mode === 'person' ? person.score : mode === 'keypoints' ? kpMean : person.score * kpMean;
  return { keypoints, score };
}
