import type { Context } from 'koa';
import { NotFoundError, type Actor } from '@plinth/sdk';
import type { Flows } from '../../flows';
import type { StoredFlow } from '../../flows/definitions';
import { FlowGraph } from '../../flows/graph';
import { changeableNodes, choiceSpecs, type ChosenHandlers } from '../../flows/choice';
import type { HandlerSpec } from '../../flows/types';
import type { EntityModel } from '../../meta/model';
import { textIn } from '../i18n';
import { pageUserOf } from '../session';
import type { Workspace } from '../workspace';
import { dateTimeIn } from '../display';
import { parseRecordId } from './record';

/** One chosen handler as the page shows it: a chip with its kind and name. */
interface Chip {
  type: 'users' | 'roles' | 'departments';
  value: number | string;
  label: string;
}

type Names = { users: Map<number, string>; departments: Map<number, string> };

const specIds = (specs: readonly HandlerSpec[]) => ({
  users: specs.flatMap((s) => (s.type === 'users' ? s.ids : [])),
  departments: specs.flatMap((s) => (s.type === 'departments' ? s.ids : [])),
});

async function describe(ctx: Context, ws: Workspace, specs: readonly HandlerSpec[], names: Names, roles: Map<string, string>, nodeNames: Map<string, string>): Promise<string> {
  const parts: string[] = [];
  for (const s of specs) {
    if (s.type === 'users') parts.push(s.ids.map((id) => names.users.get(id) ?? `#${id}`).join(', '));
    else if (s.type === 'roles') parts.push(s.codes.map((c) => roles.get(c) ?? c).join(', '));
    else if (s.type === 'departments') parts.push(s.ids.map((id) => names.departments.get(id) ?? `#${id}`).join(', '));
    else if (s.type === 'superior') parts.push(await ws.t(ctx, s.levels === 2 ? 'flows.handler.superior2' : 'flows.handler.superior'));
    else if (s.type === 'nodeHandlers') parts.push(await ws.t(ctx, 'flows.handler.nodeHandlers', { node: nodeNames.get(s.node) ?? s.node }));
    else if (s.type === 'field') parts.push(await ws.t(ctx, 'flows.handler.field', { field: s.field }));
    else parts.push(await ws.t(ctx, `flows.handler.${s.type}`));
  }
  return parts.join('; ') || (await ws.t(ctx, 'flows.handler.none'));
}

function chips(chosen: ChosenHandlers, names: Names, roles: Map<string, string>): Chip[] {
  return choiceSpecs(chosen).flatMap((s): Chip[] =>
    s.type === 'roles'
      ? s.codes.map((c) => ({ type: 'roles', value: c, label: roles.get(c) ?? c }))
      : s.ids.map((id) => ({ type: s.type, value: id, label: (s.type === 'users' ? names.users : names.departments).get(id) ?? `#${id}` })),
  );
}

/**
 * What the initiator may change when starting: for a predefined flow the handlers of each
 * changeable node (with the default described, and their saved choice), for a custom flow
 * the kinds of steps they may lay out. Null for a fixed flow.
 */
export async function startChoice(ctx: Context, ws: Workspace, flows: Flows, flow: StoredFlow) {
  const def = flow.definition;
  const { actor } = pageUserOf(ctx);
  if (def.model === 'custom') {
    const kinds = await Promise.all((def.custom?.kinds ?? []).map(async (k) => ({ value: k, label: await ws.t(ctx, `flows.kind.${k}`) })));
    return { page: { custom: true, kinds }, data: { custom: true, kinds } };
  }
  if (def.model !== 'predefined') return null;
  const graph = new FlowGraph(def);
  const nodes = changeableNodes(graph);
  const saved = await flows.engine.savedChoice(actor, flow.code);
  const savedSpecs = Object.values(saved ?? {}).flatMap((c) => choiceSpecs(c));
  const defaults = nodes.flatMap((n) => n.handlers ?? []);
  const ids = specIds([...defaults, ...savedSpecs]);
  const names = await ws.names.load(ids.users, ids.departments);
  const roleList = await flows.roleNames();
  const roles = new Map(roleList.map((r) => [r.code, r.name]));
  const nodeNames = new Map([...graph.nodes.values()].map((n) => [n.key, n.name]));
  const rows = [];
  for (const n of nodes) rows.push({ key: n.key, name: n.name, kind: await ws.t(ctx, `flows.kind.${n.kind}`), defaults: await describe(ctx, ws, n.handlers ?? [], names, roles, nodeNames) });
  const savedChips = saved ? Object.fromEntries(Object.entries(saved).filter(([k]) => nodes.some((n) => n.key === k)).map(([k, c]) => [k, chips(c, names, roles)])) : null;
  const hasDepartments = !!ws.deps.store().meta.get('department');
  return {
    page: { predefined: true, saved: savedChips },
    data: { predefined: true, nodes: rows, roles: roleList.map((r) => ({ code: r.code, name: r.name })), hasSaved: !!savedChips, hasDepartments },
  };
}

