/**
 * Head and face evidence: the crown (hair-like or not → hat, and how helmet-like), hair beside
 * the neck (hair length), the face (BlazeFace on the head window: mouth region skin → mask, eye
 * band darkness → sunglasses), a wrist at the mouth (smoking, weak), and gender / age from the
 * cues a body photo carries (skirt, warm colours, a shoulder bag, grey hair; the face model's
 * reading of gender is fused in face-attributes.ts).
 */
import type { Face } from '../blazeface.js';
import { ColourVote, chroma, deltaE, hue, rgbToLab, type Lab } from './colour.js';
import { isSkin, sampleRegion, segmentRegion, dist, type PersonView, type Region, type Skeleton } from './regions.js';
import { clamp01, normalise, sigmoid } from './probability.js';

/** Dark or brown, little chroma: what hair usually looks like. */
function hairLike(c: Lab): boolean {
  const C = chroma(c);
  if (c.L < 38 && C < 22) return true;
  const h = hue(c);
  return c.L < 55 && C < 30 && h > 30 && h < 100;
}

export interface HeadEvidence {
  crown?: Lab;
  /** Share of crown pixels that look like hair; skin (bald); helmet-like (bright, saturated, even). */
  crownHair: number;
  crownSkin: number;
  helmetLike: number;
  /** Share of the band beside the neck that matches the crown's hair colour. */
  hairBelow: number;
  /** Crown light grey / white with little chroma (grey hair). */
  greyHair: number;
  weight: number;
}

export function headEvidence(v: PersonView, s: Skeleton, upper?: Lab): HeadEvidence {
  const { head, headRadius: r } = s;
  const crownRegion: Region = { kind: 'rect', left: head.x - 0.55 * r, right: head.x + 0.55 * r, top: head.y - 1.15 * r, bottom: head.y - 0.45 * r };
  let L = 0, a = 0, b = 0, n = 0, hair = 0, skin = 0;
  const vote = new ColourVote();
  sampleRegion(v, crownRegion, (R, G, B, w) => {
    const lab = rgbToLab(R, G, B);
    L += w * lab.L; a += w * lab.a; b += w * lab.b; n += w;
    if (hairLike(lab)) hair += w;
    if (isSkin(R, G, B)) skin += w;
    vote.add(R, G, B, w);
  });
  if (n < 2) return { crownHair: 0.5, crownSkin: 0, helmetLike: 0, hairBelow: 0.3, greyHair: 0, weight: n };
  const crown = { L: L / n, a: a / n, b: b / n };
  const even = sigmoid((14 - vote.lightnessSpread()) / 4);
  const helmetLike = clamp01(sigmoid((chroma(crown) - 35) / 6) * (crown.L > 45 ? 1 : 0.3) + sigmoid((crown.L - 82) / 4) * 0.7) * even;
  const greyHair = chroma(crown) < 8 && crown.L > 55 && crown.L < 85 ? 0.6 : 0;

  // Hair beside and below the head, down to the shoulders (behind the neck for a back view).
  const shoulderY = (s.shoulders[0].y + s.shoulders[1].y) / 2;
  const bandTop = head.y + 0.5 * r, bandBottom = Math.max(bandTop + r * 0.5, shoulderY + 0.25 * s.torso);
  let match = 0, total = 0;
  const sameAsUpper = upper ? deltaE(crown, upper) < 15 : false;
  for (const side of [-1, 1]) {
    const band: Region = { kind: 'rect', left: head.x + side * 0.45 * r - (side < 0 ? 0.75 * r : 0), right: head.x + side * 0.45 * r + (side > 0 ? 0.75 * r : 0), top: bandTop, bottom: bandBottom };
    sampleRegion(v, band, (R, G, B, w) => {
      total += w;
      const lab = rgbToLab(R, G, B);
      if (deltaE(lab, crown) < 16 && !isSkin(R, G, B)) match += w;
    }, { maxSamples: 400 });
  }
  // A garment the colour of the hair makes the band cue blind: pull it to the middle.
  const hairBelow = total > 0 ? (sameAsUpper ? 0.5 * (match / total) + 0.15 : match / total) : 0.3;
  return { crown, crownHair: hair / n, crownSkin: skin / n, helmetLike, hairBelow, greyHair, weight: n };
}

