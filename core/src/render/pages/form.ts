import type { Context } from 'koa';
import { ForbiddenError } from '@plinth/sdk';
import type { EntityModel, FieldModel } from '../../meta/model';
import { textIn } from '../i18n';
import { fieldView, formFields, groupFields } from '../fields';
import { pageUserOf, safeNext } from '../session';
import type { Workspace } from '../workspace';

/** What an input starts with: the record's value, or on a new record the query string's (a related tab's "new"), or the field's default. */
function initialValue(field: FieldModel, record: Record<string, unknown> | null, prefill: Record<string, unknown>): unknown {
  if (record) return record[field.name] ?? null;
  const given = prefill[field.name];
  if (typeof given === 'string' && given !== '') {
    if (['integer', 'decimal', 'money', 'reference'].includes(field.type) && /^-?\d+(\.\d+)?$/.test(given)) return Number(given);
    if (field.type === 'boolean') return given === 'true';
    return given;
  }
  return (field.def as { default?: unknown }).default ?? null;
}

/** The create and edit form of any entity, built from its metadata (custom fields included). */
export async function formPage(ctx: Context, entity: EntityModel, id: number | null, ws: Workspace): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const store = ws.deps.store();
  const service = store.service(entity.name, actor);
  const lang = viewer.lang;
  if (id === null && !(await service.can('create'))) throw new ForbiddenError(`You may not create ${entity.name} records`);
  const references = [...entity.fields.values()].filter((f) => f.type === 'reference' && store.meta.get((f.def as { entity: string }).entity));
  const record = id === null ? null : await service.get(id, { expand: references.map((f) => f.name) });
  if (id !== null && !(await service.can('update', id))) throw new ForbiddenError(`You may not change this ${entity.name} record`);
  const profile = await store.access.profile(actor);
  const hidden = profile.hiddenFields(entity.name);
  const readonly = profile.readonlyFields(entity.name);
  const fields = formFields(entity)
    .filter((f) => !hidden.has(f.name))
    .filter((f) => record !== null || f.writable)
    .map((f) => {
      const view = fieldView(f, store.meta, lang, ws.deps.dictionaries);
      let value = initialValue(f, record, ctx.query as Record<string, unknown>);
      let display = '';
      if (f.type === 'reference' && value !== null && typeof value === 'object') {
        const target = store.meta.get((f.def as { entity: string }).entity)!;
        display = String((value as Record<string, unknown>)[target.titleField] ?? `#${String((value as { id: unknown }).id)}`);
        value = (value as { id: unknown }).id;
      } else if (f.type === 'reference' && typeof value === 'number') {
        display = `#${value}`;
      }
      const selected = Array.isArray(value) ? value.map(String) : value === null ? [] : [String(value)];
      return {
        ...view,
        readonly: view.readonly || readonly.has(f.name),
        value: value === null || typeof value === 'object' ? '' : String(value),
        jsonValue: f.type === 'json' || f.type === 'file' ? JSON.stringify(value ?? null) : '',
        checked: value === true,
        display,
        options: view.options.map((o) => ({ ...o, selected: selected.includes(o.value) })),
        inputType: view.input === 'text' ? (view.format === 'email' ? 'email' : view.format === 'phone' ? 'tel' : view.format === 'uri' ? 'url' : 'text') : view.input,
      };
    });
  const label = textIn(entity.label, lang);
  const title = record ? String(record[entity.titleField] ?? `#${id}`) : await ws.t(ctx, 'form.new', { entity: label });
  const back = safeNext(ctx.query.back ?? (record ? `/app/${entity.plural}/${id}` : `/app/${entity.plural}`));
  await ws.send(ctx, {
    page: 'form',
    title: `${title} · ${label}`,
    crumbs: [{ label, href: `/app/${entity.plural}` }, ...(record ? [{ label: String(record[entity.titleField] ?? `#${id}`), href: `/app/${entity.plural}/${id}` }] : []), { label: record ? await ws.t(ctx, 'form.edit') : title }],
    scripts: ['js/form.js'],
    messages: ['form.', 'lookup.'],
    client: { entity: entity.name, plural: entity.plural, id, version: record?.version ?? null, back, fields: fields.map((f) => ({ name: f.name, type: f.type, input: f.input, multiple: f.multiple, required: f.required, target: f.target ?? null })) },
    data: { entity: { name: entity.name, plural: entity.plural, label }, record: record ? { id, version: record.version } : null, sections: groupFields(entity, fields, lang, await ws.t(ctx, 'record.other')), back, heading: title },
  });
}
