import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { SYSTEM_FIELDS, type DetailFormField, type FieldError, type FormDefinition, type FormField, type FormRule, type FormValueField } from '@plinth/sdk';
import { compileExpression, expectType, ExpressionError, type CompiledExpression, type ExprType, type TypeEnv } from '../expressions';
import { FORM_DEFINITION_SCHEMA } from './definition-schema';
import { decimalShape, exprTypeOf } from './schema';

/** Names a detail row uses for itself when a data form is stored (its header, its position). */
export const DETAIL_RESERVED = ['header', 'rowNo'] as const;
const RESERVED: ReadonlySet<string> = new Set(SYSTEM_FIELDS);

/** What a definition may refer to outside itself; omitted checks are skipped. */
export interface DefinitionContext {
  entityExists?(name: string): boolean;
  dictionaryExists?(code: string): boolean;
}

/** One field of a form, ready to compute: its expressions compiled and checked. */
export interface FieldModel {
  field: FormValueField;
  /** Where it is in the definition: `fields[3]`, `fields[5].fields[1]`. */
  path: string;
  level: 'header' | 'detail';
  type: ExprType;
  formula?: CompiledExpression;
  visibleWhen?: CompiledExpression;
  requiredWhen?: CompiledExpression;
}

export interface DetailModel {
  field: DetailFormField;
  path: string;
  visibleWhen?: CompiledExpression;
  columns: FieldModel[];
}

/** A step of the computation, in dependency order. */
export type Step = { kind: 'field'; model: FieldModel } | { kind: 'detail'; model: DetailModel };

export interface RuleModel {
  rule: FormRule;
  path: string;
  check: CompiledExpression;
}

/** A checked definition: everything submission processing needs, computed once. */
export interface FormModel {
  def: FormDefinition;
  header: FieldModel[];
  detail: DetailModel | null;
  steps: Step[];
  rules: RuleModel[];
}

let structure: ValidateFunction | null = null;
function structureValidator(): ValidateFunction {
  if (!structure) {
    const ajv = new Ajv({ allErrors: true, strict: false, discriminator: true });
    structure = ajv.compile(FORM_DEFINITION_SCHEMA);
  }
  return structure;
}

/** `/fields/3/formula` → `fields[3].formula`. */
export function jsonPointerToPath(pointer: string, prefix = ''): string {
  let out = prefix;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out ? `.${key}` : key;
  }
  return out;
}

