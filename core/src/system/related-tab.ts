import { defineEntity, type I18nText } from '@plinth/sdk';

const t = (zh: string, en: string, tw: string): I18nText => ({ 'zh-CN': zh, en, 'zh-TW': tw });
const NAME = '^[a-z][a-zA-Z0-9]*$';
const LABEL_SCHEMA = {
  type: 'object',
  required: ['zh-CN', 'en'],
  additionalProperties: false,
  properties: Object.fromEntries(['zh-CN', 'en', 'zh-TW'].map((k) => [k, { type: 'string', minLength: 1, maxLength: 100 }])),
};

/**
 * An administrator's related tab (关联菜单), or their overlay on a plugin's tab with the
 * same entity and key: then only label, order and hidden apply, and the plugin's target
 * and foreign key stay (so the overlay survives the plugin's upgrades). Checked against
 * the metadata by a hook (core/src/related/admin-hooks.ts).
 */
export const relatedTab = defineEntity({
  name: 'relatedTab',
  table: 'plinth_related_tabs',
  label: t('关联菜单', 'Related tab', '關聯選單'),
  titleField: 'key',
  customizable: false,
  fields: {
    entity: { type: 'string', label: t('所属对象', 'Entity', '所屬物件'), required: true, length: 64, pattern: NAME },
    key: { type: 'string', label: t('标识', 'Key', '識別碼'), required: true, length: 64, pattern: '^[a-z][a-zA-Z0-9-]{0,63}$' },
    target: { type: 'string', label: t('关联对象', 'Target entity', '關聯物件'), length: 64, pattern: NAME },
    foreignKey: { type: 'string', label: t('关联字段', 'Foreign key', '關聯欄位'), length: 64, pattern: NAME },
    label: { type: 'json', label: t('名称', 'Label', '名稱'), schema: LABEL_SCHEMA },
    order: { type: 'integer', label: t('顺序', 'Order', '順序'), min: 0, max: 10_000 },
    hidden: { type: 'boolean', label: t('隐藏', 'Hidden', '隱藏'), default: false },
  },
  indexes: [{ fields: ['entity', 'key'], unique: true }],
});
