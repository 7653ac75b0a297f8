import { defineEntity, type I18nText } from '@plinth/sdk';

const t = (zh: string, en: string, tw: string): I18nText => ({ 'zh-CN': zh, en, 'zh-TW': tw });

/** An i18n label held as data: zh-CN and en required, zh-TW optional (falls back to zh-CN). */
export const I18N_SCHEMA = {
  type: 'object',
  required: ['zh-CN', 'en'],
  additionalProperties: false,
  properties: Object.fromEntries(['zh-CN', 'en', 'zh-TW'].map((k) => [k, { type: 'string', minLength: 1, maxLength: 200 }])),
};

/** Codes a field definition or a script names: a letter, then letters, digits, `_ . -`. */
export const CODE_PATTERN = '^[A-Za-z][A-Za-z0-9_.-]*$';
/** Item codes are stored as enum values: letters, digits and `_ . : + -` (e.g. `zh-CN`, `01`). */
export const ITEM_CODE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:+-]*$';

/** Choices of an enum parameter or category attribute given inline instead of by a dictionary. */
export const OPTIONS_SCHEMA = {
  type: 'array',
  minItems: 1,
  maxItems: 500,
  items: {
    type: 'object',
    required: ['value', 'label'],
    additionalProperties: false,
    properties: { value: { type: 'string', minLength: 1, maxLength: 64 }, label: I18N_SCHEMA },
  },
};

/** A named list of values (字典) that enum fields, parameters and attributes take their choices from. */
export const dictionary = defineEntity({
  name: 'dictionary',
  plural: 'dictionaries',
  table: 'plinth_dictionaries',
  label: t('字典', 'Dictionary', '字典'),
  titleField: 'code',
  customizable: false,
  fields: {
    code: { type: 'string', label: t('代码', 'Code', '代碼'), required: true, unique: true, length: 64, pattern: CODE_PATTERN },
    label: { type: 'json', label: t('名称', 'Name', '名稱'), required: true, schema: I18N_SCHEMA },
    description: { type: 'text', label: t('说明', 'Description', '說明'), maxLength: 2000 },
    enabled: { type: 'boolean', label: t('启用', 'Enabled', '啟用'), default: true },
    items: { type: 'collection', entity: 'dictionaryItem', foreignKey: 'dictionary', label: t('字典项', 'Items', '字典項') },
  },
});

/**
 * One value of a dictionary. `code` is what records store; the label is shown. A disabled
 * item is no longer offered but still labels the records that hold it. `parent` makes
 * hierarchical lists (province → city) within one dictionary.
 */
export const dictionaryItem = defineEntity({
  name: 'dictionaryItem',
  table: 'plinth_dictionary_items',
  label: t('字典项', 'Dictionary item', '字典項'),
  titleField: 'code',
  customizable: false,
  fields: {
    dictionary: { type: 'reference', entity: 'dictionary', label: t('字典', 'Dictionary', '字典'), required: true, onDelete: 'cascade' },
    code: { type: 'string', label: t('代码', 'Code', '代碼'), required: true, length: 64, pattern: ITEM_CODE_PATTERN },
    label: { type: 'json', label: t('名称', 'Name', '名稱'), required: true, schema: I18N_SCHEMA },
    sortOrder: { type: 'integer', label: t('排序', 'Order', '排序'), default: 0 },
    enabled: { type: 'boolean', label: t('启用', 'Enabled', '啟用'), default: true },
    parent: { type: 'reference', entity: 'dictionaryItem', label: t('上级项', 'Parent item', '上級項'), onDelete: 'restrict' },
    color: { type: 'string', label: t('颜色', 'Colour', '顏色'), length: 7, pattern: '^#[0-9A-Fa-f]{6}$' },
  },
  indexes: [{ fields: ['dictionary', 'code'], unique: true }],
});

/** Longest ancestor path a category keeps ("/1/4/9/"); deeper trees are refused with a clear error. */
export const CATEGORY_PATH_LENGTH = 700;

/**
 * A node of a category tree (分类). Trees are told apart by `kind` (product, document…);
 * `path` holds the ids of all ancestors, kept by hooks, so a subtree is one prefix query.
 */
export const category = defineEntity({
  name: 'category',
  plural: 'categories',
  table: 'plinth_categories',
  label: t('分类', 'Category', '分類'),
  titleField: 'code',
  customizable: false,
  fields: {
    kind: { type: 'string', label: t('分类体系', 'Tree', '分類體系'), required: true, length: 64, pattern: CODE_PATTERN },
    code: { type: 'string', label: t('代码', 'Code', '代碼'), required: true, length: 64, pattern: ITEM_CODE_PATTERN },
    label: { type: 'json', label: t('名称', 'Name', '名稱'), required: true, schema: I18N_SCHEMA },
    parent: { type: 'reference', entity: 'category', label: t('上级分类', 'Parent', '上級分類'), onDelete: 'restrict' },
    path: { type: 'string', label: t('路径', 'Path', '路徑'), length: CATEGORY_PATH_LENGTH, readonly: true, index: true },
    sortOrder: { type: 'integer', label: t('排序', 'Order', '排序'), default: 0 },
    enabled: { type: 'boolean', label: t('启用', 'Enabled', '啟用'), default: true },
    description: { type: 'text', label: t('说明', 'Description', '說明'), maxLength: 2000 },
    children: { type: 'collection', entity: 'category', foreignKey: 'parent', label: t('下级分类', 'Subcategories', '下級分類') },
    attributes: { type: 'collection', entity: 'categoryAttribute', foreignKey: 'category', label: t('属性', 'Attributes', '屬性') },
  },
  indexes: [{ fields: ['kind', 'code'], unique: true }],
});

