import type { FieldError } from '@plinth/sdk';
import Ajv from 'ajv';
import type { FieldModel } from '../meta/model';

const i18n = { type: 'object', required: ['zh-CN', 'en'], properties: { 'zh-CN': { type: 'string', minLength: 1, maxLength: 200 }, en: { type: 'string', minLength: 1, maxLength: 200 }, 'zh-TW': { type: 'string', maxLength: 200 } }, additionalProperties: false };

const validate = new Ajv({ allErrors: true, strict: false }).compile({
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    label: i18n,
    help: i18n,
    required: { type: 'boolean' },
    hidden: { type: 'boolean' },
    order: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    values: { type: 'array', minItems: 1, items: { type: 'object', required: ['value', 'label'], additionalProperties: false, properties: { value: { type: 'string' }, label: i18n } } },
  },
});

/** Errors of an overlay on `field`: its shape, and what may not be overridden on that kind of field. */
export function overlayErrors(body: unknown, field: FieldModel): FieldError[] {
  if (!validate(body)) {
    return (validate.errors ?? []).map((e) => {
      const p = e.params as { additionalProperty?: string };
      const at = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || p.additionalProperty || '(body)';
      return { field: at, rule: e.keyword === 'additionalProperties' ? 'unknown' : e.keyword, message: `${at} ${e.message ?? 'is invalid'}` };
    });
  }
  const o = body as { required?: boolean; values?: { value: string }[] };
  const errors: FieldError[] = [];
  if (o.required !== undefined && (field.system || field.type === 'collection')) errors.push({ field: 'required', rule: 'not-applicable', message: `${field.name} is maintained by the platform` });
  if (o.values) {
    const declared = field.def.type === 'enum' ? field.def.values : undefined;
    if (!declared) errors.push({ field: 'values', rule: 'not-applicable', message: `${field.name} has no fixed options to override` });
    else {
      const known = new Set(declared.map((v) => v.value));
      for (const [i, v] of o.values.entries()) if (!known.has(v.value)) errors.push({ field: `values[${i}].value`, rule: 'enum', message: `${v.value} is not an option of ${field.name}; an overlay can relabel, reorder or hide options, not add them` });
    }
  }
  return errors;
}
