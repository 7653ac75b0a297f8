import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FieldError, FormDefinition, FormValueField, I18nText } from '@plinth/sdk';
import { evaluateNode, asCondition, ExpressionError, isNum, localDate, Num, type CompiledExpression, type Scope, type Value } from '../expressions';
import { createAjv } from '../services/validation';
import { formModel, jsonPointerToPath, type FieldModel, type FormModel } from './definition';
import { decimalShape, nullable, submissionSchema, valueSchema } from './schema';

export interface SubmissionOptions {
  /** The moment of submission (TODAY(), NOW(), `default: 'today'`). Default: now. */
  now?: Date;
  /** Time zone of TODAY() and of `default: 'today'`. Default UTC. */
  timeZone?: string;
  /** Enabled item codes of a dictionary, for choice fields backed by one; unknown dictionaries are not checked. */
  dictionaries?: (code: string) => readonly string[] | undefined;
  /** Keep the `id` of detail rows (rows of a stored data-form record). */
  rowIds?: boolean;
  /** Put in front of every error path: `records[3]` → `records[3].amount`. */
  prefix?: string;
  /** Language of rule messages. Default `en`. */
  language?: keyof I18nText;
  /** Apply field defaults to fields that are absent (a new submission). Default true. */
  defaults?: boolean;
}

export interface SubmissionResult {
  /** The submission as it is kept: computed fields computed, hidden fields left out, datetimes in UTC. */
  data: Record<string, unknown>;
  /** Everything wrong with it, by field path (`lines[2].amount`); empty when it is accepted. */
  errors: FieldError[];
  /** The totals row of the detail table, by column (columns with `total`). */
  totals: Record<string, unknown>;
}

const RULES: Record<string, string> = { additionalProperties: 'unknown', formatMinimum: 'min', formatMaximum: 'max', minimum: 'min', maximum: 'max' };

interface Compiled {
  input: ValidateFunction;
  inputWithIds: ValidateFunction;
  values: Map<FormValueField, ValidateFunction>;
}

let sharedAjv: Ajv | null = null;
const compiled = new WeakMap<FormDefinition, Compiled>();

function validators(def: FormDefinition): Compiled {
  let c = compiled.get(def);
  if (!c) {
    const ajv = (sharedAjv ??= createAjv());
    c = { input: ajv.compile(submissionSchema(def)), inputWithIds: ajv.compile(submissionSchema(def, { rowIds: true })), values: new Map() };
    compiled.set(def, c);
  }
  return c;
}

function valueValidator(def: FormDefinition, f: FormValueField): ValidateFunction {
  const c = validators(def);
  let v = c.values.get(f);
  if (!v) {
    v = sharedAjv!.compile(nullable(valueSchema(f)));
    c.values.set(f, v);
  }
  return v;
}

