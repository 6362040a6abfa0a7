/**
 * Drawing person attributes: each person's box with its key attributes as labels in a dark
 * band above (or inside) the box. The labels are English glosses of Baidu's value names (the
 * drawing must stay readable on machines without a CJK font).
 */
import { boxRect, drawScale, labelSvg, overlaySvg } from './svg.js';
import type { Box, RgbImage } from '../types.js';

const GLOSS: Record<string, string> = {
  男性: 'male', 女性: 'female', 幼儿: 'infant', 青少年: 'teen', 青年: 'young', 中年: 'middle-aged', 老年: 'elderly',
  长袖: 'long sleeves', 短袖: 'short sleeves', 长裤: 'trousers', 短裤: 'shorts', 长裙: 'long skirt', 短裙: 'short skirt', 不确定: 'unsure',
  红: 'red', 橙: 'orange', 黄: 'yellow', 绿: 'green', 蓝: 'blue', 紫: 'purple', 粉: 'pink', 黑: 'black', 白: 'white', 灰: 'grey', 棕: 'brown',
  无背包: 'no bag', 单肩包: 'shoulder bag', 双肩包: 'backpack', 无帽: 'no hat', 普通帽: 'hat', 安全帽: 'helmet',
  正面: 'front', 背面: 'back', 左侧面: 'left side', 右侧面: 'right side', 看手机: 'looking at phone', 打电话: 'on the phone',
  戴口罩: 'mask', 吸烟: 'smoking', 有上方截断: 'top cut', 有下方截断: 'bottom cut', 有侧方截断: 'side cut',
  轻度遮挡: 'partly occluded', 重度遮挡: 'heavily occluded', 非正常人体: 'not a full body',
};

/** Attribute lines drawn per person: a value is shown only when it is informative. */
const LINES: readonly (readonly string[])[] = [
  ['gender', 'age'],
  ['upper_wear', 'upper_color'],
  ['lower_wear', 'lower_color'],
  ['orientation', 'bag', 'headwear'],
  ['cellphone', 'face_mask', 'smoke', 'occlusion', 'upper_cut', 'lower_cut', 'side_cut', 'is_human'],
];
const QUIET = new Set(['未使用手机', '无口罩', '未吸烟', '无遮挡', '无上方截断', '无下方截断', '无侧方截断', '正常人体', '不确定']);

export interface LabelledPerson {
  box: Box;
  score: number;
  attributes: Partial<Record<string, { name: string; score: number }>>;
}


export function labelsFor(p: LabelledPerson): string[] {
  const lines = [`person ${p.score.toFixed(2)}`];
  for (const group of LINES) {
    const words = group
      .map((a) => p.attributes[a])
      .filter((v): v is { name: string; score: number } => Boolean(v) && !(QUIET.has(v!.name) && group.length > 2))
      .map((v) => `${GLOSS[v.name] ?? v.name} ${v.score.toFixed(2)}`);
    if (words.length) lines.push(words.join(', '));
  }
  return lines;
}

/** PNG of the photo with every person's box and attribute labels (a filled block above the box, kept in the frame). */
export async function renderAttributes(image: RgbImage, persons: readonly LabelledPerson[]): Promise<Buffer> {
  const { stroke, font } = drawScale(image.width, image.height);
  const boxes = persons.map((p) => boxRect(p.box, '#f1c40f', stroke));
  // Attribute lines are many: a smaller font than single-word labels, never below 11 px.
  const labels = persons.map((p) => labelSvg(labelsFor(p), p.box, '#111827', image, Math.max(11, Math.round(font * 0.8)), { bold: true, opacity: 0.85 }));
  return overlaySvg(image, boxes.join('') + labels.join('')).png().toBuffer();
}
