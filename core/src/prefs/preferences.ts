import { ValidationError, type FieldError } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { nowDb } from '../data/codec';
import { desktopLayoutErrors } from './desktop';

export const PREFERENCE_KEY = /^[a-z][a-zA-Z0-9_.-]{0,99}$/;
const MAX_VALUE_BYTES = 16_384;

/** Keys whose value has a shape the pages rely on: checked on every write. */
const VALUE_RULES = new Map<string, (value: unknown) => FieldError[]>([['desktop.layout', desktopLayoutErrors]]);

/** Per-user workspace settings: list columns per entity, desktop layout, … — JSON values under keys. */
export class Preferences {
  constructor(private readonly db: Executor) {}

  async all(userId: number): Promise<Record<string, unknown>> {
    const rows = await this.db.all('SELECT pref_key, value FROM plinth_preferences WHERE user_id = ?', [userId]);
    return Object.fromEntries(rows.map((r) => [String(r.pref_key), JSON.parse(String(r.value)) as unknown]));
  }

  async get<T>(userId: number, key: string): Promise<T | undefined> {
    const [row] = await this.db.all('SELECT value FROM plinth_preferences WHERE user_id = ? AND pref_key = ?', [userId, key]);
    return row ? (JSON.parse(String(row.value)) as T) : undefined;
  }

  async set(userId: number, key: string, value: unknown): Promise<void> {
    const errors: FieldError[] = [];
    if (!PREFERENCE_KEY.test(key)) errors.push({ field: 'key', rule: 'pattern', message: `A preference key matches ${PREFERENCE_KEY}` });
    const json = JSON.stringify(value);
    if (value === undefined || json === undefined) errors.push({ field: 'value', rule: 'required', message: 'value is required' });
    else if (Buffer.byteLength(json) > MAX_VALUE_BYTES) errors.push({ field: 'value', rule: 'maxLength', message: `A preference holds at most ${MAX_VALUE_BYTES} bytes of JSON` });
    else errors.push(...(VALUE_RULES.get(key)?.(value) ?? []));
    if (errors.length) throw new ValidationError(errors);
    const upsert =
      this.db.dialect.kind === 'mysql'
        ? 'INSERT INTO plinth_preferences (user_id, pref_key, value, updated_at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)'
        : 'INSERT INTO plinth_preferences (user_id, pref_key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, pref_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at';
    await this.db.run(upsert, [userId, key, json, nowDb()]);
  }

  async remove(userId: number, key: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM plinth_preferences WHERE user_id = ? AND pref_key = ?', [userId, key])).affectedRows > 0;
  }
}
