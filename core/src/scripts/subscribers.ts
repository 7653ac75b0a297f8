/**
 * Subscriber scripts (kind `subscriber`, target = the event name): run after the change that
 * raised the event commits (never for one that rolled back), as the system, each in its own
 * transaction. A failure is logged and recorded in the run log, never reported to whoever
 * made the change.
 *
 * Events: `<entity>.<created|updated|deleted>` from record writes, and the ends of flow
 * instances, `flow.<completed|rejected|cancelled>` for every flow and
 * `flow:<code>.<completed|rejected|cancelled>` for one definition.
 */
import type { DataContext } from '@plinth/sdk';
import type { Logger } from '../app/logger';
import type { Executor } from '../data/database';
import type { FlowObserver, FlowRuntimeStore } from '../flows/runtime-store';
import type { ScriptRuntime } from './runtime';

/** The payload of a flow's end, as subscriber scripts get it. */
export interface FlowEndPayload {
  flow: string;
  instance: number;
  title: string;
  status: string;
  initiator: number | null;
  entity: string | null;
  record: number | null;
  data: unknown;
  /** Who made the action that ended it (null: the system, e.g. a timer). */
  actor: number | null;
}

const FLOW_ENDS = new Set(['completed', 'rejected', 'cancelled']);

export class ScriptSubscribers {
  constructor(
    private readonly runtime: ScriptRuntime,
    private readonly db: Executor,
    /** The system's data context in a transaction. */
    private readonly systemData: (tx: Executor) => DataContext,
    private readonly log: Logger,
  ) {}

  /** Run the subscribers of `event`, one after another. */
  async publish(event: string, payload: unknown): Promise<void> {
    for (const script of await this.runtime.find('subscriber', event)) {
      await this.db
        .transaction((tx) => this.runtime.runScript(script, { event, payload }, { data: this.systemData(tx), trigger: `event:${event}` }))
        .catch((err: unknown) => this.log.warn({ script: script.name, event, err: (err as Error).message }, 'subscriber failed'));
    }
  }

  /** A flow observer (for `flows`) that publishes the ends of instances once their action has committed. */
  flowEnds(flows: FlowRuntimeStore): FlowObserver {
    return async (tx, notice) => {
      if (notice.type !== 'event' || !notice.action.startsWith('instance.')) return;
      const status = notice.action.slice('instance.'.length);
      if (!FLOW_ENDS.has(status)) return;
      const row = await flows.instance(tx, notice.instanceId);
      if (!row) return;
      const payload: FlowEndPayload = {
        flow: row.definitionCode, instance: row.id, title: row.title, status,
        initiator: row.initiator, entity: row.entity, record: row.recordId, data: row.data, actor: notice.userId,
      };
      tx.afterCommit(() => {
        void this.publish(`flow.${status}`, payload).then(() => this.publish(`flow:${row.definitionCode}.${status}`, payload));
      });
    };
  }
}
