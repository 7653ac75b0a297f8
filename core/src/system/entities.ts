import { defineEntity, type I18nText } from '@plinth/sdk';
import { relatedTab } from './related-tab';

const t = (zh: string, en: string, tw?: string): I18nText => ({ 'zh-CN': zh, en, ...(tw ? { 'zh-TW': tw } : {}) });

/**
 * A person who can log in. The record's `department` is the user's department and its
 * `owner` is the user; the organisation plugin adds position and superior. Credentials
 * live apart (plinth_credentials) and never appear in this entity.
 */
export const user = defineEntity({
  name: 'user',
  plural: 'users',
  table: 'plinth_users',
  label: t('用户', 'User', '使用者'),
  titleField: 'displayName',
  customizable: true,
  fields: {
    username: { type: 'string', label: t('登录名', 'Username', '登入名'), required: true, unique: true, length: 64, pattern: '^[A-Za-z0-9_.@-]{2,64}$' },
    displayName: { type: 'string', label: t('姓名', 'Name', '姓名'), required: true, length: 100 },
    email: { type: 'string', label: t('电子邮箱', 'E-mail', '電子郵件'), length: 254, format: 'email' },
    mobile: { type: 'string', label: t('手机', 'Mobile', '手機'), length: 32, format: 'phone' },
    status: {
      type: 'enum',
      label: t('状态', 'Status', '狀態'),
      required: true,
      default: 'active',
      values: [
        { value: 'active', label: t('在用', 'Active', '在用') },
        { value: 'disabled', label: t('停用', 'Disabled', '停用') },
      ],
    },
    isAdmin: { type: 'boolean', label: t('系统管理员', 'System administrator', '系統管理員'), default: false },
    language: {
      type: 'enum',
      label: t('界面语言', 'Language', '介面語言'),
      default: 'zh-CN',
      values: [
        { value: 'zh-CN', label: t('简体中文', 'Simplified Chinese', '簡體中文') },
        { value: 'zh-TW', label: t('繁體中文', 'Traditional Chinese', '繁體中文') },
        { value: 'en', label: t('English', 'English', 'English') },
      ],
    },
    theme: { type: 'string', label: t('界面主题', 'Theme', '介面主題'), length: 32, pattern: '^[a-z][a-z0-9-]{0,31}$' },
    nickname: { type: 'string', label: t('昵称', 'Nickname', '暱稱'), length: 50 },
    signature: { type: 'text', label: t('个性签名', 'Signature', '個人簽名'), maxLength: 500 },
    avatar: { type: 'file', label: t('头像', 'Avatar', '頭像'), accept: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] },
  },
});

export const role = defineEntity({
  name: 'role',
  table: 'plinth_roles',
  label: t('角色', 'Role', '角色'),
  titleField: 'name',
  fields: {
    code: { type: 'string', label: t('代码', 'Code', '代碼'), required: true, unique: true, length: 64, pattern: '^[a-zA-Z][a-zA-Z0-9_-]*$' },
    name: { type: 'string', label: t('名称', 'Name', '名稱'), required: true, length: 100 },
    description: { type: 'text', label: t('说明', 'Description', '說明'), maxLength: 2000 },
    builtin: { type: 'boolean', label: t('内置', 'Built in', '內建'), default: false },
    /** The plugin that declared the role; its grants stop applying while that plugin is not enabled. */
    source: { type: 'string', label: t('来源', 'Source', '來源'), length: 64, readonly: true },
  },
});

const SCOPE_SCHEMA = {
  oneOf: [
    { type: 'string', enum: ['own', 'department', 'departmentTree', 'subordinates', 'branch', 'all'] },
    { type: 'object', required: ['filter'], additionalProperties: false, properties: { filter: { type: 'object' } } },
  ],
};
const NAMES = { type: 'array', items: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9]*$' }, maxItems: 200 };

export const roleGrant = defineEntity({
  name: 'roleGrant',
  table: 'plinth_role_grants',
  label: t('角色授权', 'Role grant', '角色授權'),
  fields: {
    role: { type: 'reference', entity: 'role', label: t('角色', 'Role', '角色'), required: true, onDelete: 'cascade' },
    entity: { type: 'string', label: t('对象', 'Entity', '物件'), required: true, length: 64 },
    actions: { type: 'json', label: t('操作', 'Actions', '操作'), required: true, schema: { ...NAMES, minItems: 1 } },
    scope: { type: 'json', label: t('数据范围', 'Data scope', '資料範圍'), required: true, schema: SCOPE_SCHEMA },
    hiddenFields: { type: 'json', label: t('隐藏字段', 'Hidden fields', '隱藏欄位'), schema: NAMES },
    readonlyFields: { type: 'json', label: t('只读字段', 'Read-only fields', '唯讀欄位'), schema: NAMES },
    source: { type: 'string', label: t('来源', 'Source', '來源'), length: 64 },
  },
  indexes: [{ fields: ['role', 'entity'] }],
});

export const userRole = defineEntity({
  name: 'userRole',
  table: 'plinth_user_roles',
  label: t('用户角色', 'User role', '使用者角色'),
  fields: {
    user: { type: 'reference', entity: 'user', label: t('用户', 'User', '使用者'), required: true, onDelete: 'cascade' },
    role: { type: 'reference', entity: 'role', label: t('角色', 'Role', '角色'), required: true, onDelete: 'cascade' },
  },
  indexes: [{ fields: ['user', 'role'], unique: true }],
});

/** An explicit grant on one record to a user, a department or a group (共享). */
export const share = defineEntity({
  name: 'share',
  table: 'plinth_shares',
  label: t('记录共享', 'Record share', '記錄共享'),
  fields: {
    entity: { type: 'string', label: t('对象', 'Entity', '物件'), required: true, length: 64 },
    recordId: { type: 'integer', label: t('记录', 'Record', '記錄'), required: true, min: 1 },
    toUser: { type: 'reference', entity: 'user', label: t('共享给用户', 'User', '使用者'), onDelete: 'cascade' },
    toDepartment: { type: 'integer', label: t('共享给部门', 'Department', '部門'), min: 1 },
    toGroup: { type: 'integer', label: t('共享给群组', 'Group', '群組'), min: 1 },
    canUpdate: { type: 'boolean', label: t('可修改', 'May edit', '可修改'), default: false },
  },
  indexes: [{ fields: ['entity', 'recordId'] }],
});

export const SYSTEM_ENTITIES = [user, role, roleGrant, userRole, share, relatedTab];
