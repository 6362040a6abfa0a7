/**
 * Pixel and geometry evidence for the driver behaviours (docs/driver.md): where the hands are
 * relative to the face and to a wheel region derived from the body, seat-belt line evidence along
 * the shoulder-to-hip diagonals, lower-face appearance against the upper face (mask), and a thin
 * bright object at the mouth (cigarette). Each function returns raw evidence; the capability
 * turns evidence into calibrated probabilities.
 */
import type { Keypoint, RgbImage } from '../types.js';
import type { MeshPoint } from './face-mesh.js';

export interface Point {
  x: number;
  y: number;
}

const luma = (img: RgbImage, x: number, y: number): number => {
  const xi = Math.min(img.width - 1, Math.max(0, Math.round(x)));
  const yi = Math.min(img.height - 1, Math.max(0, Math.round(y)));
  const o = (yi * img.width + xi) * 3;
  return 0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2];
};

/** COCO-17 indices used here. */
const L_SHOULDER = 5, R_SHOULDER = 6, L_ELBOW = 7, R_ELBOW = 8, L_WRIST = 9, R_WRIST = 10, L_HIP = 11, R_HIP = 12;

export interface HandPoint extends Point {
  score: number;
  side: 'left' | 'right';
}

/**
 * The hand centres from the body keypoints: each wrist pushed a third of the forearm further
 * along the forearm (the palm sits past the wrist joint). Hands under `minScore` are omitted.
 */
export function handPoints(keypoints: readonly Keypoint[], minScore = 0.25): HandPoint[] {
  const out: HandPoint[] = [];
  for (const [side, w, e] of [['left', L_WRIST, L_ELBOW], ['right', R_WRIST, R_ELBOW]] as const) {
    const wrist = keypoints[w], elbow = keypoints[e];
    if (!wrist || wrist.score < minScore) continue;
    const push = elbow && elbow.score >= minScore ? 0.33 : 0;
    out.push({ x: wrist.x + push * (wrist.x - elbow.x), y: wrist.y + push * (wrist.y - elbow.y), score: wrist.score, side });
  }
  return out;
}

/**
 * Closeness of the nearest hand to `target`, 0..1: 1 at the point, 0 at `reach` face sizes or
 * more, linear between (no hand seen = 0).
 */
export function handCloseness(hands: readonly Point[], target: Point, faceSize: number, reach: number): number {
  let best = 0;
  for (const h of hands) best = Math.max(best, 1 - Math.hypot(h.x - target.x, h.y - target.y) / (reach * faceSize));
  return Math.max(0, best);
}

