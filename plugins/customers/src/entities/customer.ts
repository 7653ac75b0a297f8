import { defineEntity } from '@plinth/sdk';
import { text } from '../i18n';
import {
  CUSTOMER_KINDS,
  CUSTOMER_TYPES,
  EDUCATION_LEVELS,
  GENDERS,
  ID_TYPES,
  INCOME_BANDS,
  INDUSTRIES,
  LEVELS,
  MARITAL_STATUSES,
  ORG_SIZES,
  REGIONS,
  SOURCES,
  STATUSES,
} from '../options';

export const TAGS_SCHEMA = { type: 'array', items: { type: 'string', maxLength: 32 }, maxItems: 20 };

/**
 * A customer of the insurer: a natural person or an organisation, with identity,
 * contact points, CRM classification and value figures (the customer information model).
 */
export const customer = defineEntity({
  name: 'customer',
  plural: 'customers',
  label: text('客户', 'Customer', '客戶'),
  description: text('个人及团体客户的统一档案', 'Individual and organisation customers', '個人及團體客戶的統一檔案'),
  titleField: 'name',
  fields: {
    // Identity
    customerNo: { type: 'string', label: text('客户编号', 'Customer no.', '客戶編號'), required: true, unique: true, length: 16, pattern: '^C\\d{8}$' },
    name: { type: 'string', label: text('客户名称', 'Name', '客戶名稱'), required: true, length: 100 },
    kind: { type: 'enum', label: text('客户类别', 'Kind', '客戶類別'), required: true, values: CUSTOMER_KINDS },
    gender: { type: 'enum', label: text('性别', 'Gender', '性別'), values: GENDERS },
    birthDate: { type: 'date', label: text('出生日期', 'Date of birth', '出生日期') },
    idType: { type: 'enum', label: text('证件类型', 'ID type', '證件類型'), values: ID_TYPES },
    idNumber: { type: 'string', label: text('证件号码', 'ID number', '證件號碼'), length: 32, sensitive: true, encrypted: true },
    nationality: { type: 'string', label: text('国籍', 'Nationality', '國籍'), length: 64 },
    maritalStatus: { type: 'enum', label: text('婚姻状况', 'Marital status', '婚姻狀況'), values: MARITAL_STATUSES },
    education: { type: 'enum', label: text('学历', 'Education', '學歷'), values: EDUCATION_LEVELS },
    occupation: { type: 'string', label: text('职业', 'Occupation', '職業'), length: 100 },
    occupationClass: {
      type: 'integer',
      label: text('职业类别', 'Occupation class', '職業類別'),
      help: text('1–6 类，类别越高风险越大', 'Class 1–6; higher means riskier', '1–6 類，類別越高風險越大'),
      min: 1,
      max: 6,
    },
    employer: { type: 'string', label: text('工作单位', 'Employer', '工作單位'), length: 200 },
    annualIncomeBand: { type: 'enum', label: text('年收入', 'Annual income', '年收入'), values: INCOME_BANDS, sensitive: true },

    // Contact points
    phone: { type: 'string', label: text('固定电话', 'Phone', '市話'), length: 32, format: 'phone' },
    mobile: { type: 'string', label: text('手机', 'Mobile', '手機'), length: 32, format: 'phone' },
    email: { type: 'string', label: text('电子邮箱', 'E-mail', '電子郵件'), length: 254, format: 'email' },
    wechatId: { type: 'string', label: text('微信号', 'WeChat ID', '微信號'), length: 64 },
    address: { type: 'string', label: text('地址', 'Address', '地址'), length: 500 },
    province: { type: 'string', label: text('省份', 'Province', '省份'), length: 32 },
    city: { type: 'string', label: text('城市', 'City', '城市'), length: 32, index: true },
    district: { type: 'string', label: text('区县', 'District', '區縣'), length: 32 },
    postalCode: { type: 'string', label: text('邮政编码', 'Postal code', '郵遞區號'), length: 10 },
    region: { type: 'enum', label: text('大区', 'Region', '大區'), values: REGIONS },

    // Organisation
    industry: { type: 'enum', label: text('所属行业', 'Industry', '所屬行業'), values: INDUSTRIES },
    orgSize: { type: 'enum', label: text('企业规模', 'Organisation size', '企業規模'), values: ORG_SIZES },
    legalRepresentative: { type: 'string', label: text('法定代表人', 'Legal representative', '法定代表人'), length: 100 },

    // CRM classification
    customerType: { type: 'enum', label: text('客户类型', 'Customer type', '客戶類型'), values: CUSTOMER_TYPES },
    level: { type: 'enum', label: text('客户等级', 'Level', '客戶等級'), values: LEVELS },
    source: { type: 'enum', label: text('客户来源', 'Source', '客戶來源'), values: SOURCES },
    status: { type: 'enum', label: text('客户状态', 'Status', '客戶狀態'), required: true, values: STATUSES, default: 'prospect' },
    tags: { type: 'json', label: text('标签', 'Tags', '標籤'), schema: TAGS_SCHEMA },
    consentPhone: { type: 'boolean', label: text('同意电话营销', 'Phone marketing consent', '同意電話行銷'), default: false },
    consentSms: { type: 'boolean', label: text('同意短信营销', 'SMS marketing consent', '同意簡訊行銷'), default: false },
    consentEmail: { type: 'boolean', label: text('同意邮件营销', 'E-mail marketing consent', '同意郵件行銷'), default: false },
    doNotContact: { type: 'boolean', label: text('勿扰', 'Do not contact', '勿擾'), default: false },

    // Value analysis
    establishedValue: {
      type: 'money',
      label: text('既有价值', 'Established value', '既有價值'),
      help: text('累计已缴保费', 'Premiums paid to date', '累計已繳保費'),
      min: 0,
    },
    potentialValue: {
      type: 'money',
      label: text('潜在价值', 'Potential value', '潛在價值'),
      help: text('预测的加保及交叉销售保费', 'Predicted up-sell and cross-sell premium', '預測的加保及交叉銷售保費'),
      min: 0,
    },
    valueScore: { type: 'integer', label: text('价值评分', 'Value score', '價值評分'), min: 0, max: 100 },
    policiesInForce: { type: 'integer', label: text('有效保单数', 'Policies in force', '有效保單數'), min: 0, default: 0 },
    firstPolicyDate: { type: 'date', label: text('首次投保日期', 'First policy date', '首次投保日期') },
    lastContactAt: { type: 'datetime', label: text('最近联系时间', 'Last contacted at', '最近聯繫時間') },
    remarks: { type: 'text', label: text('备注', 'Remarks', '備註'), maxLength: 2000 },
    // `contacts` (the customer's contacts) is added by the contacts plugin, which owns them.
  },
  indexes: [{ fields: ['city', 'createdAt'] }, { fields: ['status', 'level'] }],
  sections: [
    { key: 'identity', label: text('身份信息', 'Identity', '身分資訊'), fields: ['customerNo', 'name', 'kind', 'gender', 'birthDate', 'idType', 'idNumber', 'nationality', 'maritalStatus', 'education', 'occupation', 'occupationClass', 'employer', 'annualIncomeBand'] },
    { key: 'contact', label: text('联系方式', 'Contact points', '聯絡方式'), fields: ['phone', 'mobile', 'email', 'wechatId', 'address', 'province', 'city', 'district', 'postalCode', 'region'] },
    { key: 'organisation', label: text('团体信息', 'Organisation', '團體資訊'), fields: ['industry', 'orgSize', 'legalRepresentative'] },
    { key: 'classification', label: text('分类与偏好', 'Classification', '分類與偏好'), fields: ['customerType', 'level', 'source', 'status', 'tags', 'consentPhone', 'consentSms', 'consentEmail', 'doNotContact'] },
    { key: 'value', label: text('客户价值', 'Value', '客戶價值'), fields: ['establishedValue', 'potentialValue', 'valueScore', 'policiesInForce', 'firstPolicyDate', 'lastContactAt', 'remarks'] },
  ],
});
