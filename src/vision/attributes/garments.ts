/**
 * Garment evidence: upper and lower colour (per-pixel Lab colour vote over the masked garment
 * regions, skin left out), sleeve length (skin along the forearms), trousers / shorts / skirts
 * (skin along the shins and thighs, and whether cloth bridges the gap between the legs), texture
 * (lightness spread and colour mix of the torso) and the upper garment's finer class (weak).
 */
import { ColourVote, COLOUR_NAMES, rgbToLab, deltaE, type Lab } from './colour.js';
import { isSkin, maskWeight, sampleRegion, segmentRegion, skinShare, torsoRegion, type PersonView, type Point, type Region, type Skeleton } from './regions.js';
import { flat, normalise, sigmoid, softmix } from './probability.js';

export interface GarmentEvidence {
  upperColour: Record<string, number>;
  lowerColour: Record<string, number>;
  /** Pixel weight each colour vote rests on. */
  upperWeight: number;
  lowerWeight: number;
  /** Mean Lab of the upper garment (hair and hat cues compare against it). */
  upperLab?: Lab;
  /** Max forearm skin share and whether any forearm was measurable. */
  forearmSkin?: number;
  upperArmSkin?: number;
  shinSkin?: number;
  thighSkin?: number;
  /** 0..1: how much cloth of the lower garment's colour fills the space between the shins / the thighs (skirt cues). */
  shinBridge?: number;
  thighBridge?: number;
  upperSpread: number;
  upperColours: number;
  lowerSpread: number;
  lowerColours: number;
}

/**
 * Below this share of mask weight over a garment's (non-skin) samples the mask is taken to have
 * missed the person (on PETA the segmenter returns nothing on ~8 % of the crops: dark, crowded or
 * cut-off people) and the garment's pixels are read bare. A share, so the decision does not depend
 * on the person's size in pixels (the sampler visits every pixel of a small person's region but at
 * most ~1600 points of a large one's). On the PETA dump (eval/colour-dump.ts) the crops fall in
 * two groups: the mask holds at most 1 % of a garment (it missed the person) or at least 2.4 %.
 */
export const MIN_MASKED_SHARE = 0.02;

/**
 * The masking decision from a garment's sums (the non-skin samples' mask weight and their number):
 * true reads the garment mask-weighted. eval/colour-fit.ts makes the same decision on its dump.
 */
export const masksGarment = (masked: number, samples: number): boolean => samples > 0 && masked >= MIN_MASKED_SHARE * samples;

/**
 * Whether a garment's cues (its colour vote, its mean colour, the cloth between the legs) read
 * its pixels mask-weighted: one decision per garment, so those cues see the same pixels. False
 * without a mask or when the mask missed the person. The skin cues (maxSkin) keep the mask: made
 * to follow this decision they flipped only right answers to wrong ones (docs/attributes.md).
 */
export function garmentMasked(v: PersonView, regions: readonly Region[]): boolean {
  if (!v.mask) return false;
  let masked = 0, samples = 0;
  for (const r of regions) {
    sampleRegion(v, r, (R, G, B, _w, x, y) => {
      if (isSkin(R, G, B)) return;
      masked += maskWeight(v, x, y);
      samples++;
    }, { useMask: false });
  }
  return masksGarment(masked, samples);
}

/** Colour vote over regions (mask-weighted or bare, as decided for the garment), skin pixels left out. */
function colourVote(v: PersonView, regions: readonly Region[], useMask: boolean): { vote: ColourVote; lab?: Lab } {
  const vote = new ColourVote();
  let L = 0, a = 0, b = 0, n = 0;
  for (const r of regions) {
    sampleRegion(v, r, (R, G, B, w) => {
      if (isSkin(R, G, B)) return;
      vote.add(R, G, B, w);
      const lab = rgbToLab(R, G, B);
      L += w * lab.L; a += w * lab.a; b += w * lab.b; n += w;
    }, { useMask });
  }
  return { vote, lab: n > 0 ? { L: L / n, a: a / n, b: b / n } : undefined };
}