function structureErrors(errors: readonly ErrorObject[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
    let field = jsonPointerToPath(e.instancePath) || '(definition)';
    let rule = e.keyword;
    let message = `${field} ${e.message ?? 'is invalid'}`;
    if (e.keyword === 'required') {
      const name = (e.params as { missingProperty: string }).missingProperty;
      field = jsonPointerToPath(`${e.instancePath}/${name}`);
      message = `${field} is required`;
    } else if (e.keyword === 'additionalProperties') {
      const name = (e.params as { additionalProperty: string }).additionalProperty;
      field = jsonPointerToPath(`${e.instancePath}/${name}`);
      rule = 'unknown';
      message = `${field} is not part of a form definition`;
    } else if (e.keyword === 'discriminator') {
      field = jsonPointerToPath(`${e.instancePath}/type`);
      rule = 'enum';
      message = `${field}: unknown field type (string, text, integer, decimal, money, boolean, date, datetime, enum, reference, user, department, file, detail)`;
    }
    const key = `${field}:${rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, rule, message });
  }
  return out;
}

const isDetail = (f: FormField): f is DetailFormField => f.type === 'detail';

/**
 * Check a definition and build its model. Errors name their place in the definition
 * (`fields[3].formula`) and, for expressions, the position inside it.
 */
export function analyzeForm(input: unknown, context: DefinitionContext = {}): { model: FormModel | null; errors: FieldError[] } {
  const validate = structureValidator();
  if (!validate(input)) return { model: null, errors: structureErrors(validate.errors ?? []) };
  const def = input as FormDefinition;
  const errors: FieldError[] = [];
  const err = (field: string, rule: string, message: string) => errors.push({ field, rule, message });

  // ---- names, types, options -------------------------------------------------------
  const details = def.fields.map((f, i) => [f, i] as const).filter(([f]) => isDetail(f));
  for (const [, i] of details.slice(1)) err(`fields[${i}]`, 'detail', 'A form has at most one detail table');
  const checkLevel = (fields: readonly FormField[], base: string, level: 'header' | 'detail') => {
    const seen = new Map<string, number>();
    fields.forEach((f, i) => {
      const at = `${base}[${i}]`;
      if (seen.has(f.name)) err(`${at}.name`, 'unique', `Another field (${base}[${seen.get(f.name)}]) is already named "${f.name}"`);
      else seen.set(f.name, i);
      if (RESERVED.has(f.name)) err(`${at}.name`, 'reserved', `"${f.name}" is a name every record has; choose another (e.g. "applicant${f.name[0].toUpperCase()}${f.name.slice(1)}")`);
      if (level === 'detail' && (DETAIL_RESERVED as readonly string[]).includes(f.name)) err(`${at}.name`, 'reserved', `"${f.name}" is used by the detail table itself; choose another`);
      if (!isDetail(f)) checkField(f, at, level, context, err);
      if (!isDetail(f) && f.computedBy !== undefined) {
        if (level === 'detail' || def.kind !== 'data') err(`${at}.computedBy`, 'not-applicable', 'Only header fields of data forms are computed by scripts');
        if (f.formula !== undefined) err(`${at}.computedBy`, 'conflict', 'A field is computed by a formula or by a script, not both');
        if (f.required || f.requiredWhen !== undefined || f.unique) err(`${at}.computedBy`, 'conflict', 'A field computed by a script cannot be required or unique');
      }
    });
  };
  checkLevel(def.fields, 'fields', 'header');
  const detailField = details[0]?.[0] as DetailFormField | undefined;
  const detailPath = details[0] ? `fields[${details[0][1]}]` : '';
  if (detailField) {
    checkLevel(detailField.fields, `${detailPath}.fields`, 'detail');
    const min = detailField.minRows ?? (detailField.required ? 1 : 0);
    if (detailField.maxRows !== undefined && min > detailField.maxRows) err(`${detailPath}.minRows`, 'range', 'minRows is larger than maxRows');
  }
  if (errors.length) return { model: null, errors };

  // ---- expressions -----------------------------------------------------------------
  const headerFields = def.fields.filter((f): f is FormValueField => !isDetail(f));
  const header: FieldModel[] = def.fields.flatMap((f, i) => (isDetail(f) ? [] : [{ field: f, path: `fields[${i}]`, level: 'header' as const, type: exprTypeOf(f) }]));
  const columns: FieldModel[] = detailField ? detailField.fields.map((f, i) => ({ field: f, path: `${detailPath}.fields[${i}]`, level: 'detail' as const, type: exprTypeOf(f) })) : [];
  const rowType: ExprType = { record: Object.fromEntries(columns.map((c) => [c.field.name, c.type])) };
  const headerEnv: Record<string, ExprType> = Object.fromEntries(header.map((h) => [h.field.name, h.type]));
  if (detailField) headerEnv[detailField.name] = { list: rowType };
  // In a row, the row's own fields come first; the header's are visible unless shadowed.
  const rowEnv: Record<string, ExprType> = { ...headerEnv, ...(rowType as { record: Record<string, ExprType> }).record };

  const compile = (source: string, env: TypeEnv, at: string, expected: ExprType, what: string): CompiledExpression | undefined => {
    try {
      const c = compileExpression(source, env);
      expectType(c.node, c.type, expected, what);
      return c;
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      err(at, 'expression', `${at}: ${e.message}`);
      return undefined;
    }
  };
  for (const m of [...header, ...columns]) {
    const env = m.level === 'header' ? headerEnv : rowEnv;
    const f = m.field;
    if (f.formula !== undefined) {
      if (f.type === 'file') err(`${m.path}.formula`, 'formula', 'A file field cannot be computed');
      else if (f.required || f.requiredWhen) err(`${m.path}.${f.required ? 'required' : 'requiredWhen'}`, 'conflict', 'A computed field is never entered, so it cannot be required');
      else m.formula = compile(f.formula, env, `${m.path}.formula`, m.type, `The formula of ${f.name}`);
    }
    if (f.visibleWhen !== undefined) m.visibleWhen = compile(f.visibleWhen, env, `${m.path}.visibleWhen`, 'boolean', 'A condition');
    if (f.requiredWhen !== undefined && f.formula === undefined) m.requiredWhen = compile(f.requiredWhen, env, `${m.path}.requiredWhen`, 'boolean', 'A condition');
    if (f.total !== undefined) {
      if (m.level === 'header') err(`${m.path}.total`, 'detail-only', 'Totals are shown under detail-table columns only');
      else if (f.total !== 'count' && !(f.total === 'min' || f.total === 'max' ? m.type !== 'boolean' && typeof m.type === 'string' : m.type === 'number')) {
        err(`${m.path}.total`, 'type', `A "${f.total}" total needs a ${f.total === 'min' || f.total === 'max' ? 'number, date or text' : 'number'} column`);
      }
    }
  }
  let detail: DetailModel | null = null;
  if (detailField) {
    detail = { field: detailField, path: detailPath, columns };
    if (detailField.visibleWhen !== undefined) detail.visibleWhen = compile(detailField.visibleWhen, headerEnv, `${detailPath}.visibleWhen`, 'boolean', 'A condition');
  }
  const rules: RuleModel[] = [];
  (def.rules ?? []).forEach((rule, i) => {
    const check = compile(rule.check, headerEnv, `rules[${i}].check`, 'boolean', 'A rule');
    if (rule.field !== undefined && !headerFields.some((f) => f.name === rule.field) && rule.field !== detailField?.name) err(`rules[${i}].field`, 'unknown', `The form has no field "${rule.field}"`);
    if (check) rules.push({ rule, path: `rules[${i}]`, check });
  });
  checkLayout(def, errors);
  if (def.titleField !== undefined) {
    const t = headerFields.find((f) => f.name === def.titleField);
    if (!t) err('titleField', 'unknown', `The form has no field "${def.titleField}"`);
    else if (t.type !== 'string') err('titleField', 'type', 'The title field must be a string field');
  }
  if (errors.length) return { model: null, errors };

  // ---- dependencies ----------------------------------------------------------------
  const steps = order(header, detail, errors);
  if (errors.length) return { model: null, errors };
  return { model: { def, header, detail, steps, rules }, errors: [] };
}

function checkField(f: FormValueField, at: string, level: 'header' | 'detail', context: DefinitionContext, err: (field: string, rule: string, message: string) => void): void {
  const range = (lo: unknown, hi: unknown, loName: string) => {
    if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) err(`${at}.${loName}`, 'range', `${loName} is larger than the maximum`);
    if (typeof lo === 'string' && typeof hi === 'string' && lo > hi) err(`${at}.${loName}`, 'range', `${loName} is after the maximum`);
  };
  switch (f.type) {
    case 'string':
      range(f.minLength, f.length ?? 255, 'minLength');
      if (f.pattern !== undefined) {
        try {
          new RegExp(f.pattern, 'u');
        } catch (e) {
          err(`${at}.pattern`, 'pattern', `Not a valid regular expression: ${(e as Error).message}`);
        }
      }
      break;
    case 'integer':
    case 'decimal':
    case 'money': {
      range(f.min, f.max, 'min');
      const { precision, scale } = decimalShape(f);
      if (scale > precision) err(`${at}.scale`, 'range', 'scale cannot be larger than precision');
      break;
    }
    case 'date':
      range(f.min, f.max, 'min');
      break;
    case 'enum': {
      if (!f.values === !f.dictionary) err(`${at}.${f.values ? 'dictionary' : 'values'}`, f.values ? 'conflict' : 'required', 'A choice field takes its options from inline values or from a dictionary: exactly one of them');
      const seen = new Set<string>();
      (f.values ?? []).forEach((v, j) => {
        if (seen.has(v.value)) err(`${at}.values[${j}].value`, 'unique', `The option "${v.value}" is listed twice`);
        seen.add(v.value);
      });
      if (f.dictionary && context.dictionaryExists && !context.dictionaryExists(f.dictionary)) err(`${at}.dictionary`, 'reference', `There is no dictionary "${f.dictionary}"`);
      if (f.default !== undefined) {
        const defaults = Array.isArray(f.default) ? f.default : [f.default];
        if (Array.isArray(f.default) !== (f.multiple === true)) err(`${at}.default`, 'type', f.multiple ? 'The default of a multiple choice is a list' : 'The default of a single choice is one value');
        else if (f.values && defaults.some((d) => !seen.has(d))) err(`${at}.default`, 'enum', 'The default must be one of the options');
      }
      break;
    }
    case 'reference':
      if (context.entityExists && !context.entityExists(f.entity)) err(`${at}.entity`, 'reference', `There is no entity "${f.entity}"`);
      break;
    case 'user':
    case 'department':
      if (context.entityExists && !context.entityExists(f.type)) err(`${at}.type`, 'reference', `There is no ${f.type} entity (is the organisation plugin enabled?)`);
      break;
    default:
      break;
  }
  if (level === 'header' && f.unique && f.formula) err(`${at}.unique`, 'conflict', 'A computed field cannot be unique');
}

function checkLayout(def: FormDefinition, errors: FieldError[]): void {
  if (!def.layout) return;
  const names = new Set(def.fields.map((f) => f.name));
  const placed = new Map<string, string>();
  def.layout.sections.forEach((section, s) => {
    const columns = section.columns ?? 2;
    section.fields.forEach((item, j) => {
      const at = `layout.sections[${s}].fields[${j}]`;
      const name = typeof item === 'string' ? item : item.field;
      if (!names.has(name)) errors.push({ field: at, rule: 'unknown', message: `The form has no field "${name}"` });
      else if (placed.has(name)) errors.push({ field: at, rule: 'unique', message: `"${name}" is already placed at ${placed.get(name)}` });
      else placed.set(name, at);
      if (typeof item !== 'string' && (item.span ?? 1) > columns) errors.push({ field: `${at}.span`, rule: 'range', message: `span ${item.span} is wider than the section's ${columns} columns` });
    });
  });
}

