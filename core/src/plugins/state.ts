import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import type { Executor } from '../data/database';
import { nowDb } from '../data/codec';

/**
 * What the database remembers about each plugin: the installed version (the version its
 * data is in), whether the administrator enabled it, whether it was uninstalled (its row
 * and data stay), and why its last upgrade failed.
 */
export const pluginStateSchema = new EntitySchema({
  name: 'PlinthPlugin',
  tableName: 'plinth_plugins',
  properties: {
    name: { type: 'string', length: 64, primary: true },
    version: { type: 'string', length: 32 },
    enabled: { type: 'boolean', default: true },
    installedAt: { type: 'string', length: 30, fieldName: 'installed_at' },
    seededAt: { type: 'string', length: 30, fieldName: 'seeded_at', nullable: true, ignoreSchemaChanges: ['default'] },
    uninstalledAt: { type: 'string', length: 30, fieldName: 'uninstalled_at', nullable: true, ignoreSchemaChanges: ['default'] },
    failure: { type: 'text', nullable: true, ignoreSchemaChanges: ['default'] },
    failedAt: { type: 'string', length: 30, fieldName: 'failed_at', nullable: true, ignoreSchemaChanges: ['default'] },
  },
} as unknown as EntitySchemaMetadata<Record<string, unknown>>);

/** The migrations each plugin has applied, by name. */
export const pluginMigrationSchema = new EntitySchema({
  name: 'PlinthPluginMigration',
  tableName: 'plinth_plugin_migrations',
  properties: {
    plugin: { type: 'string', length: 64, primary: true },
    name: { type: 'string', length: 100, primary: true },
    /** The plugin version whose upgrade ran it (or that recorded it at install). */
    version: { type: 'string', length: 32 },
    appliedAt: { type: 'string', length: 30, fieldName: 'applied_at' },
    /** False when recorded at install without running (the seed made the data current). */
    ran: { type: 'boolean', default: true },
  },
} as unknown as EntitySchemaMetadata<Record<string, unknown>>);

export interface PluginState {
  name: string;
  version: string;
  enabled: boolean;
  installed: boolean;
  seededAt: string | null;
  failure: string | null;
  failedAt: string | null;
}

interface StateRow {
  name: string;
  version: string;
  enabled: number | boolean;
  seeded_at: string | null;
  uninstalled_at: string | null;
  failure: string | null;
  failed_at: string | null;
}

const truthy = (v: unknown) => v === true || Number(v) === 1;

export async function readPluginStates(db: Executor): Promise<Map<string, PluginState>> {
  const rows = await db.all<StateRow>('SELECT name, version, enabled, seeded_at, uninstalled_at, failure, failed_at FROM plinth_plugins');
  return new Map(
    rows.map((r) => [
      r.name,
      { name: r.name, version: r.version, enabled: truthy(r.enabled), installed: r.uninstalled_at === null, seededAt: r.seeded_at, failure: r.failure, failedAt: r.failed_at },
    ]),
  );
}

/** A first install, or an install again after an uninstall (the row, its version and seed mark stay). */
export async function recordInstalled(db: Executor, name: string, version: string, existing: boolean): Promise<void> {
  if (existing) await db.run('UPDATE plinth_plugins SET enabled = ?, uninstalled_at = NULL, installed_at = ? WHERE name = ?', [1, nowDb(), name]);
  else await db.run('INSERT INTO plinth_plugins (name, version, enabled, installed_at) VALUES (?, ?, ?, ?)', [name, version, 1, nowDb()]);
}

export async function recordEnabled(db: Executor, name: string, enabled: boolean): Promise<void> {
  await db.run('UPDATE plinth_plugins SET enabled = ? WHERE name = ?', [enabled ? 1 : 0, name]);
}

export async function recordUninstalled(db: Executor, name: string): Promise<void> {
  await db.run('UPDATE plinth_plugins SET enabled = ?, uninstalled_at = ? WHERE name = ?', [0, nowDb(), name]);
}

/**
 * Move the installed version from `from` to `to`, clearing a failure. Returns false when
 * the row no longer says `from` (another node upgraded it first). On MySQL/MariaDB the
 * row stays locked until the transaction ends, so two nodes never run one upgrade twice.
 */
export async function claimUpgrade(db: Executor, name: string, from: string, to: string): Promise<boolean> {
  const res = await db.run('UPDATE plinth_plugins SET version = ?, failure = NULL, failed_at = NULL WHERE name = ? AND version = ?', [to, name, from]);
  return res.affectedRows === 1;
}

export async function recordFailure(db: Executor, name: string, failure: string): Promise<void> {
  await db.run('UPDATE plinth_plugins SET failure = ?, failed_at = ? WHERE name = ?', [failure, nowDb(), name]);
}

export async function recordSeeded(db: Executor, name: string): Promise<void> {
  await db.run('UPDATE plinth_plugins SET seeded_at = ? WHERE name = ?', [nowDb(), name]);
}

export async function appliedMigrations(db: Executor, plugin: string): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>('SELECT name FROM plinth_plugin_migrations WHERE plugin = ?', [plugin]);
  return new Set(rows.map((r) => r.name));
}

export async function recordMigration(db: Executor, plugin: string, name: string, version: string, ran: boolean): Promise<void> {
  await db.run('INSERT INTO plinth_plugin_migrations (plugin, name, version, applied_at, ran) VALUES (?, ?, ?, ?, ?)', [plugin, name, version, nowDb(), ran ? 1 : 0]);
}
