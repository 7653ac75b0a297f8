import { CUSTOM_FIELD_TYPES, type CustomFieldSpec, type FieldDef, type FieldError } from '@plinth/sdk';
import Ajv from 'ajv';
import { FIELD_NAME } from '../meta/registry';

/** Longest custom field name: keeps derived table, column and index names within MySQL's 64 characters. */
export const MAX_NAME_LENGTH = 32;
/** Custom fields per entity, removed-but-unpurged ones included (their columns still exist). */
export const MAX_CUSTOM_FIELDS = 300;
/** Indexed or unique custom fields per entity (MySQL allows 64 indexes on a table; plugins need some). */
export const MAX_INDEXED_FIELDS = 30;

const i18n = { type: 'object', required: ['zh-CN', 'en'], properties: { 'zh-CN': { type: 'string', minLength: 1, maxLength: 200 }, en: { type: 'string', minLength: 1, maxLength: 200 }, 'zh-TW': { type: 'string', maxLength: 200 } }, additionalProperties: false };

const SPEC_SCHEMA = {
  type: 'object',
  required: ['name', 'type', 'label'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: FIELD_NAME.source, maxLength: MAX_NAME_LENGTH },
    type: { enum: [...CUSTOM_FIELD_TYPES] },
    label: i18n,
    help: i18n,
    required: { type: 'boolean' },
    unique: { type: 'boolean' },
    indexed: { type: 'boolean' },
    default: {},
    min: { type: ['number', 'string'] },
    max: { type: ['number', 'string'] },
    pattern: { type: 'string', maxLength: 500 },
    maxLength: { type: 'integer', minimum: 1, maximum: 16_777_215 },
    scale: { type: 'integer', minimum: 0, maximum: 6 },
    dictionary: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' },
    options: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: { type: 'object', required: ['value', 'label'], additionalProperties: false, properties: { value: { type: 'string', minLength: 1, maxLength: 64 }, label: i18n } },
    },
    target: { type: 'string', pattern: FIELD_NAME.source },
    accept: { type: 'array', maxItems: 50, items: { type: 'string', pattern: '^[a-z]+/([a-z0-9.+-]+|\\*)$' } },
    position: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    computedBy: { type: 'string', pattern: '^[a-z][a-z0-9_.-]{0,99}$' },
  },
};

const validateShape = new Ajv({ allErrors: true, strict: false }).compile(SPEC_SCHEMA);

/** Shape errors of a spec (types, names, sizes), as field errors. */
export function specShapeErrors(spec: unknown): FieldError[] {
  if (validateShape(spec)) return [];
  return (validateShape.errors ?? []).map((e) => {
    const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || ((e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (e.params as { additionalProperty?: string }).additionalProperty ?? '(body)');
    const rule = e.keyword === 'additionalProperties' ? 'unknown' : e.keyword;
    return { field, rule, message: e.keyword === 'additionalProperties' ? `${field} is not a custom field property` : `${field} ${e.message ?? 'is invalid'}` };
  });
}

/** Rules that depend on the type (what applies to which kind of field). */
export function specRuleErrors(spec: CustomFieldSpec): FieldError[] {
  const errors: FieldError[] = [];
  const only = (prop: keyof CustomFieldSpec, types: readonly string[]) => {
    if (spec[prop] !== undefined && !types.includes(spec.type)) errors.push({ field: prop, rule: 'not-applicable', message: `${prop} does not apply to a ${spec.type} field` });
  };
  only('pattern', ['text']);
  only('maxLength', ['text', 'longText']);
  only('scale', ['number']);
  only('min', ['integer', 'number', 'money', 'date']);
  only('max', ['integer', 'number', 'money', 'date']);
  only('dictionary', ['choice', 'multiChoice']);
  only('options', ['choice', 'multiChoice']);
  only('target', ['reference']);
  only('accept', ['file', 'files']);
  if ((spec.type === 'choice' || spec.type === 'multiChoice') && (spec.dictionary === undefined) === (spec.options === undefined)) {
    errors.push({ field: 'dictionary', rule: 'required', message: 'A choice field takes either a dictionary or options' });
  }
  if (spec.type === 'reference' && !spec.target) errors.push({ field: 'target', rule: 'required', message: 'A reference field names the entity it references (target)' });
  if (spec.type === 'text' && (spec.maxLength ?? 255) > 255) errors.push({ field: 'maxLength', rule: 'max', message: 'A text field holds at most 255 characters; use longText for more' });
  if (spec.type === 'longText' && (spec.unique || spec.indexed)) errors.push({ field: spec.unique ? 'unique' : 'indexed', rule: 'not-applicable', message: 'A long text field cannot be unique or indexed' });
  const multi = spec.type === 'multiChoice' || spec.type === 'files';
  if (multi && spec.unique) errors.push({ field: 'unique', rule: 'not-applicable', message: `A ${spec.type} field holds several values and cannot be unique` });
  if (spec.computedBy !== undefined && (spec.required || spec.type === 'multiChoice' || spec.type === 'files')) {
    errors.push({ field: 'computedBy', rule: 'not-applicable', message: spec.required ? 'A computed field cannot be required: clients never send it' : `A ${spec.type} field cannot be computed by a script` });
  }
  if (spec.type === 'boolean' && spec.unique) errors.push({ field: 'unique', rule: 'not-applicable', message: 'A boolean field cannot be unique' });
  if (spec.pattern !== undefined) {
    try {
      new RegExp(spec.pattern, 'u');
    } catch (err) {
      errors.push({ field: 'pattern', rule: 'pattern', message: `pattern is not a valid regular expression: ${(err as Error).message}` });
    }
  }
  for (const key of ['min', 'max'] as const) {
    const v = spec[key];
    if (v === undefined) continue;
    if (spec.type === 'date' ? typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) : typeof v !== 'number') {
      errors.push({ field: key, rule: 'type', message: `${key} must be ${spec.type === 'date' ? 'a date YYYY-MM-DD' : 'a number'}` });
    }
  }
  if (spec.options && new Set(spec.options.map((o) => o.value)).size !== spec.options.length) errors.push({ field: 'options', rule: 'uniqueItems', message: 'Option values must be unique' });
  return errors;
}

