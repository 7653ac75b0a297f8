import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import type { Executor } from '../data/database';
import { nowDb } from '../data/codec';

/** What the database remembers about each plugin. */
export const pluginStateSchema = new EntitySchema({
  name: 'PlinthPlugin',
  tableName: 'plinth_plugins',
  properties: {
    name: { type: 'string', length: 64, primary: true },
    version: { type: 'string', length: 32 },
    enabled: { type: 'boolean', default: true },
    installedAt: { type: 'string', length: 30, fieldName: 'installed_at' },
    seededAt: { type: 'string', length: 30, fieldName: 'seeded_at', nullable: true, ignoreSchemaChanges: ['default'] },
  },
} as unknown as EntitySchemaMetadata<Record<string, unknown>>);

export interface PluginState {
  name: string;
  version: string;
  enabled: boolean;
  seededAt: string | null;
}

export async function readPluginStates(db: Executor): Promise<Map<string, PluginState>> {
  const rows = await db.all<{ name: string; version: string; enabled: number | boolean; seeded_at: string | null }>('SELECT name, version, enabled, seeded_at FROM plinth_plugins');
  return new Map(rows.map((r) => [r.name, { name: r.name, version: r.version, enabled: Number(r.enabled) === 1 || r.enabled === true, seededAt: r.seeded_at }]));
}

export async function recordInstalled(db: Executor, name: string, version: string): Promise<void> {
  await db.run('INSERT INTO plinth_plugins (name, version, enabled, installed_at) VALUES (?, ?, ?, ?)', [name, version, 1, nowDb()]);
}

export async function recordVersion(db: Executor, name: string, version: string): Promise<void> {
  await db.run('UPDATE plinth_plugins SET version = ? WHERE name = ?', [version, name]);
}

export async function recordSeeded(db: Executor, name: string): Promise<void> {
  await db.run('UPDATE plinth_plugins SET seeded_at = ? WHERE name = ?', [nowDb(), name]);
}
