import type { Context } from 'koa';
import type { PluginInfo } from '../../../plugins/manager';
import { textIn } from '../../i18n';
import { enter, sendAdmin, type AdminDeps } from './common';

/** What an administrator can do with a plugin in each state (the API refuses anything else). */
function actionsFor(p: PluginInfo): string[] {
  if (p.builtin) return [];
  switch (p.status) {
    case 'available':
      return ['install'];
    case 'disabled':
      return ['enable', 'uninstall'];
    case 'enabled':
      return p.codeVersion && p.installedVersion && p.codeVersion !== p.installedVersion ? ['upgrade', 'disable'] : ['disable'];
    case 'failed':
      return ['upgrade', 'disable'];
    case 'missing':
      return p.enabled ? ['disable'] : ['uninstall'];
    default:
      return [];
  }
}

/**
 * /admin/plugins — every plugin with its state, versions, dependencies and problems
 * (from the manifests; no plugin code runs for this), and the lifecycle actions its state
 * allows. The page is for system administrators, like the API.
 */
export async function pluginsPage(ctx: Context, deps: AdminDeps): Promise<void> {
  await enter(ctx, deps, 'plugins');
  const { ws } = deps;
  const lang = (await ws.viewer(ctx)).lang;
  const list = deps.plugins.list().sort((a, b) => Number(b.builtin) - Number(a.builtin) || a.name.localeCompare(b.name));
  const title = await ws.t(ctx, 'admin.plugins.title');
  await sendAdmin(ctx, deps, {
    page: 'plugins',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/admin-plugins.js'],
    data: {
      plugins: list.map((p) => ({
        name: p.name,
        label: textIn(p.label ?? undefined, lang) || p.name,
        description: textIn(p.description ?? undefined, lang),
        builtin: p.builtin,
        status: p.status,
        statusKey: `admin.plugins.status.${p.status}`,
        installedVersion: p.installedVersion,
        codeVersion: p.codeVersion,
        dependencies: Object.entries(p.dependencies).map(([name, range]) => ({ name, range })),
        dependents: p.dependents,
        problems: p.problems.map((x) => ({ field: x.field, message: x.message })),
        failure: p.failure?.message ?? null,
        installError: p.installError,
        unavailable: p.status !== 'failed' ? p.unavailable : null,
        actions: actionsFor(p).map((a) => ({ action: a, labelKey: `admin.plugins.${a}`, danger: a === 'disable' || a === 'uninstall' })),
      })),
    },
  });
}
