import type { FieldDef, I18nText } from '@plinth/sdk';
import type { EntityModel, FieldModel } from '../meta/model';
import type { MetaRegistry } from '../meta/registry';
import type { DictionaryEntry } from '../basedata/dictionaries';
import { textIn, type Language } from './i18n';

/** How a page shows and edits a field: what the templates and client scripts read. */
export interface FieldView {
  name: string;
  label: string;
  help: string;
  type: string;
  /** The input to render: text, textarea, number, date, datetime, checkbox, select, reference, file, json. */
  input: string;
  required: boolean;
  readonly: boolean;
  multiple: boolean;
  custom: boolean;
  options: { value: string; label: string }[];
  /** reference: the target's plural (for lookups and links). */
  target?: string;
  min?: number | string;
  max?: number | string;
  step?: string;
  maxLength?: number;
  pattern?: string;
  format?: string;
}

export type DictionaryItems = (code: string) => readonly DictionaryEntry[] | undefined;

function inputOf(def: FieldDef): string {
  switch (def.type) {
    case 'text':
      return 'textarea';
    case 'integer':
    case 'decimal':
    case 'money':
      return 'number';
    case 'boolean':
      return 'checkbox';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'enum':
      return 'select';
    case 'reference':
      return 'reference';
    case 'file':
      return 'file';
    case 'json':
      return 'json';
    default:
      return 'text';
  }
}

export function optionsOf(field: FieldModel, lang: Language, dictionaries: DictionaryItems): { value: string; label: string }[] {
  const def = field.def;
  if (def.type !== 'enum') return [];
  if (def.dictionary) return (dictionaries(def.dictionary) ?? []).filter((i) => i.enabled).map((i) => ({ value: i.code, label: textIn(i.label, lang) }));
  return (def.values ?? []).map((o) => ({ value: o.value, label: textIn(o.label, lang) }));
}

export function fieldView(field: FieldModel, meta: MetaRegistry, lang: Language, dictionaries: DictionaryItems): FieldView {
  const def = field.def;
  const view: FieldView = {
    name: field.name,
    label: textIn(field.label, lang),
    help: textIn((def as { help?: I18nText }).help, lang),
    type: field.type,
    input: inputOf(def),
    required: field.required,
    readonly: !field.writable || (def as { readonly?: boolean }).readonly === true,
    multiple: field.multiple,
    custom: field.custom,
    options: optionsOf(field, lang, dictionaries),
  };
  switch (def.type) {
    case 'string':
      view.maxLength = def.length ?? 255;
      if (def.pattern) view.pattern = def.pattern;
      if (def.format) view.format = def.format;
      break;
    case 'text':
      if (def.maxLength) view.maxLength = def.maxLength;
      break;
    case 'integer':
      view.step = '1';
      if (def.min !== undefined) view.min = def.min;
      if (def.max !== undefined) view.max = def.max;
      break;
    case 'decimal':
    case 'money':
      view.step = def.type === 'money' ? '0.01' : `${10 ** -(def.scale ?? 2)}`;
      if (def.min !== undefined) view.min = def.min;
      if (def.max !== undefined) view.max = def.max;
      break;
    case 'date':
      if (def.min) view.min = def.min;
      if (def.max) view.max = def.max;
      break;
    case 'reference': {
      const target = meta.get(def.entity);
      if (target) view.target = target.plural;
      break;
    }
    default:
      break;
  }
  return view;
}

/** The fields a create/edit form offers, in display order. */
export function formFields(entity: EntityModel): FieldModel[] {
  return [...entity.fields.values()].filter((f) => !f.system && f.type !== 'collection' && !f.hidden).sort(byOrder);
}

/** The fields shown on a record page (system fields at the end). */
export function detailFields(entity: EntityModel): FieldModel[] {
  const shown = [...entity.fields.values()].filter((f) => f.type !== 'collection' && !f.hidden && f.name !== 'deletedAt' && f.name !== 'deletedBy' && f.name !== 'id');
  return [...shown.filter((f) => !f.system).sort(byOrder), ...shown.filter((f) => f.system)];
}

/** Columns a list shows when the user has not chosen: the title, then up to five short fields, then owner and last change. */
export function defaultColumns(entity: EntityModel): string[] {
  const short = [...entity.fields.values()]
    .filter((f) => !f.system && !f.hidden && f.name !== entity.titleField && ['string', 'enum', 'integer', 'decimal', 'money', 'date', 'boolean', 'reference'].includes(f.type) && !f.encrypted && !f.multiple)
    .sort(byOrder)
    .slice(0, 5)
    .map((f) => f.name);
  return [entity.titleField, ...short, 'owner', 'createdAt'].filter((n, i, all) => entity.fields.has(n) && all.indexOf(n) === i);
}

/** Fields a list can show as columns. */
export function listableFields(entity: EntityModel): FieldModel[] {
  return [...entity.fields.values()].filter((f) => f.type !== 'collection' && f.type !== 'json' && !f.hidden && f.name !== 'deletedAt' && f.name !== 'deletedBy');
}

function byOrder(a: FieldModel, b: FieldModel): number {
  return a.order - b.order;
}

/** Fields grouped as the entity's sections declare; the rest (custom fields among them) in a last group. */
export function groupFields<T extends { name: string }>(entity: EntityModel, items: readonly T[], lang: Language, otherLabel: string): { key: string; title: string; items: T[] }[] {
  const byName = new Map(items.map((i) => [i.name, i]));
  const groups = (entity.def.sections ?? []).map((s) => ({ key: s.key, title: textIn(s.label, lang), items: s.fields.map((n) => byName.get(n)).filter((i): i is T => i !== undefined) }));
  const placed = new Set(groups.flatMap((g) => g.items.map((i) => i.name)));
  const rest = items.filter((i) => !placed.has(i.name));
  if (rest.length) groups.push({ key: 'other', title: groups.length ? otherLabel : '', items: rest });
  return groups.filter((g) => g.items.length > 0);
}
