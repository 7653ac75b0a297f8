import type { Context } from 'koa';
import { ValidationError, type Filter, type ListQuery } from '@plinth/sdk';
import { parseListQuery } from '../../api/params';
import type { EntityModel, FieldModel } from '../../meta/model';
import type { Preferences } from '../../prefs/preferences';
import type { SavedView, SavedViews } from '../../prefs/saved-views';
import { textIn } from '../i18n';
import { defaultColumns, fieldView, listableFields } from '../fields';
import { directoryIds, fileIds, show, type DisplayContext } from '../display';
import { fileNames } from './record';
import { pageUserOf } from '../session';
import type { Workspace } from '../workspace';

const PAGE_SIZES = [20, 50, 100];
/** Query parameters of the page itself; the rest is the API's list query. */
const PAGE_PARAMS = ['page', 'size', 'q', 'view', 'columns'];

/** A filter input the page offers for one field. */
interface FilterInput {
  name: string;
  label: string;
  kind: 'text' | 'range' | 'choice' | 'boolean' | 'reference' | 'user';
  inputType?: string;
  value?: string;
  from?: string;
  to?: string;
  options?: { value: string; label: string; selected: boolean }[];
  target?: string;
}

const FILTERABLE = new Set(['string', 'text', 'integer', 'decimal', 'money', 'date', 'datetime', 'enum', 'boolean', 'reference']);

