import type Router from '@koa/router';
import type { Context } from 'koa';
import { ForbiddenError, ValidationError, type Actor } from '@plinth/sdk';
import type { CustomFields } from '../custom/fields';
import { HttpError } from '../app/errors';

function admin(ctx: Context): Actor {
  const actor = ctx.state.actor as Actor;
  if (!actor.isAdmin) throw new ForbiddenError('Only administrators change the metadata');
  return actor;
}

/** The version a change is conditional on: `version` in the body or query, or If-Match. */
function version(ctx: Context, allowNone = false): number | null {
  const body = ctx.request.body as { version?: unknown } | undefined;
  const raw = body && typeof body === 'object' && 'version' in body ? body.version : (ctx.query.version ?? (ctx.get('if-match').replace(/^W\//, '').replace(/"/g, '').trim() || undefined));
  if (raw === undefined) {
    if (allowNone) return null;
    throw new HttpError(428, 'version-required', 'Send the version you read (body "version", ?version= or If-Match)', [{ field: 'version', rule: 'required', message: 'version is required' }]);
  }
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (!Number.isInteger(n) || (n as number) < 1) throw new ValidationError([{ field: 'version', rule: 'type', message: 'version must be a positive integer' }]);
  return n as number;
}

const withoutVersion = (body: unknown): unknown => {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const { version: _v, ...rest } = body as Record<string, unknown>;
  return rest;
};

/**
 * Admin API of custom fields and field overlays, under /api/v1/meta/entities/{entity}:
 * custom-fields (list, add), custom-fields/{name} (read, change, remove), …/restore,
 * …/purge, fields/{field}/overlay (set, clear), overlays (list) and field-order (reorder).
 */
export function customFieldRoutes(router: Router, fields: () => CustomFields): void {
  const base = '/meta/entities/:entity';
  router.get(`${base}/custom-fields`, async (ctx) => {
    admin(ctx);
    ctx.body = { data: await fields().list(ctx.params.entity) };
  });
  router.post(`${base}/custom-fields`, async (ctx) => {
    const f = await fields().create(admin(ctx), ctx.params.entity, ctx.request.body);
    ctx.status = 201;
    ctx.body = f;
  });
  router.get(`${base}/custom-fields/:name`, async (ctx) => {
    admin(ctx);
    ctx.body = await fields().get(ctx.params.entity, ctx.params.name);
  });
  router.patch(`${base}/custom-fields/:name`, async (ctx) => {
    const actor = admin(ctx);
    ctx.body = await fields().update(actor, ctx.params.entity, ctx.params.name, withoutVersion(ctx.request.body), version(ctx)!);
  });
  router.delete(`${base}/custom-fields/:name`, async (ctx) => {
    const actor = admin(ctx);
    ctx.body = await fields().remove(actor, ctx.params.entity, ctx.params.name, version(ctx)!);
  });
  router.post(`${base}/custom-fields/:name/restore`, async (ctx) => {
    const actor = admin(ctx);
    ctx.body = await fields().restore(actor, ctx.params.entity, ctx.params.name, version(ctx)!);
  });
  router.post(`${base}/custom-fields/:name/purge`, async (ctx) => {
    await fields().purge(admin(ctx), ctx.params.entity, ctx.params.name);
    ctx.status = 204;
  });
  router.get(`${base}/overlays`, async (ctx) => {
    admin(ctx);
    ctx.body = { data: await fields().overlays(ctx.params.entity) };
  });
  router.put(`${base}/field-order`, async (ctx) => {
    ctx.body = await fields().reorder(admin(ctx), ctx.params.entity, ctx.request.body);
  });
  router.put(`${base}/fields/:field/overlay`, async (ctx) => {
    const actor = admin(ctx);
    ctx.body = await fields().setOverlay(actor, ctx.params.entity, ctx.params.field, withoutVersion(ctx.request.body), version(ctx, true));
  });
  router.delete(`${base}/fields/:field/overlay`, async (ctx) => {
    await fields().clearOverlay(admin(ctx), ctx.params.entity, ctx.params.field);
    ctx.status = 204;
  });
}
