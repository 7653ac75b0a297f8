import { ForbiddenError, NotFoundError, type Actor, type AnyRecord, type Filter, type I18nText, type ListQuery, type ListResult } from '@plinth/sdk';
import type { EntityModel, FieldModel } from '../meta/model';
import type { RecordStore } from '../services/records';
import type { AccessProfile } from '../access/profile';
import type { Sql } from '../query/filter';
import { HttpError } from '../app/errors';
import { DEFAULT_TAB_ORDER, foreignKeyProblem, type DeclaredTab } from './declared';

/** One tab of an entity as it applies now: the plugin's declaration with the admin's overlay, or the admin's own tab. */
export interface ResolvedTab {
  key: string;
  label: I18nText;
  order: number;
  hidden: boolean;
  /** `plugin`: declared by `plugin`, maybe overlaid by `overlayId`; `admin`: made by an administrator (`overlayId` is its row). */
  source: 'plugin' | 'admin';
  plugin: string | null;
  overlayId: number | null;
  targetName: string;
  foreignKeyName: string;
  /** Null when the target or its foreign key no longer exist (a removed custom field, a disabled plugin). */
  target: EntityModel | null;
  foreignKey: FieldModel | null;
}

/** What a user sees of a tab on one record. */
export interface TabSummary {
  key: string;
  label: I18nText;
  order: number;
  entity: string;
  plural: string;
  foreignKey: string;
  count: number;
}

export interface TabOptions {
  /** Narrows what the actor may read beyond their rights: an API token's scopes. */
  mayRead?: (entity: string) => boolean;
}

interface TabRow {
  id: number;
  key: string;
  target: string | null;
  foreignKey: string | null;
  label: I18nText | null;
  order: number | null;
  hidden: boolean | null;
}

/**
 * Related tabs (关联菜单): the plugins' declarations merged with the administrators'
 * tabs and overlays (table plinth_related_tabs, read on each request so every node sees
 * a change at once), counted and listed through the permission layer.
 */
export class RelatedTabs {
  private declared: readonly DeclaredTab[] = [];

  constructor(private readonly store: () => RecordStore) {}

  /** The plugins' tabs (from `declaredTabs`); replaced whenever the enabled plugins change. */
  useDeclared(tabs: readonly DeclaredTab[]): void {
    this.declared = tabs;
  }

  declarations(): readonly DeclaredTab[] {
    return this.declared;
  }

  /** Every tab of `entity`, hidden and broken ones included, in display order. */
  async all(entity: EntityModel): Promise<ResolvedTab[]> {
    const store = this.store();
    const rows = await this.rows(store, entity.name);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const link = (target: string, foreignKey: string) => {
      if (foreignKeyProblem(store.meta, entity.name, target, foreignKey)) return { target: null, foreignKey: null };
      const t = store.meta.get(target)!;
      return { target: t, foreignKey: t.fields.get(foreignKey)! };
    };
    const labelOf = (target: string) => store.meta.get(target)?.label ?? { 'zh-CN': target, en: target };
    const tabs: ResolvedTab[] = [];
    for (const d of this.declared) {
      if (d.entity !== entity.name) continue;
      const overlay = byKey.get(d.key);
      byKey.delete(d.key);
      tabs.push({
        key: d.key,
        label: overlay?.label ?? d.label ?? labelOf(d.target),
        order: overlay?.order ?? d.order,
        hidden: overlay?.hidden === true,
        source: 'plugin',
        plugin: d.plugin,
        overlayId: overlay?.id ?? null,
        targetName: d.target,
        foreignKeyName: d.foreignKey,
        ...link(d.target, d.foreignKey),
      });
    }
    for (const row of byKey.values()) {
      // An overlay whose plugin tab is gone (plugin disabled) lists nothing.
      const linked = row.target && row.foreignKey ? link(row.target, row.foreignKey) : { target: null, foreignKey: null };
      tabs.push({
        key: row.key,
        label: row.label ?? labelOf(row.target ?? row.key),
        order: row.order ?? DEFAULT_TAB_ORDER,
        hidden: row.hidden === true,
        source: 'admin',
        plugin: null,
        overlayId: row.id,
        targetName: row.target ?? '',
        foreignKeyName: row.foreignKey ?? '',
        ...linked,
      });
    }
    return tabs.sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
  }

