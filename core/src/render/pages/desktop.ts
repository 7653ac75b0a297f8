import type { Context } from 'koa';
import type { EntityModel } from '../../meta/model';
import { textIn } from '../i18n';
import { pageUserOf } from '../session';
import type { Preferences } from '../../prefs/preferences';
import type { Workspace } from '../workspace';
import type { Actor } from '@plinth/sdk';

/** Counts from other parts of the platform (flows, messages), when they are there. */
export interface DesktopCounters {
  todo: (actor: Actor) => Promise<number | null>;
  messages: (actor: Actor) => Promise<number | null>;
}

/** Widgets a desktop may show, in the order a new user gets them. */
export const DESKTOP_WIDGETS = ['recent', 'todo', 'messages', 'links'] as const;

/** Records changed most recently by or for the viewer, across the entities they can read. */
async function recentRecords(ctx: Context, ws: Workspace): Promise<{ entity: string; title: string; href: string; at: string }[]> {
  const { actor } = pageUserOf(ctx);
  const store = ws.deps.store();
  const profile = await store.access.profile(actor);
  const viewer = await ws.viewer(ctx);
  const entities = store.meta.all().filter((e: EntityModel) => e.plugin !== 'system' && profile.can(e.name, 'read') && e.fields.has('owner')).slice(0, 12);
  const found: { entity: string; title: string; href: string; at: string }[] = [];
  for (const e of entities) {
    const page = await store.service(e.name, actor).list({ filter: { owner: actor.userId } as never, sort: ['-updatedAt'], limit: 5, fields: ['id', e.titleField, 'updatedAt'] });
    for (const r of page.data) found.push({ entity: textIn(e.label, viewer.lang), title: String(r[e.titleField] ?? `#${String(r.id)}`), href: `/app/${e.plural}/${String(r.id)}`, at: String(r.updatedAt) });
  }
  return found.sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, 10);
}

/** The personal start page (个人工作平台): widgets in the order the user chose. */
export async function desktopPage(ctx: Context, ws: Workspace, preferences: Preferences, counters: DesktopCounters): Promise<void> {
  const viewer = await ws.viewer(ctx);
  const chosen = (await preferences.get<string[]>(viewer.id, 'desktop.widgets')) ?? [...DESKTOP_WIDGETS];
  const widgets = chosen.filter((w): w is (typeof DESKTOP_WIDGETS)[number] => (DESKTOP_WIDGETS as readonly string[]).includes(w));
  const links = (await preferences.get<{ label: string; href: string }[]>(viewer.id, 'desktop.links')) ?? [];
  const data: Record<string, unknown> = { widgets: widgets.map((w) => ({ key: w, [w]: true })) };
  if (widgets.includes('recent')) data.recent = await recentRecords(ctx, ws);
  const { actor } = pageUserOf(ctx);
  if (widgets.includes('todo')) data.todo = await counters.todo(actor);
  if (widgets.includes('messages')) data.messages = await counters.messages(actor);
  data.links = links.filter((l) => typeof l?.href === 'string' && /^\/(?![/\\])/.test(l.href));
  await ws.send(ctx, {
    page: 'desktop',
    title: await ws.t(ctx, 'desktop.title'),
    scripts: ['js/desktop.js'],
    messages: ['desktop.'],
    client: { widgets, all: DESKTOP_WIDGETS, links: data.links },
    data,
  });
}
