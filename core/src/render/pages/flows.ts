import type { Context } from 'koa';
import { ForbiddenError, NotFoundError, type FormDefinition, type FormValueField } from '@plinth/sdk';
import { listFlowTemplates, type Flows } from '../../flows';
import type { FormService } from '../../forms/service';
import { textIn } from '../i18n';
import { pageUserOf } from '../session';
import type { Workspace } from '../workspace';
import { fillableForm } from './data-form';
import { fileNames, parseRecordId } from './record';
import { dateTimeIn } from '../display';
import { startChoice, startOnRecordPage } from './flow-start';

export const INBOX_BOXES = ['todo', 'done', 'started', 'cc'] as const;
type Box = (typeof INBOX_BOXES)[number];

const STATUS_KEYS = new Set(['running', 'completed', 'rejected', 'cancelled']);

async function flowLabels(ctx: Context, ws: Workspace, flows: Flows): Promise<Map<string, string>> {
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  return new Map((await flows.definitions.list(actor)).map((f) => [f.code, textIn(f.definition.label, viewer.lang)]));
}


/** The flow inbox (我的待办 / 已办 / 我发起的 / 抄送): tabs with counts, a page of items each. */
export async function inboxPage(ctx: Context, box: string, ws: Workspace, flows: Flows): Promise<void> {
  if (!(INBOX_BOXES as readonly string[]).includes(box)) throw new NotFoundError(`No inbox "${box}"`);
  const { actor } = pageUserOf(ctx);
  const counts = await flows.inbox.counts(actor);
  const page = Math.max(1, Number(ctx.query.page) || 1);
  const items = (await flows.inbox.list(actor, box as Box, { limit: 20, offset: (page - 1) * 20 })) as { task?: number; kind?: string; status?: string; createdAt?: string | null; decidedAt?: string | null; urged?: number; node?: { name: string; dueAt: string | null }; instance: { id: number; title: string; flow: string; status: string; startedAt: string | null; initiator?: number | null } }[];
  const labels = await flowLabels(ctx, ws, flows);
  const names = await ws.names.load(items.map((i) => i.instance.initiator), []);
  const dateTime = (iso: string | null | undefined) => (iso ? dateTimeIn(iso, ws.deps.timeZone()) : '');
  const rows = items.map((i) => ({
    href: `/flows/instances/${i.instance.id}`,
    title: i.instance.title,
    flow: labels.get(i.instance.flow) ?? i.instance.flow,
    node: i.node?.name ?? '',
    initiator: i.instance.initiator ? (names.users.get(i.instance.initiator) ?? `#${i.instance.initiator}`) : '',
    at: dateTime(box === 'done' ? i.decidedAt : box === 'started' ? i.instance.startedAt : i.createdAt),
    status: STATUS_KEYS.has(i.instance.status) ? i.instance.status : 'running',
    unread: box === 'cc' && i.status === 'unread',
    urged: (i.urged ?? 0) > 0,
    overdue: !!(i.node?.dueAt && i.status === 'pending' && i.node.dueAt < new Date().toISOString()),
  }));
  const title = await ws.t(ctx, 'flows.title');
  await ws.send(ctx, {
    page: 'flows/inbox',
    title,
    crumbs: [{ label: title, href: '/flows' }, { label: await ws.t(ctx, `flows.box.${box}`) }],
    data: {
      tabs: INBOX_BOXES.map((b) => ({ key: b, href: `/flows/inbox/${b}`, active: b === box, count: b === 'cc' ? counts.ccUnread : counts[b] })),
      box,
      rows,
      prev: page > 1 ? `/flows/inbox/${box}?page=${page - 1}` : null,
      next: items.length === 20 ? `/flows/inbox/${box}?page=${page + 1}` : null,
      canManage: await flows.definitions.manages(actor),
    },
  });
}

/** The flows the viewer may start from a form. */
export async function startListPage(ctx: Context, ws: Workspace, flows: Flows): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const list = (await flows.definitions.list(actor)).filter((f) => f.enabled && f.definition.form);
  const title = await ws.t(ctx, 'flows.start');
  await ws.send(ctx, {
    page: 'flows/start-list',
    title,
    crumbs: [{ label: await ws.t(ctx, 'flows.title'), href: '/flows' }, { label: title }],
    data: { flows: list.map((f) => ({ code: f.code, label: textIn(f.definition.label, viewer.lang), description: f.definition.description ? textIn(f.definition.description, viewer.lang) : '', href: `/flows/start/${f.code}` })) },
  });
}

