import type { Context } from 'koa';
import type { Flows } from '../../flows';
import { textIn } from '../i18n';
import { pageUserOf } from '../session';
import type { Workspace } from '../workspace';
import { dateTimeIn } from '../display';

/** Standing delegations (while on leave): the viewer's own, to add and to remove. */
export async function delegationsPage(ctx: Context, ws: Workspace, flows: Flows): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const list = await flows.delegations.list(actor);
  const names = await ws.names.load(list.map((d) => d.delegateId), []);
  const labels = new Map((await flows.definitions.list(actor)).map((f) => [f.code, textIn(f.definition.label, viewer.lang)]));
  const at = (iso: string) => dateTimeIn(iso, ws.deps.timeZone());
  const title = await ws.t(ctx, 'flows.delegations');
  await ws.send(ctx, {
    page: 'flows/delegations',
    title,
    crumbs: [{ label: await ws.t(ctx, 'flows.title'), href: '/flows' }, { label: title }],
    scripts: ['js/flow-delegations.js'],
    messages: ['flows.', 'lookup.'],
    data: {
      rows: list.map((d) => ({ id: d.id, delegate: names.users.get(d.delegateId) ?? `#${d.delegateId}`, flow: d.flow ? (labels.get(d.flow) ?? d.flow) : '', startsAt: at(d.startsAt), endsAt: at(d.endsAt), current: Date.parse(d.startsAt) <= Date.now() && Date.now() < Date.parse(d.endsAt) })),
      flows: [...labels].map(([code, label]) => ({ code, label })),
    },
  });
}
