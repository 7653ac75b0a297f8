import type { Actor, PluginDef } from '@plinth/sdk';
import type { Database, Executor } from '../data/database';
import type { MetaRuntime } from '../meta/runtime';
import type { RecordStore } from '../services/records';
import type { PluginHost, PluginListener } from './manager';

export interface PluginHostParts {
  runtime: MetaRuntime;
  db: Database;
  store: () => RecordStore;
  admin: Actor;
  /** Hooks, grants in force, the directory: see `pluginWiring`. */
  wire: (plugins: readonly PluginDef[]) => void;
  syncAccess: PluginHost['syncAccess'];
}

/**
 * What the plugin manager changes in the running platform: the metadata (through the
 * `MetaRuntime`, which reads the manager's enabled set) and the wiring.
 */
export function pluginHost(parts: PluginHostParts): PluginHost & { follow: PluginListener } {
  const { runtime, db, wire } = parts;
  return {
    store: parts.store,
    admin: parts.admin,
    syncAccess: parts.syncAccess,
    /** The served set changed (here or on another node): assemble the metadata again, rewire. */
    follow: async (plugins) => {
      await runtime.exclusive(() => runtime.reload());
      wire(plugins);
    },
    /**
     * Go live with `plugins` — tables for what they add, metadata, wiring — and run `write`
     * (seeds, migrations, states). On the embedded database the DDL is part of the
     * transaction; MySQL/MariaDB commit DDL on their own, so there it runs first (additive:
     * a failure leaves at most empty tables and columns).
     */
    change: (plugins, write) =>
      runtime.exclusive(async () => {
        const { meta, problems } = runtime.build(await runtime.input());
        const ddl = await runtime.schemaChanges(meta);
        const live = () => {
          runtime.goLive(meta, problems);
          wire(plugins);
        };
        if (db.dialect.kind === 'sqlite') {
          await db.transaction(async (tx: Executor) => {
            await runtime.runDdl(ddl, tx);
            live();
            await write(tx);
          });
        } else {
          await runtime.runDdl(ddl);
          live();
          await db.transaction(write);
        }
      }),
  };
}
