/** The dictionaries behind the contact's enum fields. */
import { option } from './i18n';

export const GENDERS = [
  option('male', '男', 'Male', '男'),
  option('female', '女', 'Female', '女'),
  option('unknown', '未知', 'Unknown', '未知'),
] as const;

/** How a contact relates to an individual customer. */
export const RELATIONSHIPS = [
  option('spouse', '配偶', 'Spouse', '配偶'),
  option('child', '子女', 'Child', '子女'),
  option('parent', '父母', 'Parent', '父母'),
  option('sibling', '兄弟姐妹', 'Sibling', '兄弟姊妹'),
  option('relative', '其他亲属', 'Other relative', '其他親屬'),
  option('friend', '朋友', 'Friend', '朋友'),
  option('colleague', '同事', 'Colleague', '同事'),
  option('other', '其他', 'Other', '其他'),
] as const;

/** What a contact does for an organisation customer. */
export const ROLES = [
  option('decisionMaker', '决策人', 'Decision maker', '決策人'),
  option('hr', '人事对接人', 'HR contact', '人事對接人'),
  option('finance', '财务对接人', 'Finance contact', '財務對接人'),
  option('liaison', '业务联络人', 'Liaison', '業務聯絡人'),
  option('other', '其他', 'Other', '其他'),
] as const;

export const CHANNELS = [
  option('mobile', '手机', 'Mobile', '手機'),
  option('phone', '固定电话', 'Phone', '市話'),
  option('sms', '短信', 'SMS', '簡訊'),
  option('email', '电子邮件', 'E-mail', '電子郵件'),
  option('wechat', '微信', 'WeChat', '微信'),
] as const;

/** The value type of one dictionary: `OptionValue<typeof ROLES>`. */
export type OptionValue<O extends readonly { value: string }[]> = O[number]['value'];