/** The field definition a spec stands for. References made by admins never block purging what they point to. */
export function specToFieldDef(spec: CustomFieldSpec): FieldDef {
  const computed = spec.computedBy === undefined ? {} : { computedBy: spec.computedBy, readonly: true };
  const common = { label: spec.label, help: spec.help, required: spec.required, unique: spec.unique, index: spec.indexed, ...computed };
  const num = (v: number | string | undefined) => (typeof v === 'number' ? v : undefined);
  const str = (v: number | string | undefined) => (typeof v === 'string' ? v : undefined);
  const dflt = spec.default as never;
  switch (spec.type) {
    case 'text':
      // JSON Schema patterns are unanchored; an admin's pattern describes the whole value.
      return { ...common, type: 'string', length: spec.maxLength ?? 255, pattern: spec.pattern === undefined ? undefined : `^(?:${spec.pattern})$`, default: dflt };
    case 'longText':
      return { ...common, type: 'text', maxLength: spec.maxLength, default: dflt };
    case 'integer':
      return { ...common, type: 'integer', min: num(spec.min), max: num(spec.max), default: dflt };
    case 'number':
      return { ...common, type: 'decimal', precision: 18, scale: spec.scale ?? 2, min: num(spec.min), max: num(spec.max), default: dflt };
    case 'money':
      return { ...common, type: 'money', min: num(spec.min), max: num(spec.max), default: dflt };
    case 'date':
      return { ...common, type: 'date', min: str(spec.min), max: str(spec.max), default: dflt };
    case 'datetime':
      return { ...common, type: 'datetime', default: dflt };
    case 'boolean':
      return { ...common, type: 'boolean', default: dflt };
    case 'choice':
    case 'multiChoice':
      return { ...common, type: 'enum', dictionary: spec.dictionary, values: spec.options, multiple: spec.type === 'multiChoice' || undefined, default: dflt };
    case 'reference':
      return { ...common, type: 'reference', entity: spec.target!, onDelete: 'setNull' };
    case 'user':
      return { ...common, type: 'reference', entity: 'user', onDelete: 'setNull' };
    case 'department':
      return { ...common, type: 'reference', entity: 'department', onDelete: 'setNull' };
    case 'file':
    case 'files':
      return { ...common, type: 'file', multiple: spec.type === 'files' || undefined, accept: spec.accept };
  }
}

/** Drop undefined properties (definitions are compared and stored as JSON). */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