/** Start a flow: fill in its form (formulas, detail rows and conditions as on data forms), then submit. */
export async function startPage(ctx: Context, code: string, ws: Workspace, flows: Flows, forms: FormService): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const flow = await flows.definitions.get(actor, code);
  if (flow.enabled && flow.definition.entity && typeof ctx.query.record === 'string') return startOnRecordPage(ctx, flow, ctx.query.record, ws, flows);
  if (!flow.enabled || !flow.definition.form) throw new NotFoundError(`No flow "${code}" to start from a form`);
  const form = (await forms.get(actor, flow.definition.form)).definition;
  const choice = await startChoice(ctx, ws, flows, flow);
  const { sections, table } = fillableForm(form, null, viewer.lang, ws);
  const label = textIn(flow.definition.label, viewer.lang);
  await ws.send(ctx, {
    page: 'data-form',
    title: label,
    crumbs: [{ label: await ws.t(ctx, 'flows.title'), href: '/flows' }, { label }],
    scripts: ['js/data-form.js', ...(choice ? ['js/flow-choice.js'] : [])],
    messages: ['form.', 'lookup.', ...(choice ? ['flows.choice.'] : [])],
    client: {
      code: form.code, id: null, back: '/flows/inbox/started', detail: table ? { name: table.name, minRows: table.minRows, maxRows: table.maxRows } : null,
      submit: { method: 'POST', url: '/api/v1/flows/instances', wrap: 'data', extra: { flow: code }, then: '/flows/instances/:id' },
      choice: choice?.page ?? null,
    },
    data: { heading: label, description: flow.definition.description ? textIn(flow.definition.description, viewer.lang) : '', sections, table, back: '/flows', submitLabel: await ws.t(ctx, 'flows.submit'), choice: choice?.data ?? null },
  });
}

