import type Router from '@koa/router';
import type { Context } from 'koa';
import { ValidationError, type Actor } from '@plinth/sdk';
import type { Flows } from '../flows';
import type { StoredFlow } from '../flows/definitions';
import { listFlowTemplates } from '../flows/templates';
import { INBOX_BOXES, FlowInbox, type InboxBox } from '../flows/inbox';
import { taskView, type ActionInput, type StartInput } from '../flows/engine';
import { expectedVersion, objectBody } from './records';
import { parseId } from './params';
import { sendFile } from './files';

const etag = (version: number) => `"${version}"`;

const view = (f: StoredFlow) => ({
  id: f.id, code: f.code, version: f.version, enabled: f.enabled, template: f.template, definition: f.definition,
  createdAt: f.createdAt, createdBy: f.createdBy, updatedAt: f.updatedAt, updatedBy: f.updatedBy,
});
const summary = (f: StoredFlow) => ({ id: f.id, code: f.code, label: f.definition.label, model: f.definition.model, form: f.definition.form ?? null, entity: f.definition.entity ?? null, version: f.version, enabled: f.enabled, template: f.template, updatedAt: f.updatedAt });

function actionInput(body: Record<string, unknown>): ActionInput {
  return { comment: body.comment as string | undefined, attachments: body.attachments as number[] | undefined, report: body.report as Record<string, unknown> | undefined, data: body.data as Record<string, unknown> | undefined };
}

/**
 * The flow engine's REST API under /api/v1/flows: definitions (CRUD, versions, copy,
 * templates, validation, SVG, statistics), instances (start, view, trail, SVG, withdraw,
 * cancel, jump, urge, comment), tasks (approve, reject, return, resubmit, do, read,
 * assist, reply, delegate, add handlers), the inbox with counts, the work log and
 * standing delegations. See docs/flows.md.
 */
