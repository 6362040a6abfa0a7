/**
 * Perceptual colour naming for garment pixels: sRGB → CIE Lab (D65), then each pixel gets one of
 * Baidu's 11 colour names from its lightness, chroma and hue angle; a region's colour is the
 * weighted vote of its pixels. A mean RGB would turn a black-and-white shirt grey and a lit red
 * jacket pink; a per-pixel vote does not.
 */
export const COLOUR_NAMES = ['红', '橙', '黄', '绿', '蓝', '紫', '粉', '黑', '白', '灰', '棕'] as const;
export type ColourName = (typeof COLOUR_NAMES)[number];

export interface Lab {
  L: number;
  a: number;
  b: number;
}

const LINEAR = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  LINEAR[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}
const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);

/** sRGB 0-255 → CIE Lab (D65 white). */
export function rgbToLab(r: number, g: number, b: number): Lab {
  const R = LINEAR[r], G = LINEAR[g], B = LINEAR[b];
  const x = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const fx = f(x), fy = f(y), fz = f(z);
  return { L: 116 * fy - 16, a: 500 * (fx - fy), b: 200 * (fy - fz) };
}

export const chroma = (c: Lab) => Math.hypot(c.a, c.b);
/** Hue angle in degrees, 0..360. */
export const hue = (c: Lab) => ((Math.atan2(c.b, c.a) * 180) / Math.PI + 360) % 360;
/** CIE76 colour difference. */
export const deltaE = (p: Lab, q: Lab) => Math.hypot(p.L - q.L, p.a - q.a, p.b - q.b);

/**
 * The free numbers of the colour namer: where colour ends and black / grey / white begin, how
 * dark a colour may be before it reads as black, and how much a pixel of each name counts in
 * the region's vote (people name a garment by its salient colour: a quarter of red pixels makes
 * a red top, a quarter of grey ones is shading). Fitted on PETA with CUHK and VIPeR held out in
 * turn (docs/attributes.md).
 */
export interface ColourNaming {
  /** Achromatic below chroma greyChroma + greySlope · L. */
  greyChroma: number;
  greySlope: number;
  /** Achromatic lightness cuts: 黑 below blackBelow, 白 above whiteAbove, else 灰. */
  blackBelow: number;
  whiteAbove: number;
  /** Chromatic pixels darker than this read as 黑. */
  darkBelow: number;
  /** Weight of one pixel of each name in a region's vote. */
  salience: Readonly<Record<ColourName, number>>;
}

const EVEN = Object.fromEntries(COLOUR_NAMES.map((n) => [n, 1])) as Record<ColourName, number>;

/**
 * Fitted on PETA's pixels (eval/colour-fit.js) with every change required to help both CUHK and
 * VIPeR: a lower chroma floor and black cut (dim surveillance frames show dark garments as dark
 * colours, not black), a higher white cut (78: only clearly light pixels are white) and brown pixels counted 2.8 times (brown garments break up into brown,
 * black and grey pixels under shading). The previous hand-set namer: greyChroma 7, blackBelow
 * 26, whiteAbove 74, every salience 1.
 */
export const DEFAULT_COLOUR_NAMING: ColourNaming = { greyChroma: 5, greySlope: 0.08, blackBelow: 18, whiteAbove: 78, darkBelow: 14, salience: { ...EVEN, 棕: 2.8 } };

/** The namer before the PETA fit (kept for the fit's baseline and the doc's old-vs-new). */
export const HAND_SET_COLOUR_NAMING: ColourNaming = { greyChroma: 7, greySlope: 0.08, blackBelow: 26, whiteAbove: 74, darkBelow: 14, salience: EVEN };

/**
 * The colour name of one Lab pixel. Achromatic below a lightness-dependent chroma (black / grey /
 * white by lightness); otherwise by hue angle, with lightness and chroma splitting red from pink
 * and orange or yellow from brown. Hue anchors (sRGB primaries in Lab): red 40°, orange 73°,
 * yellow 103°, green 136°, cyan 196°, blue 306°, magenta 328°, pink ~10° at high lightness.
 */
export function colourOf(c: Lab, n: ColourNaming = DEFAULT_COLOUR_NAMING): ColourName {
  const C = chroma(c);
  const { L } = c;
  if (C < n.greyChroma + n.greySlope * L) return L < n.blackBelow ? '黑' : L > n.whiteAbove ? '白' : '灰';
  if (L < n.darkBelow) return '黑';
  const h = hue(c);
  if (h >= 200 && h < 318) return '蓝';
  if (h >= 318 && h < 350) return L > 68 && C < 45 ? '粉' : '紫';
  if (h >= 350 || h < 48) {
    if (L > 60 && C < 55) return '粉';
    if (L < 38 && C < 32) return '棕';
    return '红';
  }
  if (h < 82) return L > 58 && C > 45 ? '橙' : '棕';
  if (h < 115) return L > 62 && C > 35 ? '黄' : '棕';
  return '绿';
}

/** Accumulates weighted pixels and reads out the colour distribution and spread. */
export class ColourVote {
  readonly counts = new Float64Array(COLOUR_NAMES.length);
  total = 0;
  private sumL = 0;
  private sumL2 = 0;

  constructor(private readonly naming: ColourNaming = DEFAULT_COLOUR_NAMING) {}

  add(r: number, g: number, b: number, weight = 1): void {
    const lab = rgbToLab(r, g, b);
    const name = colourOf(lab, this.naming);
    this.counts[COLOUR_NAMES.indexOf(name)] += weight * this.naming.salience[name];
    this.total += weight;
    this.sumL += weight * lab.L;
    this.sumL2 += weight * lab.L * lab.L;
  }

  /** Share of each colour name (with a small uniform prior so an empty region is flat). */
  distribution(prior = 0.5): Record<ColourName, number> {
    const n = this.counts.reduce((a, c) => a + c, 0) + prior * COLOUR_NAMES.length;
    return Object.fromEntries(COLOUR_NAMES.map((name, i) => [name, (this.counts[i] + prior) / n])) as Record<ColourName, number>;
  }

  /** Standard deviation of lightness (texture cue). */
  lightnessSpread(): number {
    if (this.total === 0) return 0;
    const m = this.sumL / this.total;
    return Math.sqrt(Math.max(0, this.sumL2 / this.total - m * m));
  }

  meanLightness(): number {
    return this.total ? this.sumL / this.total : 50;
  }
}
