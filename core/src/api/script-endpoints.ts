import type Router from '@koa/router';
import { ForbiddenError, NotFoundError, type Actor, type EndpointInput } from '@plinth/sdk';
import type { ScriptRuntime } from '../scripts/runtime';
import type { RecordStore } from '../services/records';
import { ServiceDataContext } from '../services/context';

/** Grants name `x:<endpoint>` with the action `call` to let a role call a script endpoint. */
export const endpointResource = (name: string): string => `x:${name}`;

/**
 * Custom endpoints: `/api/v1/x/{name}` runs the enabled script of kind `endpoint` whose
 * target is `{name}`, as the caller (their permissions apply to everything it reads or
 * writes), inside one transaction: a failure rolls back what it wrote. Calling it needs
 * the `call` action on `x:{name}` (system administrators always may).
 */
export function scriptEndpointRoutes(router: Router, runtime: ScriptRuntime, store: () => RecordStore): void {
  router.all('/x/:name', async (ctx) => {
    const actor = ctx.state.actor as Actor;
    const name = ctx.params.name;
    const [script] = await runtime.find('endpoint', name);
    const s = store();
    const access = await s.access.profile(actor);
    // Same answer for "no such endpoint" and "not yours to call" to anyone who may not call it.
    if (!access.can(endpointResource(name), 'call')) {
      if (!script) throw new NotFoundError(`No endpoint ${name}`);
      throw new ForbiddenError(`You may not call ${name}`);
    }
    if (!script) throw new NotFoundError(`No endpoint ${name}`);
    const input: EndpointInput = { method: ctx.method, path: ctx.path, params: { name }, query: ctx.query, body: ctx.request.body ?? null };
    const result = await s.db.transaction((tx) => runtime.runScript(script, input, { data: new ServiceDataContext(s, actor, tx), trigger: `endpoint:${name}` }));
    if (result.value === undefined || result.value === null) ctx.status = 204;
    else ctx.body = result.value;
  });
}
