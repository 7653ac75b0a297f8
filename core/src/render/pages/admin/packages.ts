import type { Context } from 'koa';
import { enter, sendAdmin, type AdminDeps } from './common';

/**
 * /admin/packages — export the admin-made configuration as a package (the sections
 * chosen; a download), import one: a dry run shows what it would create and change,
 * property by property, and only then is it applied. Administrators only, like the API.
 */
export async function packagesPage(ctx: Context, deps: AdminDeps): Promise<void> {
  await enter(ctx, deps, 'packages');
  const { ws } = deps;
  const title = await ws.t(ctx, 'admin.packages.title');
  const sections = deps.packages.sectionNames();
  await sendAdmin(ctx, deps, {
    page: 'packages',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/admin-packages.js'],
    data: {
      sections: await Promise.all(
        sections.map(async (name) => {
          const key = `admin.packages.section.${name}`;
          const label = await ws.t(ctx, key);
          return { name, label: label === key ? name : label };
        }),
      ),
    },
  });
}
