import { ValidationError, type Actor, type Filter, type Logger, type MigrationContext, type PluginDef, type SchemaSteps } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { snakeCase } from '../meta/model';
import type { FieldModel, EntityModel } from '../meta/model';
import type { RecordStore } from '../services/records';
import { ServiceDataContext } from '../services/context';
import { AccessProfile } from '../access/profile';
import { QueryError } from '../query/list';
import { appliedMigrations, claimUpgrade, recordMigration } from './state';

/** A migration failed: which one, and why. The upgrade was rolled back. */
export class MigrationError extends Error {
  constructor(
    readonly plugin: string,
    readonly migration: string,
    readonly from: string,
    readonly to: string,
    override readonly cause: unknown,
  ) {
    super(`Upgrading "${plugin}" from ${from} to ${to} failed in migration "${migration}": ${describeError(cause)}`);
    this.name = 'MigrationError';
  }
}

/** An error's message, with the fields a validation error names. */
export function describeError(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const fields = (cause as { errors?: readonly { field: string; message: string }[] }).errors ?? [];
  return fields.length ? `${cause.message} (${fields.map((f) => `${f.field}: ${f.message}`).join('; ')})` : cause.message;
}

/** The columns a table has now (an old field's column outlives the field). */
export async function tableColumns(db: Executor, table: string): Promise<Set<string>> {
  const rows =
    db.dialect.kind === 'sqlite'
      ? await db.all<{ name: string }>(`SELECT name FROM pragma_table_info(?)`, [table])
      : await db.all<{ name: string }>('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?', [table]);
  return new Set(rows.map((r) => String(r.name).toLowerCase()));
}

/** The schema steps of one migration, on its transaction and the new metadata. */
export function schemaSteps(store: RecordStore, db: Executor): SchemaSteps {
  const q = db.dialect.quote;
  const entityOf = (name: string): EntityModel => {
    const e = store.meta.get(name);
    if (!e) throw new Error(`No entity "${name}"`);
    return e;
  };
  const columnOf = (e: EntityModel, name: string): FieldModel => {
    const f = e.fields.get(name);
    if (!f || !f.column || f.system) throw new Error(`Entity "${e.name}" has no field "${name}" stored in a column`);
    return f;
  };
  return {
    async renameField(entity, from, to) {
      const e = entityOf(entity);
      const target = columnOf(e, to);
      const old = target.type === 'reference' ? `${snakeCase(from)}_id` : snakeCase(from);
      const columns = await tableColumns(db, e.table);
      if (!columns.has(old)) throw new Error(`Entity "${entity}": there is no column "${old}" left by a field "${from}"`);
      const sets = [`${q(target.column)} = ${q(old)}`];
      if (target.encrypted && columns.has(`${old}_bidx`)) sets.push(`${q(target.indexColumn)} = ${q(`${old}_bidx`)}`);
      const res = await db.run(`UPDATE ${q(e.table)} SET ${sets.join(', ')} WHERE ${q(target.column)} IS NULL AND ${q(old)} IS NOT NULL`);
      return res.affectedRows;
    },
    async fill(entity, field, value, filter?: Filter) {
      const e = entityOf(entity);
      const f = columnOf(e, field);
      const errors = store.validator(entity).check('update', { [field]: value }, '', true);
      if (errors.length) throw new ValidationError(errors, `fill(${entity}.${field}): the value is invalid`);
      let where = { text: `t.${q(f.column)} IS NULL`, params: [] as unknown[] };
      if (filter !== undefined) {
        try {
          const plan = store.planner.plan(e, { filter, limit: 1 }, { access: AccessProfile.system(null) });
          where = plan.where;
        } catch (err) {
          if (err instanceof QueryError) throw new ValidationError(err.errors, `fill(${entity}.${field}): the filter is invalid`);
          throw err;
        }
      }
      const pairs = store.repository(entity).columnValues(f, value);
      const res = await db.run(`UPDATE ${q(e.table)} AS t SET ${pairs.map(([c]) => `${q(c)} = ?`).join(', ')} WHERE ${where.text}`, [...pairs.map(([, v]) => v), ...where.params]);
      return res.affectedRows;
    },
  };
}

export interface UpgradeResult {
  /** Migrations run now, in order. */
  ran: string[];
  /** False when another node had already upgraded the plugin. */
  upgraded: boolean;
}

/**
 * Upgrade one plugin from its installed version to its code's: claim the upgrade (row
 * lock), run the migrations not yet recorded in the order declared, record each — all in
 * one transaction, so a failure leaves the data and the installed version as they were.
 */
export async function upgradePlugin(db: Executor, store: RecordStore, admin: Actor, plugin: PluginDef, from: string, log: Logger): Promise<UpgradeResult> {
  const to = plugin.version;
  let current = '(claim)';
  try {
    return await db.transaction(async (tx) => {
      if (!(await claimUpgrade(tx, plugin.name, from, to))) return { ran: [], upgraded: false };
      const applied = await appliedMigrations(tx, plugin.name);
      const data = new ServiceDataContext(store, admin, tx, true);
      const ran: string[] = [];
      for (const m of plugin.migrations ?? []) {
        if (applied.has(m.name)) continue;
        current = m.name;
        const ctx: MigrationContext = {
          actor: admin,
          records: (e) => data.records(e),
          transaction: (fn) => data.transaction(fn),
          can: (e, a, id) => data.can(e, a, id),
          notifications: data.notifications,
          from,
          to,
          schema: schemaSteps(store, tx),
          log,
        };
        await m.up(ctx);
        await recordMigration(tx, plugin.name, m.name, to, true);
        ran.push(m.name);
      }
      return { ran, upgraded: true };
    });
  } catch (err) {
    throw new MigrationError(plugin.name, current, from, to, err);
  }
}

/** A fresh install records every migration without running it: the seed made the data current. */
export async function baselineMigrations(db: Executor, plugin: PluginDef): Promise<void> {
  const applied = await appliedMigrations(db, plugin.name);
  for (const m of plugin.migrations ?? []) if (!applied.has(m.name)) await recordMigration(db, plugin.name, m.name, plugin.version, false);
}
