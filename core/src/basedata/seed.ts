import type { I18nText, SeedContext } from '@plinth/sdk';

const t = (zh: string, en: string, tw: string): I18nText => ({ 'zh-CN': zh, en, 'zh-TW': tw });

interface SeedDictionary {
  code: string;
  label: I18nText;
  description?: string;
  items: [code: string, label: I18nText][];
}

/** Dictionaries every installation starts with (codes match the customer plugin's enums). */
export const SEED_DICTIONARIES: readonly SeedDictionary[] = [
  {
    code: 'gender',
    label: t('性别', 'Gender', '性別'),
    items: [
      ['male', t('男', 'Male', '男')],
      ['female', t('女', 'Female', '女')],
      ['unknown', t('未知', 'Unknown', '未知')],
    ],
  },
  {
    code: 'idDocumentType',
    label: t('证件类型', 'ID document type', '證件類型'),
    items: [
      ['idCard', t('居民身份证', 'Resident ID card', '居民身分證')],
      ['passport', t('护照', 'Passport', '護照')],
      ['hkMacauPermit', t('港澳居民来往内地通行证', 'Hong Kong/Macau travel permit', '港澳居民來往內地通行證')],
      ['taiwanPermit', t('台湾居民来往大陆通行证', 'Taiwan compatriot permit', '台灣居民來往大陸通行證')],
      ['foreignPermanentResident', t('外国人永久居留身份证', 'Foreign permanent resident ID card', '外國人永久居留身分證')],
      ['officerCard', t('军官证', 'Military officer card', '軍官證')],
      ['creditCode', t('统一社会信用代码', 'Unified social credit code', '統一社會信用代碼')],
      ['other', t('其他', 'Other', '其他')],
    ],
  },
  {
    code: 'currency',
    label: t('币种', 'Currency', '幣別'),
    description: 'ISO 4217',
    items: [
      ['CNY', t('人民币', 'Chinese yuan', '人民幣')],
      ['USD', t('美元', 'US dollar', '美元')],
      ['EUR', t('欧元', 'Euro', '歐元')],
      ['HKD', t('港币', 'Hong Kong dollar', '港幣')],
      ['MOP', t('澳门元', 'Macanese pataca', '澳門元')],
      ['TWD', t('新台币', 'New Taiwan dollar', '新臺幣')],
      ['JPY', t('日元', 'Japanese yen', '日圓')],
      ['GBP', t('英镑', 'Pound sterling', '英鎊')],
    ],
  },
];

const MONTHS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Parameters every installation starts with. */
export const SEED_PARAMETERS: readonly Record<string, unknown>[] = [
  { code: 'company.name', group: 'company', type: 'string', label: t('公司名称', 'Company name', '公司名稱'), value: '' },
  { code: 'company.abbreviation', group: 'company', type: 'string', label: t('公司简称', 'Company abbreviation', '公司簡稱'), value: '' },
  { code: 'finance.defaultCurrency', group: 'finance', type: 'enum', dictionary: 'currency', label: t('本位币', 'Default currency', '本位幣'), value: 'CNY' },
  {
    code: 'finance.fiscalYearStart',
    group: 'finance',
    type: 'enum',
    label: t('会计年度起始月', 'Fiscal year starts in', '會計年度起始月'),
    options: MONTHS.map((m, i) => ({ value: String(i + 1), label: t(`${m}月`, MONTH_NAMES[i], `${m}月`) })),
    value: '1',
  },
  { code: 'system.timeZone', group: 'system', type: 'string', label: t('时区', 'Time zone', '時區'), description: 'IANA time zone name', value: 'Asia/Shanghai' },
];

/** The system plugin's first-start seed: the platform dictionaries and parameters (those not there yet). */
export async function seedBaseData(ctx: SeedContext): Promise<void> {
  const dictionaries = ctx.records('dictionary');
  const items = ctx.records('dictionaryItem');
  for (const d of SEED_DICTIONARIES) {
    if (await dictionaries.count({ filter: { code: d.code } })) continue;
    const created = await dictionaries.create({ code: d.code, label: d.label, description: d.description ?? null });
    await items.createMany(d.items.map(([code, label], i) => ({ dictionary: created.id, code, label, sortOrder: (i + 1) * 10 })));
  }
  const parameters = ctx.records('parameter');
  for (const p of SEED_PARAMETERS) if (!(await parameters.count({ filter: { code: String(p.code) } }))) await parameters.create(p);
}