/**
 * Order the computation so every value is known before it is read, or report a cycle.
 * Nodes: header fields, the detail table (its visibility), detail columns.
 */
function order(header: FieldModel[], detail: DetailModel | null, errors: FieldError[]): Step[] {
  const steps = new Map<string, Step>();
  const deps = new Map<string, Set<string>>();
  const label = new Map<string, string>();
  const headerNames = new Set(header.map((h) => h.field.name));
  const columnNames = new Set(detail?.columns.map((c) => c.field.name) ?? []);
  const resolve = (path: readonly string[], level: 'header' | 'detail'): string[] => {
    const [first, second] = path;
    if (level === 'detail' && columnNames.has(first)) return [`c:${first}`];
    if (detail && first === detail.field.name) return second !== undefined && columnNames.has(second) ? ['d', `c:${second}`] : ['d'];
    return headerNames.has(first) ? [`h:${first}`] : [];
  };
  const add = (key: string, step: Step, name: string, exprs: (CompiledExpression | undefined)[], level: 'header' | 'detail', extra: string[] = []) => {
    steps.set(key, step);
    label.set(key, name);
    const set = new Set(extra);
    for (const e of exprs) for (const ref of e?.references ?? []) for (const k of resolve(ref, level)) set.add(k);
    deps.set(key, set);
  };
  for (const m of header) add(`h:${m.field.name}`, { kind: 'field', model: m }, m.field.name, [m.formula, m.visibleWhen], 'header');
  if (detail) {
    add('d', { kind: 'detail', model: detail }, detail.field.name, [detail.visibleWhen], 'header');
    for (const m of detail.columns) add(`c:${m.field.name}`, { kind: 'field', model: m }, `${detail.field.name}.${m.field.name}`, [m.formula, m.visibleWhen], 'detail', ['d']);
  }
  const out: Step[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (key: string): boolean => {
    const s = state.get(key);
    if (s === 'done') return true;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(key)), key].map((k) => label.get(k)!);
      const step = steps.get(key)!;
      const path = step.kind === 'field' ? `${step.model.path}.${step.model.formula ? 'formula' : 'visibleWhen'}` : `${step.model.path}.visibleWhen`;
      errors.push({ field: path, rule: 'cycle', message: `Circular reference: ${cycle.join(' → ')}` });
      return false;
    }
    state.set(key, 'visiting');
    stack.push(key);
    for (const d of deps.get(key) ?? []) if (!visit(d)) return false;
    stack.pop();
    state.set(key, 'done');
    out.push(steps.get(key)!);
    return true;
  };
  for (const key of steps.keys()) if (!visit(key)) break;
  return out;
}

const models = new WeakMap<FormDefinition, FormModel>();

/** Thrown when a definition that should already be valid (it was checked on save) is not. */
export class FormDefinitionError extends Error {
  constructor(readonly errors: readonly FieldError[]) {
    super(`The form definition is invalid: ${errors.map((e) => e.message).join('; ')}`);
    this.name = 'FormDefinitionError';
  }
}

/** The model of a definition, built once per definition object. Throws FormDefinitionError. */
export function formModel(def: FormDefinition): FormModel {
  let model = models.get(def);
  if (!model) {
    const analysed = analyzeForm(def);
    if (!analysed.model) throw new FormDefinitionError(analysed.errors);
    model = analysed.model;
    models.set(def, model);
  }
  return model;
}

/** The errors of a definition; empty when it is valid. */
export function validateFormDefinition(def: unknown, context?: DefinitionContext): FieldError[] {
  return analyzeForm(def, context).errors;
}
