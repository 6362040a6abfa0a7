/**
 * Keypoint evidence: orientation (which way the shoulders are ordered and whether the face is
 * seen), truncation (the box reaching an image edge where the joints beyond it are unseen),
 * occlusion (joints inside the frame but unseen, and other people in front), normal-body check
 * (shoulders and hips both visible) and action (knee angles, hip height, stride).
 */
import type { Box } from '../../types.js';
import { boxCoverage, boxIou } from '../box.js';
import { KP, dist, score, seen, type PersonView, type Skeleton } from './regions.js';
import { clamp01, normalise, sigmoid } from './probability.js';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const maxOf = (v: PersonView, idx: number[]) => Math.max(0, ...idx.map((i) => score(v, i)));

export interface PostureEvidence {
  orientation: Record<string, number>;
  /** Probability the face is toward the camera (face keypoints seen). */
  faceSeen: number;
  upperCut: number;
  lowerCut: number;
  sideCut: number;
  occlusion: Record<string, number>;
  isHuman: number;
  action: Record<string, number>;
  /** How visible the legs are (0..1): lower garment answers lean on it. */
  legsVisible: number;
  /** How visible the head is (0..1). */
  headVisible: number;
}

/**
 * How much a box side touches an image edge: 1 on the edge, 0 from a gap of 3 % of the image
 * or 8 % of the box side (whichever is larger; detector boxes stop short of cut-off limbs).
 */
const touches = (gap: number, imageSide: number, boxSide: number) => clamp01(1 - gap / Math.max(2, imageSide * 0.03, boxSide * 0.08));

export function postureEvidence(v: PersonView, s: Skeleton, others: readonly Box[] = []): PostureEvidence {
  const { box, image } = v;
  const face = mean([KP.nose, KP.leftEye, KP.rightEye].map((i) => score(v, i)));
  const ears = maxOf(v, [KP.leftEar, KP.rightEar]);
  const headVisible = Math.max(face, ears, v.keypoints ? 0 : 0.5);
  const faceSeen = v.keypoints ? clamp01((face - 0.2) / 0.4) : 0.5;

  // Orientation: the person's left shoulder on the image's right = facing the camera.
  let orientation: Record<string, number>;
  if (!v.keypoints) orientation = { 正面: 0.4, 背面: 0.3, 左侧面: 0.15, 右侧面: 0.15 };
  else {
    const [ls, rs] = s.shoulders;
    const width = (ls.x - rs.x) / s.torso; // > 0 facing the camera, < 0 facing away
    const side = sigmoid((0.38 - Math.abs(width)) / 0.08);
    const nose = seen(v, KP.nose);
    const mx = (ls.x + rs.x) / 2;
    // Facing the image's left shows the person's left side (左侧面).
    const towardLeft = nose ? sigmoid(((mx - nose.x) / s.torso) / 0.08) : sigmoid((score(v, KP.leftEar) - score(v, KP.rightEar)) / 0.15);
    const frontal = sigmoid(width / 0.12) * 0.5 + faceSeen * 0.5;
    orientation = normalise({
      正面: (1 - side) * frontal,
      背面: (1 - side) * (1 - frontal),
      左侧面: side * towardLeft,
      右侧面: side * (1 - towardLeft),
    });
  }

  // Truncation: touching an edge, and the joints that would lie beyond it unseen.
  const top = touches(box.top, image.height, box.height), bottom = touches(image.height - (box.top + box.height), image.height, box.height);
  const left = touches(box.left, image.width, box.width), right = touches(image.width - (box.left + box.width), image.width, box.width);
  const headScore = v.keypoints ? Math.max(face, ears) : 0.5;
  const ankles = v.keypoints ? maxOf(v, [KP.leftAnkle, KP.rightAnkle]) : 0.5;
  const upperCut = clamp01(0.03 + 0.94 * top * (1 - headScore));
  const lowerCut = clamp01(0.03 + 0.94 * bottom * (1 - ankles));
  const sideScore = v.keypoints
    ? Math.min(...[[KP.leftShoulder, KP.rightShoulder], [KP.leftHip, KP.rightHip]].map((p) => Math.min(score(v, p[0]), score(v, p[1]))))
    : 0.5;
  const sideCut = clamp01(0.03 + 0.94 * Math.max(left, right) * (1 - Math.min(1, sideScore * 1.4)));

  // Occlusion: unseen joints among those that should be in the frame, plus people in front.
  let hidden = 0.3;
  if (v.keypoints) {
    const expected = v.keypoints.map((k, i) => ({ k, i })).filter(({ i }) => {
      if (i <= KP.rightEar) return upperCut < 0.5;
      if (i >= KP.leftKnee) return lowerCut < 0.5;
      return true;
    });
    hidden = expected.length ? expected.filter(({ k }) => k.score < 0.3).length / expected.length : 0;
  }
  const bottomEdge = box.top + box.height;
  const inFront = Math.max(0, ...others.filter((o) => o.top + o.height > bottomEdge && boxIou(o, box) < 0.9).map((o) => boxCoverage(box, o)));
  const occluded = clamp01(hidden + 0.6 * inFront);
  const occlusion = normalise({
    无遮挡: sigmoid((0.18 - occluded) / 0.07),
    轻度遮挡: Math.exp(-(((occluded - 0.33) / 0.14) ** 2)),
    重度遮挡: sigmoid((occluded - 0.5) / 0.08),
  });

  // Normal body: shoulders and hips (the navel) visible.
  const torsoSeen = v.keypoints
    ? Math.min(maxOf(v, [KP.leftShoulder, KP.rightShoulder]), maxOf(v, [KP.leftHip, KP.rightHip]))
    : 0.6;
  const isHuman = clamp01(sigmoid((torsoSeen - 0.3) / 0.08) * (1 - 0.7 * Math.max(0, occluded - 0.5)));

  const legsVisible = v.keypoints ? Math.max(maxOf(v, [KP.leftKnee, KP.rightKnee]), 0.5 * ankles) : 0.5;
  return { orientation, faceSeen, upperCut, lowerCut, sideCut, occlusion, isHuman, action: actionOf(v, s), legsVisible, headVisible };
}

