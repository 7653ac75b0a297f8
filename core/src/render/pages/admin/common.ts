import type { Context } from 'koa';
import type { Actor, AnyRecord, ListQuery } from '@plinth/sdk';
import type { EntityService, RecordStore } from '../../../services/records';
import type { CustomFields } from '../../../custom/fields';
import type { FormService } from '../../../forms/service';
import type { Packages } from '../../../packages/packages';
import type { PluginManager } from '../../../plugins/manager';
import type { RelatedTabs } from '../../../related';
import type { ScriptRuntime } from '../../../scripts/runtime';
import type { Crumb, PageSpec, Workspace } from '../../workspace';
import { pageUserOf } from '../../session';
import { textIn, type Language } from '../../i18n';
import { allowedScreens, requireScreen, type AdminScreen } from './screens';

/** The services behind the admin screens (each page reads them as the viewer). */
export interface AdminServices {
  plugins: PluginManager;
  customFields: CustomFields;
  forms: FormService;
  packages: Packages;
  /** Names of the script endpoints (`/api/v1/x/{name}`), granted as `x:{name}` / `call`. */
  endpoints?: () => Promise<string[]>;
  /** Stored scripts (the scripts screen reads them; changes go through /api/v1/scripts). */
  scripts?: ScriptRuntime;
}

export interface AdminDeps extends AdminServices {
  ws: Workspace;
  /** The related tabs of every entity (the related-tabs screen). */
  related?: RelatedTabs;
}

/** At most this many records of one kind are listed on an admin page (departments, roles, users of a unit …). */
export const ADMIN_LIST_CAP = 5000;

/** Every record matching `query` as the service's actor, page by page, up to ADMIN_LIST_CAP. */
export async function readAll(service: EntityService, query: Omit<ListQuery, 'limit' | 'offset' | 'cursor' | 'sort'> = {}): Promise<AnyRecord[]> {
  const out: AnyRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await service.list({ ...query, limit: 500, sort: ['id'], ...(cursor ? { cursor } : {}) });
    out.push(...page.data);
    cursor = page.meta.nextCursor ?? undefined;
  } while (cursor && out.length < ADMIN_LIST_CAP);
  return out;
}

/** Make sure the viewer may use `screen` (403 page otherwise) and give the actor. */
export async function enter(ctx: Context, deps: AdminDeps, screen: AdminScreen) {
  const { actor } = pageUserOf(ctx);
  await requireScreen(actor, deps.ws.deps.store(), deps.forms, screen);
  return actor;
}

export async function screensOf(ctx: Context, deps: AdminDeps): Promise<Set<AdminScreen>> {
  return allowedScreens(pageUserOf(ctx).actor, deps.ws.deps.store(), deps.forms);
}

/** Send an admin page: the breadcrumb starts at the admin index; messages under `admin.` reach the scripts. */
export async function sendAdmin(ctx: Context, deps: AdminDeps, spec: Omit<PageSpec, 'crumbs'> & { crumbs?: Crumb[] }): Promise<void> {
  await deps.ws.send(ctx, {
    ...spec,
    page: `admin/${spec.page}`,
    crumbs: [{ label: await deps.ws.t(ctx, 'admin.title'), href: '/admin' }, ...(spec.crumbs ?? [])],
    messages: ['admin.', ...(spec.messages ?? [])],
    data: { ...(spec.data ?? {}), adminActive: true },
  });
}

/** Positive integer from a query or route parameter, or null. */
export function idParam(raw: unknown): number | null {
  return typeof raw === 'string' && /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : null;
}

/** Those of `names` the entity has and the viewer may see (a hidden field cannot even be selected). */
export async function visibleFields(store: RecordStore, actor: Actor, entity: string, names: readonly string[]): Promise<string[]> {
  const model = store.meta.get(entity);
  if (!model) return [];
  const hidden = (await store.access.profile(actor)).hiddenFields(entity);
  return names.filter((n) => model.fields.has(n) && !hidden.has(n));
}

/** A field's label in the viewer's language (the API name when the entity lacks the field). */
export function fieldLabel(service: EntityService, name: string, lang: Language): string {
  const f = service.entity.fields.get(name);
  return f ? textIn(f.label, lang) : name;
}

/** The options of an enum field, labelled in `lang`. */
export function enumOptions(service: EntityService, name: string, lang: Language, selected?: unknown): { value: string; label: string; selected: boolean }[] {
  const def = service.entity.fields.get(name)?.def;
  if (!def || def.type !== 'enum' || !def.values) return [];
  return def.values.map((o) => ({ value: o.value, label: textIn(o.label, lang), selected: o.value === selected }));
}

/** A tree node as the `admin-tree` partial draws it. */
export interface TreeNode {
  id: number;
  label: string;
  badge?: string;
  href: string;
  active: boolean;
  muted: boolean;
  children: TreeNode[];
}

/**
 * Nest flat rows by `parent` (rows whose parent is not among them are roots), siblings in
 * `order`; `depthFirst` lists every node with its depth (for indented selects).
 */
export function buildTree<R extends { id: number; parent: number | null }>(rows: readonly R[], order: (a: R, b: R) => number, node: (r: R) => Omit<TreeNode, 'children'>): { roots: TreeNode[]; depthFirst: { row: R; depth: number }[] } {
  const ids = new Set(rows.map((r) => r.id));
  const children = new Map<number | null, R[]>();
  for (const r of rows) {
    const p = r.parent !== null && ids.has(r.parent) ? r.parent : null;
    children.set(p, [...(children.get(p) ?? []), r]);
  }
  const depthFirst: { row: R; depth: number }[] = [];
  const seen = new Set<number>();
  const build = (parent: number | null, depth: number): TreeNode[] =>
    [...(children.get(parent) ?? [])].sort(order).flatMap((r) => {
      if (seen.has(r.id)) return [];
      seen.add(r.id);
      depthFirst.push({ row: r, depth });
      return [{ ...node(r), children: build(r.id, depth + 1) }];
    });
  return { roots: build(null, 0), depthFirst };
}
