import { ValidationError, type AnyRecord, type DataContext, type EntityHooks } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { RecordEvent } from '../jobs/events';
import type { ParameterType } from '../system/basedata';
import { RecordSnapshot, toBool, toJson } from './snapshot';
import { checkTypedValue, duplicateOption } from './values';
import { checkChoices } from './read';

export interface ParameterEntry {
  id: number;
  version: number;
  code: string;
  group: string;
  type: ParameterType;
  secret: boolean;
  /** The typed value; null when not set. */
  value: unknown;
}

/** The value a parameter record holds: secret ones keep it encrypted, as JSON text, in `secretValue`. */
export function storedValue(record: Record<string, unknown>): unknown {
  if (!toBool(record.secret)) return record.value ?? null;
  const text = record.secretValue;
  return typeof text === 'string' ? JSON.parse(text) : null;
}

/**
 * System parameters in memory: `get<T>(code)` answers synchronously. Kept current like
 * the dictionary cache (committed writes applied at once; `reload()` on demand). Secret
 * values are held decrypted here: this is the platform's own view, not a user's — user
 * and script reads go through the permission layer.
 */
export class ParameterCache {
  private readonly rows: RecordSnapshot<ParameterEntry>;
  private byCode = new Map<string, ParameterEntry>();
  private compiledAt = -1;

  constructor(db: Executor, decrypt: (stored: string) => string) {
    const q = db.dialect.quote;
    this.rows = new RecordSnapshot(
      async () =>
        (await db.all(`SELECT id, version, code, ${q('group')} AS ${q('group')}, type, value, secret, secret_value AS secretValue FROM plinth_parameters WHERE deleted_at IS NULL`)).map((r) =>
          entry({ ...r, value: toJson(r.value), secretValue: typeof r.secretValue === 'string' ? decrypt(r.secretValue) : null }),
        ),
      entry,
    );
  }

  reload(): Promise<void> {
    return this.rows.reload();
  }

  apply(event: RecordEvent): void {
    if (event.entity === 'parameter') this.rows.apply(event);
  }

  /** The typed value of a parameter; `fallback` (or undefined) when it is missing or not set. */
  get<T = unknown>(code: string): T | undefined;
  get<T>(code: string, fallback: T): T;
  get<T>(code: string, fallback?: T): T | undefined {
    const value = this.entry(code)?.value;
    return value === null || value === undefined ? fallback : (value as T);
  }

  entry(code: string): ParameterEntry | undefined {
    if (this.compiledAt !== this.rows.generation) {
      this.byCode = new Map([...this.rows.values()].map((p) => [p.code, p]));
      this.compiledAt = this.rows.generation;
    }
    return this.byCode.get(code);
  }
}

function entry(r: Record<string, unknown>): ParameterEntry {
  return { id: Number(r.id), version: Number(r.version), code: String(r.code), group: String(r.group), type: r.type as ParameterType, secret: toBool(r.secret), value: storedValue(r) };
}

const TOUCHES_VALUE = ['type', 'options', 'dictionary', 'value', 'secret'];

/** Check `value` against the parameter's type and choices; 400 naming `value` and the rule. */
async function checkedValue(def: Record<string, unknown>, value: unknown, ctx: DataContext): Promise<void> {
  const choices = await checkChoices(ctx, def, duplicateOption(def.options));
  if (value === null || value === undefined) return;
  const problem = checkTypedValue(def.type as ParameterType, value, choices);
  if (problem) throw new ValidationError([{ field: 'value', rule: problem.rule, message: `value ${problem.message}` }]);
}

/** Where a value goes: `value`, or encrypted `secretValue` for a secret parameter. */
function placed(secret: boolean, value: unknown): Record<string, unknown> {
  const v = value === undefined ? null : value;
  return secret ? { value: null, secretValue: v === null ? null : JSON.stringify(v) } : { value: v, secretValue: null };
}

/** Values are checked against the type on every write, and secret ones moved out of `value`. */
export const parameterHooks: EntityHooks = {
  async beforeCreate(data, ctx) {
    const def = { type: 'string', ...data };
    await checkedValue(def, data.value, ctx);
    return { ...data, ...placed(data.secret === true, data.value) };
  },

  async beforeUpdate({ before, patch }, ctx) {
    if (!TOUCHES_VALUE.some((k) => k in patch)) return;
    const merged: AnyRecord = { ...before, ...patch };
    const value = 'value' in patch ? patch.value : storedValue(before);
    await checkedValue(merged, value, ctx);
    return { ...patch, ...placed(merged.secret === true, value) };
  },
};
