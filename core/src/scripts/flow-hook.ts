/**
 * Flow script nodes and script conditions over stored scripts: the FlowScriptHook the flow
 * engine calls. A flow script (kind `flow`) runs inside the transaction of the action that
 * moved the instance, with the data context `dataFor` gives for that transaction and actor
 * (the user who acted; the system for timers; a service role if the script has one).
 */
import { NotFoundError, type Actor, type DataContext } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { FlowFormCheck, FlowScriptHook } from '../flows/types';
import { RecordScripts } from './record-checks';
import type { ScriptRuntime } from './runtime';

export function flowScriptHook(runtime: ScriptRuntime, dataFor: (tx: Executor, actor: Actor) => DataContext): FlowScriptHook {
  return {
    async run(name, call) {
      // From the preloaded list: a transaction never waits for another connection here.
      const script = (await runtime.find('flow')).find((s) => s.name === name);
      if (!script) throw new NotFoundError(`There is no enabled flow script ${name}`);
      const trigger = `flow:${call.input.instance.flow}.${call.input.node.key}${call.input.branch ? `->${call.input.branch}` : ''}`;
      return (await runtime.runScript(script, call.input, { data: dataFor(call.tx, call.actor), trigger })).value;
    },
    async names() {
      return (await runtime.find('flow')).map((s) => s.name);
    },
  };
}

/** Validation scripts of workflow forms (`form:<code>`, `form:<code>.<field>`) for the flow engine. */
export function flowFormChecks(runtime: ScriptRuntime, dataFor: (tx: Executor, actor: Actor) => DataContext): FlowFormCheck {
  const checks = new RecordScripts(runtime);
  return async (call) => {
    const target = `form:${call.form}`;
    if (!(await checks.any(target, []))) return;
    await checks.validate(
      { target, operation: call.operation, record: call.data, ...(call.previous ? { previous: call.previous } : {}), ...(call.changes ? { changes: call.changes } : {}) },
      dataFor(call.tx, call.actor),
    );
  };
}
