import type Router from '@koa/router';
import { NotFoundError, ValidationError, type Actor } from '@plinth/sdk';
import type { Preferences } from '../prefs/preferences';
import type { SavedViews } from '../prefs/saved-views';
import type { Profiles } from '../prefs/profile';

const actorOf = (ctx: { state: Record<string, unknown> }) => ctx.state.actor as Actor;

function id(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new ValidationError([{ field: 'id', rule: 'type', message: 'id must be a positive integer' }]);
  return Number(raw);
}

/** The signed-in user's workspace settings and saved list views. */
export function prefsRoutes(router: Router, preferences: Preferences, views: SavedViews): void {
  router.get('/me/preferences', async (ctx) => {
    ctx.body = await preferences.all(actorOf(ctx).userId!);
  });
  router.put('/me/preferences/:key', async (ctx) => {
    const body = ctx.request.body as { value?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'Send { "value": … }' }]);
    await preferences.set(actorOf(ctx).userId!, ctx.params.key, body.value);
    ctx.body = { key: ctx.params.key, value: body.value };
  });
  router.delete('/me/preferences/:key', async (ctx) => {
    if (!(await preferences.remove(actorOf(ctx).userId!, ctx.params.key))) throw new NotFoundError(`No preference "${ctx.params.key}"`);
    ctx.status = 204;
  });

  router.get('/views', async (ctx) => {
    const entity = ctx.query.entity;
    if (typeof entity !== 'string' || !entity) throw new ValidationError([{ field: 'entity', rule: 'required', message: 'Say which entity: ?entity=customer' }]);
    ctx.body = { data: await views.list(actorOf(ctx), entity) };
  });
  router.post('/views', async (ctx) => {
    ctx.status = 201;
    ctx.body = await views.create(actorOf(ctx), ctx.request.body);
  });
  router.get('/views/:id', async (ctx) => {
    ctx.body = await views.get(actorOf(ctx), id(ctx.params.id));
  });
  router.patch('/views/:id', async (ctx) => {
    ctx.body = await views.update(actorOf(ctx), id(ctx.params.id), ctx.request.body);
  });
  router.delete('/views/:id', async (ctx) => {
    await views.remove(actorOf(ctx), id(ctx.params.id));
    ctx.status = 204;
  });
}

/** GET/PATCH /api/v1/me/profile: nickname, signature, avatar, language, theme. */
export function profileRoutes(router: Router, profiles: Profiles): void {
  router.get('/me/profile', async (ctx) => {
    ctx.body = await profiles.get(actorOf(ctx));
  });
  router.patch('/me/profile', async (ctx) => {
    ctx.body = await profiles.update(actorOf(ctx), ctx.request.body);
  });
}
