import type { Context } from 'koa';
import { ForbiddenError, NotFoundError, type DetailFormField, type FormDefinition, type FormValueField, type I18nText } from '@plinth/sdk';
import type { FormService } from '../../forms/service';
import type { FormRecords } from '../../forms/records';
import { formEntityNames, formRecordsPlural } from '../../forms/entities';
import { textIn, type Language } from '../i18n';
import type { DictionaryItems } from '../fields';
import { pageUserOf, safeNext } from '../session';
import type { Workspace } from '../workspace';

/** How a form field is filled in on the page. */
interface FormInput {
  name: string;
  label: string;
  help: string;
  type: string;
  input: string;
  required: boolean;
  computed: boolean;
  conditional: boolean;
  multiple: boolean;
  options: { value: string; label: string; selected: boolean }[];
  target: string | null;
  step: string | null;
  total: string | null;
  span: number;
  value: string;
  checked: boolean;
}

const INPUTS: Record<string, string> = {
  string: 'text', text: 'textarea', integer: 'number', decimal: 'number', money: 'number', boolean: 'checkbox',
  date: 'date', datetime: 'datetime', enum: 'select', reference: 'reference', user: 'reference', department: 'reference', file: 'file',
};

function input(f: FormValueField, value: unknown, lang: Language, dictionaries: DictionaryItems, plural: (entity: string) => string | null, span = 1): FormInput {
  const selected = Array.isArray(value) ? value.map(String) : value === null || value === undefined ? [] : [String(value)];
  const options =
    f.type === 'enum'
      ? (f.dictionary ? (dictionaries(f.dictionary) ?? []).filter((i) => i.enabled).map((i) => ({ value: i.code, label: textIn(i.label, lang) })) : (f.values ?? []).map((o) => ({ value: o.value, label: textIn(o.label, lang) }))).map((o) => ({ ...o, selected: selected.includes(o.value) }))
      : [];
  const target = f.type === 'reference' ? plural(f.entity) : f.type === 'user' ? 'users' : f.type === 'department' ? plural('department') : null;
  const id = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { id?: unknown }).id : value;
  return {
    name: f.name,
    label: textIn(f.label, lang),
    help: textIn(f.help as I18nText | undefined, lang),
    type: f.type,
    input: INPUTS[f.type] ?? 'text',
    required: f.required === true || f.requiredWhen !== undefined,
    computed: f.formula !== undefined,
    conditional: f.visibleWhen !== undefined,
    multiple: (f as { multiple?: boolean }).multiple === true,
    options,
    target,
    step: f.type === 'integer' ? '1' : f.type === 'money' ? '0.01' : f.type === 'decimal' ? 'any' : null,
    total: f.total ?? null,
    span,
    value: id === null || id === undefined || typeof id === 'object' ? '' : f.type === 'file' ? JSON.stringify(value) : String(id),
    checked: value === true,
  };
}

/**
 * Fill in a data form (自定义表单) from its definition: the layout's sections and columns,
 * the detail table with add/remove rows and its totals row, computed fields and
 * conditions evaluated by the server as the user types (POST /forms/{code}/evaluate), the
 * record saved through /forms/{code}/records — the same checks as the API.
 */
export async function dataFormPage(ctx: Context, code: string, id: number | null, ws: Workspace, forms: FormService, records: FormRecords): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const lang = viewer.lang;
  const store = ws.deps.store();
  const stored = await forms.get(actor, code).catch(() => null);
  if (!stored || stored.definition.kind !== 'data') throw new NotFoundError(`No data form "${code}"`);
  const def: FormDefinition = stored.definition;
  const header = store.meta.get(formEntityNames(code).header);
  if (!header) throw new NotFoundError(`The form "${code}" is not enabled`);
  const service = store.service(header.name, actor);
  if (id === null ? !(await service.can('create')) : !(await service.can('update', id))) throw new ForbiddenError(`You may not ${id === null ? 'fill in' : 'change'} this form`);
  const record = id === null ? null : await records.get(actor, code, id);
  const { sections, table } = fillableForm(def, record, lang, ws);
  const label = textIn(def.label, lang);
  const plural_ = formRecordsPlural(code);
  const title = id === null ? await ws.t(ctx, 'form.new', { entity: label }) : `${label} #${id}`;
  const back = safeNext(ctx.query.back ?? (id === null ? `/app/${plural_}` : `/app/${plural_}/${id}`));
  await ws.send(ctx, {
    page: 'data-form',
    title,
    crumbs: [{ label, href: `/app/${plural_}` }, { label: title }],
    scripts: ['js/data-form.js'],
    messages: ['form.', 'lookup.'],
    client: {
      code, id, version: record?.version ?? null, back, detail: table ? { name: table.name, minRows: table.minRows, maxRows: table.maxRows } : null,
      submit: id === null
        ? { method: 'POST', url: `/api/v1/forms/${code}/records`, then: `/app/${plural_}/:id` }
        : { method: 'PATCH', url: `/api/v1/forms/${code}/records/${id}`, version: record!.version, then: back },
    },
    data: { heading: title, description: def.description ? textIn(def.description, lang) : '', sections, table, back },
  });
}


