/** The dictionaries behind the customer's enum fields. */
import { option } from './i18n';

export const CUSTOMER_KINDS = [
  option('person', '个人客户', 'Individual', '個人客戶'),
  option('organisation', '团体客户', 'Organisation', '團體客戶'),
] as const;

export const GENDERS = [
  option('male', '男', 'Male', '男'),
  option('female', '女', 'Female', '女'),
  option('unknown', '未知', 'Unknown', '未知'),
] as const;

export const ID_TYPES = [
  option('idCard', '身份证', 'Resident ID card', '身分證'),
  option('passport', '护照', 'Passport', '護照'),
  option('hkMacauPermit', '港澳通行证', 'Hong Kong/Macau travel permit', '港澳通行證'),
  option('taiwanPermit', '台胞证', 'Taiwan compatriot permit', '台胞證'),
  option('officerCard', '军官证', 'Military officer card', '軍官證'),
  option('creditCode', '统一社会信用代码', 'Unified social credit code', '統一社會信用代碼'),
  option('other', '其他', 'Other', '其他'),
] as const;

export const MARITAL_STATUSES = [
  option('single', '未婚', 'Single', '未婚'),
  option('married', '已婚', 'Married', '已婚'),
  option('divorced', '离异', 'Divorced', '離異'),
  option('widowed', '丧偶', 'Widowed', '喪偶'),
] as const;

export const EDUCATION_LEVELS = [
  option('juniorHighOrBelow', '初中及以下', 'Junior high school or below', '國中及以下'),
  option('highSchool', '高中/中专', 'High school / vocational', '高中/中專'),
  option('associate', '大专', 'Associate degree', '大專'),
  option('bachelor', '本科', "Bachelor's degree", '大學'),
  option('master', '硕士', "Master's degree", '碩士'),
  option('doctorate', '博士', 'Doctorate', '博士'),
] as const;

export const INCOME_BANDS = [
  option('lt100k', '10万元以下', 'Under ¥100k', '10萬元以下'),
  option('100k-300k', '10万–30万元', '¥100k–300k', '10萬–30萬元'),
  option('300k-1m', '30万–100万元', '¥300k–1m', '30萬–100萬元'),
  option('gt1m', '100万元以上', 'Over ¥1m', '100萬元以上'),
] as const;

export const REGIONS = [
  option('north', '华北', 'North China', '華北'),
  option('east', '华东', 'East China', '華東'),
  option('south', '华南', 'South China', '華南'),
  option('central', '华中', 'Central China', '華中'),
  option('southwest', '西南', 'Southwest China', '西南'),
  option('northwest', '西北', 'Northwest China', '西北'),
  option('northeast', '东北', 'Northeast China', '東北'),
] as const;

export const INDUSTRIES = [
  option('manufacturing', '制造业', 'Manufacturing', '製造業'),
  option('finance', '金融业', 'Finance', '金融業'),
  option('informationTechnology', '信息技术', 'Information technology', '資訊科技'),
  option('wholesaleRetail', '批发零售', 'Wholesale and retail', '批發零售'),
  option('construction', '建筑业', 'Construction', '建築業'),
  option('realEstate', '房地产', 'Real estate', '房地產'),
  option('logistics', '交通物流', 'Transport and logistics', '交通物流'),
  option('healthcare', '医疗卫生', 'Healthcare', '醫療衛生'),
  option('education', '教育', 'Education', '教育'),
  option('energy', '能源', 'Energy', '能源'),
  option('agriculture', '农林牧渔', 'Agriculture', '農林牧漁'),
  option('hospitality', '住宿餐饮', 'Hospitality', '住宿餐飲'),
  option('publicSector', '公共管理', 'Public sector', '公共管理'),
  option('other', '其他', 'Other', '其他'),
] as const;

export const ORG_SIZES = [
  option('micro', '微型（10人以下）', 'Micro (under 10)', '微型（10人以下）'),
  option('small', '小型（10–99人）', 'Small (10–99)', '小型（10–99人）'),
  option('medium', '中型（100–999人）', 'Medium (100–999)', '中型（100–999人）'),
  option('large', '大型（1000人以上）', 'Large (1,000+)', '大型（1000人以上）'),
] as const;

export const CUSTOMER_TYPES = [
  option('individual', '个人', 'Individual', '個人'),
  option('family', '家庭', 'Family', '家庭'),
  option('smallBusiness', '小微企业', 'Small business', '小微企業'),
  option('corporate', '企业', 'Corporate', '企業'),
  option('government', '政府机构', 'Government', '政府機構'),
] as const;

export const LEVELS = [
  option('vip', 'VIP', 'VIP', 'VIP'),
  option('a', 'A', 'A', 'A'),
  option('b', 'B', 'B', 'B'),
  option('c', 'C', 'C', 'C'),
] as const;

export const SOURCES = [
  option('agent', '代理人', 'Agent', '代理人'),
  option('bancassurance', '银保', 'Bancassurance', '銀保'),
  option('telesales', '电销', 'Telesales', '電銷'),
  option('online', '网销', 'Online', '網銷'),
  option('referral', '转介绍', 'Referral', '轉介紹'),
  option('campaign', '营销活动', 'Campaign', '行銷活動'),
  option('walkIn', '柜面到访', 'Walk-in', '櫃檯到訪'),
] as const;

export const STATUSES = [
  option('prospect', '潜在客户', 'Prospect', '潛在客戶'),
  option('active', '有效客户', 'Active', '有效客戶'),
  option('lapsed', '失效客户', 'Lapsed', '失效客戶'),
  option('lost', '流失客户', 'Lost', '流失客戶'),
] as const;

/** The value type of one dictionary: `OptionValue<typeof LEVELS>` is `'vip' | 'a' | 'b' | 'c'`. */
export type OptionValue<O extends readonly { value: string }[]> = O[number]['value'];
