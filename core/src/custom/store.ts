import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import type { CustomFieldInfo, CustomFieldSpec } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { fromDbDateTime, nowDb } from '../data/codec';
import type { FieldOverlay } from '../meta/registry';

const schema = (meta: object) => new EntitySchema(meta as EntitySchemaMetadata<Record<string, unknown>>);

/** Admin-made fields: the spec as the admin wrote it; the field definition is derived from it. */
export const customFieldSchema = schema({
  name: 'PlinthCustomField',
  tableName: 'plinth_custom_fields',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    entity: { type: 'string', length: 64 },
    name: { type: 'string', length: 64 },
    spec: { type: 'text' },
    status: { type: 'string', length: 16 },
    version: { type: 'integer' },
    createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
    updatedAt: { type: 'string', length: 30, fieldName: 'updated_at' },
  },
  uniques: [{ properties: ['entity', 'name'], name: 'uq_plinth_custom_fields_entity_name' }],
});

/** Admin changes to any field (plugin-declared ones included), kept apart so plugin upgrades keep them. */
export const fieldOverlaySchema = schema({
  name: 'PlinthFieldOverlay',
  tableName: 'plinth_field_overlays',
  properties: {
    entity: { type: 'string', length: 64, primary: true },
    field: { type: 'string', length: 64, primary: true },
    overlay: { type: 'text' },
    version: { type: 'integer' },
    updatedAt: { type: 'string', length: 30, fieldName: 'updated_at' },
  },
});

export interface StoredOverlay {
  entity: string;
  field: string;
  overlay: FieldOverlay;
  version: number;
}

interface FieldRow {
  entity: string;
  name: string;
  spec: string;
  status: string;
  version: number;
  created_at: string;
  updated_at: string;
}

const toInfo = (r: FieldRow): CustomFieldInfo => ({
  ...(JSON.parse(r.spec) as CustomFieldSpec),
  entity: r.entity,
  status: r.status === 'removed' ? 'removed' : 'active',
  version: Number(r.version),
  createdAt: fromDbDateTime(r.created_at)!,
  updatedAt: fromDbDateTime(r.updated_at)!,
});

/** Reads and writes of the customization tables; callers pass the transaction. */
export const customizations = {
  async fields(db: Executor, entity?: string): Promise<CustomFieldInfo[]> {
    const rows = entity
      ? await db.all<FieldRow>('SELECT * FROM plinth_custom_fields WHERE entity = ? ORDER BY id', [entity])
      : await db.all<FieldRow>('SELECT * FROM plinth_custom_fields ORDER BY entity, id');
    return rows.map(toInfo);
  },

  async field(db: Executor, entity: string, name: string): Promise<CustomFieldInfo | null> {
    const rows = await db.all<FieldRow>('SELECT * FROM plinth_custom_fields WHERE entity = ? AND name = ?', [entity, name]);
    return rows.length ? toInfo(rows[0]) : null;
  },

  async insertField(db: Executor, entity: string, spec: CustomFieldSpec): Promise<void> {
    const now = nowDb();
    await db.run('INSERT INTO plinth_custom_fields (entity, name, spec, status, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)', [entity, spec.name, JSON.stringify(spec), 'active', now, now]);
  },

  /** Conditional on the version the admin read; false when it moved. */
  async updateField(db: Executor, entity: string, name: string, version: number, change: { spec?: CustomFieldSpec; status?: 'active' | 'removed' }): Promise<boolean> {
    const sets = ['version = version + 1', 'updated_at = ?'];
    const params: unknown[] = [nowDb()];
    if (change.spec) {
      sets.push('spec = ?');
      params.push(JSON.stringify(change.spec));
    }
    if (change.status) {
      sets.push('status = ?');
      params.push(change.status);
    }
    const res = await db.run(`UPDATE plinth_custom_fields SET ${sets.join(', ')} WHERE entity = ? AND name = ? AND version = ?`, [...params, entity, name, version]);
    return res.affectedRows === 1;
  },

  async deleteField(db: Executor, entity: string, name: string): Promise<void> {
    await db.run('DELETE FROM plinth_custom_fields WHERE entity = ? AND name = ?', [entity, name]);
  },

  async overlays(db: Executor): Promise<StoredOverlay[]> {
    const rows = await db.all<{ entity: string; field: string; overlay: string; version: number }>('SELECT entity, field, overlay, version FROM plinth_field_overlays ORDER BY entity, field');
    return rows.map((r) => ({ entity: r.entity, field: r.field, overlay: JSON.parse(r.overlay) as FieldOverlay, version: Number(r.version) }));
  },

  async putOverlay(db: Executor, entity: string, field: string, overlay: FieldOverlay, version: number | null): Promise<boolean> {
    if (version === null) {
      const taken = await db.all('SELECT 1 AS x FROM plinth_field_overlays WHERE entity = ? AND field = ?', [entity, field]);
      if (taken.length) return false;
      await db.run('INSERT INTO plinth_field_overlays (entity, field, overlay, version, updated_at) VALUES (?, ?, ?, 1, ?)', [entity, field, JSON.stringify(overlay), nowDb()]);
      return true;
    }
    const res = await db.run('UPDATE plinth_field_overlays SET overlay = ?, version = version + 1, updated_at = ? WHERE entity = ? AND field = ? AND version = ?', [JSON.stringify(overlay), nowDb(), entity, field, version]);
    return res.affectedRows === 1;
  },

  async deleteOverlay(db: Executor, entity: string, field: string): Promise<void> {
    await db.run('DELETE FROM plinth_field_overlays WHERE entity = ? AND field = ?', [entity, field]);
  },
};
