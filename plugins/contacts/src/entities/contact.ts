import { defineEntity, type EntityExtension } from '@plinth/sdk';
import { text } from '../i18n';
import { CHANNELS, GENDERS, RELATIONSHIPS, ROLES } from '../options';

/**
 * A person to reach for a customer: family members and emergency contacts of individuals,
 * decision makers and HR/finance staff of organisations (the customer's address book).
 */
export const contact = defineEntity({
  name: 'contact',
  plural: 'contacts',
  label: text('联系人', 'Contact', '聯絡人'),
  description: text('客户的通讯录', "Customers' address book", '客戶的通訊錄'),
  titleField: 'name',
  fields: {
    customer: { type: 'reference', label: text('所属客户', 'Customer', '所屬客戶'), entity: 'customer', required: true, onDelete: 'cascade' },
    name: { type: 'string', label: text('姓名', 'Name', '姓名'), required: true, length: 100 },
    title: { type: 'string', label: text('职务', 'Job title', '職稱'), length: 100 },
    // `department` is a system field (the owning department), hence the longer name.
    departmentName: { type: 'string', label: text('部门', 'Department', '部門'), length: 100 },
    relationship: { type: 'enum', label: text('与客户关系', 'Relationship', '與客戶關係'), values: RELATIONSHIPS },
    role: { type: 'enum', label: text('联系人角色', 'Role', '聯絡人角色'), values: ROLES },
    gender: { type: 'enum', label: text('性别', 'Gender', '性別'), values: GENDERS },
    birthday: { type: 'date', label: text('生日', 'Birthday', '生日') },
    mobile: { type: 'string', label: text('手机', 'Mobile', '手機'), length: 32, format: 'phone' },
    phone: { type: 'string', label: text('固定电话', 'Phone', '市話'), length: 32, format: 'phone' },
    email: { type: 'string', label: text('电子邮箱', 'E-mail', '電子郵件'), length: 254, format: 'email' },
    wechatId: { type: 'string', label: text('微信号', 'WeChat ID', '微信號'), length: 64 },
    qq: { type: 'string', label: text('QQ号', 'QQ number', 'QQ號'), length: 12, pattern: '^[1-9]\\d{4,11}$' },
    preferredChannel: { type: 'enum', label: text('首选联系方式', 'Preferred channel', '首選聯絡方式'), values: CHANNELS },
    address: { type: 'string', label: text('地址', 'Address', '地址'), length: 500 },
    postalCode: { type: 'string', label: text('邮政编码', 'Postal code', '郵遞區號'), length: 10 },
    hobbies: { type: 'string', label: text('兴趣爱好', 'Hobbies', '興趣愛好'), length: 500 },
    isPrimary: { type: 'boolean', label: text('主要联系人', 'Primary contact', '主要聯絡人'), default: false },
    doNotContact: { type: 'boolean', label: text('勿扰', 'Do not contact', '勿擾'), default: false },
    notes: { type: 'text', label: text('备注', 'Notes', '備註'), maxLength: 2000 },
  },
  indexes: [{ fields: ['customer', 'isPrimary'] }],
  sections: [
    { key: 'person', label: text('联系人', 'Person', '聯絡人'), fields: ['customer', 'name', 'title', 'departmentName', 'relationship', 'role', 'gender', 'birthday', 'isPrimary'] },
    { key: 'reach', label: text('联系方式', 'Reaching them', '聯絡方式'), fields: ['mobile', 'phone', 'email', 'wechatId', 'qq', 'preferredChannel', 'address', 'postalCode', 'doNotContact'] },
    { key: 'more', label: text('其他', 'More', '其他'), fields: ['hobbies', 'notes'] },
  ],
});

/** A customer's contacts, listed (and expandable) on the customer while this plugin is enabled. */
export const customerContacts: EntityExtension = {
  entity: 'customer',
  fields: {
    contacts: { type: 'collection', label: text('联系人', 'Contacts', '聯絡人'), entity: 'contact', foreignKey: 'customer' },
  },
};