function shownValue(f: FormValueField, v: unknown, users: Map<number, string>, lang: 'zh-CN' | 'zh-TW' | 'en'): string {
  if (v === null || v === undefined || v === '') return '';
  if (f.type === 'enum') {
    const labels = new Map((f.values ?? []).map((o) => [o.value, textIn(o.label, lang)]));
    return (Array.isArray(v) ? v : [v]).map((x) => labels.get(String(x)) ?? String(x)).join(', ');
  }
  if (f.type === 'user' && typeof v === 'number') return users.get(v) ?? `#${v}`;
  if (f.type === 'boolean') return v ? '✓' : '✗';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** An instance: its data, the viewer's open task with the actions it allows, the trail and the graph. */
export async function instancePage(ctx: Context, rawId: string, ws: Workspace, flows: Flows, forms: FormService): Promise<void> {
  const id = parseRecordId(rawId);
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const view = await flows.engine.view(actor, id);
  const trail = await flows.trail(actor, id);
  const flow = await flows.definitions.get(actor, view.flow).catch(() => null);
  const form: FormDefinition | null = view.form ? ((await forms.get(actor, view.form).catch(() => null))?.definition ?? null) : null;
  const tasks = view.nodes.flatMap((n) => n.tasks.map((t) => ({ ...t, node: { key: n.nodeKey, name: n.name, kind: n.kind } })));
  const userIds = [view.initiator, ...trail.map((e) => e.user), ...tasks.map((t) => t.assignee)];
  const names = await ws.names.load(userIds, []);
  const who = (u: number | null | undefined) => (u ? (names.users.get(u) ?? `#${u}`) : '');
  const data = (view.data ?? {}) as Record<string, unknown>;
  const dateTime = (iso: string | null | undefined) => (iso ? dateTimeIn(iso, ws.deps.timeZone()) : '');
  const messages = viewer.theme.messages;
  const actionLabel = (action: string) => {
    const key = `flows.event.${action}`;
    const text = messages.text(viewer.lang, key);
    return text === key ? action : text;
  };
  const fields = (form?.fields ?? []).filter((f): f is FormValueField => f.type !== 'detail' && f.name in data);
  // Files (form file fields, attachments of comments, decisions and work reports) download through the instance.
  const fileIdsOf = (v: unknown) => (Array.isArray(v) ? v : [v]).filter((x): x is number => Number.isInteger(x));
  const eventFiles = (d: Record<string, unknown> | null) => [...fileIdsOf(d?.attachments), ...fileIdsOf((d?.report as { attachments?: unknown } | undefined)?.attachments)];
  const fileIds = [...fields.filter((f) => f.type === 'file').flatMap((f) => fileIdsOf(data[f.name])), ...trail.flatMap((e) => eventFiles(e.detail))];
  const fileNamesById = await fileNames(ws, fileIds);
  const fileLinks = (ids: number[]) => ids.map((f) => ({ name: fileNamesById.get(f) ?? `#${f}`, href: `/api/v1/flows/instances/${id}/files/${f}` }));
  const manager = await flows.definitions.manages(actor);
  // A handling task's work report in the trail: "完成度 (%): 80 · 工时 (小时): 3 · 费用: 120.00".
  const reportText = (report: unknown): string => {
    if (!report || typeof report !== 'object') return '';
    const r = report as Record<string, unknown>;
    const parts: [string, unknown][] = [['completion', r.completion], ['effortHours', r.effortHours], ['cost', typeof r.cost === 'number' ? r.cost.toFixed(2) : r.cost]];
    return parts.filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${messages.text(viewer.lang, `flows.report.${k}`)}: ${String(v)}`).join(' · ');
  };
  const details = (form?.fields ?? []).filter((f) => f.type === 'detail').map((d) => {
    const cols = (d as { fields: FormValueField[] }).fields;
    const rows = (data[d.name] as Record<string, unknown>[] | undefined) ?? [];
    return { label: textIn(d.label, viewer.lang), columns: cols.map((c) => textIn(c.label, viewer.lang)), rows: rows.map((r) => cols.map((c) => shownValue(c, r[c.name], names.users, viewer.lang))) };
  });
  const mine = tasks.find((t) => t.assignee === actor.userId && (t.status === 'pending' || t.status === 'unread'));
  const returnTargets = view.nodes.filter((n) => n.status === 'completed' && n.kind !== 'start' && n.kind !== 'condition').map((n) => ({ key: n.nodeKey, name: n.name }));
  const title = view.title;
  await ws.send(ctx, {
    page: 'flows/instance',
    title,
    crumbs: [{ label: await ws.t(ctx, 'flows.title'), href: '/flows' }, { label: title }],
    scripts: ['js/flow-instance.js'],
    messages: ['flows.'],
    client: { id, title, task: mine ? { id: mine.id, kind: mine.kind, status: mine.status } : null, initiator: view.initiator === actor.userId, running: view.status === 'running' },
    data: {
      instance: { id, title, status: view.status, flow: flow ? textIn(flow.definition.label, viewer.lang) : view.flow, initiator: who(view.initiator), startedAt: dateTime(view.startedAt), endedAt: dateTime(view.endedAt) },
      fields: fields.map((f) => ({ label: textIn(f.label, viewer.lang), ...(f.type === 'file' ? { files: fileLinks(fileIdsOf(data[f.name])) } : { value: shownValue(f, data[f.name], names.users, viewer.lang) }) })),
      details,
      task: mine ? { id: mine.id, kind: mine.kind, node: mine.node.name, approve: mine.kind === 'approve', handle: mine.kind === 'handle', notify: mine.kind === 'notify', resubmit: mine.kind === 'resubmit', assist: mine.kind === 'assist' } : null,
      returnTargets,
      canWithdraw: view.initiator === actor.userId && view.status === 'running',
      canUrge: (view.initiator === actor.userId || manager) && view.status === 'running',
      trail: trail.map((e) => ({ at: dateTime(e.at), who: who(e.user), action: actionLabel(e.action), node: e.node?.name ?? '', comment: e.comment ?? '', report: reportText(e.detail?.report), files: fileLinks(eventFiles(e.detail)), took: e.took === null || e.took === undefined ? '' : `${Math.round(Number(e.took) / 60_000)} min` })),
      archivedAt: dateTime(view.archivedAt),
      destroyedAt: dateTime(view.destroyedAt),
      canArchive: manager && view.status !== 'running' && !view.archivedAt && !view.destroyedAt,
      canDestroy: manager && view.status !== 'running' && !view.destroyedAt,
      canComment: !view.destroyedAt,
      graph: `/api/v1/flows/instances/${id}/graph.svg`,
    },
  });
}

/** The initiator corrects the data of a returned (or withdrawn) instance and submits it again. */
export async function resubmitPage(ctx: Context, rawId: string, ws: Workspace, flows: Flows, forms: FormService): Promise<void> {
  const id = parseRecordId(rawId);
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const view = await flows.engine.view(actor, id);
  const task = view.nodes.flatMap((n) => n.tasks).find((t) => t.kind === 'resubmit' && t.status === 'pending' && t.assignee === actor.userId);
  if (!task || !view.form) throw new NotFoundError('Nothing to resubmit here');
  const form = (await forms.get(actor, view.form)).definition;
  const { sections, table } = fillableForm(form, (view.data ?? {}) as Record<string, unknown>, viewer.lang, ws);
  const heading = `${view.title} · ${await ws.t(ctx, 'flows.resubmit')}`;
  await ws.send(ctx, {
    page: 'data-form',
    title: heading,
    crumbs: [{ label: await ws.t(ctx, 'flows.title'), href: '/flows' }, { label: view.title, href: `/flows/instances/${id}` }, { label: await ws.t(ctx, 'flows.resubmit') }],
    scripts: ['js/data-form.js'],
    messages: ['form.', 'lookup.'],
    client: {
      code: form.code, id, back: `/flows/instances/${id}`, detail: table ? { name: table.name, minRows: table.minRows, maxRows: table.maxRows } : null,
      submit: { method: 'POST', url: `/api/v1/flows/tasks/${task.id}/resubmit`, wrap: 'data', extra: {}, then: `/flows/instances/${id}` },
    },
    data: { heading, description: '', sections, table, back: `/flows/instances/${id}`, submitLabel: await ws.t(ctx, 'flows.resubmit') },
  });
}

const minutes = (ms: number | null | undefined) => (ms === null || ms === undefined ? '' : ms < 60_000 ? '< 1 min' : ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`);

/** Flow definitions with their statistics (count, avg and p90 duration, overdue rate) — for flow administrators. */
export async function definitionsPage(ctx: Context, ws: Workspace, flows: Flows): Promise<void> {
  const { actor } = pageUserOf(ctx);
  if (!(await flows.definitions.manages(actor))) throw new ForbiddenError('Only flow administrators manage flow definitions');
  const viewer = await ws.viewer(ctx);
  const list = await flows.definitions.list(actor);
  const rows = [];
  for (const f of list) {
    const stats = await flows.statistics(actor, f.code);
    const limited = stats.nodes.filter((n) => n.overdueRate !== null);
    const overdue = limited.length ? Math.max(...limited.map((n) => n.overdueRate as number)) : null;
    rows.push({
      code: f.code,
      label: textIn(f.definition.label, viewer.lang),
      version: f.version,
      enabled: f.enabled,
      total: stats.instances.total,
      running: stats.instances.byStatus.running ?? 0,
      avg: minutes(stats.instances.duration.avg),
      p90: minutes(stats.instances.duration.p90),
      overdue: overdue === null ? '' : `${Math.round(overdue * 100)} %`,
      href: `/flows/definitions/${f.code}`,
    });
  }
  const title = await ws.t(ctx, 'flows.definitions');
  const templates = listFlowTemplates().map((f) => ({ code: f.code, label: textIn(f.label, viewer.lang) }));
  await ws.send(ctx, { page: 'flows/definitions', title, crumbs: [{ label: await ws.t(ctx, 'flows.title'), href: '/flows' }, { label: title }], scripts: ['js/flow-definitions.js'], messages: ['flows.'], data: { rows, templates } });
}

/** One definition: its graph, per-node statistics and the JSON editor (checked on save; errors name the node). */
export async function definitionPage(ctx: Context, code: string, ws: Workspace, flows: Flows): Promise<void> {
  const { actor } = pageUserOf(ctx);
  if (!(await flows.definitions.manages(actor))) throw new ForbiddenError('Only flow administrators manage flow definitions');
  const viewer = await ws.viewer(ctx);
  const flow = await flows.definitions.get(actor, code);
  const stats = await flows.statistics(actor, code);
  const label = textIn(flow.definition.label, viewer.lang);
  await ws.send(ctx, {
    page: 'flows/definition',
    title: label,
    crumbs: [{ label: await ws.t(ctx, 'flows.title'), href: '/flows' }, { label: await ws.t(ctx, 'flows.definitions'), href: '/flows/definitions' }, { label }],
    scripts: ['js/flow-definition.js'],
    messages: ['flows.'],
    client: { code, version: flow.version, enabled: flow.enabled },
    data: {
      flow: { code, label, version: flow.version, enabled: flow.enabled },
      definitionText: JSON.stringify(flow.definition, null, 2),
      graph: `/api/v1/flows/definitions/${code}/graph.svg`,
      nodes: stats.nodes.map((n) => ({ name: n.name, kind: n.kind, visits: n.visits, open: n.open, avg: minutes(n.duration.avg), p90: minutes(n.duration.p90), overdue: n.overdueRate === null ? '' : `${Math.round(n.overdueRate * 100)} %` })),
      instances: { total: stats.instances.total, avg: minutes(stats.instances.duration.avg), p90: minutes(stats.instances.duration.p90) },
    },
  });
}