function ajvErrors(errors: readonly ErrorObject[], prefix: string, base = ''): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'anyOf') continue;
    let field = jsonPointerToPath(e.instancePath, base);
    const rule = RULES[e.keyword] ?? e.keyword;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      field = jsonPointerToPath(`${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`, base);
      message = 'is not a field of this form';
    }
    if (e.keyword === 'type' && field === '') message = 'must be a JSON object';
    const full = prefix ? (field ? `${prefix}.${field}`.replace('.[', '[') : prefix) : field || '(body)';
    const key = `${full}:${rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field: full, rule, message: `${full} ${message}` });
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** Data rows work on null-prototype copies: a `__proto__` key is just a key. */
function copy(o: Record<string, unknown>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) out[k] = v;
  return out;
}

class Submission {
  readonly errors: FieldError[] = [];
  private readonly header: Record<string, unknown>;
  private rows: Record<string, unknown>[] = [];
  private readonly hidden = new Set<string>();
  private readonly hiddenCells = new WeakMap<Record<string, unknown>, Set<string>>();
  /** Fields whose input was refused: no "required" error on top of the type error. */
  private readonly refused = new Set<string>();
  private readonly now: Date;
  private readonly timeZone: string;
  private readonly detailName: string | null;
  private readonly columnNames: Set<string>;
  private readonly headerNames: Set<string>;

  constructor(
    private readonly model: FormModel,
    private readonly options: SubmissionOptions,
    input: Record<string, unknown>,
  ) {
    this.now = options.now ?? new Date();
    this.timeZone = options.timeZone ?? 'UTC';
    this.detailName = model.detail?.field.name ?? null;
    this.columnNames = new Set(model.detail?.columns.map((c) => c.field.name) ?? []);
    this.headerNames = new Set(model.header.map((h) => h.field.name));
    this.header = copy(input);
    if (this.detailName) {
      const raw = input[this.detailName];
      this.rows = Array.isArray(raw) ? raw.map((r) => (isObject(r) ? copy(r) : copy({}))) : [];
    }
  }

  private at(path: string): string {
    const p = this.options.prefix;
    if (!p) return path;
    return path === '(form)' ? p : `${p}.${path}`.replace('.[', '[');
  }

  private error(path: string, rule: string, message: string): void {
    this.errors.push({ field: this.at(path), rule, message: `${this.at(path)}: ${message}` });
  }

  private headerScope = (name: string): unknown => {
    if (name === this.detailName) return this.rows;
    if (!this.headerNames.has(name)) return undefined;
    return this.hidden.has(name) ? null : (this.header[name] ?? null);
  };

  private rowScope(row: Record<string, unknown>): (name: string) => unknown {
    return (name) => {
      if (this.columnNames.has(name)) return this.hiddenCells.get(row)?.has(name) ? null : (row[name] ?? null);
      return this.headerScope(name);
    };
  }

  private eval(expr: CompiledExpression, scope: Scope): Value {
    return evaluateNode(expr.node, scope, { now: this.now, timeZone: this.timeZone });
  }

  private condition(expr: CompiledExpression, scope: Scope, path: string): boolean | null {
    try {
      return asCondition(this.eval(expr, scope), expr.node);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      this.error(path, 'condition', e.message);
      return null;
    }
  }

  /** Step 1: types and shapes of what was sent. Refused values count as empty from here on. */
  checkInput(input: Record<string, unknown>): void {
    const validate = this.options.rowIds ? validators(this.model.def).inputWithIds : validators(this.model.def).input;
    if (validate(input)) return;
    const errors = ajvErrors(validate.errors ?? [], this.options.prefix ?? '');
    this.errors.push(...errors);
    for (const e of validate.errors ?? []) {
      // Unknown properties are reported and left out; they do not spoil the rest.
      if (e.keyword === 'additionalProperties') continue;
      const parts = e.instancePath.split('/').slice(1);
      if (this.detailName && parts[0] === this.detailName) {
        if (parts.length >= 3) {
          const row = this.rows[Number(parts[1])];
          if (row) row[parts[2]] = null;
          this.refused.add(`${parts[1]}.${parts[2]}`);
        } else if (parts.length === 2) {
          this.rows[Number(parts[1])] = copy({});
        } else this.rows = [];
      } else if (parts[0]) {
        this.header[parts[0]] = null;
        this.refused.add(parts[0]);
      }
    }
  }

  /** Step 2: defaults, normalised date-times, dictionary codes. */
  prepare(): void {
    const fix = (m: FieldModel, target: Record<string, unknown>, path: string, key: string) => {
      const f = m.field;
      const name = f.name;
      if (f.formula || f.computedBy) return;
      if (target[name] === undefined && this.options.defaults !== false && 'default' in f && f.default !== undefined) {
        target[name] = f.default === 'today' && f.type === 'date' ? localDate(this.now.getTime(), this.timeZone) : f.default === 'now' ? this.now.toISOString() : f.default;
      }
      const v = target[name];
      if (f.type === 'datetime' && typeof v === 'string') target[name] = new Date(v).toISOString();
      if (f.type === 'enum' && f.dictionary && v !== null && v !== undefined && this.options.dictionaries) {
        const allowed = this.options.dictionaries(f.dictionary);
        if (allowed) {
          const bad = (Array.isArray(v) ? v : [v]).find((x) => !allowed.includes(x as string));
          if (bad !== undefined) {
            this.error(path, 'enum', `"${String(bad)}" is not an enabled item of the dictionary ${f.dictionary}`);
            target[name] = null;
            this.refused.add(key);
          }
        }
      }
    };
    for (const m of this.model.header) fix(m, this.header, m.field.name, m.field.name);
    this.rows.forEach((row, i) => {
      for (const m of this.model.detail!.columns) fix(m, row, `${this.detailName}[${i}].${m.field.name}`, `${i}.${m.field.name}`);
    });
  }

  /** Step 3: visibility and formulas, in dependency order. */
  compute(): void {
    for (const step of this.model.steps) {
      if (step.kind === 'detail') {
        const d = step.model;
        if (d.visibleWhen && this.condition(d.visibleWhen, this.headerScope, d.field.name) === false) {
          this.hidden.add(d.field.name);
          this.rows = [];
        }
        continue;
      }
      const m = step.model;
      if (m.level === 'header') this.computeCell(m, this.header, this.headerScope, m.field.name, (hide) => this.hidden.add(hide));
      else {
        this.rows.forEach((row, i) => {
          this.computeCell(m, row, this.rowScope(row), `${this.detailName}[${i}].${m.field.name}`, (hide) => {
            let set = this.hiddenCells.get(row);
            if (!set) this.hiddenCells.set(row, (set = new Set()));
            set.add(hide);
          });
        });
      }
    }
  }

  private computeCell(m: FieldModel, target: Record<string, unknown>, scope: Scope, path: string, hide: (name: string) => void): void {
    const f = m.field;
    if (target[f.name] === undefined) target[f.name] = null;
    if (m.visibleWhen && this.condition(m.visibleWhen, scope, path) === false) {
      hide(f.name);
      target[f.name] = null;
      return;
    }
    if (f.computedBy) {
      // Computed when the record is saved (FormRecords): what a client sent is ignored.
      target[f.name] = null;
      return;
    }
    if (!m.formula) return;
    let value: Value;
    try {
      value = this.eval(m.formula, scope);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      this.error(path, 'formula', e.message);
      target[f.name] = null;
      return;
    }
    const stored = this.store(f, value, path);
    target[f.name] = stored;
    if (stored !== null) {
      const check = valueValidator(this.model.def, f);
      if (!check(stored)) this.errors.push(...ajvErrors(check.errors ?? [], this.at(path)).map((e) => ({ ...e, message: `${e.message} (computed by ${f.formula})` })));
    }
  }

  /** A formula's result as the field keeps it: numbers rounded half-up to the field's scale. */
  private store(f: FormValueField, v: Value, path: string): unknown {
    if (v === null) return null;
    switch (f.type) {
      case 'integer':
      case 'decimal':
      case 'money':
      case 'reference':
      case 'user':
      case 'department':
      case 'file': {
        if (Array.isArray(v) && f.type === 'file') return v.map((x) => (isNum(x) ? x.toNumber() : x));
        if (!isNum(v)) break;
        const scale = f.type === 'decimal' || f.type === 'money' ? decimalShape(f).scale : 0;
        return v.toDecimalPlaces(scale, Num.ROUND_HALF_UP).toNumber();
      }
      case 'enum':
        if (Array.isArray(v)) return v;
        if (typeof v === 'string') return v;
        break;
      case 'datetime':
        if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
        break;
      case 'boolean':
        if (typeof v === 'boolean') return v;
        break;
      default:
        if (typeof v === 'string') return v;
    }
    this.error(path, 'formula', `the formula gives ${isNum(v) ? 'a number' : typeof v === 'string' ? 'text' : Array.isArray(v) ? 'a list' : typeof v} where ${f.type} is expected`);
    return null;
  }

  /** Step 4: required fields (fixed or by condition) that are visible and empty; row counts. */
  checkRequired(): void {
    for (const m of this.model.header) {
      const name = m.field.name;
      if (this.hidden.has(name) || m.formula || m.field.computedBy || this.refused.has(name)) continue;
      if (this.isRequired(m, this.headerScope, name) && isEmpty(this.header[name])) this.error(name, 'required', `${name} is required`);
    }
    const d = this.model.detail;
    if (!d || this.hidden.has(d.field.name)) return;
    const min = d.field.minRows ?? (d.field.required ? 1 : 0);
    if (this.rows.length < min) this.error(d.field.name, 'minItems', `at least ${min} row${min === 1 ? '' : 's'} of ${d.field.name} ${min === 1 ? 'is' : 'are'} required`);
    this.rows.forEach((row, i) => {
      for (const m of d.columns) {
        const name = m.field.name;
        if (this.hiddenCells.get(row)?.has(name) || m.formula || this.refused.has(`${i}.${name}`)) continue;
        const path = `${d.field.name}[${i}].${name}`;
        if (this.isRequired(m, this.rowScope(row), path) && isEmpty(row[name])) this.error(path, 'required', `${name} is required`);
      }
    });
  }

  private isRequired(m: FieldModel, scope: Scope, path: string): boolean {
    if (m.field.required) return true;
    return m.requiredWhen ? this.condition(m.requiredWhen, scope, path) === true : false;
  }

  /** Step 5: the form's rules. Only a result of false breaks one. */
  checkRules(): void {
    const lang = this.options.language ?? 'en';
    for (const r of this.model.rules) {
      let ok: Value;
      try {
        ok = this.eval(r.check, this.headerScope);
      } catch (e) {
        if (!(e instanceof ExpressionError)) throw e;
        this.error(r.rule.field ?? '(form)', 'rule', e.message);
        continue;
      }
      if (ok === false) {
        const field = this.at(r.rule.field ?? '(form)');
        this.errors.push({ field, rule: 'rule', message: r.rule.message[lang] ?? r.rule.message.en });
      }
    }
  }

  result(): SubmissionResult {
    const data: Record<string, unknown> = {};
    for (const m of this.model.header) if (!this.hidden.has(m.field.name)) data[m.field.name] = this.header[m.field.name] ?? null;
    const totals: Record<string, unknown> = {};
    const d = this.model.detail;
    if (d && !this.hidden.has(d.field.name)) {
      data[d.field.name] = this.rows.map((row) => {
        const out: Record<string, unknown> = {};
        if (this.options.rowIds && row.id !== undefined && row.id !== null) out.id = row.id;
        for (const m of d.columns) if (!this.hiddenCells.get(row)?.has(m.field.name)) out[m.field.name] = row[m.field.name] ?? null;
        return out;
      });
      for (const m of d.columns) if (m.field.total) totals[m.field.name] = total(m.field, this.rows.map((r) => (this.hiddenCells.get(r)?.has(m.field.name) ? null : (r[m.field.name] ?? null))));
    }
    return { data, errors: this.errors, totals };
  }
}

/** The totals row of detail rows as stored (columns with `total`); null when the form has none. */
export function detailTotals(def: FormDefinition, rows: readonly Record<string, unknown>[]): Record<string, unknown> | null {
  const detail = def.fields.find((f) => f.type === 'detail');
  if (!detail || detail.type !== 'detail' || !detail.fields.some((c) => c.total)) return null;
  return Object.fromEntries(detail.fields.filter((c) => c.total).map((c) => [c.name, total(c, rows.map((r) => r[c.name] ?? null))]));
}

function total(f: FormValueField, values: unknown[]): unknown {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (f.total === 'count') return present.length;
  if (f.total === 'min' || f.total === 'max') {
    if (!present.length) return null;
    const sorted = [...present].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
    return f.total === 'min' ? sorted[0] : sorted[sorted.length - 1];
  }
  const nums = present.filter((v): v is number => typeof v === 'number').map((v) => new Num(v));
  const sum = nums.reduce((a, b) => a.plus(b), new Num(0));
  const scale = f.type === 'integer' ? 0 : decimalShape(f).scale;
  if (f.total === 'sum') return sum.toDecimalPlaces(scale, Num.ROUND_HALF_UP).toNumber();
  return nums.length ? sum.div(nums.length).toDecimalPlaces(Math.max(scale, 2), Num.ROUND_HALF_UP).toNumber() : null;
}

const zones = new Map<string, string>();
/** The zone if it is a valid IANA time zone, else `fallback` (the parameter may hold anything). */
export function validTimeZone(zone: unknown, fallback = 'UTC'): string {
  if (typeof zone !== 'string' || !zone) return fallback;
  let ok = zones.get(zone);
  if (ok === undefined) {
    try {
      ok = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      ok = '';
    }
    if (zones.size < 100) zones.set(zone, ok);
  }
  return ok || fallback;
}

/**
 * Process a submission of a form: check types and shapes (ajv, per-field errors such as
 * `lines[2].amount`), apply defaults, compute formulas on the server (values a client sent
 * for computed fields are ignored), drop hidden fields, check fixed and conditional
 * required-ness, detail rows and the form's rules. Pure and synchronous; references to
 * records (reference, user, department, file) are checked where the data is stored.
 * Throws FormDefinitionError only for a definition that was never validated.
 */
export function processSubmission(def: FormDefinition, input: unknown, options: SubmissionOptions = {}): SubmissionResult {
  const model = formModel(def);
  if (!isObject(input)) {
    const field = options.prefix ?? '(body)';
    return { data: {}, errors: [{ field, rule: 'type', message: `${field} must be a JSON object` }], totals: {} };
  }
  const s = new Submission(model, options, input);
  s.checkInput(input);
  s.prepare();
  s.compute();
  s.checkRequired();
  s.checkRules();
  return s.result();
}