/** Number of colour names holding at least 15 % of the vote. */
const colourCount = (d: Record<string, number>) => Object.values(d).filter((p) => p >= 0.15).length;

const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });

/** The largest mask-weighted skin share over regions; undefined when none rests on 3 mask-weighted samples (the mask missed them). */
function maxSkin(v: PersonView, regions: (Region | undefined)[]): number | undefined {
  let best: number | undefined;
  for (const r of regions) {
    if (!r) continue;
    const { share, weight } = skinShare(v, r);
    if (weight < 3) continue;
    best = Math.max(best ?? 0, share);
  }
  return best;
}

/**
 * The garment regions by name, listed in a fixed order (eval/colour-dump.ts numbers each dumped
 * pixel by its region's place in these lists, and eval/colour-fit.ts --drop takes the names or
 * those numbers).
 */
export const UPPER_PARTS = ['torso', 'leftUpperArm', 'rightUpperArm'] as const;
export const LOWER_PARTS = ['leftThigh', 'rightThigh', 'hipBand'] as const;
export type UpperPart = (typeof UPPER_PARTS)[number];
export type LowerPart = (typeof LOWER_PARTS)[number];
export interface GarmentRegions {
  upper: Record<UpperPart, Region>;
  lower: Record<LowerPart, Region>;
}

/** The regions of `parts`, in that order. */
export const partRegions = <P extends string>(regions: Readonly<Record<P, Region>>, parts: readonly P[]): Region[] => parts.map((p) => regions[p]);

/**
 * Where the upper garment's colour is read (torso and upper arms) and the lower's (the thighs,
 * and a band just below the hips). The band catches the hem of the top, hands and bags, so the
 * lower colour is named from the thighs alone (LOWER_NAMING: PETA lower_color on CUHK 0.650 →
 * 0.733, VIPeR unchanged at 0.500; eval/colour-fit.js --drop lower:hipBand); the skirt cues keep
 * the mean colour of all three (measured: naming it from the thighs too moved body_attr lower_wear
 * 0.800 → 0.771).
 */
export function garmentRegions(s: Skeleton): GarmentRegions {
  const t = s.torso;
  const upperArms = [0, 1].map((i) => segmentRegion(s.shoulders[i], s.elbows[i] ?? lerp(s.shoulders[i], s.hips[i], 0.55), t * 0.11, 0.2, 0.9));
  const knees = [0, 1].map((i) => s.knees[i] ?? { x: s.hips[i].x, y: s.hips[i].y + t * 0.95 });
  const thighs = [0, 1].map((i) => segmentRegion(s.hips[i], knees[i], t * 0.14, 0.1, 0.85));
  const hipBand = torsoRegion({ ...s, shoulders: s.hips, hips: [lerp(s.hips[0], knees[0], 0.3), lerp(s.hips[1], knees[1], 0.3)] }, 0.05, 0, 1);
  return {
    upper: { torso: torsoRegion(s), leftUpperArm: upperArms[0], rightUpperArm: upperArms[1] },
    lower: { leftThigh: thighs[0], rightThigh: thighs[1], hipBand },
  };
}

/** The lower garment's colour-naming regions: the thighs (the band below the hips left out). */
export const LOWER_NAMING: readonly LowerPart[] = ['leftThigh', 'rightThigh'];

