/**
 * Validation and computed-field scripts for record writes (entities, and data forms through
 * `form:<code>` targets). Both run before the write, inside its transaction, with the data
 * context the caller gives (the user who writes, or a script's service role):
 *
 * - computed fields first, in the order given: each field names its script (kind
 *   `computed`), whose return value becomes the field's value; a missing or disabled
 *   script leaves the field as it is;
 * - then every enabled validation (kind `validation`) of the target: `<target>` always,
 *   `<target>.<field>` when the field is written. A validation returns `{ errors }` (or
 *   calls `ctx.fail`); all errors of all validations are answered together as one 400
 *   whose rules are `script:<name>`, and nothing is written.
 */
import { ValidationError, type DataContext, type FieldError } from '@plinth/sdk';
import type { ComputedInput, ScriptRecord, ValidationInput, ValidationIssue, ValidationResult } from '@plinth/sdk';
import { ScriptError, ScriptRejection } from './errors';
import type { ScriptRuntime } from './runtime';
import type { StoredScript } from './repository';
import type { EntityModel } from '../meta/model';

/** A field computed by a script. */
export interface ComputedField {
  field: string;
  script: string;
}

export interface RecordWrite {
  /** The entity, or `form:<code>`: what scripts target. */
  target: string;
  operation: 'create' | 'update';
  /** The record as it will be written (updates: stored record with the changes applied). */
  record: Record<string, unknown>;
  /** Updates: the stored record. */
  previous?: Record<string, unknown>;
  /** Updates: the fields being written. */
  changes?: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class RecordScripts {
  constructor(private readonly runtime: ScriptRuntime) {}

  /** Whether anything would run for this target (so writes without scripts skip the work). */
  async any(target: string, computed: readonly ComputedField[]): Promise<boolean> {
    return computed.length > 0 || (await this.validationsOf(target)).length > 0;
  }

  /**
   * The values of the computed fields, by field. `valueErrors` checks a value against the
   * field's rules: a script that computes one that does not fit fails the write (422).
   */
  async compute(write: RecordWrite, fields: readonly ComputedField[], data: DataContext, valueErrors: (field: string, value: unknown) => FieldError[]): Promise<Record<string, unknown>> {
    if (!fields.length) return {};
    const scripts = new Map((await this.runtime.find('computed')).map((s) => [s.name, s]));
    const set: Record<string, unknown> = {};
    let record = write.record;
    for (const { field, script: name } of fields) {
      const script = scripts.get(name);
      if (!script) continue;
      const input: ComputedInput = { entity: write.target, field, operation: write.operation, record, ...(write.previous ? { previous: write.previous as ScriptRecord } : {}) };
      const value = (await this.runtime.runScript(script, input, { data, trigger: `computed:${write.target}.${field}` })).value ?? null;
      const errors = valueErrors(field, value);
      if (errors.length) {
        throw new ScriptError(`Script ${name} computed a value for ${field} that does not fit it: ${errors.map((e) => e.message).join('; ')}`, { script: name, code: 'script-result' });
      }
      set[field] = value;
      record = { ...record, [field]: value };
    }
    return set;
  }

  /** Run the validations of the write's target; throws one ValidationError with every error found. */
  async validate(write: RecordWrite, data: DataContext): Promise<void> {
    const errors: FieldError[] = [];
    for (const script of await this.validationsOf(write.target)) {
      const field = script.target === write.target ? undefined : script.target!.slice(write.target.length + 1);
      if (field !== undefined && write.operation === 'update' && !(write.changes && field in write.changes)) continue;
      const input: ValidationInput = {
        entity: write.target,
        operation: write.operation,
        record: write.record,
        ...(write.previous ? { previous: write.previous as ScriptRecord } : {}),
        ...(write.changes ? { changes: write.changes } : {}),
        ...(field !== undefined ? { field, value: write.record[field] ?? null } : {}),
      };
      let issues: readonly ValidationIssue[];
      try {
        const result = (await this.runtime.runScript<ValidationResult>(script, input, { data, trigger: `validation:${script.target}` })).value;
        issues = isObject(result) && Array.isArray(result.errors) ? result.errors : [];
      } catch (err) {
        if (!(err instanceof ScriptRejection)) throw err;
        issues = err.errors.length ? err.errors : [{ message: err.message }];
      }
      errors.push(...issues.map((issue) => toFieldError(script, issue, field)));
    }
    if (errors.length) throw new ValidationError(errors, errors.length === 1 ? errors[0].message : `${errors.length} problems with this record; nothing was written`);
  }

  private async validationsOf(target: string): Promise<StoredScript[]> {
    return (await this.runtime.find('validation')).filter((s) => s.target === target || (s.target?.startsWith(`${target}.`) ?? false));
  }
}

function toFieldError(script: StoredScript, issue: ValidationIssue, field: string | undefined): FieldError {
  // ctx.fail's errors cross as strings: a missing property arrives as 'undefined'.
  const text = (v: unknown, max: number) => (typeof v === 'string' && v !== '' && v !== 'undefined' ? v.slice(0, max) : undefined);
  const rule = text(issue?.rule, 100);
  return {
    field: text(issue?.field, 200) ?? field ?? '(record)',
    rule: rule ? `script:${script.name}:${rule}` : `script:${script.name}`,
    message: text(issue?.message, 1000) ?? 'is invalid',
  };
}

const computedByModel = new WeakMap<EntityModel, readonly ComputedField[]>();

/** The fields of an entity computed by scripts (`computedBy`), in field order. */
export function computedFieldsOf(entity: EntityModel | undefined): readonly ComputedField[] {
  if (!entity) return [];
  let fields = computedByModel.get(entity);
  if (!fields) {
    fields = entity.columns.flatMap((f) => {
      const script = (f.def as { computedBy?: unknown }).computedBy;
      return typeof script === 'string' ? [{ field: f.name, script }] : [];
    });
    computedByModel.set(entity, fields);
  }
  return fields;
}
