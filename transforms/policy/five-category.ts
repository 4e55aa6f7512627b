/**
 * The five-category loan classification (贷款五级分类) and its order, mildest first.
 * Ranks are used everywhere classes are compared: 1 正常 < 2 关注 < 3 次级 < 4 可疑 < 5 损失.
 * 次级, 可疑 and 损失 together are non-performing loans (不良贷款, NPL).
 *
 * @example
 * FIVE_CLASSES.indexOf('次级') + 1; // 3
 */
export const FIVE_CLASSES = ['正常', '关注', '次级', '可疑', '损失'] as const;

/** One of the five classes. */
export type FiveClass = (typeof FIVE_CLASSES)[number];

/** English labels of the classes (for docs and bilingual reports). */
export const FIVE_CLASS_EN: Readonly<Record<FiveClass, string>> = {
  正常: 'Pass',
  关注: 'Special mention',
  次级: 'Substandard',
  可疑: 'Doubtful',
  损失: 'Loss',
};

/** Rank 1..5 of a class. @example classRank('可疑') // 4 */
export function classRank(c: FiveClass): number {
  return FIVE_CLASSES.indexOf(c) + 1;
}

/** The mildest class that counts as non-performing (NPL). */
export const NPL_FROM: FiveClass = '次级';
