import type { Random } from './random';

/** The most common Chinese surnames, roughly by frequency. */
export const SURNAMES = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗',
  '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '肖', '田', '董', '袁', '潘', '于', '蒋', '蔡',
] as const;

const MALE_NAME_CHARS = ['伟', '强', '磊', '军', '洋', '勇', '杰', '涛', '斌', '超', '明', '刚', '平', '辉', '鹏', '华', '飞', '鑫', '波', '宇', '浩', '俊', '峰', '建', '国', '志', '文', '海', '东', '晨'] as const;
const FEMALE_NAME_CHARS = ['芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '燕', '玲', '婷', '雪', '琳', '慧', '颖', '倩', '洁', '红', '梅', '欣', '怡', '佳', '晓', '莉', '萍', '云', '菲', '悦', '琪', '蕾'] as const;

export function givenName(random: Random, male: boolean): string {
  const chars = male ? MALE_NAME_CHARS : FEMALE_NAME_CHARS;
  return random.chance(0.35) ? random.pick(chars) : random.pick(chars) + random.pick(chars);
}

export function personName(random: Random, male: boolean): string {
  return random.pick(SURNAMES) + givenName(random, male);
}

/** Occupations with their usual occupation class (1 = office work … 6 = most hazardous). */
export const OCCUPATIONS: readonly (readonly [name: string, occupationClass: number, weight: number])[] = [
  ['公司职员', 1, 20], ['教师', 1, 8], ['会计', 1, 6], ['软件工程师', 1, 8], ['公务员', 1, 5], ['医生', 1, 4],
  ['律师', 1, 2], ['退休人员', 1, 8], ['销售经理', 2, 8], ['护士', 2, 3], ['记者', 2, 2], ['个体工商户', 2, 7],
  ['厨师', 3, 3], ['出租车司机', 3, 3], ['快递员', 3, 3], ['货车司机', 4, 2], ['电工', 4, 2], ['建筑工人', 5, 2],
  ['消防员', 5, 1], ['高空作业人员', 6, 1],
];

/** Occupations that have no employer to record. */
export const WITHOUT_EMPLOYER: ReadonlySet<string> = new Set(['退休人员', '个体工商户']);

const TRADE_NAMES = ['华信', '恒通', '瑞丰', '鼎盛', '宏达', '嘉禾', '中联', '锦程', '天润', '新航', '金桥', '远大', '博雅', '东方', '安泰', '德隆', '泰和', '汇丰源', '万家', '星辰'] as const;

/** Business words by industry; the key is an `INDUSTRIES` value. */
export const BUSINESS_WORDS = {
  manufacturing: ['机械制造', '电子科技', '精密仪器', '新材料'],
  finance: ['投资管理', '融资租赁'],
  informationTechnology: ['信息技术', '软件', '网络科技', '数据科技'],
  wholesaleRetail: ['贸易', '商贸', '百货'],
  construction: ['建设工程', '建筑装饰'],
  realEstate: ['置业', '物业管理'],
  logistics: ['物流', '供应链管理', '运输'],
  healthcare: ['医疗器械', '健康管理'],
  education: ['教育科技', '培训'],
  energy: ['新能源', '能源科技'],
  agriculture: ['农业发展', '生态农业'],
  hospitality: ['餐饮管理', '酒店管理'],
} as const;
export type CompanyIndustry = keyof typeof BUSINESS_WORDS;

export function companyName(random: Random, city: string, industry: CompanyIndustry): string {
  const suffix = random.chance(0.15) ? '股份有限公司' : '有限公司';
  return `${city}${random.pick(TRADE_NAMES)}${random.pick(BUSINESS_WORDS[industry])}${suffix}`;
}

export const PERSON_TAGS = ['高净值', '有车', '有房', '二孩家庭', '企业主', '关注养老', '关注教育金', '健康险意向', '重疾险意向', '理赔客户', '续保提醒', '偏好微信'] as const;
export const ORGANISATION_TAGS = ['团险客户', '员工福利', '雇主责任险', '财产险', '年度续保', '战略客户'] as const;

export const REMARKS = [
  '客户偏好微信沟通，工作日晚上联系为宜。',
  '关注重疾险，约定下月再次拜访。',
  '子女明年上大学，对教育金产品有兴趣。',
  '已提供体检报告，等待核保结论。',
  '对上次理赔时效有意见，需重点维护。',
  '计划五年内退休，可推荐养老年金。',
  '家庭保障缺口较大，建议配置寿险。',
  '由老客户转介绍，注意礼品答谢。',
] as const;