export function headwearAnswer(h: HeadEvidence, headVisible: number): Record<string, number> {
  const trust = clamp01(h.weight / 12) * clamp01(headVisible + 0.3);
  const hat = clamp01(sigmoid((0.5 - h.crownHair - 0.5 * h.crownSkin) / 0.12) * trust);
  const helmet = hat * h.helmetLike * 0.6;
  return normalise({ 无帽: Math.max(0.05, 1 - hat) * 0.9 + 0.05, 普通帽: hat - helmet, 安全帽: helmet + 0.01 });
}

export function hairLengthAnswer(h: HeadEvidence, hat: number): Record<string, number> {
  const long = sigmoid((h.hairBelow - 0.42) / 0.08);
  const medium = Math.exp(-(((h.hairBelow - 0.3) / 0.1) ** 2)) * 0.6;
  const bald = sigmoid((h.crownSkin - 0.5) / 0.1) * (1 - hat);
  return normalise({ 长发: long, 中长发: medium, 短发: (1 - long) * (1 - bald) * 0.9, 秃顶: bald * 0.5 });
}

export interface FaceEvidence {
  /** BlazeFace's probability for the face on this person's head (0 when none was found). */
  score: number;
  /** Skin share of the lower face (mouth and chin) and of the upper face (forehead and cheeks). */
  lowerSkin: number;
  upperSkin: number;
  /** Eye band lightness below the cheeks' (sunglasses). */
  eyeDarkness: number;
}

/** The face box's evidence (the face comes from BlazeFace run on the person's head window). */
export function faceEvidence(v: PersonView, face: Face | undefined): FaceEvidence {
  if (!face) return { score: 0, lowerSkin: 0, upperSkin: 0, eyeDarkness: 0 };
  const f = face.box;
  const rect = (t0: number, t1: number, l0 = 0.15, l1 = 0.85): Region => ({ kind: 'rect', left: f.left + l0 * f.width, right: f.left + l1 * f.width, top: f.top + t0 * f.height, bottom: f.top + t1 * f.height });
  const share = (r: Region) => {
    let skin = 0;
    const n = sampleRegion(v, r, (R, G, B, w) => { if (isSkin(R, G, B)) skin += w; }, { useMask: false, maxSamples: 300 });
    return n > 0 ? skin / n : 0;
  };
  const lightness = (r: Region) => {
    let L = 0;
    const n = sampleRegion(v, r, (R, G, B, w) => { L += w * rgbToLab(R, G, B).L; }, { useMask: false, maxSamples: 200 });
    return n > 0 ? L / n : 50;
  };
  const eyes = face.points.right_eye, eyes2 = face.points.left_eye;
  const eyeBand: Region = { kind: 'rect', left: Math.min(eyes.x, eyes2.x) - f.width * 0.1, right: Math.max(eyes.x, eyes2.x) + f.width * 0.1, top: (eyes.y + eyes2.y) / 2 - f.height * 0.07, bottom: (eyes.y + eyes2.y) / 2 + f.height * 0.07 };
  const cheeks = rect(0.45, 0.6, 0.1, 0.9);
  return {
    score: face.score,
    lowerSkin: share(rect(0.62, 0.95, 0.25, 0.75)),
    upperSkin: share(rect(0.05, 0.3)),
    eyeDarkness: Math.max(0, lightness(cheeks) - lightness(eyeBand)),
  };
}

export function faceMaskAnswer(f: FaceEvidence, faceSeen: number, grey: boolean): Record<string, number> {
  const visible = clamp01(Math.max(f.score, faceSeen * 0.6));
  if (grey || f.score === 0) return normalise({ 无口罩: 0.55 * visible, 戴口罩: 0.08 * visible, 不确定: 1 - 0.63 * visible });
  const masked = sigmoid((f.upperSkin - f.lowerSkin - 0.35) / 0.1) * sigmoid((f.upperSkin - 0.3) / 0.08);
  return normalise({ 无口罩: visible * (1 - masked), 戴口罩: visible * masked, 不确定: 1 - visible * 0.9 });
}