export const ATTRIBUTE_TYPES = ['string', 'text', 'integer', 'number', 'boolean', 'date', 'enum'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

const ATTRIBUTE_TYPE_LABELS: Record<AttributeType, I18nText> = {
  string: t('文本', 'Text', '文字'),
  text: t('长文本', 'Long text', '長文字'),
  integer: t('整数', 'Integer', '整數'),
  number: t('数值', 'Number', '數值'),
  boolean: t('是/否', 'Yes/no', '是/否'),
  date: t('日期', 'Date', '日期'),
  enum: t('选项', 'Choice', '選項'),
};

/**
 * One attribute of a category's attribute set (e.g. "screen size" for laptops). A
 * category's effective attributes are its own and its ancestors'; a subcategory's
 * attribute of the same name replaces the inherited one.
 */
export const categoryAttribute = defineEntity({
  name: 'categoryAttribute',
  table: 'plinth_category_attributes',
  label: t('分类属性', 'Category attribute', '分類屬性'),
  titleField: 'name',
  customizable: false,
  fields: {
    category: { type: 'reference', entity: 'category', label: t('分类', 'Category', '分類'), required: true, onDelete: 'cascade' },
    name: { type: 'string', label: t('属性名', 'Name', '屬性名'), required: true, length: 64, pattern: '^[a-z][a-zA-Z0-9]*$' },
    type: {
      type: 'enum',
      label: t('类型', 'Type', '類型'),
      required: true,
      default: 'string',
      values: ATTRIBUTE_TYPES.map((value) => ({ value, label: ATTRIBUTE_TYPE_LABELS[value] })),
    },
    label: { type: 'json', label: t('显示名称', 'Label', '顯示名稱'), required: true, schema: I18N_SCHEMA },
    required: { type: 'boolean', label: t('必填', 'Required', '必填'), default: false },
    options: { type: 'json', label: t('选项', 'Options', '選項'), schema: OPTIONS_SCHEMA },
    dictionary: { type: 'string', label: t('字典', 'Dictionary', '字典'), length: 64, pattern: CODE_PATTERN },
    sortOrder: { type: 'integer', label: t('排序', 'Order', '排序'), default: 0 },
  },
  indexes: [{ fields: ['category', 'name'], unique: true }],
});

export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'json', 'enum'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

const PARAMETER_TYPE_LABELS: Record<ParameterType, I18nText> = {
  ...ATTRIBUTE_TYPE_LABELS,
  json: t('JSON', 'JSON', 'JSON'),
} as Record<ParameterType, I18nText>;

/**
 * A system parameter (参数设置). `value` is any JSON value, checked against `type` on every
 * write. A secret parameter's value is kept encrypted in `secretValue` (as JSON text) and
 * `value` stays empty; only administrators can read secret parameters.
 */
export const parameter = defineEntity({
  name: 'parameter',
  table: 'plinth_parameters',
  label: t('系统参数', 'Parameter', '系統參數'),
  titleField: 'code',
  customizable: false,
  fields: {
    code: { type: 'string', label: t('代码', 'Code', '代碼'), required: true, unique: true, length: 100, pattern: CODE_PATTERN },
    group: { type: 'string', label: t('分组', 'Group', '分組'), required: true, default: 'general', length: 64, pattern: CODE_PATTERN, index: true },
    label: { type: 'json', label: t('名称', 'Name', '名稱'), required: true, schema: I18N_SCHEMA },
    description: { type: 'text', label: t('说明', 'Description', '說明'), maxLength: 2000 },
    type: {
      type: 'enum',
      label: t('类型', 'Type', '類型'),
      required: true,
      default: 'string',
      values: PARAMETER_TYPES.map((value) => ({ value, label: PARAMETER_TYPE_LABELS[value] })),
    },
    options: { type: 'json', label: t('选项', 'Options', '選項'), schema: OPTIONS_SCHEMA },
    dictionary: { type: 'string', label: t('字典', 'Dictionary', '字典'), length: 64, pattern: CODE_PATTERN },
    value: { type: 'json', label: t('值', 'Value', '值') },
    secret: { type: 'boolean', label: t('保密', 'Secret', '保密'), default: false },
    secretValue: { type: 'text', label: t('保密值', 'Secret value', '保密值'), maxLength: 8_000, encrypted: true, sensitive: true, readonly: true },
  },
});

export const BASEDATA_ENTITIES = [dictionary, dictionaryItem, category, categoryAttribute, parameter];
