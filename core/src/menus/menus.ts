import { ConflictError, NotFoundError, ValidationError, type Actor, type FieldError, type I18nText, type MenuDef, type PluginManifest } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { Signals } from '../cluster/signals';
import type { AuditLog } from '../audit/log';
import type { AccessLoader } from '../access/loader';
import { MENU_KEY, menuOverlays, overlayBodyErrors, overlayOf, type StoredMenuOverlay } from './overlays';

export const MENUS_TOPIC = 'menus';
const DEFAULT_ORDER = 100;

/** A menu entry as users get it. */
export interface MenuNode {
  key: string;
  label: I18nText;
  order: number;
  plugin: string;
  icon?: string;
  path?: string;
  entity?: string;
  action?: string;
  children: MenuNode[];
}

/** An entry as administrators see it: what the plugin declares, and their overlay. */
export interface AdminMenuNode extends MenuNode {
  hidden: boolean;
  declared: { label: I18nText; order: number; parent: string | null };
  overlay: StoredMenuOverlay | null;
  children: AdminMenuNode[];
}

/** The menus of the enabled plugins, by plugin. */
export type MenuSources = () => readonly { plugin: string; manifest: PluginManifest }[];

/**
 * The navigation menu: the entries the enabled plugins' manifests contribute (stable
 * keys), with the administrators' overlays (label, order, hidden) applied, filtered per
 * user by the entity and action each entry names. Overlays live in their own table, so
 * they outlast upgrades that add or remove entries; every node reloads them when one
 * changes (the `menus` signal).
 */
export class Menus {
  private cache: Promise<Map<string, StoredMenuOverlay>> | null = null;

  constructor(
    readonly db: Executor,
    private readonly sources: MenuSources,
    private readonly access: AccessLoader,
    private readonly audit: AuditLog,
    private readonly signals: Signals | null,
  ) {
    signals?.on(MENUS_TOPIC, () => this.invalidate());
  }

  invalidate(): void {
    this.cache = null;
  }

  /** Tell the other nodes (after the change committed). */
  async announce(): Promise<void> {
    await this.signals?.publish(MENUS_TOPIC);
  }

  private overlays(): Promise<Map<string, StoredMenuOverlay>> {
    this.cache ??= menuOverlays.all(this.db).then(
      (list) => new Map(list.map((o) => [o.key, o])),
      (err: unknown) => {
        this.cache = null;
        throw err;
      },
    );
    return this.cache;
  }

  /** Every entry, overlays applied, hidden ones included; and the overlays whose entry is not there now. */
  async adminTree(): Promise<{ data: AdminMenuNode[]; orphans: StoredMenuOverlay[] }> {
    const overlays = await this.overlays();
    const items = this.sources().flatMap(({ plugin, manifest }) => (manifest.contributes?.menus ?? []).map((m) => ({ plugin, m })));
    const byKey = new Map<string, AdminMenuNode>();
    const parents = new Map<string, string | null>();
    for (const { plugin, m } of items) {
      if (byKey.has(m.key)) continue;
      const overlay = overlays.get(m.key) ?? null;
      byKey.set(m.key, node(plugin, m, overlay));
      parents.set(m.key, m.parent ?? null);
    }
    const roots: AdminMenuNode[] = [];
    for (const [key, n] of byKey) {
      const parent = parents.get(key);
      // A parent that is not there (its plugin is off) or a loop across plugins: top level.
      if (parent && byKey.has(parent) && !loops(key, parents)) byKey.get(parent)!.children.push(n);
      else roots.push(n);
    }
    sortTree(roots);
    return { data: roots, orphans: [...overlays.values()].filter((o) => !byKey.has(o.key)) };
  }

  /** The entries `actor` may use: not hidden, and allowed the action on the entity each names; empty groups left out. */
  async treeFor(actor: Actor): Promise<MenuNode[]> {
    const profile = await this.access.profile(actor);
    const visible = (n: AdminMenuNode): MenuNode | null => {
      if (n.hidden) return null;
      if (n.entity && !profile.can(n.entity, n.action ?? 'read')) return null;
      const children = n.children.map(visible).filter((c): c is MenuNode => c !== null);
      if (!n.entity && !n.path && children.length === 0) return null;
      const { hidden: _h, declared: _d, overlay: _o, ...plain } = n;
      return { ...plain, children };
    };
    return (await this.adminTree()).data.map(visible).filter((n): n is MenuNode => n !== null);
  }

  /** Replace the overlay of the entry `key` (PUT semantics: what the body lacks is the plugin's). */
  async setOverlay(actor: Actor, key: string, body: unknown): Promise<AdminMenuNode> {
    const errors = overlayBodyErrors(body);
    if (errors.length) throw new ValidationError(errors);
    if (!(await this.find(key))) throw new NotFoundError(`No menu entry "${key}" (entries of disabled plugins cannot be changed)`);
    const b = body as Record<string, unknown>;
    const ok = await menuOverlays.put(this.db, key, overlayOf(b), actor.userId, b.version as number | undefined);
    if (!ok) throw new ConflictError('stale-version', `The overlay of "${key}" was changed by someone else; reload and try again`, [{ field: 'version', rule: 'stale', message: 'not the current version' }]);
    await this.changed(actor, 'menu.overlay', key);
    return (await this.find(key))!;
  }

