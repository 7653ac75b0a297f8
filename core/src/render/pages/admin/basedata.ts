import type { Context } from 'koa';
import { NotFoundError, type AnyRecord, type I18nText } from '@plinth/sdk';
import { textIn, type Language } from '../../i18n';
import { buildTree, enter, enumOptions, idParam, readAll, sendAdmin, type AdminDeps } from './common';

const refId = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'object' && v !== null ? ((v as { id?: number }).id ?? null) : null);
const labelOf = (v: unknown, lang: Language): string => textIn(v as I18nText | undefined, lang);

/** /admin/dictionaries — every dictionary with its number of items. */
export async function dictionariesPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'dictionaries');
  const { ws } = deps;
  const store = ws.deps.store();
  const lang = (await ws.viewer(ctx)).lang;
  const dictionaries = store.service('dictionary', actor);
  const items = store.service('dictionaryItem', actor);
  const rows = await readAll(dictionaries, { fields: ['id', 'version', 'code', 'label', 'description', 'enabled'] });
  const list = [];
  for (const d of rows.sort((a, b) => String(a.code).localeCompare(String(b.code)))) {
    list.push({ id: d.id, code: d.code, name: labelOf(d.label, lang), description: d.description, enabled: d.enabled !== false, items: await items.count({ filter: { dictionary: d.id } as never }) });
  }
  const title = await ws.t(ctx, 'admin.dictionaries.title');
  await sendAdmin(ctx, deps, {
    page: 'dictionaries',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/admin-basedata.js'],
    data: { dictionaries: list, can: { create: await dictionaries.can('create') } },
  });
}

/** /admin/dictionaries/{id} — a dictionary and its items in order: add, change, move, disable, delete. */
export async function dictionaryPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'dictionaries');
  const { ws } = deps;
  const store = ws.deps.store();
  const lang = (await ws.viewer(ctx)).lang;
  const id = idParam(ctx.params.id);
  if (id === null) throw new NotFoundError('No such dictionary');
  const dictionaries = store.service('dictionary', actor);
  const itemService = store.service('dictionaryItem', actor);
  const dictionary = await dictionaries.get(id, { fields: ['id', 'version', 'code', 'label', 'description', 'enabled'] });
  const items = (await readAll(itemService, { filter: { dictionary: id } as never, fields: ['id', 'version', 'code', 'label', 'sortOrder', 'enabled', 'parent', 'color'] })).sort(
    (a, b) => Number(a.sortOrder ?? 0) - Number(b.sortOrder ?? 0) || a.id - b.id,
  );
  const codes = new Map(items.map((i) => [i.id, String(i.code)]));
  const title = await ws.t(ctx, 'admin.dictionaries.title');
  const name = labelOf(dictionary.label, lang);
  await sendAdmin(ctx, deps, {
    page: 'dictionary',
    title: name,
    crumbs: [{ label: title, href: '/admin/dictionaries' }, { label: name }],
    scripts: ['js/admin-basedata.js'],
    client: {
      dictionary: { id, version: dictionary.version, code: dictionary.code, label: dictionary.label, description: dictionary.description ?? '', enabled: dictionary.enabled !== false },
      items: items.map((i) => ({ id: i.id, version: i.version, code: i.code, label: i.label, sortOrder: i.sortOrder ?? 0, enabled: i.enabled !== false, parent: refId(i.parent), color: i.color ?? '' })),
    },
    data: {
      dictionary: { ...dictionary, name },
      items: items.map((i, at) => ({ id: i.id, code: i.code, name: labelOf(i.label, lang), sortOrder: i.sortOrder, enabled: i.enabled !== false, parent: refId(i.parent) ? (codes.get(refId(i.parent)!) ?? `#${refId(i.parent)}`) : null, color: i.color, first: at === 0, last: at === items.length - 1 })),
      parentOptions: items.map((i) => ({ value: i.id, label: `${String(i.code)} · ${labelOf(i.label, lang)}` })),
      can: { update: await dictionaries.can('update', id), delete: await dictionaries.can('delete', id), createItem: await itemService.can('create'), updateItem: await itemService.can('update'), deleteItem: await itemService.can('delete') },
    },
  });
}

interface CategoryRow extends AnyRecord {
  parent: number | null;
  kind: string;
  code: string;
  path: string;
  sortOrder: number;
  enabled: boolean;
}

/**
 * /admin/categories?kind=&category= — the category trees (one per kind), the chosen
 * category with its own attributes and the ones it inherits from its ancestors.
 */
