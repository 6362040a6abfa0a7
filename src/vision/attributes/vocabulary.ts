/**
 * The attribute vocabulary of Baidu's person-attribute services: every attribute word and its
 * value names, exactly as the BODY manual lists them (seed 001: the online body_attr table and the
 * private single-person table with 28 types; the online `type` list also names
 * lower_wear_texture, whose values it does not list: we answer it with upper_wear_texture's).
 */
export const ATTRIBUTE_VALUES = {
  gender: ['男性', '女性'],
  age: ['幼儿', '青少年', '青年', '中年', '老年'],
  action: ['站立', '蹲或坐', '走', '跑'],
  hair_length: ['长发', '中长发', '短发', '秃顶'],
  bag: ['无背包', '单肩包', '双肩包'],
  upper_wear: ['长袖', '短袖'],
  lower_wear: ['长裤', '短裤', '长裙', '短裙', '不确定'],
  upper_color: ['红', '橙', '黄', '绿', '蓝', '紫', '粉', '黑', '白', '灰', '棕'],
  lower_color: ['红', '橙', '黄', '绿', '蓝', '紫', '粉', '黑', '白', '灰', '棕', '不确定'],
  upper_wear_fg: ['T恤', '无袖', '衬衫', '西装', '毛衣', '夹克', '羽绒服', '风衣', '外套'],
  upper_wear_texture: ['纯色', '图案', '碎花', '条纹或格子'],
  lower_wear_texture: ['纯色', '图案', '碎花', '条纹或格子'],
  headwear: ['无帽', '普通帽', '安全帽'],
  glasses: ['无眼镜', '戴眼镜', '戴墨镜', '不确定'],
  smoke: ['未吸烟', '吸烟', '不确定'],
  cellphone: ['未使用手机', '看手机', '打电话', '不确定'],
  orientation: ['正面', '背面', '左侧面', '右侧面'],
  umbrella: ['未打伞', '打伞'],
  carrying_baby: ['未抱小孩', '抱小孩'],
  face_mask: ['无口罩', '戴口罩', '不确定'],
  glove: ['无手套', '戴手套'],
  carrying_item: ['无手提物', '有手提物', '不确定'],
  vehicle: ['无交通工具', '骑摩托车', '骑自行车', '骑三轮车'],
  luggage: ['无拉杆箱', '有拉杆箱'],
  upper_cut: ['无上方截断', '有上方截断'],
  lower_cut: ['无下方截断', '有下方截断'],
  side_cut: ['无侧方截断', '有侧方截断'],
  occlusion: ['无遮挡', '轻度遮挡', '重度遮挡'],
  is_human: ['非正常人体', '正常人体'],
} as const;

export type AttributeName = keyof typeof ATTRIBUTE_VALUES;
export type AttributeValue<A extends AttributeName> = (typeof ATTRIBUTE_VALUES)[A][number];

/** Every attribute word, in the private manual's order (lower_wear_texture after upper's). */
export const ATTRIBUTE_NAMES = Object.keys(ATTRIBUTE_VALUES) as AttributeName[];

/** The 17 attributes body_attr answers when `type` is absent (the online manual's table). */
export const DEFAULT_ATTRIBUTES: readonly AttributeName[] = [
  'gender', 'age', 'upper_wear', 'lower_wear', 'upper_color', 'lower_color', 'bag', 'headwear', 'face_mask',
  'cellphone', 'orientation', 'smoke', 'upper_cut', 'lower_cut', 'side_cut', 'occlusion', 'is_human',
];

/** Words accepted in `type` for an attribute under another name (the private table spells upper_wear_fg "upper_wear_fing"). */
export const ATTRIBUTE_ALIASES: Readonly<Record<string, AttributeName>> = { upper_wear_fing: 'upper_wear_fg' };

/** A probability per value name (sums to 1). */
export type Distribution = Readonly<Record<string, number>>;

/** One answered attribute: the most probable value and its probability. */
export interface AttributeAnswer {
  name: string;
  score: number;
}

export function isAttributeName(word: string): word is AttributeName {
  return Object.hasOwn(ATTRIBUTE_VALUES, word);
}

/** The attribute a `type` word names (aliases included), or undefined for an unknown word. */
export function attributeForWord(word: string): AttributeName | undefined {
  const w = word.trim();
  return isAttributeName(w) ? w : ATTRIBUTE_ALIASES[w];
}
