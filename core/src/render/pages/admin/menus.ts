import type { Context } from 'koa';
import type { AdminMenuNode } from '../../../menus/menus';
import { textIn, type Language } from '../../i18n';
import { enter, sendAdmin, type AdminDeps } from './common';

interface MenuRow {
  key: string;
  depth: number;
  indent: string;
  name: string;
  declaredName: string;
  plugin: string;
  path: string | null;
  order: number;
  hidden: boolean;
  renamed: boolean;
  overlaid: boolean;
  first: boolean;
  last: boolean;
}

/** The tree depth first, each entry with its place among its siblings. */
function rows(nodes: readonly AdminMenuNode[], lang: Language, depth = 0): MenuRow[] {
  return nodes.flatMap((n, at) => [
    {
      key: n.key,
      depth,
      indent: '\u3000'.repeat(depth),
      name: textIn(n.label, lang),
      declaredName: textIn(n.declared.label, lang),
      plugin: n.plugin,
      path: n.path ?? null,
      order: n.order,
      hidden: n.hidden,
      renamed: Boolean(n.overlay?.label && Object.keys(n.overlay.label).length),
      overlaid: n.overlay !== null,
      first: at === 0,
      last: at === nodes.length - 1,
    },
    ...rows(n.children, lang, depth + 1),
  ]);
}

/** What the script needs to change an entry: its overlay (PUT replaces it whole) and its siblings in order. */
function entries(nodes: readonly AdminMenuNode[], out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const n of nodes) {
    out[n.key] = { key: n.key, label: n.label, declared: n.declared, order: n.order, overlay: n.overlay, siblings: nodes.map((s) => s.key) };
    entries(n.children, out);
  }
  return out;
}

/**
 * /admin/menus — the navigation menu as the enabled plugins declare it, with the
 * administrators' overlay: rename (per language), move up and down among siblings, hide
 * and show, back to the plugin's entry. Changes go to `PUT/DELETE /api/v1/menus/overlays/{key}`.
 */
export async function menusPage(ctx: Context, deps: AdminDeps): Promise<void> {
  await enter(ctx, deps, 'menus');
  const { ws } = deps;
  const lang = (await ws.viewer(ctx)).lang;
  const tree = await ws.deps.menus.adminTree();
  const title = await ws.t(ctx, 'admin.menus.title');
  await sendAdmin(ctx, deps, {
    page: 'menus',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/admin-menus.js'],
    client: { entries: entries(tree.data) },
    data: { rows: rows(tree.data, lang), orphans: tree.orphans.map((o) => o.key) },
  });
}
