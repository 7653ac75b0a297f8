import type { Context } from 'koa';
import { textIn } from '../i18n';
import { pageUserOf } from '../session';
import type { Workspace } from '../workspace';

const PER_ENTITY = 5;

/**
 * The global quick search: the records whose title contains the text, per entity the
 * viewer may read (a simple search until the search engine arrives).
 */
export async function searchPage(ctx: Context, ws: Workspace): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const store = ws.deps.store();
  const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim().slice(0, 100) : '';
  const profile = await store.access.profile(actor);
  const groups: { label: string; more: string; hits: { title: string; href: string }[] }[] = [];
  if (q) {
    for (const e of store.meta.all()) {
      const title = e.fields.get(e.titleField);
      if (!title || title.type !== 'string' || title.encrypted || !profile.can(e.name, 'read') || e.plugin === 'system') continue;
      const page = await store.service(e.name, actor).list({ filter: { [title.name]: { contains: q } } as never, fields: ['id', title.name], sort: ['-updatedAt'], limit: PER_ENTITY });
      if (page.data.length) {
        groups.push({
          label: textIn(e.label, viewer.lang),
          more: `/app/${e.plural}?q=${encodeURIComponent(q)}`,
          hits: page.data.map((r) => ({ title: String(r[title.name] ?? `#${String(r.id)}`), href: `/app/${e.plural}/${String(r.id)}` })),
        });
      }
    }
  }
  await ws.send(ctx, { page: 'search', title: await ws.t(ctx, 'search.title'), crumbs: [{ label: await ws.t(ctx, 'search.title') }], data: { q, groups } });
}