export function flowRoutes(router: Router, flows: () => Flows): void {
  const actor = (ctx: Context) => ctx.state.actor as Actor;
  const svg = (ctx: Context, body: string) => {
    ctx.type = 'image/svg+xml';
    ctx.body = body;
  };

  // ---- definitions ----------------------------------------------------------------------
  router.get('/flows/definitions', async (ctx) => {
    ctx.body = { data: (await flows().definitions.list(actor(ctx))).map(summary) };
  });
  router.get('/flows/templates', (ctx) => {
    ctx.body = { data: listFlowTemplates() };
  });
  router.post('/flows/definitions/validate', async (ctx) => {
    const body = objectBody(ctx);
    ctx.body = { errors: await flows().definitions.validate(body.definition ?? body) };
  });
  router.post('/flows/definitions/from-template', async (ctx) => {
    const body = objectBody(ctx);
    if (typeof body.template !== 'string') throw new ValidationError([{ field: 'template', rule: 'required', message: 'template is required' }]);
    const flow = await flows().fromTemplate(actor(ctx), body.template, body);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/flows/definitions/${flow.code}`);
    ctx.set('ETag', etag(flow.version));
    ctx.body = view(flow);
  });
  router.post('/flows/definitions', async (ctx) => {
    const flow = await flows().definitions.create(actor(ctx), objectBody(ctx));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/flows/definitions/${flow.code}`);
    ctx.set('ETag', etag(flow.version));
    ctx.body = view(flow);
  });
  router.get('/flows/definitions/:code', async (ctx) => {
    const flow = await flows().definitions.get(actor(ctx), ctx.params.code);
    const version = ctx.query.version;
    if (typeof version === 'string') {
      if (!/^\d{1,9}$/.test(version)) throw new ValidationError([{ field: 'version', rule: 'type', message: 'version must be a positive integer' }]);
      const def = await flows().definitions.repo.version(flow.code, Number(version));
      if (!def) throw new ValidationError([{ field: 'version', rule: 'reference', message: `No version ${version}` }]);
      ctx.body = { code: flow.code, version: Number(version), definition: def };
      return;
    }
    ctx.set('ETag', etag(flow.version));
    ctx.body = view(flow);
  });
  router.get('/flows/definitions/:code/versions', async (ctx) => {
    ctx.body = { data: await flows().definitions.versions(actor(ctx), ctx.params.code) };
  });
  router.get('/flows/definitions/:code/graph.svg', async (ctx) => {
    const v = typeof ctx.query.version === 'string' && /^\d{1,9}$/.test(ctx.query.version) ? Number(ctx.query.version) : undefined;
    svg(ctx, await flows().definitionSvg(actor(ctx), ctx.params.code, v));
  });
  router.get('/flows/definitions/:code/statistics', async (ctx) => {
    ctx.body = await flows().statistics(actor(ctx), ctx.params.code);
  });
  router.get('/flows/definitions/:code/my-choice', async (ctx) => {
    await flows().definitions.get(actor(ctx), ctx.params.code);
    ctx.body = { handlers: await flows().engine.savedChoice(actor(ctx), ctx.params.code) };
  });
  router.put('/flows/definitions/:code', async (ctx) => {
    const body = objectBody(ctx);
    const version = expectedVersion(ctx, body, true)!;
    if (body.definition === undefined) throw new ValidationError([{ field: 'definition', rule: 'required', message: 'Send {"version": <the version you read>, "definition": {…}}' }]);
    const flow = await flows().definitions.update(actor(ctx), ctx.params.code, body.definition, version);
    ctx.set('ETag', etag(flow.version));
    ctx.body = view(flow);
  });
  router.post('/flows/definitions/:code/copy', async (ctx) => {
    const flow = await flows().definitions.copy(actor(ctx), ctx.params.code, objectBody(ctx));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/flows/definitions/${flow.code}`);
    ctx.body = view(flow);
  });
  router.post('/flows/definitions/:code/disable', async (ctx) => {
    ctx.body = view(await flows().definitions.setEnabled(actor(ctx), ctx.params.code, false));
  });
  router.post('/flows/definitions/:code/enable', async (ctx) => {
    ctx.body = view(await flows().definitions.setEnabled(actor(ctx), ctx.params.code, true));
  });
  router.delete('/flows/definitions/:code', async (ctx) => {
    await flows().definitions.delete(actor(ctx), ctx.params.code);
    ctx.status = 204;
  });

  // ---- instances ------------------------------------------------------------------------
  router.post('/flows/instances', async (ctx) => {
    const { id } = await flows().engine.start(actor(ctx), objectBody(ctx) as StartInput);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/flows/instances/${id}`);
    ctx.body = await flows().engine.view(actor(ctx), id);
  });
  router.get('/flows/instances', async (ctx) => {
    const q = ctx.query;
    const errors = [];
    const status = q.status;
    if (status !== undefined && !['running', 'completed', 'rejected', 'cancelled'].includes(String(status))) errors.push({ field: 'status', rule: 'enum', message: 'status is running, completed, rejected or cancelled' });
    if (q.flow !== undefined && (typeof q.flow !== 'string' || q.flow.length > 32)) errors.push({ field: 'flow', rule: 'type', message: 'flow is a flow code' });
    if (q.overdue !== undefined && q.overdue !== 'true' && q.overdue !== 'false') errors.push({ field: 'overdue', rule: 'type', message: 'overdue is true or false' });
    if (errors.length) throw new ValidationError(errors);
    const page = FlowInbox.page(q);
    ctx.body = { data: await flows().engine.list(actor(ctx), { flow: q.flow as string | undefined, status: status as string | undefined, overdue: q.overdue === 'true' }, page), meta: page };
  });
  router.get('/flows/instances/:id', async (ctx) => {
    ctx.body = await flows().engine.view(actor(ctx), parseId(ctx.params.id));
  });
  router.get('/flows/instances/:id/trail', async (ctx) => {
    ctx.body = { data: await flows().trail(actor(ctx), parseId(ctx.params.id)) };
  });
  router.get('/flows/instances/:id/graph.svg', async (ctx) => {
    svg(ctx, await flows().instanceSvg(actor(ctx), parseId(ctx.params.id)));
  });
  router.get('/flows/instances/:id/files/:fileId', async (ctx) => {
    const f = flows();
    const file = await f.documents.file(actor(ctx), parseId(ctx.params.id), parseId(ctx.params.fileId, 'fileId'));
    sendFile(ctx, f.files!, file);
  });
  const instanceAction = (path: string, fn: (f: Flows, a: Actor, id: number, body: Record<string, unknown>) => Promise<unknown>) =>
    router.post(`/flows/instances/:id/${path}`, async (ctx) => {
      const id = parseId(ctx.params.id);
      const body = ctx.request.body === undefined ? {} : objectBody(ctx);
      const result = await fn(flows(), actor(ctx), id, body);
      ctx.body = { ...(await flows().engine.view(actor(ctx), id)), ...(Array.isArray(result) ? { users: result } : {}) };
    });
  instanceAction('withdraw', (f, a, id, b) => f.engine.withdraw(a, id, actionInput(b)));
  instanceAction('cancel', (f, a, id, b) => f.engine.cancel(a, id, actionInput(b)));
  instanceAction('jump', (f, a, id, b) => f.engine.jump(a, id, b.to, actionInput(b)));
  instanceAction('urge', (f, a, id, b) => f.engine.urge(a, id, actionInput(b)));
  instanceAction('comments', (f, a, id, b) => f.engine.comment(a, id, actionInput(b)));
  instanceAction('archive', (f, a, id, b) => f.documents.archive(a, id, b));
  instanceAction('destroy', (f, a, id, b) => f.documents.destroy(a, id, b));

  // ---- tasks ----------------------------------------------------------------------------
  const taskAction = (path: string, fn: (f: Flows, a: Actor, id: number, body: Record<string, unknown>) => Promise<unknown>) =>
    router.post(`/flows/tasks/:id/${path}`, async (ctx) => {
      const body = ctx.request.body === undefined ? {} : objectBody(ctx);
      const result = await fn(flows(), actor(ctx), parseId(ctx.params.id), body);
      ctx.body = Array.isArray(result) ? { tasks: result } : taskView(result as Parameters<typeof taskView>[0]);
    });
  taskAction('approve', (f, a, id, b) => f.engine.decide(a, id, 'agree', actionInput(b)));
  taskAction('reject', (f, a, id, b) => f.engine.decide(a, id, 'reject', actionInput(b)));
  taskAction('complete', (f, a, id, b) => f.engine.decide(a, id, 'done', actionInput(b)));
  taskAction('return', (f, a, id, b) => f.engine.returnTo(a, id, b.to as string | undefined, actionInput(b)));
  taskAction('resubmit', (f, a, id, b) => f.engine.resubmit(a, id, actionInput(b)));
  taskAction('read', (f, a, id) => f.engine.read(a, id));
  taskAction('assist', (f, a, id, b) => f.engine.assist(a, id, b.users, actionInput(b)));
  taskAction('reply', (f, a, id, b) => f.engine.reply(a, id, actionInput(b)));
  taskAction('delegate', (f, a, id, b) => f.engine.delegate(a, id, b.to, actionInput(b)));
  taskAction('add-handlers', (f, a, id, b) => f.engine.addHandlers(a, id, b.users, actionInput(b)));

  // ---- inbox, work log, delegations -----------------------------------------------------
  router.get('/flows/inbox/counts', async (ctx) => {
    ctx.body = await flows().inbox.counts(actor(ctx));
  });
  router.get('/flows/inbox/:box', async (ctx) => {
    const box = ctx.params.box as InboxBox;
    if (!INBOX_BOXES.includes(box)) throw new ValidationError([{ field: 'box', rule: 'enum', message: `The inbox has ${INBOX_BOXES.join(', ')}` }]);
    const page = FlowInbox.page(ctx.query);
    ctx.body = { data: await flows().inbox.list(actor(ctx), box, page), meta: page };
  });
  router.get('/flows/work-log', async (ctx) => {
    const a = actor(ctx);
    const user = ctx.query.user === undefined ? a.userId : parseId(String(ctx.query.user), 'user');
    if (user !== a.userId && !(await flows().definitions.manages(a))) throw new ValidationError([{ field: 'user', rule: 'forbidden', message: 'Only flow administrators read other users\' work logs' }]);
    const page = FlowInbox.page(ctx.query);
    ctx.body = { data: await flows().inbox.workLog(user ?? -1, page), meta: page };
  });
  router.get('/flows/delegations', async (ctx) => {
    ctx.body = { data: await flows().delegations.list(actor(ctx)) };
  });
  router.post('/flows/delegations', async (ctx) => {
    const f = flows();
    const d = await f.delegations.create(actor(ctx), objectBody(ctx), async (id) => (await f.engine.resolver.resolve(f.engine.store.db, [{ type: 'users', ids: [id] }], { initiator: null, data: {}, nodeHandlers: async () => [] })).length === 1);
    ctx.status = 201;
    ctx.body = d;
  });
  router.delete('/flows/delegations/:id', async (ctx) => {
    await flows().delegations.delete(actor(ctx), parseId(ctx.params.id));
    ctx.status = 204;
  });
}