/** The enabled flows bound to an entity that the viewer may start, the default (auto-assigned, WF-08) first. */
async function recordFlows(actor: Actor, flows: Flows, entity: string, record: Record<string, unknown>, all?: StoredFlow[]): Promise<StoredFlow[]> {
  const bound = (all ?? (await flows.definitions.list(actor))).filter((f) => f.enabled && f.definition.entity === entity);
  if (!bound.length) return [];
  const chosen = await flows.engine.choose(actor, { entity, data: record }).catch(() => null);
  return chosen ? [...bound.filter((f) => f.code === chosen.code), ...bound.filter((f) => f.code !== chosen.code)] : bound;
}

/** The approvals block of a record page: the flows one may start on it and its instances the viewer may see. */
export async function recordApprovals(ctx: Context, entity: EntityModel, id: number, record: Record<string, unknown>, ws: Workspace, flows: Flows) {
  const { actor } = pageUserOf(ctx);
  const all = await flows.definitions.list(actor);
  const startable = await recordFlows(actor, flows, entity.name, record, all);
  const instances = await flows.engine.list(actor, { entity: entity.name, recordId: id }, { limit: 50, offset: 0 });
  if (!startable.length && !instances.length) return null;
  const viewer = await ws.viewer(ctx);
  const labels = new Map(all.map((f) => [f.code, textIn(f.definition.label, viewer.lang)]));
  return {
    start: startable.length ? `/flows/start/${startable[0].code}?record=${id}` : null,
    instances: instances.map((i) => ({ href: `/flows/instances/${i.id}`, title: i.title, flow: labels.get(i.flow) ?? i.flow, status: i.status, startedAt: dateTimeIn(i.startedAt ?? '', ws.deps.timeZone()) })),
  };
}

/** Start a flow bound to an entity on one of its records: the record, the other flows bound to it, title, handler choice. */
export async function startOnRecordPage(ctx: Context, flow: StoredFlow, rawRecord: string, ws: Workspace, flows: Flows): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const entity = ws.deps.store().meta.get(flow.definition.entity!);
  if (!entity) throw new NotFoundError(`No entity "${flow.definition.entity}"`);
  const recordId = parseRecordId(rawRecord);
  // Read as the viewer: a record they cannot read is a 404, as everywhere.
  const record = await ws.deps.store().service(entity.name, actor).get(recordId);
  const others = (await recordFlows(actor, flows, entity.name, record)).map((f) => ({ code: f.code, label: textIn(f.definition.label, viewer.lang), href: `/flows/start/${f.code}?record=${recordId}`, active: f.code === flow.code }));
  const label = textIn(flow.definition.label, viewer.lang);
  const recordTitle = String(record[entity.titleField] ?? `#${recordId}`);
  const choice = await startChoice(ctx, ws, flows, flow);
  await ws.send(ctx, {
    page: 'flows/start-record',
    title: label,
    crumbs: [{ label: textIn(entity.label, viewer.lang), href: `/app/${entity.plural}` }, { label: recordTitle, href: `/app/${entity.plural}/${recordId}` }, { label }],
    scripts: ['js/flow-choice.js', 'js/flow-start-record.js'],
    messages: ['flows.', 'lookup.'],
    client: { flow: flow.code, recordId, choice: choice?.page ?? null },
    data: { heading: label, description: flow.definition.description ? textIn(flow.definition.description, viewer.lang) : '', record: { title: recordTitle, href: `/app/${entity.plural}/${recordId}`, entity: textIn(entity.label, viewer.lang) }, others: others.length > 1 ? others : [], title: `${label} · ${recordTitle}`.slice(0, 200), choice: choice?.data ?? null },
  });
}