  /** The administrators' rows of an entity: one indexed read, no permission layer (they configure, not data). */
  private async rows(store: RecordStore, entity: string): Promise<TabRow[]> {
    const repo = store.repository('relatedTab');
    const q = store.db.dialect.quote;
    const fields = repo.readableFields;
    const raw = await store.db.all(`SELECT ${repo.selectList(fields, 't')} FROM ${q(repo.entity.table)} t WHERE t.${q('entity')} = ? AND t.${q('deleted_at')} IS NULL`, [entity]);
    return raw.map(repo.decoder(fields)) as unknown as TabRow[];
  }

  /** The tabs `access` may use: shown, intact, target readable, foreign key not hidden from them. */
  private usable(tabs: readonly ResolvedTab[], access: AccessProfile): (ResolvedTab & { target: EntityModel; foreignKey: FieldModel })[] {
    return tabs.filter(
      (t): t is ResolvedTab & { target: EntityModel; foreignKey: FieldModel } =>
        !t.hidden && t.target !== null && t.foreignKey !== null && access.can(t.target.name, 'read') && !access.hiddenFields(t.target.name).has(t.foreignKey.name),
    );
  }

  /** The record must be readable by the actor: 404 otherwise (its existence is not revealed). */
  private async requireParent(store: RecordStore, entity: EntityModel, id: number, access: AccessProfile): Promise<void> {
    const where = this.parentCondition(entity, access);
    if (!(await store.repository(entity.name).matching(store.db, [id], where)).has(id)) throw new NotFoundError(`${entity.name} ${id} not found`);
  }

  private parentCondition(entity: EntityModel, access: AccessProfile): Sql {
    if (!access.can(entity.name, 'read')) throw new ForbiddenError(`You may not read ${entity.name} records`);
    return this.store().planner.rowCondition(entity, 't', access);
  }

  /**
   * The tabs of one record with the number of related records the actor may read in
   * each: one COUNT per tab on the target's foreign key, sent with the check that the
   * record is readable as one statement.
   */
  async summary(entity: EntityModel, id: number, actor: Actor, options: TabOptions = {}): Promise<TabSummary[]> {
    const store = this.store();
    const [tabs, access] = await Promise.all([this.all(entity), store.access.profile(actor)]);
    const parent = this.parentCondition(entity, access);
    const usable = this.usable(tabs, access).filter((t) => options.mayRead?.(t.target.name) ?? true);
    const q = store.db.dialect.quote;
    const parts = [
      { text: `SELECT -1 AS i, COUNT(*) AS n FROM ${q(entity.table)} t WHERE t.${q('id')} = ? AND ${parent.text}`, params: [id, ...parent.params] },
      ...usable.map((t, i) => {
        const readable = store.planner.rowCondition(t.target, 't', access);
        return { text: `SELECT ${i} AS i, COUNT(*) AS n FROM ${q(t.target.table)} t WHERE t.${q(t.foreignKey.column)} = ? AND ${readable.text}`, params: [id, ...readable.params] };
      }),
    ];
    const rows = await store.db.all<{ i: number | string; n: number | string }>(parts.map((p) => p.text).join(' UNION ALL '), parts.flatMap((p) => p.params));
    const counts = new Map(rows.map((r) => [Number(r.i), Number(r.n)]));
    if (!counts.get(-1)) throw new NotFoundError(`${entity.name} ${id} not found`);
    return usable.map((t, i) => ({
      key: t.key,
      label: t.label,
      order: t.order,
      entity: t.target.name,
      plural: t.target.plural,
      foreignKey: t.foreignKey.name,
      count: counts.get(i) ?? 0,
    }));
  }

  /** One tab's records, with the full list query, restricted to the record's. */
  async list(entity: EntityModel, id: number, key: string, query: ListQuery, actor: Actor, options: TabOptions = {}): Promise<ListResult<AnyRecord>> {
    const store = this.store();
    const access = await store.access.profile(actor);
    const [tabs] = await Promise.all([this.all(entity), this.requireParent(store, entity, id, access)]);
    const tab = this.usable(tabs, access).find((t) => t.key === key);
    if (!tab) throw new NotFoundError(`${entity.name} has no related tab "${key}"`);
    if (options.mayRead) {
      // The tab's records and whatever its list expands of other entities.
      const expanded = (query.expand ?? []).map((name) => tab.target.fields.get(name)?.def).flatMap((d) => (d && (d.type === 'reference' || d.type === 'collection') ? [d.entity] : []));
      const denied = [tab.target.name, ...expanded].find((e) => !options.mayRead!(e));
      if (denied) throw new HttpError(403, 'insufficient-scope', `The API token's scopes do not allow read on ${denied}`);
    }
    const own: Filter = { [tab.foreignKey.name]: id };
    return store.service(tab.target.name, actor).list({ ...query, filter: query.filter === undefined ? own : { and: [query.filter, own] } });
  }
}
