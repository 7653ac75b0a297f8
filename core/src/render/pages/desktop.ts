import type { Context } from 'koa';
import type { EntityModel } from '../../meta/model';
import { textIn } from '../i18n';
import { pageUserOf } from '../session';
import type { Preferences } from '../../prefs/preferences';
import type { Workspace } from '../workspace';
import type { Actor } from '@plinth/sdk';
import { DESKTOP_WIDGETS, MAX_DESKTOP_COLUMNS, desktopLayoutOf } from '../../prefs/desktop';
import { kindKey } from './messages';

export { DESKTOP_WIDGETS } from '../../prefs/desktop';

/** Counts from other parts of the platform (flows, messages), when they are there. */
export interface DesktopCounters {
  todo: (actor: Actor) => Promise<number | null>;
  messages: (actor: Actor) => Promise<number | null>;
  /** The newest unread notifications (the messages widget lists a few). */
  newestMessages?: (actor: Actor) => Promise<{ title: string; kind: string }[]>;
}

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

/** The personal start page (个人工作平台): the widgets the user chose, in the columns they chose (one on a phone). */
export async function desktopPage(ctx: Context, ws: Workspace, preferences: Preferences, counters: DesktopCounters): Promise<void> {
  const viewer = await ws.viewer(ctx);
  const prefs = await preferences.all(viewer.id);
  const layout = desktopLayoutOf(prefs['desktop.layout'], prefs['desktop.widgets']);
  const widgets = layout.columns.flat();
  const stored = prefs['desktop.links'];
  const links = Array.isArray(stored) ? (stored as { label: string; href: string }[]) : [];
  const data: Record<string, unknown> = {
    columns: layout.columns.map((column, at) => ({ at: at + 1, widgets: column.map((w) => ({ key: w, [w]: true })) })),
    columnCount: layout.columns.length,
    flowing: !layout.chosen,
  };
  if (widgets.includes('recent')) data.recent = await recentRecords(ctx, ws);
  const { actor } = pageUserOf(ctx);
  if (widgets.includes('todo')) data.todo = await counters.todo(actor);
  if (widgets.includes('messages')) {
    data.messages = await counters.messages(actor);
    data.newestMessages = (await counters.newestMessages?.(actor))?.map((m) => ({ title: m.title, kindKey: kindKey(m.kind) })) ?? [];
  }
  data.links = links.filter((l) => typeof l?.href === 'string' && typeof l?.label === 'string' && /^\/(?![/\\])/.test(l.href));
  await ws.send(ctx, {
    page: 'desktop',
    title: await ws.t(ctx, 'desktop.title'),
    scripts: ['js/desktop.js'],
    messages: ['desktop.'],
    client: { columns: layout.columns, all: DESKTOP_WIDGETS, maxColumns: MAX_DESKTOP_COLUMNS, links: data.links },
    data: { ...data, allWidgets: DESKTOP_WIDGETS.map((w) => ({ key: w, labelKey: `desktop.${w}` })), columnChoices: Array.from({ length: MAX_DESKTOP_COLUMNS }, (_, i) => ({ n: i + 1, checked: i + 1 === layout.columns.length })) },
  });
}