/** The sections, inputs and detail table of a form definition, filled with `record`'s values (or the defaults). */
export function fillableForm(def: FormDefinition, record: Record<string, unknown> | null, lang: Language, ws: Workspace) {
  const store = ws.deps.store();
  const plural = (entity: string) => store.meta.get(entity)?.plural ?? null;
  const byName = new Map(def.fields.map((f) => [f.name, f]));
  const detail = def.fields.find((f): f is DetailFormField => f.type === 'detail') ?? null;
  const layout = def.layout?.sections ?? [{ columns: 2, fields: def.fields.map((f) => f.name) }];
  const sections = layout.map((s) => ({
    title: s.title ? textIn(s.title, lang) : '',
    columns: s.columns ?? 2,
    items: s.fields
      .map((item) => (typeof item === 'string' ? { field: item, span: 1 } : { field: item.field, span: item.span ?? 1 }))
      .map(({ field, span }) => {
        const f = byName.get(field);
        if (!f) return null;
        if (f.type === 'detail') return { detail: true, name: f.name, label: textIn(f.label, lang), conditional: f.visibleWhen !== undefined };
        return { detail: false, ...input(f, record ? record[f.name] : ((f as { default?: unknown }).default ?? null), lang, ws.deps.dictionaries, plural, span) };
      })
      .filter((x) => x !== null),
  }));
  const rowsOf = (values: Record<string, unknown>[]) => values.map((r) => ({ id: r.id ?? null, cells: detail!.fields.map((f) => input(f, r[f.name] ?? null, lang, ws.deps.dictionaries, plural)) }));
  const storedRows = detail && record ? ((record[detail.name] as Record<string, unknown>[] | undefined) ?? []) : [];
  const table = detail
    ? {
        name: detail.name,
        label: textIn(detail.label, lang),
        columns: detail.fields.map((f) => ({ name: f.name, label: textIn(f.label, lang), total: f.total ?? null, computed: f.formula !== undefined, required: f.required === true })),
        rows: rowsOf(storedRows.length ? storedRows : Array.from({ length: Math.max(detail.minRows ?? 1, 1) }, () => ({}))),
        blank: rowsOf([{}])[0],
        hasTotals: detail.fields.some((f) => f.total),
        minRows: detail.minRows ?? 0,
        maxRows: detail.maxRows ?? 1000,
      }
    : null;
  return { sections, table };
}

/** A data form's code from its records entity (`formLeave` → `leave`), or null for other entities. */
export function dataFormCode(entityName: string, plugin: string): string | null {
  if (plugin !== 'forms' || !/^form[A-Z]/.test(entityName) || entityName.endsWith('Detail')) return null;
  const rest = entityName.slice(4);
  return rest[0].toLowerCase() + rest.slice(1);
}

/** A data-form record's detail table, read-only, for its record page. */
export async function detailTable(ctx: Context, code: string, id: number, ws: Workspace, forms: FormService, records: FormRecords): Promise<{ label: string; columns: { label: string; total: boolean }[]; rows: string[][]; totals: string[] | null } | null> {
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const def = (await forms.get(actor, code)).definition;
  const detail = def.fields.find((f): f is DetailFormField => f.type === 'detail');
  if (!detail) return null;
  const record = await records.get(actor, code, id);
  const rows = (record[detail.name] as Record<string, unknown>[] | undefined) ?? [];
  const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const totals = record._totals as Record<string, unknown> | undefined;
  return {
    label: textIn(detail.label, viewer.lang),
    columns: detail.fields.map((f) => ({ label: textIn(f.label, viewer.lang), total: f.total !== undefined })),
    rows: rows.map((r) => detail.fields.map((f) => text(r[f.name]))),
    totals: totals ? detail.fields.map((f) => (f.total ? text(totals[f.name]) : '')) : null,
  };
}