/** Share of `box` covered by `other`. */
/** 站立 / 蹲或坐 / 走 / 跑 from knee angles, hip height over the ankles and stride length. */
function actionOf(v: PersonView, s: Skeleton): Record<string, number> {
  const hips = [seen(v, KP.leftHip), seen(v, KP.rightHip)];
  const knees = s.knees, ankles = s.ankles;
  const bends: number[] = [];
  for (let i = 0; i < 2; i++) {
    const h = hips[i], k = knees[i], a = ankles[i];
    if (!h || !k || !a) continue;
    const u = { x: h.x - k.x, y: h.y - k.y }, w = { x: a.x - k.x, y: a.y - k.y };
    const cos = (u.x * w.x + u.y * w.y) / Math.max(1e-6, Math.hypot(u.x, u.y) * Math.hypot(w.x, w.y));
    bends.push(180 - (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI);
  }
  if (bends.length === 0) return { 站立: 0.5, 蹲或坐: 0.15, 走: 0.25, 跑: 0.1 };
  const bend = Math.max(...bends);
  const legLen = s.torso * 1.1;
  const stride = ankles[0] && ankles[1] ? dist(ankles[0]!, ankles[1]!) / legLen : 0.2;
  const hipY = (s.hips[0].y + s.hips[1].y) / 2;
  const kneeY = Math.max(...knees.filter(Boolean).map((k) => k!.y));
  const low = sigmoid((0.25 - (kneeY - hipY) / s.torso) / 0.08); // thighs horizontal: sitting or squatting
  const sit = clamp01(Math.max(low, sigmoid((bend - 65) / 10)));
  const moving = sigmoid((stride - 0.35) / 0.08);
  const run = moving * sigmoid((stride - 0.75) / 0.1) * sigmoid((bend - 30) / 10);
  return normalise({ 站立: (1 - sit) * (1 - moving), 蹲或坐: sit, 走: (1 - sit) * moving * (1 - run), 跑: (1 - sit) * run });
}