export function garmentEvidence(v: PersonView, s: Skeleton): GarmentEvidence {
  const t = s.torso;
  const regions = garmentRegions(s);
  const upperRegions = partRegions(regions.upper, UPPER_PARTS), lowerRegions = partRegions(regions.lower, LOWER_PARTS);
  const upper = colourVote(v, upperRegions, garmentMasked(v, upperRegions));
  const upperColour = upper.vote.distribution();
  // One masking decision for the lower garment, over all its regions: the thighs name the colour,
  // the skirt cues compare against the mean of thighs and hip band and probe between the legs.
  const lowerMasked = garmentMasked(v, lowerRegions);
  const lower = { ...colourVote(v, partRegions(regions.lower, LOWER_NAMING), lowerMasked), lab: colourVote(v, lowerRegions, lowerMasked).lab };
  const lowerColour = lower.vote.distribution();

  const forearms = [0, 1].map((i) => (s.elbows[i] && s.wrists[i] ? segmentRegion(s.elbows[i]!, s.wrists[i]!, t * 0.08, 0.2, 0.8) : undefined));
  const arms = [0, 1].map((i) => (s.elbows[i] ? segmentRegion(s.shoulders[i], s.elbows[i]!, t * 0.08, 0.35, 0.9) : undefined));
  const shins = [0, 1].map((i) => (s.knees[i] && s.ankles[i] ? segmentRegion(s.knees[i]!, s.ankles[i]!, t * 0.08, 0.15, 0.75) : undefined));
  const thighSkin = maxSkin(v, [0, 1].map((i) => (s.knees[i] ? segmentRegion(s.hips[i], s.knees[i]!, t * 0.09, 0.5, 0.9) : undefined)));

  // Cloth between the legs: below the knees a long skirt bridges them where trousers leave
  // background; above the knees (crotch level) shorts and trousers fill it too, so only bare
  // shins consult that level (短裙 vs 短裤).
  const toSegment = (p: Point, q: [Point, Point]) => {
    const dx = q[1].x - q[0].x, dy = q[1].y - q[0].y;
    const u = Math.max(0, Math.min(1, ((p.x - q[0].x) * dx + (p.y - q[0].y) * dy) / (dx * dx + dy * dy || 1)));
    return Math.hypot(p.x - (q[0].x + u * dx), p.y - (q[0].y + u * dy));
  };
  const between = (a: Point, b: Point, legs: [Point, Point][]): number | undefined => {
    if (!lower.lab) return undefined;
    const gap = Math.abs(a.x - b.x);
    // Legs close together leave no gap to judge.
    if (gap < Math.max(3, 0.25 * t)) return undefined;
    const c = lerp(a, b, 0.5);
    const half = gap * 0.22;
    // A slanted or crossing leg running through the probe would read as cloth between the legs.
    if (legs.some((leg) => toSegment(c, leg) < half + 0.1 * t)) return undefined;
    const lab = lower.lab;
    const share = (left: number, right: number, useMask: boolean) => {
      let cloth = 0, all = 0;
      sampleRegion(v, { kind: 'rect', left, right, top: c.y - t * 0.1, bottom: c.y + t * 0.1 }, (R, G, B, w) => {
        all += 1;
        if (deltaE(rgbToLab(R, G, B), lab) < 22) cloth += useMask ? w : 1;
      }, { useMask, maxSamples: 300 });
      return all > 0 ? cloth / all : undefined;
    };
    // Background beside the legs the colour of the garment makes the cue blind.
    const lo = Math.min(a.x, b.x), hi = Math.max(a.x, b.x);
    const outside = Math.max(share(lo - 1.2 * gap, lo - 0.5 * gap, false) ?? 0, share(hi + 0.5 * gap, hi + 1.2 * gap, false) ?? 0);
    if (outside > 0.35) return undefined;
    return share(c.x - half, c.x + half, lowerMasked);
  };
  const [lk, rk] = s.knees, [la, ra] = s.ankles;
  const shinBridge = lk && rk && la && ra ? between(lerp(lk, la, 0.35), lerp(rk, ra, 0.35), [[lk, la], [rk, ra]]) : undefined;
  const thighBridge = lk && rk ? between(lerp(s.hips[0], lk, 0.85), lerp(s.hips[1], rk, 0.85), [[s.hips[0], lk], [s.hips[1], rk]]) : undefined;
  return {
    upperColour, lowerColour,
    upperWeight: upper.vote.total, lowerWeight: lower.vote.total,
    upperLab: upper.lab,
    forearmSkin: maxSkin(v, forearms),
    upperArmSkin: maxSkin(v, arms),
    shinSkin: maxSkin(v, shins),
    thighSkin,
    shinBridge,
    thighBridge,
    upperSpread: upper.vote.lightnessSpread(),
    upperColours: colourCount(upperColour),
    lowerSpread: lower.vote.lightnessSpread(),
    lowerColours: colourCount(lowerColour),
  };
}