export interface WheelRegion {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Where the wheel is, without a wheel detector: in front of the driver's torso, from the middle
 * of the chest down past the hips, one shoulder width either side of the torso (a wheel rim is
 * held about at lower-chest to lap height, within an arm's reach in front of the body, which the
 * camera sees as this band). Torso length falls back to 1.3 shoulder widths when hips are not seen.
 */
export function wheelRegion(keypoints: readonly Keypoint[], minScore = 0.25): WheelRegion | undefined {
  const ls = keypoints[L_SHOULDER], rs = keypoints[R_SHOULDER];
  if (!ls || !rs || ls.score < minScore || rs.score < minScore) return undefined;
  const span = Math.max(1, Math.abs(ls.x - rs.x));
  const shoulderY = (ls.y + rs.y) / 2;
  const hips = [keypoints[L_HIP], keypoints[R_HIP]].filter((k) => k && k.score >= minScore);
  const torso = hips.length ? Math.max(span, hips.reduce((s, k) => s + k.y, 0) / hips.length - shoulderY) : 1.3 * span;
  const left = Math.min(ls.x, rs.x) - span;
  return { left, top: shoulderY + 0.4 * torso, width: 3 * span, height: 1.1 * torso };
}

/**
 * Off-wheel evidence, 0..1: each seen hand counts 1 outside the wheel region (by how far, up to
 * half a region height above it) and 0 inside; a hand that is not seen counts 0.3 (it is often
 * below the frame, on the rim). Both hands off = the smaller of the two.
 */
export function handsOffWheel(hands: readonly HandPoint[], wheel: WheelRegion | undefined): number {
  if (!wheel) return 0.3;
  const off = (side: 'left' | 'right') => {
    const h = hands.find((p) => p.side === side);
    if (!h) return 0.3;
    const inside = h.x >= wheel.left && h.x <= wheel.left + wheel.width && h.y >= wheel.top && h.y <= wheel.top + wheel.height;
    if (inside) return 0;
    const above = Math.max(0, wheel.top - h.y) / (0.5 * wheel.height);
    return Math.min(1, 0.5 + 0.5 * Math.min(1, above) + (h.y > wheel.top + wheel.height ? -0.3 : 0));
  };
  return Math.min(off('left'), off('right'));
}

/**
 * Seat-belt evidence along a diagonal band from a shoulder to the opposite hip: how much of the
 * gradient energy in the band points across the band (edges running along it), 0.5 for random
 * texture, towards 1 for a long straight band edge, towards 0 for edges running across it.
 * Returns the diagonal with the higher coherence among those measured (left- and right-hand
 * drive belts run opposite ways), whatever its value, and how many samples it had; samples 0
 * only when no diagonal could be measured (shoulders unseen, band too short or off the image).
 */
export function beltLineEvidence(image: RgbImage, keypoints: readonly Keypoint[], minScore = 0.25): { coherence: number; contrast: number; samples: number } {
  const ls = keypoints[L_SHOULDER], rs = keypoints[R_SHOULDER];
  if (!ls || !rs || ls.score < minScore || rs.score < minScore) return { coherence: 0.5, contrast: 0, samples: 0 };
  const span = Math.max(1, Math.hypot(ls.x - rs.x, ls.y - rs.y));
  const hipOf = (hip: Keypoint | undefined, shoulder: Keypoint): Point =>
    hip && hip.score >= minScore ? hip : { x: shoulder.x, y: shoulder.y + 1.3 * span };
  const diagonals: [Point, Point][] = [
    [ls, hipOf(keypoints[R_HIP], rs)],
    [rs, hipOf(keypoints[L_HIP], ls)],
  ];
  // A measured diagonal is kept whatever its value: coherence under 0.5 (edges across the band)
  // is evidence against a belt, not a missing measurement.
  let best = { coherence: 0.5, contrast: 0, samples: 0 };
  for (const [a, b] of diagonals) {
    const e = bandCoherence(image, a, b, span * 0.12);
    if (e.samples > 0 && (best.samples === 0 || e.coherence > best.coherence)) best = e;
  }
  return best;
}

function bandCoherence(image: RgbImage, a: Point, b: Point, halfWidth: number) {
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  if (len < 8) return { coherence: 0.5, contrast: 0, samples: 0 };
  const ux = (b.x - a.x) / len, uy = (b.y - a.y) / len;
  const nx = -uy, ny = ux;
  const step = Math.max(1, len / 60);
  let across = 0, total = 0, samples = 0, mag = 0;
  for (let t = 0.15 * len; t <= 0.85 * len; t += step) {
    for (let s = -halfWidth; s <= halfWidth; s += Math.max(1, halfWidth / 4)) {
      const x = a.x + ux * t + nx * s, y = a.y + uy * t + ny * s;
      if (x < 1 || y < 1 || x >= image.width - 1 || y >= image.height - 1) continue;
      const gx = luma(image, x + 1, y) - luma(image, x - 1, y);
      const gy = luma(image, x, y + 1) - luma(image, x, y - 1);
      const g2 = gx * gx + gy * gy;
      const g_n = gx * nx + gy * ny;
      across += g_n * g_n;
      total += g2;
      mag += Math.sqrt(g2);
      samples++;
    }
  }
  return { coherence: total > 0 ? across / total : 0.5, contrast: samples ? mag / samples : 0, samples };
}

/** Mean and spread of luma and chroma over mesh points (a few px around each). */
function patchStats(image: RgbImage, pts: readonly Point[], radius: number) {
  let n = 0, sl = 0, sl2 = 0, scb = 0, scr = 0;
  for (const p of pts) {
    for (let dy = -radius; dy <= radius; dy += Math.max(1, radius / 2)) {
      for (let dx = -radius; dx <= radius; dx += Math.max(1, radius / 2)) {
        const xi = Math.round(p.x + dx), yi = Math.round(p.y + dy);
        if (xi < 0 || yi < 0 || xi >= image.width || yi >= image.height) continue;
        const o = (yi * image.width + xi) * 3;
        const r = image.data[o], g = image.data[o + 1], bl = image.data[o + 2];
        const l = 0.299 * r + 0.587 * g + 0.114 * bl;
        sl += l; sl2 += l * l; scb += bl - l; scr += r - l; n++;
      }
    }
  }
  if (n === 0) return { luma: 0, spread: 0, cb: 0, cr: 0, n };
  const m = sl / n;
  return { luma: m, spread: Math.sqrt(Math.max(0, sl2 / n - m * m)), cb: scb / n, cr: scr / n, n };
}

/** Mesh points of the cheeks under the eyes and the forehead (skin a mask never covers). */
const UPPER_SKIN = [50, 280, 101, 330, 151, 9, 108, 337];
/** Mesh points a mask covers: upper lip, lower lip, chin, mouth sides, jaw. */
const LOWER_SKIN = [0, 17, 200, 61, 291, 43, 273, 18];

/**
 * Lower face against upper face: colour (chroma) distance, luma distance and relative texture,
 * each in image units. A bare face keeps the lower face close to the cheeks in colour; a mask is
 * a different colour or brightness and smoother.
 */
export function lowerFaceContrast(image: RgbImage, mesh: readonly MeshPoint[], faceSize: number): { chroma: number; luma: number; texture: number } {
  const r = Math.max(1, Math.round(faceSize * 0.03));
  const up = patchStats(image, UPPER_SKIN.map((i) => mesh[i]), r);
  const low = patchStats(image, LOWER_SKIN.map((i) => mesh[i]), r);
  return {
    chroma: Math.hypot(up.cb - low.cb, up.cr - low.cr),
    luma: Math.abs(up.luma - low.luma),
    texture: (low.spread + 1) / (up.spread + 1),
  };
}

/**
 * A thin bright object at the mouth (cigarette): in a box a mouth width to each side of the
 * mouth and below it, the share of pixels much brighter than the face's lips and cheeks, and
 * how elongated those pixels are (1 = a line, 0 = a blob). Weak: white teeth, glare and white
 * phones also count.
 */
export function brightThinAtMouth(image: RgbImage, mesh: readonly MeshPoint[]): { share: number; elongation: number } {
  const lc = mesh[61], rc = mesh[291];
  const width = Math.max(2, Math.hypot(lc.x - rc.x, lc.y - rc.y));
  const cx = (lc.x + rc.x) / 2, cy = (lc.y + rc.y) / 2;
  const face = patchStats(image, UPPER_SKIN.map((i) => mesh[i]), Math.max(1, Math.round(width * 0.1)));
  const level = Math.min(250, face.luma + 2.5 * face.spread + 40);
  const inner = { x0: Math.min(lc.x, rc.x), x1: Math.max(lc.x, rc.x), y0: Math.min(mesh[0].y, mesh[17].y), y1: Math.max(mesh[0].y, mesh[17].y) };
  let n = 0, hit = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  const step = Math.max(1, width / 24);
  for (let y = cy - 0.3 * width; y <= cy + 1.2 * width; y += step) {
    for (let x = cx - 1.5 * width; x <= cx + 1.5 * width; x += step) {
      if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
      if (x >= inner.x0 && x <= inner.x1 && y >= inner.y0 && y <= inner.y1) continue; // teeth
      n++;
      if (luma(image, x, y) < level) continue;
      hit++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
    }
  }
  if (hit < 3 || n === 0) return { share: n ? hit / n : 0, elongation: 0 };
  const mx = sx / hit, my = sy / hit;
  const a = sxx / hit - mx * mx, c = syy / hit - my * my, b = sxy / hit - mx * my;
  const root = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  const l1 = (a + c) / 2 + root, l2 = Math.max(0, (a + c) / 2 - root);
  return { share: hit / n, elongation: l1 > 0 ? 1 - Math.sqrt(l2 / l1) : 0 };
}
