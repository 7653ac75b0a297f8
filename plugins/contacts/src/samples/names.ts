import type { Random } from './random';

const SURNAMES = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗',
  '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '肖', '田', '董', '袁', '潘', '于', '蒋', '蔡',
] as const;
const MALE_NAME_CHARS = ['伟', '强', '磊', '军', '洋', '勇', '杰', '涛', '斌', '超', '明', '刚', '辉', '鹏', '华', '飞', '宇', '浩', '俊', '峰'] as const;
const FEMALE_NAME_CHARS = ['芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '燕', '玲', '婷', '雪', '琳', '慧', '颖', '倩', '洁', '欣', '怡', '佳'] as const;

/** A full name; pass `surname` to keep a family name. */
export function personName(random: Random, male: boolean, surname: string = random.pick(SURNAMES)): string {
  const chars = male ? MALE_NAME_CHARS : FEMALE_NAME_CHARS;
  return surname + (random.chance(0.35) ? random.pick(chars) : random.pick(chars) + random.pick(chars));
}

const HOBBIES = ['高尔夫', '羽毛球', '乒乓球', '摄影', '茶艺', '书法', '旅游', '钓鱼', '跑步', '烹饪', '阅读', '瑜伽', '登山', '围棋'] as const;

export function hobbies(random: Random): string | null {
  const picked = random.some(HOBBIES, 3);
  return picked.length ? picked.join('、') : null;
}

const MOBILE_PREFIXES = ['130', '131', '135', '136', '138', '139', '150', '151', '158', '159', '180', '186', '187', '188', '189'] as const;

export function mobileNumber(random: Random): string {
  return random.pick(MOBILE_PREFIXES) + random.digits(8);
}