/** How much a colour vote resting on `weight` pixels is worth (0..1). */
const votedOn = (weight: number) => Math.min(1, weight / 40);

/**
 * Colour answer: the vote sharpened (the mode of a clean region holds ~50-70 % of its pixels,
 * which should read as a confident answer), blended towards flat when few pixels voted or the
 * image has no colour. `unknown` adds 不确定 with the given mass (lower colour).
 */
export function colourAnswer(vote: Record<string, number>, weight: number, grey: boolean, unknown?: number): Record<string, number> {
  const sharp = normalise(Object.fromEntries(COLOUR_NAMES.map((n) => [n, vote[n] ** 1.6])));
  const trust = votedOn(weight) * (grey ? 0.6 : 1);
  const mixed = softmix(sharp, flat(COLOUR_NAMES), trust);
  if (unknown === undefined) return mixed;
  return { ...Object.fromEntries(Object.entries(mixed).map(([k, p]) => [k, p * (1 - unknown)])), 不确定: unknown };
}

export function upperWearAnswer(g: GarmentEvidence, grey: boolean): Record<string, number> {
  if (g.forearmSkin === undefined || grey) return { 长袖: 0.62, 短袖: 0.38 };
  const pShort = sigmoid(9 * (g.forearmSkin - 0.32));
  return { 长袖: 1 - pShort, 短袖: pShort };
}

export function lowerWearAnswer(g: GarmentEvidence, legsVisible: number, grey: boolean): Record<string, number> {
  const unsure = Math.max(0.03, 1 - legsVisible);
  const shin = g.shinSkin === undefined || grey ? 0.15 : sigmoid(9 * (g.shinSkin - 0.3));
  const longSkirt = g.shinBridge === undefined ? 0.05 : sigmoid(12 * (g.shinBridge - 0.6));
  const shortSkirt = g.thighBridge === undefined ? 0.2 : sigmoid(10 * (g.thighBridge - 0.7));
  const p = {
    长裤: (1 - shin) * (1 - longSkirt),
    短裤: shin * (1 - shortSkirt),
    长裙: (1 - shin) * longSkirt,
    短裙: shin * shortSkirt,
  };
  const known = normalise(p);
  return { ...Object.fromEntries(Object.entries(known).map(([k, q]) => [k, q * (1 - unsure)])), 不确定: unsure };
}

/** 纯色 / 图案 / 碎花 / 条纹或格子 from the lightness spread and the number of colours (weak). */
export function textureAnswer(spread: number, colours: number, weight: number): Record<string, number> {
  const busy = sigmoid((spread - 16) / 4) * votedOn(weight);
  const many = colours >= 3 ? 0.6 : colours === 2 ? 0.35 : 0.1;
  return normalise({ 纯色: 1 - busy, 图案: busy * (1 - many) * 0.6, 碎花: busy * many * 0.5, 条纹或格子: busy * (0.4 + 0.1 * many) });
}

/** upper_wear_fg (weak): sleeveless from bare upper arms, T恤 for short sleeves, a guess among long-sleeved garments by colour. */
export function upperFineAnswer(g: GarmentEvidence, sleeve: Record<string, number>): Record<string, number> {
  const bare = g.upperArmSkin === undefined ? 0.05 : sigmoid(9 * (g.upperArmSkin - 0.45));
  const short = sleeve['短袖'] * (1 - bare);
  const long = sleeve['长袖'] * (1 - bare);
  const light = g.upperLab ? sigmoid((g.upperLab.L - 65) / 6) : 0.3;
  return normalise({
    T恤: short * 0.85, 无袖: bare, 衬衫: short * 0.15 + long * light * 0.35,
    西装: long * (1 - light) * 0.12, 毛衣: long * 0.1, 夹克: long * 0.22, 羽绒服: long * 0.06, 风衣: long * 0.05, 外套: long * (0.3 - 0.2 * light),
  });
}