export function glassesAnswer(f: FaceEvidence, faceSeen: number): Record<string, number> {
  const visible = clamp01(Math.max(f.score, faceSeen * 0.5));
  const sun = f.score > 0 ? sigmoid((f.eyeDarkness - 28) / 6) : 0;
  return normalise({ 无眼镜: visible * (1 - sun) * 0.75, 戴眼镜: visible * (1 - sun) * 0.2, 戴墨镜: visible * sun, 不确定: 1 - visible * 0.85 });
}

export function smokeAnswer(s: Skeleton, faceSeen: number): Record<string, number> {
  const mouth = { x: s.head.x, y: s.head.y + 0.5 * s.headRadius };
  const atMouth = s.wrists.some((w) => w && dist(w, mouth) < 1.3 * s.headRadius);
  const visible = clamp01(faceSeen * 0.8 + 0.1);
  return normalise({ 未吸烟: visible * (atMouth ? 0.55 : 0.92), 吸烟: visible * (atMouth ? 0.3 : 0.02), 不确定: 1 - visible });
}

/**
 * Gender from body cues (fused with the face's reading where BlazeFace finds one: face-attributes.ts): pink / purple / red upper
 * garments and a shoulder bag lean female (AUC ~0.58 each on PETA), a confidently detected skirt
 * strongly so. The hair-length band was measured anti-informative on PETA (AUC 0.43-0.45 against
 * both the gender and the hair label) and is not used. Near the prior (male-leaning) without cues.
 */
export function genderAnswer(cues: { skirt: number; shoulderBag: number; warmUpper: number }): Record<string, number> {
  const z = -0.6 + 2.0 * cues.warmUpper + 0.9 * cues.shoulderBag + 2.5 * Math.max(0, cues.skirt - 0.6);
  const female = sigmoid(z);
  return { 男性: 1 - female, 女性: female };
}

/** Age band: the adult prior, shifted older by grey hair or a bald crown (weak). */
export function ageAnswer(h: HeadEvidence, bald: number): Record<string, number> {
  const old = clamp01(h.greyHair + bald * 0.4);
  return normalise({ 幼儿: 0.02, 青少年: 0.07, 青年: 0.55 * (1 - old), 中年: 0.3 + 0.2 * old, 老年: 0.06 + 0.45 * old });
}

/** Gloves (weak): the hand beyond a seen wrist is not skin while the forearm is. */
export function gloveAnswer(v: PersonView, s: Skeleton, forearmSkin: number | undefined, grey: boolean): Record<string, number> {
  let p = 0.04;
  if (!grey && forearmSkin !== undefined && forearmSkin > 0.4) {
    for (let i = 0; i < 2; i++) {
      const e = s.elbows[i], w = s.wrists[i];
      if (!e || !w) continue;
      let skin = 0;
      const n = sampleRegion(v, segmentRegion(e, w, s.torso * 0.08, 1.05, 1.35), (R, G, B, wt) => { if (isSkin(R, G, B)) skin += wt; }, { maxSamples: 200 });
      if (n > 2) p = Math.max(p, sigmoid((0.2 - skin / n) / 0.08) * 0.5);
    }
  }
  return { 无手套: 1 - p, 戴手套: p };
}

/** Carrying a baby (weak): both wrists held together in front of the chest. */
export function babyAnswer(s: Skeleton): Record<string, number> {
  const [lw, rw] = s.wrists;
  const chestY = (s.shoulders[0].y + s.hips[0].y) / 2;
  const together = lw && rw && dist(lw, rw) < s.torso * 0.45 && Math.abs((lw.y + rw.y) / 2 - chestY) < s.torso * 0.3;
  const p = together ? 0.15 : 0.03;
  return { 未抱小孩: 1 - p, 抱小孩: p };
}
