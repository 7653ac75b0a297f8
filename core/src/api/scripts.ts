import type Router from '@koa/router';
import { ForbiddenError, NotFoundError, ValidationError, type Actor } from '@plinth/sdk';
import type { ScriptRuntime, ScriptDefinition } from '../scripts/runtime';
import type { RecordStore } from '../services/records';
import { ServiceDataContext } from '../services/context';
import { parseId } from './params';
import { SCRIPT_KINDS } from '../scripts/engine';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Administration of stored scripts (system administrators): save a new version (compiled
 * and checked; errors carry line and column), list, enable/disable, check a source, dry
 * run (rolled back) and the run log.
 */
export function scriptRoutes(router: Router, runtime: ScriptRuntime, store: () => RecordStore): void {
  const admin = (actor: Actor | undefined): Actor => {
    if (!actor?.isAdmin) throw new ForbiddenError('Only system administrators manage scripts');
    return actor;
  };
  const body = (raw: unknown): Record<string, unknown> => {
    if (!isObject(raw)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'The body must be a JSON object' }]);
    return raw;
  };

  router.get('/scripts', async (ctx) => {
    admin(ctx.state.actor as Actor);
    const kind = typeof ctx.query.kind === 'string' ? ctx.query.kind : undefined;
    if (kind !== undefined && !(SCRIPT_KINDS as readonly string[]).includes(kind)) throw new ValidationError([{ field: 'kind', rule: 'enum', message: `kind is one of ${SCRIPT_KINDS.join(', ')}` }]);
    ctx.body = { data: await runtime.list(kind as (typeof SCRIPT_KINDS)[number] | undefined) };
  });
  router.post('/scripts', async (ctx) => {
    const actor = admin(ctx.state.actor as Actor);
    const saved = await runtime.save(body(ctx.request.body) as unknown as ScriptDefinition, actor.userId);
    ctx.status = 201;
    ctx.body = saved;
  });
  router.post('/scripts/check', async (ctx) => {
    admin(ctx.state.actor as Actor);
    const b = body(ctx.request.body);
    if (typeof b.source !== 'string') throw new ValidationError([{ field: 'source', rule: 'required', message: 'source is required' }]);
    ctx.body = { diagnostics: runtime.check(b.source, b.language === 'js' ? 'js' : 'ts', b.kind as never) };
  });
  router.post('/scripts/dry-run', async (ctx) => {
    const actor = admin(ctx.state.actor as Actor);
    const b = body(ctx.request.body);
    const { input, ...what } = b;
    ctx.body = await runtime.dryRun(what as never, input ?? null, new ServiceDataContext(store(), actor));
  });
  router.get('/scripts/runs', async (ctx) => {
    admin(ctx.state.actor as Actor);
    const limit = typeof ctx.query.limit === 'string' ? parseId(ctx.query.limit, 'limit') : 50;
    const script = typeof ctx.query.script === 'string' ? ctx.query.script : undefined;
    ctx.body = { data: await runtime.runs({ script, limit }) };
  });
  router.patch('/scripts/:name', async (ctx) => {
    admin(ctx.state.actor as Actor);
    const b = body(ctx.request.body);
    if (typeof b.enabled !== 'boolean') throw new ValidationError([{ field: 'enabled', rule: 'type', message: 'enabled must be true or false' }]);
    if (!(await runtime.get(ctx.params.name))) throw new NotFoundError(`No script ${ctx.params.name}`);
    await runtime.setEnabled(ctx.params.name, b.enabled);
    ctx.body = await runtime.get(ctx.params.name);
  });
}
