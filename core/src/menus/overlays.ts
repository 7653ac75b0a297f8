import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import type { FieldError, I18nText } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { nowDb } from '../data/codec';

/**
 * An administrator's changes to one menu entry, by its stable key. Kept apart from the
 * plugins' declarations, so they survive upgrades; an overlay whose entry is gone stays
 * (and applies again if the entry comes back).
 */
export const menuOverlaySchema = new EntitySchema({
  name: 'PlinthMenuOverlay',
  tableName: 'plinth_menu_overlays',
  properties: {
    key: { type: 'string', length: 100, primary: true },
    /** JSON: the languages whose label is replaced. */
    label: { type: 'text', nullable: true, ignoreSchemaChanges: ['default'] },
    sortOrder: { type: 'integer', fieldName: 'sort_order', nullable: true, ignoreSchemaChanges: ['default'] },
    hidden: { type: 'boolean', nullable: true, ignoreSchemaChanges: ['default'] },
    version: { type: 'integer', default: 1 },
    updatedAt: { type: 'string', length: 30, fieldName: 'updated_at' },
    updatedBy: { type: 'integer', fieldName: 'updated_by', nullable: true, ignoreSchemaChanges: ['default'] },
  },
} as unknown as EntitySchemaMetadata<Record<string, unknown>>);

/** What an administrator may change on an entry; an absent property keeps the plugin's. */
export interface MenuOverlay {
  label?: Partial<I18nText>;
  order?: number;
  hidden?: boolean;
}

export interface StoredMenuOverlay extends MenuOverlay {
  key: string;
  version: number;
  updatedAt: string;
}

export const MENU_KEY = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$/;
const LANGUAGES = ['zh-CN', 'en', 'zh-TW'] as const;

/** Check an overlay body; errors name the field (`label.en`, `order`). */
export function overlayBodyErrors(body: unknown, at = ''): FieldError[] {
  const f = (name: string) => (at ? `${at}.${name}` : name);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [{ field: at || '(body)', rule: 'type', message: 'The overlay must be a JSON object' }];
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const k of Object.keys(b)) {
    if (!['label', 'order', 'hidden', 'version'].includes(k)) errors.push({ field: f(k), rule: 'unknown', message: `${k} cannot be changed; an overlay has label, order and hidden` });
  }
  if (b.label !== undefined && b.label !== null) {
    if (typeof b.label !== 'object' || Array.isArray(b.label)) errors.push({ field: f('label'), rule: 'type', message: 'label is an object of languages: { "zh-CN", "en", "zh-TW" }' });
    else {
      for (const [lang, text] of Object.entries(b.label as Record<string, unknown>)) {
        if (!(LANGUAGES as readonly string[]).includes(lang)) errors.push({ field: f(`label.${lang}`), rule: 'unknown', message: `Languages are ${LANGUAGES.join(', ')}` });
        else if (typeof text !== 'string' || text.trim() === '' || text.length > 100) errors.push({ field: f(`label.${lang}`), rule: 'type', message: `label.${lang} is a text of 1 to 100 characters` });
      }
    }
  }
  if (b.order !== undefined && b.order !== null && (!Number.isInteger(b.order) || Math.abs(b.order as number) > 100_000)) {
    errors.push({ field: f('order'), rule: 'type', message: 'order is an integer from -100000 to 100000' });
  }
  if (b.hidden !== undefined && b.hidden !== null && typeof b.hidden !== 'boolean') errors.push({ field: f('hidden'), rule: 'type', message: 'hidden is true or false' });
  if (b.version !== undefined && (!Number.isInteger(b.version) || (b.version as number) < 1)) errors.push({ field: f('version'), rule: 'type', message: 'version is a positive integer' });
  return errors;
}

/** The overlay part of a checked body (nulls and absences dropped). */
export function overlayOf(body: Record<string, unknown>): MenuOverlay {
  const out: MenuOverlay = {};
  if (body.label && Object.keys(body.label as object).length) out.label = body.label as Partial<I18nText>;
  if (body.order !== undefined && body.order !== null) out.order = body.order as number;
  if (body.hidden !== undefined && body.hidden !== null) out.hidden = body.hidden as boolean;
  return out;
}

interface Row {
  key: string;
  label: string | null;
  sort_order: number | null;
  hidden: number | boolean | null;
  version: number;
  updated_at: string;
}

export const menuOverlays = {
  async all(db: Executor): Promise<StoredMenuOverlay[]> {
    const key = db.dialect.quote('key');
    const rows = await db.all<Row>(`SELECT ${key}, label, sort_order, hidden, version, updated_at FROM plinth_menu_overlays ORDER BY ${key}`);
    return rows.map((r) => {
      const o: StoredMenuOverlay = { key: r.key, version: Number(r.version), updatedAt: r.updated_at };
      if (r.label) o.label = JSON.parse(r.label) as Partial<I18nText>;
      if (r.sort_order !== null) o.order = Number(r.sort_order);
      if (r.hidden !== null) o.hidden = r.hidden === true || Number(r.hidden) === 1;
      return o;
    });
  },

  /** Insert or replace; returns false when `version` is given and no longer current. */
  async put(db: Executor, key: string, overlay: MenuOverlay, userId: number | null, version?: number): Promise<boolean> {
    const q = db.dialect.quote;
    const values = [overlay.label ? JSON.stringify(overlay.label) : null, overlay.order ?? null, overlay.hidden === undefined ? null : overlay.hidden ? 1 : 0, nowDb(), userId];
    const updated = await db.run(
      `UPDATE plinth_menu_overlays SET label = ?, sort_order = ?, hidden = ?, updated_at = ?, updated_by = ?, version = version + 1 WHERE ${q('key')} = ?${version === undefined ? '' : ' AND version = ?'}`,
      [...values, key, ...(version === undefined ? [] : [version])],
    );
    if (updated.affectedRows === 1) return true;
    if (version !== undefined) return false;
    await db.run(`INSERT INTO plinth_menu_overlays (${q('key')}, label, sort_order, hidden, updated_at, updated_by, version) VALUES (?, ?, ?, ?, ?, ?, 1)`, [key, ...values]);
    return true;
  },

  async remove(db: Executor, key: string): Promise<boolean> {
    return (await db.run(`DELETE FROM plinth_menu_overlays WHERE ${db.dialect.quote('key')} = ?`, [key])).affectedRows === 1;
  },
};
