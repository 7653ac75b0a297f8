import type { FormDefinition, FormValueField, DetailFormField } from '@plinth/sdk';
import type { ExprType } from '../expressions';
import { DEFAULT_STRING_LENGTH, DEFAULT_TEXT_LENGTH, MONEY_PRECISION, MONEY_SCALE } from '../data/schema';
import { MAX_DETAIL_ROWS } from './definition-schema';

type JsonSchema = Record<string, unknown>;

const INT32_MAX = 2_147_483_647;
const ID = { type: 'integer', minimum: 1, maximum: INT32_MAX };
export const MAX_FILES = 50;
export const MAX_CHOICES = 100;

export function decimalShape(f: FormValueField): { precision: number; scale: number } {
  if (f.type === 'integer') return { precision: 10, scale: 0 };
  const d = f as { precision?: number; scale?: number };
  return { precision: d.precision ?? MONEY_PRECISION, scale: d.scale ?? MONEY_SCALE };
}

/** The type a field's value has inside expressions. */
export function exprTypeOf(f: FormValueField): ExprType {
  switch (f.type) {
    case 'string':
    case 'text':
      return 'string';
    case 'integer':
    case 'decimal':
    case 'money':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'enum':
      return f.multiple ? { list: 'string' } : 'string';
    case 'reference':
    case 'user':
    case 'department':
      return 'number';
    case 'file':
      return f.multiple ? { list: 'number' } : 'number';
  }
}

/** The JSON Schema of one field's (non-empty) value. */
export function valueSchema(f: FormValueField): JsonSchema {
  switch (f.type) {
    case 'string': {
      const s: JsonSchema = { type: 'string', maxLength: f.length ?? DEFAULT_STRING_LENGTH };
      if (f.minLength !== undefined) s.minLength = f.minLength;
      if (f.pattern !== undefined) s.pattern = f.pattern;
      if (f.format === 'email' || f.format === 'uri') s.format = f.format;
      if (f.format === 'phone') s.pattern = f.pattern ?? '^\\+?[0-9][0-9 ()-]{4,30}$';
      return s;
    }
    case 'text':
      return { type: 'string', maxLength: f.maxLength ?? DEFAULT_TEXT_LENGTH };
    case 'integer':
      return { type: 'integer', minimum: f.min ?? -2_147_483_648, maximum: f.max ?? INT32_MAX };
    case 'decimal':
    case 'money': {
      const { precision, scale } = decimalShape(f);
      const bound = 10 ** (precision - scale) - 10 ** -scale;
      return { type: 'number', minimum: f.min ?? -bound, maximum: f.max ?? bound, decimalScale: scale };
    }
    case 'boolean':
      return { type: 'boolean' };
    case 'date': {
      const s: JsonSchema = { type: 'string', format: 'date' };
      if (f.min) s.formatMinimum = f.min;
      if (f.max) s.formatMaximum = f.max;
      return s;
    }
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'enum': {
      const one: JsonSchema = f.values ? { type: 'string', enum: f.values.map((v) => v.value) } : { type: 'string', minLength: 1, maxLength: 64 };
      return f.multiple ? { type: 'array', items: one, uniqueItems: true, maxItems: MAX_CHOICES } : one;
    }
    case 'reference':
    case 'user':
    case 'department':
      return ID;
    case 'file':
      return f.multiple ? { type: 'array', items: ID, uniqueItems: true, maxItems: MAX_FILES } : ID;
  }
}

export function nullable(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.enum)) return { ...schema, type: ['string', 'null'], enum: [...(schema.enum as unknown[]), null] };
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

function objectSchema(fields: readonly FormValueField[], extra: Record<string, JsonSchema> = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = { ...extra };
  // Computed fields are accepted and ignored: the server computes them.
  for (const f of fields) properties[f.name] = f.formula || f.computedBy ? {} : nullable(valueSchema(f));
  return { type: 'object', properties, additionalProperties: false };
}

/**
 * The JSON Schema of a submission: types, sizes and formats of every field, the detail
 * table as an array of row objects. Required-ness is conditional, so it is checked by the
 * submission processor, not here.
 */
export function submissionSchema(def: FormDefinition, options: { rowIds?: boolean } = {}): JsonSchema {
  const header = def.fields.filter((f): f is FormValueField => f.type !== 'detail');
  const detail = def.fields.find((f): f is DetailFormField => f.type === 'detail');
  const extra: Record<string, JsonSchema> = {};
  if (detail) {
    const row = objectSchema(detail.fields, options.rowIds ? { id: ID } : {});
    extra[detail.name] = { type: ['array', 'null'], maxItems: Math.min(detail.maxRows ?? MAX_DETAIL_ROWS, MAX_DETAIL_ROWS), items: row };
  }
  return objectSchema(header, extra);
}

/** The documented schema of a form's data (static `required`, computed fields read-only): for OpenAPI and the designer. */
export function documentSchema(def: FormDefinition): JsonSchema {
  const describe = (fields: readonly FormValueField[]) => {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const f of fields) {
      const s = nullable(valueSchema(f));
      properties[f.name] = { ...s, title: f.label.en, ...(f.formula ? { readOnly: true, description: `= ${f.formula}` } : f.computedBy ? { readOnly: true, description: `computed by the script ${f.computedBy}` } : {}) };
      if (f.required && !f.formula && !f.visibleWhen) required.push(f.name);
    }
    return { type: 'object', properties, ...(required.length ? { required } : {}) };
  };
  const header = describe(def.fields.filter((f): f is FormValueField => f.type !== 'detail'));
  const detail = def.fields.find((f): f is DetailFormField => f.type === 'detail');
  if (detail) (header.properties as Record<string, JsonSchema>)[detail.name] = { type: 'array', title: detail.label.en, items: describe(detail.fields) };
  return header;
}