export async function categoriesPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'categories');
  const { ws } = deps;
  const store = ws.deps.store();
  const lang = (await ws.viewer(ctx)).lang;
  const categories = store.service('category', actor);
  const attributeService = store.service('categoryAttribute', actor);
  const all = (await readAll(categories, { fields: ['id', 'version', 'kind', 'code', 'label', 'parent', 'path', 'sortOrder', 'enabled', 'description'] })).map((c) => ({ ...c, parent: refId(c.parent) })) as CategoryRow[];
  const kinds = [...new Set(all.map((c) => c.kind))].sort();
  const chosenId = idParam(ctx.query.category);
  const chosen = chosenId === null ? null : (all.find((c) => c.id === chosenId) ?? null);
  if (chosenId !== null && !chosen) throw new NotFoundError('No such category');
  const kind = chosen?.kind ?? (typeof ctx.query.kind === 'string' && kinds.includes(ctx.query.kind) ? ctx.query.kind : (kinds[0] ?? null));
  const inKind = all.filter((c) => c.kind === kind);
  const { roots, depthFirst } = buildTree(inKind, (a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0) || a.code.localeCompare(b.code), (c) => ({
    id: c.id,
    label: labelOf(c.label, lang) || c.code,
    badge: c.code,
    href: `/admin/categories?category=${c.id}`,
    active: c.id === chosen?.id,
    muted: c.enabled === false,
  }));
  let own: AnyRecord[] = [];
  let inherited: { name: unknown; label: string; type: unknown; from: string }[] = [];
  if (chosen) {
    const ancestors = String(chosen.path ?? '/').split('/').filter(Boolean).map(Number);
    const attributes = await readAll(attributeService, { filter: { category: { in: [...ancestors, chosen.id] } } as never, fields: ['id', 'version', 'category', 'name', 'type', 'label', 'required', 'options', 'dictionary', 'sortOrder'] });
    const byOrder = (a: AnyRecord, b: AnyRecord) => Number(a.sortOrder ?? 0) - Number(b.sortOrder ?? 0) || a.id - b.id;
    own = attributes.filter((a) => refId(a.category) === chosen.id).sort(byOrder);
    const ownNames = new Set(own.map((a) => a.name));
    // Root first; a nearer ancestor's attribute of the same name replaces a farther one's.
    const effective = new Map<unknown, { name: unknown; label: string; type: unknown; from: string }>();
    for (const ancestor of ancestors) {
      const from = all.find((c) => c.id === ancestor);
      for (const a of attributes.filter((x) => refId(x.category) === ancestor).sort(byOrder)) effective.set(a.name, { name: a.name, label: labelOf(a.label, lang), type: a.type, from: from ? labelOf(from.label, lang) || from.code : `#${ancestor}` });
    }
    inherited = [...effective.values()].filter((a) => !ownNames.has(a.name));
  }
  const typeLabels = new Map(enumOptions(attributeService, 'type', lang).map((o) => [o.value, o.label]));
  const title = await ws.t(ctx, 'admin.categories.title');
  await sendAdmin(ctx, deps, {
    page: 'categories',
    title,
    crumbs: [{ label: title, href: '/admin/categories' }, ...(chosen ? [{ label: labelOf(chosen.label, lang) || chosen.code }] : [])],
    scripts: ['js/admin-basedata.js'],
    client: {
      kind,
      category: chosen ? { id: chosen.id, version: chosen.version, kind: chosen.kind, code: chosen.code, label: chosen.label, parent: chosen.parent, sortOrder: chosen.sortOrder ?? 0, enabled: chosen.enabled !== false, description: chosen.description ?? '' } : null,
      attributes: own.map((a) => ({ id: a.id, version: a.version, name: a.name, type: a.type, label: a.label, required: a.required === true, options: a.options ?? null, dictionary: a.dictionary ?? null, sortOrder: a.sortOrder ?? 0 })),
    },
    data: {
      kinds: kinds.map((k) => ({ value: k, active: k === kind, href: `/admin/categories?kind=${encodeURIComponent(k)}` })),
      kind,
      roots,
      category: chosen ? { ...chosen, name: labelOf(chosen.label, lang) } : null,
      parentOptions: depthFirst
        .filter(({ row }) => !chosen || (row.id !== chosen.id && !String(row.path ?? '').includes(`/${chosen.id}/`)))
        .map(({ row, depth }) => ({ value: row.id, label: `${'\u3000'.repeat(depth)}${labelOf(row.label, lang) || row.code}`, selected: row.id === chosen?.parent })),
      attributes: own.map((a) => ({ id: a.id, name: a.name, label: labelOf(a.label, lang), type: typeLabels.get(String(a.type)) ?? a.type, required: a.required === true, choices: Array.isArray(a.options) ? (a.options as { value: string }[]).map((o) => o.value).join(', ') : a.dictionary ? `${String(a.dictionary)}` : '' })),
      inherited: inherited.map((a) => ({ ...a, type: typeLabels.get(String(a.type)) ?? a.type })),
      types: enumOptions(attributeService, 'type', lang),
      dictionaries: store.meta.get('dictionary') ? (await readAll(store.service('dictionary', actor), { fields: ['id', 'code', 'label'] })).map((d) => ({ value: String(d.code), label: `${labelOf(d.label, lang)} (${String(d.code)})` })) : [],
      can: {
        create: await categories.can('create'),
        update: chosen ? await categories.can('update', chosen.id) : false,
        delete: chosen ? await categories.can('delete', chosen.id) : false,
        createAttribute: await attributeService.can('create'),
        updateAttribute: await attributeService.can('update'),
        deleteAttribute: await attributeService.can('delete'),
      },
    },
  });
}