function single(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The filter inputs of a list page, prefilled from the current query string. */
function filterInputs(entity: EntityModel, qs: Record<string, unknown>, d: DisplayContext): FilterInput[] {
  const at = (name: string, op?: string) => single(qs[op ? `filter[${name}][${op}]` : `filter[${name}]`]) ?? '';
  const out: FilterInput[] = [];
  const fields = [...entity.fields.values()].filter((f) => FILTERABLE.has(f.type) && !f.hidden && !f.encrypted && !['id', 'version', 'deletedAt', 'deletedBy', 'createdBy', 'updatedBy'].includes(f.name));
  for (const f of fields) {
    const label = textIn(f.label, d.lang);
    if (f.name === 'owner') {
      out.push({ name: f.name, label, kind: 'user', value: at(f.name), target: 'users' });
      continue;
    }
    if (f.name === 'department') continue;
    switch (f.type) {
      case 'string':
      case 'text':
        out.push({ name: f.name, label, kind: 'text', value: at(f.name, 'contains') });
        break;
      case 'integer':
      case 'decimal':
      case 'money':
        out.push({ name: f.name, label, kind: 'range', inputType: 'number', from: at(f.name, 'gte'), to: at(f.name, 'lte') });
        break;
      case 'date':
        out.push({ name: f.name, label, kind: 'range', inputType: 'date', from: at(f.name, 'gte'), to: at(f.name, 'lte') });
        break;
      case 'datetime':
        out.push({ name: f.name, label, kind: 'range', inputType: 'date', from: at(f.name, 'gte'), to: at(f.name, 'lte') });
        break;
      case 'enum': {
        const chosen = at(f.name, 'in').split(',').filter(Boolean);
        const options = fieldView(f, d.meta, d.lang, d.dictionaries).options.map((o) => ({ ...o, selected: chosen.includes(o.value) }));
        out.push({ name: f.name, label, kind: 'choice', options });
        break;
      }
      case 'boolean':
        out.push({ name: f.name, label, kind: 'boolean', value: at(f.name) });
        break;
      case 'reference': {
        const def = f.def as { entity: string };
        out.push({ name: f.name, label, kind: f.def.type === 'reference' && def.entity === 'user' ? 'user' : 'reference', value: at(f.name), target: d.meta.get(def.entity)?.plural });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** The list query from the page's query string: empty inputs dropped, datetime day ranges widened to whole days. */
function apiQuery(entity: EntityModel, qs: Record<string, unknown>): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(qs)) {
    if (PAGE_PARAMS.includes(k)) continue;
    if (typeof v === 'string' && v.trim() === '' && k.startsWith('filter[')) continue;
    const m = /^filter\[([^\]]+)\]\[(gte|lte)\]$/.exec(k);
    if (m && typeof v === 'string' && entity.fields.get(m[1])?.type === 'datetime' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
      out[k] = m[2] === 'gte' ? `${v}T00:00:00.000Z` : `${v}T23:59:59.999Z`;
      continue;
    }
    out[k] = v as string | string[] | undefined;
  }
  return out;
}

export interface ListPageDeps {
  ws: Workspace;
  preferences: Preferences;
  views: SavedViews;
}

export async function listPage(ctx: Context, entity: EntityModel, deps: ListPageDeps): Promise<void> {
  const { ws, preferences, views } = deps;
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const store = ws.deps.store();
  const service = store.service(entity.name, actor);
  const qs = ctx.query as Record<string, unknown>;
  const lang = viewer.lang;
  const messages = viewer.theme.messages;

  const saved = await views.list(actor, entity.name);
  const viewId = Number(single(qs.view));
  const view: SavedView | undefined = saved.find((v) => v.id === viewId);

  let error: string | null = null;
  let query: ListQuery = {};
  try {
    query = parseListQuery(apiQuery(entity, qs));
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    error = err.errors.map((e) => e.message).join('; ');
  }
  const q = (single(qs.q) ?? view?.query.q ?? '').trim();
  let filter: Filter | undefined = query.filter ?? (view?.query.filter as Filter | undefined);
  const title = entity.fields.get(entity.titleField)!;
  if (q && title.type === 'string' && !title.encrypted) filter = filter ? ({ and: [filter, { [title.name]: { contains: q } }] } as Filter) : ({ [title.name]: { contains: q } } as Filter);

  const listable = listableFields(entity);
  const chosen = single(qs.columns)?.split(',') ?? view?.query.columns ?? (await preferences.get<string[]>(viewer.id, `list.${entity.name}.columns`)) ?? defaultColumns(entity);
  const columns = chosen.map((c) => entity.fields.get(c)).filter((f): f is FieldModel => f !== undefined && listable.includes(f));
  if (!columns.length) columns.push(title);

  // Newest first by default: created_at is indexed on every entity, so the first page of
  // 100,000 records is read from the index, not sorted.
  const sort = query.sort?.length ? [...query.sort] : (view?.query.sort ?? ['-createdAt']);
  const size = PAGE_SIZES.includes(Number(qs.size)) ? Number(qs.size) : PAGE_SIZES[0];
  const page = Math.max(1, Math.min(Number(single(qs.page)) || 1, 100_000));
  const references = columns.filter((f) => f.type === 'reference' && !['user', 'department'].includes((f.def as { entity: string }).entity)).map((f) => f.name);
  const fields = [...new Set(['id', 'version', ...columns.map((c) => c.name), ...references.map((r) => `${r}.${store.meta.get((entity.fields.get(r)!.def as { entity: string }).entity)?.titleField ?? 'id'}`)])];

  let result: Awaited<ReturnType<typeof service.list>> = { data: [], meta: { limit: size, total: 0 } };
  if (!error) {
    try {
      result = await service.list({ filter, sort, limit: size, offset: (page - 1) * size, count: true, fields, expand: references });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      error = err.errors.map((e) => e.message).join('; ');
    }
  }
  const ids = directoryIds(entity, result.data);
  const names = await ws.names.load(ids.users, ids.departments);
  const d: DisplayContext = { lang, timeZone: ws.deps.timeZone(), messages, meta: store.meta, dictionaries: ws.deps.dictionaries, ...names, plural: entity.plural, files: await fileNames(ws, fileIds(entity, result.data)) };
  const rows = result.data.map((r) => ({
    id: r.id,
    version: r.version,
    href: `/app/${entity.plural}/${String(r.id)}`,
    // The first column links to the record.
    cells: columns.map((c, i) => ({ field: c.name, ...show(c, r, d), title: i === 0 })),
  }));
  const total = result.meta.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / size));
  // Links keep the current query and change one thing.
  const base = new URLSearchParams(Object.entries(qs).flatMap(([k, v]) => (typeof v === 'string' && v !== '' ? [[k, v] as [string, string]] : [])));
  const link = (changes: Record<string, string | null>) => {
    const p = new URLSearchParams(base);
    for (const [k, v] of Object.entries(changes)) (v === null ? p.delete(k) : p.set(k, v));
    const s = p.toString();
    return `/app/${entity.plural}${s ? `?${s}` : ''}`;
  };
  const sortKey = sort[0] ?? '';
  const headers = columns.map((c) => {
    const asc = sortKey === c.name;
    const desc = sortKey === `-${c.name}`;
    return { name: c.name, label: textIn(c.label, lang), sortable: c.type !== 'text' && !c.multiple && !c.encrypted, asc, desc, href: link({ sort: asc ? `-${c.name}` : c.name, page: null }), align: ['integer', 'decimal', 'money'].includes(c.type) };
  });
  // The export holds every record of the current query, with the columns shown.
  const exportQuery = new URLSearchParams({ sort: sort.join(','), fields: columns.map((c) => c.name).join(','), lang });
  if (filter) exportQuery.set('filter', JSON.stringify(filter));
  const can = { create: await service.can('create'), delete: await service.can('delete'), update: await service.can('update'), import: await service.can('import') };
  const label = textIn(entity.label, lang);

  await ws.send(ctx, {
    page: 'list',
    title: label,
    crumbs: [{ label, href: `/app/${entity.plural}` }],
    scripts: ['js/list.js'],
    messages: ['list.', 'lookup.'],
    client: {
      entity: entity.name,
      plural: entity.plural,
      columns: columns.map((c) => c.name),
      available: listable.map((f) => ({ name: f.name, label: textIn(f.label, lang) })),
      view: view ? { id: view.id, name: view.name, version: view.version, mine: view.mine } : null,
      query: { filter: filter ?? null, sort, columns: columns.map((c) => c.name), q },
    },
    data: {
      entity: { name: entity.name, plural: entity.plural, label },
      headers,
      rows,
      error,
      q,
      total,
      page,
      pages,
      size,
      sizes: PAGE_SIZES.map((s) => ({ value: s, selected: s === size })),
      prev: page > 1 ? link({ page: String(page - 1) }) : null,
      next: page < pages ? link({ page: String(page + 1) }) : null,
      filters: filterInputs(entity, qs, d),
      filtered: Object.keys(qs).some((k) => k.startsWith('filter')),
      views: saved.map((v) => ({ id: v.id, name: v.name, shared: v.shared, active: v.id === view?.id, href: `/app/${entity.plural}?view=${v.id}` })),
      view: view ?? null,
      sortValue: sort.join(','),
      exportXlsx: `/api/v1/${entity.plural}/export?${new URLSearchParams([...exportQuery, ['format', 'xlsx']]).toString()}`,
      exportCsv: `/api/v1/${entity.plural}/export?${new URLSearchParams([...exportQuery, ['format', 'csv']]).toString()}`,
      can,
    },
  });
}
