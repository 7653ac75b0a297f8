import type { MetaRegistry } from '../meta/registry';
import type { EntityModel, FieldModel } from '../meta/model';
import type { Executor } from '../data/database';
import { textIn, type Language } from './i18n';
import type { DictionaryItems } from './fields';
import type { Messages } from './i18n';

/** A value as a page shows it: text, and a link when it points at a record or a file. */
export interface Shown {
  text: string;
  href?: string;
  /** Rendered as a list (multi-valued fields, files). */
  items?: { text: string; href?: string }[];
  empty: boolean;
  align?: 'end';
}

/** Who is user 12, which department is 3: directory names, shown to every signed-in user. */
export class DirectoryNames {
  constructor(private readonly db: Executor, private readonly meta: MetaRegistry) {}

  async load(userIds: Iterable<unknown>, departmentIds: Iterable<unknown>): Promise<{ users: Map<number, string>; departments: Map<number, string> }> {
    const ints = (values: Iterable<unknown>) => [...new Set([...values].filter((v): v is number => typeof v === 'number'))].slice(0, 1000);
    const users = new Map<number, string>();
    const departments = new Map<number, string>();
    const u = ints(userIds);
    if (u.length) {
      for (const row of await this.db.all(`SELECT id, display_name FROM plinth_users WHERE id IN (${u.map(() => '?').join(',')})`, u)) users.set(Number(row.id), String(row.display_name));
    }
    const d = ints(departmentIds);
    const dept = this.meta.get('department');
    if (d.length && dept) {
      const title = dept.fields.get(dept.titleField)!;
      for (const row of await this.db.all(`SELECT id, ${title.column} AS title FROM ${dept.table} WHERE id IN (${d.map(() => '?').join(',')})`, d)) departments.set(Number(row.id), String(row.title));
    }
    return { users, departments };
  }
}

const USER_FIELDS = new Set(['owner', 'createdBy', 'updatedBy', 'deletedBy']);

export interface DisplayContext {
  lang: Language;
  timeZone: string;
  messages: Messages;
  meta: MetaRegistry;
  dictionaries: DictionaryItems;
  users: Map<number, string>;
  departments: Map<number, string>;
  /** The plural of the records shown: file links go through the record (any reader may download). */
  plural?: string;
  /** Names of the files the records' file fields hold. */
  files?: Map<number, string>;
}

/** The file ids the records' file fields hold (their names are looked up in one go). */
export function fileIds(entity: EntityModel, records: readonly Record<string, unknown>[]): number[] {
  const ids = new Set<number>();
  for (const f of entity.fields.values()) {
    if (f.type !== 'file') continue;
    for (const r of records) for (const v of Array.isArray(r[f.name]) ? (r[f.name] as unknown[]) : [r[f.name]]) if (typeof v === 'number') ids.add(v);
  }
  return [...ids].slice(0, 500);
}

/** The user and department ids a page's records mention (to look their names up in one go). */
export function directoryIds(entity: EntityModel, records: readonly Record<string, unknown>[]): { users: unknown[]; departments: unknown[] } {
  const users: unknown[] = [];
  const departments: unknown[] = [];
  for (const f of entity.fields.values()) {
    const isUser = USER_FIELDS.has(f.name) || (f.def.type === 'reference' && f.def.entity === 'user');
    const isDept = f.name === 'department' || (f.def.type === 'reference' && f.def.entity === 'department');
    if (!isUser && !isDept) continue;
    for (const r of records) {
      const v = r[f.name];
      const ids = Array.isArray(v) ? v : [v];
      for (const id of ids) (isUser ? users : departments).push(typeof id === 'object' && id !== null ? (id as { id?: unknown }).id : id);
    }
  }
  return { users, departments };
}

// Intl formatters are costly to build: one per time zone (and precision) and language, kept.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

/** An instant as `YYYY-MM-DD hh:mm` (with `:ss` when asked) in `timeZone`. */
export function dateTimeIn(iso: string, timeZone: string, seconds = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const key = `${timeZone}|${seconds}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hourCycle: 'h23' });
    dateTimeFormats.set(key, format);
  }
  const parts = Object.fromEntries(format.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}${seconds ? `:${parts.second}` : ''}`;
}

function number(value: number, fraction: number | undefined, lang: Language): string {
  const key = `${lang}|${fraction ?? ''}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(lang === 'en' ? 'en-US' : lang, fraction === undefined ? {} : { minimumFractionDigits: fraction, maximumFractionDigits: fraction });
    numberFormats.set(key, format);
  }
  return format.format(value);
}

/** Show one field of one record. */
export function show(field: FieldModel, record: Record<string, unknown>, c: DisplayContext): Shown {
  const value = record[field.name];
  const none: Shown = { text: '', empty: true };
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return none;
  const def = field.def;
  if (USER_FIELDS.has(field.name) || (def.type === 'reference' && def.entity === 'user' && typeof value === 'number')) {
    const id = value as number;
    return { text: c.users.get(id) ?? `#${id}`, empty: false };
  }
  if (field.name === 'department' || (def.type === 'reference' && def.entity === 'department' && typeof value === 'number')) {
    return { text: c.departments.get(value as number) ?? `#${String(value)}`, empty: false };
  }
  switch (def.type) {
    case 'boolean':
      return { text: c.messages.text(c.lang, value ? 'value.yes' : 'value.no'), empty: false };
    case 'integer':
      return { text: number(value as number, undefined, c.lang), empty: false, align: 'end' };
    case 'decimal':
      return { text: number(value as number, undefined, c.lang), empty: false, align: 'end' };
    case 'money':
      return { text: number(value as number, 2, c.lang), empty: false, align: 'end' };
    case 'datetime':
      return { text: dateTimeIn(String(value), c.timeZone), empty: false };
    case 'enum': {
      const labels = new Map<string, string>();
      if (def.dictionary) for (const i of c.dictionaries(def.dictionary) ?? []) labels.set(i.code, textIn(i.label, c.lang));
      else for (const o of def.values ?? []) labels.set(o.value, textIn(o.label, c.lang));
      const list = (Array.isArray(value) ? value : [value]).map((v) => labels.get(String(v)) ?? String(v));
      return { text: list.join(', '), empty: false };
    }
    case 'reference': {
      const target = c.meta.get(def.entity);
      if (typeof value === 'object' && target) {
        const rec = value as Record<string, unknown>;
        const title = rec[target.titleField];
        return { text: title === null || title === undefined || title === '' ? `#${String(rec.id)}` : String(title), href: `/app/${target.plural}/${String(rec.id)}`, empty: false };
      }
      return { text: `#${String(value)}`, href: target ? `/app/${target.plural}/${String(value)}` : undefined, empty: false };
    }
    case 'file': {
      const files = (Array.isArray(value) ? value : [value]) as unknown[];
      const items = files.map((f) => {
        const file = typeof f === 'object' && f !== null ? (f as { id?: unknown; name?: unknown }) : { id: f, name: typeof f === 'number' ? c.files?.get(f) : undefined };
        const href = c.plural && record.id !== undefined ? `/api/v1/${c.plural}/${String(record.id)}/files/${String(file.id)}` : undefined;
        return { text: String(file.name ?? `#${String(file.id)}`), href };
      });
      return { text: items.map((i) => i.text).join(', '), items, empty: false };
    }
    case 'json':
      return { text: JSON.stringify(value), empty: false };
    default:
      return { text: String(value), empty: false };
  }
}
