import type { CustomFieldSpec, FieldError } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { EntityModel, FieldModel } from '../meta/model';
import { encode } from '../data/codec';

type Ids = { id: number }[];

/**
 * What existing records would break if a field changed from `before` to `after`: each
 * refusal names the rule and lists (up to `limit`) the records in the way. Nothing is
 * changed here; an empty list means the change can be applied.
 */
export async function dataConflicts(db: Executor, entity: EntityModel, before: FieldModel, after: FieldModel, spec: CustomFieldSpec, limit: number): Promise<FieldError[]> {
  const q = db.dialect.quote;
  const table = q(entity.table);
  const col = q(after.column);
  const out: FieldError[] = [];
  const ids = async (where: string, params: unknown[] = []): Promise<number[]> =>
    (await db.all<Ids[number]>(`SELECT id FROM ${table} WHERE ${where} ORDER BY id LIMIT ${limit}`, params)).map((r) => Number(r.id));
  const refuse = (field: string, rule: string, message: string, records: number[]) => out.push({ field, rule, message, records });
  const d = after.def as { unique?: boolean; min?: number | string; max?: number | string; pattern?: string; length?: number; maxLength?: number; values?: { value: string }[] };
  const was = before.def as typeof d;

  if (after.required && !before.required && spec.default === undefined) {
    const found = await ids(`deleted_at IS NULL AND ${col} IS NULL`);
    if (found.length) refuse('required', 'empty', 'Records without a value (give a default to fill them)', found);
  }
  if (d.unique && !was.unique) {
    const dups = await db.all<{ v: unknown }>(`SELECT ${col} AS v FROM ${table} WHERE ${col} IS NOT NULL GROUP BY ${col} HAVING COUNT(*) > 1 LIMIT ${limit}`);
    for (const { v } of dups) refuse('unique', 'duplicates', `Value ${JSON.stringify(v)} is held by several records`, await ids(`${col} = ?`, [v]));
  }
  const length = after.type === 'string' ? d.length : after.type === 'text' ? d.maxLength : undefined;
  const oldLength = before.type === 'string' ? was.length : before.type === 'text' ? was.maxLength : undefined;
  if (length !== undefined && (oldLength === undefined || length < oldLength) && !after.encrypted) {
    const len = db.dialect.kind === 'mysql' ? 'CHAR_LENGTH' : 'LENGTH';
    const found = await ids(`deleted_at IS NULL AND ${len}(${col}) > ?`, [length]);
    if (found.length) refuse('maxLength', 'maxLength', `Records with values longer than ${length} characters`, found);
  }
  for (const [key, op] of [['min', '<'], ['max', '>']] as const) {
    if (d[key] === undefined || d[key] === was[key]) continue;
    const found = await ids(`deleted_at IS NULL AND ${col} ${op} ?`, [d[key]]);
    if (found.length) refuse(key, key, `Records with values ${op === '<' ? 'below' : 'above'} ${String(d[key])}`, found);
  }
  if (d.pattern !== undefined && d.pattern !== was.pattern) {
    const re = new RegExp(`^(?:${d.pattern})$`, 'u');
    const bad: number[] = [];
    let last = 0;
    // Walk the values in id order, a page at a time: the pattern is checked in JS (SQL regex dialects differ).
    for (;;) {
      const page = await db.all<{ id: number; v: string }>(`SELECT id, ${col} AS v FROM ${table} WHERE deleted_at IS NULL AND ${col} IS NOT NULL AND id > ? ORDER BY id LIMIT 1000`, [last]);
      for (const r of page) if (!re.test(String(r.v)) && bad.length < limit) bad.push(Number(r.id));
      if (page.length < 1000 || bad.length >= limit) break;
      last = Number(page[page.length - 1].id);
    }
    if (bad.length) refuse('pattern', 'pattern', 'Records whose value does not match the pattern', bad);
  }
  if (after.type === 'enum' && d.values && was.values) {
    const allowed = d.values.map((v) => v.value);
    const dropped = was.values.map((v) => v.value).filter((v) => !allowed.includes(v));
    if (dropped.length) {
      const marks = dropped.map(() => '?').join(', ');
      const found = after.multiple
        ? (await db.all<Ids[number]>(`SELECT DISTINCT record_id AS id FROM ${q(after.joinTable)} WHERE value IN (${marks}) ORDER BY record_id LIMIT ${limit}`, dropped)).map((r) => Number(r.id))
        : await ids(`deleted_at IS NULL AND ${col} IN (${marks})`, dropped.map((v) => encode(after, v)));
      if (found.length) refuse('options', 'in-use', `Records still hold the options ${dropped.join(', ')}`, found);
    }
  }
  return out;
}
