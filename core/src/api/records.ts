import type Router from '@koa/router';
import type { Context } from 'koa';
import { NotFoundError, ValidationError, type Actor } from '@plinth/sdk';
import { HttpError } from '../app/errors';
import type { RecordStore, EntityService } from '../services/records';
import { bodyListQuery, parseId, parseListQuery } from './params';

/** The version a PATCH/DELETE is conditional on: `version` in the body, or `If-Match`. */
export function expectedVersion(ctx: Context, body: Record<string, unknown> | undefined, required: boolean): number | undefined {
  const header = ctx.get('if-match').replace(/^W\//, '').replace(/"/g, '').trim();
  const fromBody = body?.version;
  if (fromBody !== undefined) {
    if (!Number.isInteger(fromBody) || (fromBody as number) < 1) throw new ValidationError([{ field: 'version', rule: 'type', message: 'version must be a positive integer' }]);
    return fromBody as number;
  }
  if (header) {
    if (!/^\d+$/.test(header)) throw new ValidationError([{ field: 'If-Match', rule: 'type', message: 'If-Match must hold the record version' }]);
    return Number(header);
  }
  if (required) {
    throw new HttpError(428, 'version-required', 'Send the version you read (body "version" or If-Match) so concurrent edits are detected', [
      { field: 'version', rule: 'required', message: 'version is required' },
    ]);
  }
  return undefined;
}

export function objectBody(ctx: Context): Record<string, unknown> {
  const body = ctx.request.body;
  if (body === undefined) throw new ValidationError([{ field: '(body)', rule: 'required', message: 'A JSON object body is required' }]);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'The body must be a JSON object' }]);
  return body as Record<string, unknown>;
}

const etag = (version: unknown) => `"${String(version)}"`;

/** Generic REST resources for every entity: /api/v1/{plural}[/{id}]. */
export function recordRoutes(router: Router, store: () => RecordStore): void {
  const service = (ctx: Context): EntityService => {
    const s = store();
    const entity = s.meta.byPluralName(ctx.params.entity);
    if (!entity) throw new NotFoundError(`No resource "${ctx.params.entity}"`);
    return s.service(entity.name, ctx.state.actor as Actor);
  };

  router.get('/:entity', async (ctx) => {
    ctx.body = await service(ctx).listJson(parseListQuery(ctx.query));
  });
  router.post('/:entity/query', async (ctx) => {
    ctx.body = await service(ctx).listJson(bodyListQuery(ctx.request.body));
  });
  // Type-ahead for reference fields: the records whose title contains `q`, as {id, title}.
  router.get('/:entity/lookup', async (ctx) => {
    const svc = service(ctx);
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim() : '';
    const limit = Math.min(Math.max(Number(ctx.query.limit) || 10, 1), 50);
    const title = svc.entity.fields.get(svc.entity.titleField)!;
    const searchable = title.type === 'string' && !title.encrypted;
    const filter = !q ? undefined : searchable ? { [title.name]: { contains: q } } : /^\d+$/.test(q) ? { id: Number(q) } : { id: 0 };
    const page = await svc.list({ filter: filter as never, fields: [...new Set(['id', title.name])], sort: searchable ? [title.name, 'id'] : ['id'], limit });
    ctx.body = { data: page.data.map((r) => ({ id: r.id, title: r[title.name] ?? String(r.id) })) };
  });
  router.get('/:entity/trash', async (ctx) => {
    ctx.body = await service(ctx).listJson(parseListQuery(ctx.query), { trash: true });
  });
  router.post('/:entity/bulk', async (ctx) => {
    ctx.body = await service(ctx).bulk(objectBody(ctx));
  });
  router.post('/:entity', async (ctx) => {
    const svc = service(ctx);
    const rec = await svc.create(objectBody(ctx));
    ctx.status = 201;
    ctx.set('Location', `${ctx.path.replace(/\/$/, '')}/${rec.id}`);
    ctx.set('ETag', etag(rec.version));
    ctx.body = rec;
  });
  router.get('/:entity/:id', async (ctx) => {
    const svc = service(ctx);
    const q = parseListQuery(ctx.query);
    const extra = Object.keys(q).filter((k) => k !== 'fields' && k !== 'expand');
    if (extra.length) throw new ValidationError(extra.map((k) => ({ field: k, rule: 'unknown-parameter', message: `${k} does not apply to a single record` })));
    const rec = await svc.get(parseId(ctx.params.id), q);
    ctx.set('ETag', etag(rec.version));
    ctx.body = rec;
  });
  router.patch('/:entity/:id', async (ctx) => {
    const svc = service(ctx);
    const id = parseId(ctx.params.id);
    const body = objectBody(ctx);
    const version = expectedVersion(ctx, body, true)!;
    const { version: _v, ...patch } = body;
    const rec = await svc.update(id, patch, { version });
    ctx.set('ETag', etag(rec.version));
    ctx.body = rec;
  });
  router.delete('/:entity/trash/:id', async (ctx) => {
    await service(ctx).purge(parseId(ctx.params.id));
    ctx.status = 204;
  });
  router.delete('/:entity/:id', async (ctx) => {
    const svc = service(ctx);
    const id = parseId(ctx.params.id);
    await svc.delete(id, { version: expectedVersion(ctx, undefined, false) });
    ctx.status = 204;
  });
  router.get('/:entity/:id/history', async (ctx) => {
    const svc = service(ctx);
    const id = parseId(ctx.params.id);
    await svc.get(id, { fields: ['id'] });
    ctx.body = { data: await store().audit.history(svc.entity.name, id) };
  });
  router.post('/:entity/:id/restore', async (ctx) => {
    ctx.body = await service(ctx).restore(parseId(ctx.params.id));
  });
}