  /**
   * Put the siblings `keys` (all the entries of one parent, or all top-level ones) in that
   * order, in one transaction: they are numbered 10, 20, 30 …, and only entries whose order
   * changes get an overlay (their label and visibility overlays kept).
   */
  async setOrder(actor: Actor, body: unknown): Promise<AdminMenuNode[]> {
    const keys = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string')) {
      throw new ValidationError([{ field: 'keys', rule: 'type', message: 'keys is a non-empty list of menu entry keys, in the new order' }]);
    }
    const siblings = await this.siblingsOf(keys[0]);
    if (!siblings) throw new ValidationError([{ field: 'keys[0]', rule: 'unknown', message: `No menu entry "${keys[0]}" (entries of disabled plugins cannot be changed)` }]);
    const errors = orderErrors(keys, siblings.map((n) => n.key));
    if (errors.length) throw new ValidationError(errors);
    const current = new Map(siblings.map((n) => [n.key, n.order]));
    const changed = keys.map((key, i) => ({ key, order: (i + 1) * 10 })).filter((c) => current.get(c.key) !== c.order);
    await this.db.transaction(async (tx) => {
      const stored = new Map((await menuOverlays.all(tx)).map((o) => [o.key, o]));
      for (const { key, order } of changed) {
        const { label, hidden } = stored.get(key) ?? {};
        await menuOverlays.put(tx, key, { label, hidden, order }, actor.userId);
      }
    });
    if (changed.length) await this.changed(actor, 'menu.order', keys.join(','));
    return (await this.siblingsOf(keys[0]))!;
  }

  /** The entries that share `key`'s parent (its own list included), in their order; null when there is no such entry. */
  private async siblingsOf(key: string): Promise<AdminMenuNode[] | null> {
    const walk = (nodes: AdminMenuNode[]): AdminMenuNode[] | null => {
      if (nodes.some((n) => n.key === key)) return nodes;
      for (const n of nodes) {
        const inner = walk(n.children);
        if (inner) return inner;
      }
      return null;
    };
    return walk((await this.adminTree()).data);
  }

  async clearOverlay(actor: Actor, key: string): Promise<void> {
    if (!MENU_KEY.test(key) || !(await menuOverlays.remove(this.db, key))) throw new NotFoundError(`No overlay on menu entry "${key}"`);
    await this.changed(actor, 'menu.overlay.clear', key);
  }

  /** The entry `key` in the admin tree, wherever it sits. */
  async find(key: string): Promise<AdminMenuNode | null> {
    return (await this.siblingsOf(key))?.find((n) => n.key === key) ?? null;
  }

  private async changed(actor: Actor, action: string, key: string): Promise<void> {
    this.invalidate();
    await this.audit.event(actor, { action, detail: key });
    await this.announce();
  }
}

/** `keys` must be the siblings exactly: each once, none missing, none from elsewhere. */
function orderErrors(keys: readonly string[], siblings: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (seen.has(key)) errors.push({ field: `keys[${i}]`, rule: 'duplicate', message: `"${key}" is listed twice` });
    else if (!siblings.includes(key)) errors.push({ field: `keys[${i}]`, rule: 'not-sibling', message: `"${key}" is not an entry beside "${keys[0]}"` });
    seen.add(key);
  });
  const missing = siblings.filter((key) => !seen.has(key));
  if (missing.length) errors.push({ field: 'keys', rule: 'incomplete', message: `Every entry beside "${keys[0]}" must be placed; missing: ${missing.join(', ')}` });
  return errors;
}

function node(plugin: string, m: MenuDef, overlay: StoredMenuOverlay | null): AdminMenuNode {
  const declared = { label: m.label, order: m.order ?? DEFAULT_ORDER, parent: m.parent ?? null };
  const n: AdminMenuNode = {
    key: m.key,
    label: { ...m.label, ...(overlay?.label ?? {}) } as I18nText,
    order: overlay?.order ?? declared.order,
    plugin,
    children: [],
    hidden: overlay?.hidden === true,
    declared,
    overlay,
  };
  if (m.icon) n.icon = m.icon;
  if (m.path) n.path = m.path;
  if (m.entity) {
    n.entity = m.entity;
    n.action = m.action ?? 'read';
  }
  return n;
}

function loops(key: string, parents: ReadonlyMap<string, string | null>): boolean {
  const seen = new Set([key]);
  for (let p = parents.get(key); p; p = parents.get(p)) {
    if (seen.has(p)) return true;
    seen.add(p);
  }
  return false;
}

function sortTree(nodes: AdminMenuNode[]): void {
  nodes.sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
  for (const n of nodes) sortTree(n.children);
}
