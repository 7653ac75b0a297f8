import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FieldError } from '@plinth/sdk';
import type { EntityModel, FieldModel } from '../meta/model';
import { DEFAULT_STRING_LENGTH, DEFAULT_TEXT_LENGTH, decimalShape } from '../data/schema';

type JsonSchema = Record<string, unknown>;

const INT32 = { minimum: -2_147_483_648, maximum: 2_147_483_647 };

/** Most values a multi-valued field holds. */
export const MAX_MULTIPLE = 100;

/** Codes of the enabled items of a dictionary, in order; undefined for an unknown dictionary. */
export interface DictionaryLookup {
  values(code: string): readonly string[] | undefined;
}

/** The JSON Schema of one field's value (non-null form). Shared by validation and OpenAPI. */
export function fieldSchema(f: FieldModel): JsonSchema {
  const one = singleValueSchema(f);
  return f.multiple ? { type: 'array', items: one, uniqueItems: true, maxItems: MAX_MULTIPLE } : one;
}

function singleValueSchema(f: FieldModel): JsonSchema {
  const d = f.def;
  switch (d.type) {
    case 'string': {
      const s: JsonSchema = { type: 'string', maxLength: d.length ?? DEFAULT_STRING_LENGTH };
      if (d.minLength !== undefined) s.minLength = d.minLength;
      if (d.pattern !== undefined) s.pattern = d.pattern;
      if (d.format === 'email' || d.format === 'uri') s.format = d.format;
      if (d.format === 'phone') s.pattern = d.pattern ?? '^\\+?[0-9][0-9 ()-]{4,30}$';
      return s;
    }
    case 'text':
      return { type: 'string', maxLength: d.maxLength ?? DEFAULT_TEXT_LENGTH };
    case 'integer':
      return { type: 'integer', minimum: d.min ?? INT32.minimum, maximum: d.max ?? INT32.maximum };
    case 'decimal':
    case 'money': {
      const { precision, scale } = decimalShape(f);
      const bound = 10 ** (precision - scale) - 10 ** -scale;
      return { type: 'number', minimum: d.min ?? -bound, maximum: d.max ?? bound, decimalScale: scale };
    }
    case 'boolean':
      return { type: 'boolean' };
    case 'date': {
      const s: JsonSchema = { type: 'string', format: 'date' };
      if (d.min) s.formatMinimum = d.min;
      if (d.max) s.formatMaximum = d.max;
      return s;
    }
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'enum':
      // A dictionary's codes change at runtime: checked when validating, not compiled in.
      return d.dictionary !== undefined ? { type: 'string', dictionary: d.dictionary } : { type: 'string', enum: d.values!.map((v) => v.value) };
    case 'file':
      return { type: 'integer', minimum: 1, maximum: INT32.maximum };
    case 'json':
      return d.schema ?? {};
    case 'reference':
      return { type: 'integer', minimum: 1, maximum: INT32.maximum };
    case 'collection':
      return { type: 'array', items: { type: 'object' }, readOnly: true };
  }
}

/** A required field without a default must be in a create body; with a default it may be left out. */
export const mustBeSent = (f: FieldModel): boolean => f.required && (f.def as { default?: unknown }).default === undefined;

/** Allow null for an optional field's value. */
export function nullable(schema: JsonSchema): JsonSchema {
  if (Object.keys(schema).length === 0) return schema;
  if (Array.isArray(schema.enum)) return { ...schema, type: ['string', 'null'], enum: [...(schema.enum as unknown[]), null] };
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

function bodySchema(entity: EntityModel, mode: 'create' | 'update', internal: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const fields = internal ? entity.columns.filter((f) => f.writable || (!f.system && f.def.type !== 'collection' && f.def.readonly === true)) : entity.writable;
  for (const f of fields) {
    const schema = fieldSchema(f);
    properties[f.name] = f.required ? schema : nullable(schema);
    if (mustBeSent(f) && mode === 'create') required.push(f.name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

const RULES: Record<string, string> = { additionalProperties: 'unknown', formatMinimum: 'min', formatMaximum: 'max', minimum: 'min', maximum: 'max' };

function toFieldError(e: ErrorObject, prefix: string, entity: EntityModel): FieldError {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const at = (name: string) => (prefix ? `${prefix}.${name}` : name);
  switch (e.keyword) {
    // Inside a JSON field's value, name the member by its path: `label.en`.
    case 'required': {
      const name = [path, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
      return { field: at(name), rule: 'required', message: `${name} is required` };
    }
    case 'additionalProperties': {
      const name = [path, (e.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
      if (path) return { field: at(name), rule: 'unknown', message: `${name} is not allowed` };
      const known = entity.fields.get(name);
      return known
        ? { field: at(name), rule: 'readonly', message: `${name} is set by the platform and cannot be written` }
        : { field: at(name), rule: 'unknown', message: `${entity.name} has no field ${name}` };
    }
    default: {
      const name = path || '(body)';
      if (e.keyword === 'type' && path === '') return { field: prefix || '(body)', rule: 'type', message: 'The body must be a JSON object' };
      return { field: at(name), rule: RULES[e.keyword] ?? e.keyword, message: `${name} ${e.message ?? 'is invalid'}` };
    }
  }
}

/** Body validators for one entity, compiled once per metadata version. */
export class EntityValidator {
  private readonly validators: Record<string, ValidateFunction> = {};

  constructor(
    readonly entity: EntityModel,
    ajv: Ajv,
  ) {
    for (const mode of ['create', 'update'] as const) {
      this.validators[mode] = ajv.compile(bodySchema(entity, mode, false));
      this.validators[`${mode}:internal`] = ajv.compile(bodySchema(entity, mode, true));
    }
  }

  /**
   * Field errors of a body; empty when valid. `prefix` names the body's place in a bulk
   * request. `internal` bodies (from plugin hooks) may also set readonly (computed) fields.
   */
  check(mode: 'create' | 'update', body: unknown, prefix = '', internal = false): FieldError[] {
    const validate = this.validators[internal ? `${mode}:internal` : mode];
    if (validate(body)) return [];
    const seen = new Set<string>();
    const out: FieldError[] = [];
    for (const e of validate.errors ?? []) {
      // anyOf/nullable wrappers add a second, less useful error for the same field.
      if (e.keyword === 'anyOf') continue;
      const fe = toFieldError(e, prefix, this.entity);
      const key = `${fe.field}:${fe.rule}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(fe);
      }
    }
    return out;
  }
}

export function createAjv(dictionaries: DictionaryLookup | null = null): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
  addFormats(ajv, { keywords: true });
  ajv.addKeyword({
    keyword: 'dictionary',
    type: 'string',
    schemaType: 'string',
    error: { message: (cxt) => `must be the code of an enabled item of dictionary ${cxt.schema as string}` },
    validate: (code: string, data: string) => dictionaries?.values(code)?.includes(data) ?? false,
  });
  ajv.addKeyword({
    keyword: 'decimalScale',
    type: 'number',
    schemaType: 'number',
    error: { message: (cxt) => `must have at most ${cxt.schema as number} decimal places` },
    validate: (scale: number, data: number) => {
      const [, frac = ''] = String(data).split('.');
      return !String(data).includes('e') && frac.length <= scale;
    },
  });
  return ajv;
}
