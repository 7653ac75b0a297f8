/**
 * The JSON Schema of a form definition: the structure. What a schema cannot say (unique
 * names, expressions, cycles, layout references) is checked in definition.ts.
 */

type Schema = Record<string, unknown>;

export const FORM_CODE = '^[a-z][a-zA-Z0-9]{0,31}$';
export const FIELD_NAME = '^[a-z][a-zA-Z0-9]{0,47}$';
export const MAX_FIELDS = 300;
export const MAX_DETAIL_FIELDS = 100;
export const MAX_DETAIL_ROWS = 1000;

const i18n: Schema = {
  type: 'object',
  required: ['zh-CN', 'en'],
  additionalProperties: false,
  properties: {
    'zh-CN': { type: 'string', minLength: 1, maxLength: 500 },
    en: { type: 'string', minLength: 1, maxLength: 500 },
    'zh-TW': { type: 'string', minLength: 1, maxLength: 500 },
  },
};
const expression: Schema = { type: 'string', minLength: 1, maxLength: 4000 };
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };

const common: Schema = {
  name: { type: 'string', pattern: FIELD_NAME },
  label: i18n,
  help: i18n,
  placeholder: i18n,
  required: { type: 'boolean' },
  requiredWhen: expression,
  visibleWhen: expression,
  formula: expression,
  computedBy: { type: 'string', pattern: '^[a-z][a-z0-9_.-]{0,99}$' },
  index: { type: 'boolean' },
  unique: { type: 'boolean' },
  sensitive: { type: 'boolean' },
  total: { enum: ['sum', 'avg', 'min', 'max', 'count'] },
  width: { type: 'integer', minimum: 1, maximum: 200 },
};

const variant = (type: string, extra: Schema, required: string[] = []): Schema => ({
  type: 'object',
  required: ['name', 'label', 'type', ...required],
  additionalProperties: false,
  properties: { ...common, type: { const: type }, ...extra },
});

const valueVariants: Schema[] = [
  variant('string', {
    length: { type: 'integer', minimum: 1, maximum: 4000 },
    minLength: { type: 'integer', minimum: 0, maximum: 4000 },
    pattern: { type: 'string', minLength: 1, maxLength: 500 },
    format: { enum: ['email', 'uri', 'phone'] },
    default: { type: 'string' },
  }),
  variant('text', { maxLength: { type: 'integer', minimum: 1, maximum: 16_000_000 }, default: { type: 'string' } }),
  variant('integer', { min: { type: 'integer' }, max: { type: 'integer' }, default: { type: 'integer' } }),
  variant('decimal', {
    precision: { type: 'integer', minimum: 1, maximum: 30 },
    scale: { type: 'integer', minimum: 0, maximum: 10 },
    min: { type: 'number' },
    max: { type: 'number' },
    default: { type: 'number' },
  }),
  variant('money', {
    precision: { type: 'integer', minimum: 1, maximum: 30 },
    scale: { type: 'integer', minimum: 0, maximum: 10 },
    min: { type: 'number' },
    max: { type: 'number' },
    default: { type: 'number' },
  }),
  variant('boolean', { default: { type: 'boolean' } }),
  variant('date', { min: date, max: date, default: { anyOf: [date, { const: 'today' }] } }),
  variant('datetime', { default: { const: 'now' } }),
  variant('enum', {
    values: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: {
        type: 'object',
        required: ['value', 'label'],
        additionalProperties: false,
        properties: { value: { type: 'string', minLength: 1, maxLength: 64 }, label: i18n },
      },
    },
    dictionary: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_.-]{0,63}$' },
    multiple: { type: 'boolean' },
    default: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  }),
  variant('reference', { entity: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]*$' } }, ['entity']),
  variant('user', {}),
  variant('department', {}),
  variant('file', { multiple: { type: 'boolean' } }),
];

const detailVariant: Schema = {
  type: 'object',
  required: ['name', 'label', 'type', 'fields'],
  additionalProperties: false,
  properties: {
    name: common.name,
    label: i18n,
    help: i18n,
    visibleWhen: expression,
    type: { const: 'detail' },
    fields: { type: 'array', minItems: 1, maxItems: MAX_DETAIL_FIELDS, items: { type: 'object', discriminator: { propertyName: 'type' }, oneOf: valueVariants, required: ['type'] } },
    required: { type: 'boolean' },
    minRows: { type: 'integer', minimum: 0, maximum: MAX_DETAIL_ROWS },
    maxRows: { type: 'integer', minimum: 1, maximum: MAX_DETAIL_ROWS },
  },
};

const sectionItem: Schema = {
  anyOf: [
    { type: 'string', pattern: FIELD_NAME },
    { type: 'object', required: ['field'], additionalProperties: false, properties: { field: { type: 'string', pattern: FIELD_NAME }, span: { type: 'integer', minimum: 1, maximum: 12 } } },
  ],
};

export const FORM_DEFINITION_SCHEMA: Schema = {
  type: 'object',
  required: ['code', 'kind', 'label', 'fields'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', pattern: FORM_CODE },
    kind: { enum: ['data', 'workflow'] },
    label: i18n,
    description: i18n,
    presentation: { enum: ['form', 'grid'] },
    fields: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_FIELDS,
      items: { type: 'object', discriminator: { propertyName: 'type' }, oneOf: [...valueVariants, detailVariant], required: ['type'] },
    },
    layout: {
      type: 'object',
      required: ['sections'],
      additionalProperties: false,
      properties: {
        sections: {
          type: 'array',
          maxItems: 100,
          items: {
            type: 'object',
            required: ['fields'],
            additionalProperties: false,
            properties: { title: i18n, columns: { type: 'integer', minimum: 1, maximum: 12 }, fields: { type: 'array', items: sectionItem, maxItems: MAX_FIELDS }, collapsed: { type: 'boolean' } },
          },
        },
      },
    },
    rules: {
      type: 'array',
      maxItems: 100,
      items: { type: 'object', required: ['check', 'message'], additionalProperties: false, properties: { check: expression, field: { type: 'string', pattern: FIELD_NAME }, message: i18n } },
    },
    titleField: { type: 'string', pattern: FIELD_NAME },
  },
};
