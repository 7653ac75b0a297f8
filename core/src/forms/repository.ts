import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import type { FormDefinition, FormKind, StoredFormDefinition } from '@plinth/sdk';
import type { Executor, Row } from '../data/database';
import { fromDbDateTime, nowDb } from '../data/codec';

const schema = (meta: Record<string, unknown>) => new EntitySchema(meta as unknown as EntitySchemaMetadata<Record<string, unknown>>);
const keep = { ignoreSchemaChanges: ['default'] };
const longText = (kind: 'sqlite' | 'mysql') => ({ type: 'text', columnType: kind === 'mysql' ? 'mediumtext' : 'text' });

/**
 * Form definitions: the current one per code in `plinth_forms`, every saved version in
 * `plinth_form_versions` (a flow instance names the version its form data was made with).
 * A deleted form keeps its row (and its code): a data form's records outlive it.
 */
export function formSchemas(kind: 'sqlite' | 'mysql'): EntitySchema[] {
  return [
    schema({
      name: 'PlinthForm',
      tableName: 'plinth_forms',
      uniques: [{ name: 'uq_plinth_forms_code', properties: ['code'] }],
      indexes: [{ name: 'idx_plinth_forms_kind', properties: ['kind', 'deletedAt'] }],
      properties: {
        id: { type: 'integer', primary: true, autoincrement: true, unsigned: true },
        code: { type: 'string', length: 32 },
        kind: { type: 'string', length: 16 },
        version: { type: 'integer' },
        enabled: { type: 'boolean', default: true, ...keep },
        template: { type: 'string', length: 32, nullable: true, ...keep },
        definition: longText(kind),
        createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
        createdBy: { type: 'integer', nullable: true, fieldName: 'created_by', ...keep },
        updatedAt: { type: 'string', length: 30, fieldName: 'updated_at' },
        updatedBy: { type: 'integer', nullable: true, fieldName: 'updated_by', ...keep },
        deletedAt: { type: 'string', length: 30, nullable: true, fieldName: 'deleted_at', ...keep },
      },
    }),
    schema({
      name: 'PlinthFormVersion',
      tableName: 'plinth_form_versions',
      uniques: [{ name: 'uq_plinth_form_versions_code_version', properties: ['code', 'version'] }],
      properties: {
        id: { type: 'integer', primary: true, autoincrement: true, unsigned: true },
        code: { type: 'string', length: 32 },
        version: { type: 'integer' },
        definition: longText(kind),
        createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
        createdBy: { type: 'integer', nullable: true, fieldName: 'created_by', ...keep },
      },
    }),
  ];
}

const COLUMNS = ['id', 'code', 'kind', 'version', 'enabled', 'template', 'definition', 'created_at', 'created_by', 'updated_at', 'updated_by', 'deleted_at'];

export interface StoredForm extends StoredFormDefinition {
  deletedAt: string | null;
}

export interface FormVersionInfo {
  version: number;
  createdAt: string;
  createdBy: number | null;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * Parsed definitions are kept per (code, version): the same object each time, so what is
 * derived from it (the checked model, compiled validators) is built once per version.
 */
const parsed = new Map<string, { text: string; def: FormDefinition }>();
function definitionOf(code: string, version: number, text: string): FormDefinition {
  const key = `${code}@${version}`;
  const hit = parsed.get(key);
  // Compared by text: another database in the same process (tests, tools) may reuse a code.
  if (hit && hit.text === text) return hit.def;
  const def = JSON.parse(text) as FormDefinition;
  if (parsed.size > 2000) parsed.clear();
  parsed.set(key, { text, def });
  return def;
}

function decode(r: Row): StoredForm {
  const code = String(r.code);
  const version = Number(r.version);
  return {
    id: Number(r.id),
    code,
    kind: r.kind as FormKind,
    version,
    enabled: r.enabled === true || r.enabled === 1 || r.enabled === '1',
    template: (r.template as string | null) ?? null,
    definition: definitionOf(code, version, String(r.definition)),
    createdAt: fromDbDateTime(r.created_at) ?? '',
    createdBy: num(r.created_by),
    updatedAt: fromDbDateTime(r.updated_at) ?? '',
    updatedBy: num(r.updated_by),
    deletedAt: fromDbDateTime(r.deleted_at),
  };
}

/** SQL for form definitions, with bound parameters on both databases. */
export class FormRepository {
  private readonly select: string;

  constructor(private readonly db: Executor) {
    const q = db.dialect.quote;
    this.select = `SELECT ${COLUMNS.map(q).join(', ')} FROM plinth_forms`;
  }

  async list(db: Executor = this.db, options: { kind?: FormKind; deleted?: boolean } = {}): Promise<StoredForm[]> {
    const where = [options.deleted ? 'deleted_at IS NOT NULL' : 'deleted_at IS NULL'];
    const params: unknown[] = [];
    if (options.kind) {
      where.push('kind = ?');
      params.push(options.kind);
    }
    return (await db.all(`${this.select} WHERE ${where.join(' AND ')} ORDER BY code`, params)).map(decode);
  }

  /** The form with this code, deleted or not. */
  async get(code: string, db: Executor = this.db): Promise<StoredForm | null> {
    const [row] = await db.all(`${this.select} WHERE code = ?`, [code]);
    return row ? decode(row) : null;
  }

  async version(code: string, version: number, db: Executor = this.db): Promise<FormDefinition | null> {
    const [row] = await db.all<Row>('SELECT definition FROM plinth_form_versions WHERE code = ? AND version = ?', [code, version]);
    return row ? definitionOf(code, version, String(row.definition)) : null;
  }

  async versions(code: string, db: Executor = this.db): Promise<FormVersionInfo[]> {
    const rows = await db.all<Row>('SELECT version, created_at, created_by FROM plinth_form_versions WHERE code = ? ORDER BY version DESC', [code]);
    return rows.map((r) => ({ version: Number(r.version), createdAt: fromDbDateTime(r.created_at) ?? '', createdBy: num(r.created_by) }));
  }

  async insert(db: Executor, def: FormDefinition, userId: number | null, template: string | null): Promise<number> {
    const now = nowDb();
    const text = JSON.stringify(def);
    const { insertId } = await db.run(
      'INSERT INTO plinth_forms (code, kind, version, enabled, template, definition, created_at, created_by, updated_at, updated_by) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)',
      [def.code, def.kind, 1, template, text, now, userId, now, userId],
    );
    await this.addVersion(db, def.code, 1, text, userId, now);
    return insertId;
  }

  /** Replace the definition if the stored version is `version`; false when it is not (someone else saved). */
  async update(db: Executor, code: string, version: number, def: FormDefinition, userId: number | null): Promise<boolean> {
    const now = nowDb();
    const text = JSON.stringify(def);
    const { affectedRows } = await db.run('UPDATE plinth_forms SET definition = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE code = ? AND version = ? AND deleted_at IS NULL', [
      text,
      now,
      userId,
      code,
      version,
    ]);
    if (affectedRows !== 1) return false;
    await this.addVersion(db, code, version + 1, text, userId, now);
    return true;
  }

  async setEnabled(db: Executor, code: string, enabled: boolean, userId: number | null): Promise<boolean> {
    const { affectedRows } = await db.run('UPDATE plinth_forms SET enabled = ?, updated_at = ?, updated_by = ? WHERE code = ? AND deleted_at IS NULL', [enabled ? 1 : 0, nowDb(), userId, code]);
    return affectedRows === 1;
  }

  async softDelete(db: Executor, code: string, version: number | undefined, userId: number | null): Promise<boolean> {
    const now = nowDb();
    const sql = `UPDATE plinth_forms SET deleted_at = ?, enabled = 0, updated_at = ?, updated_by = ? WHERE code = ? AND deleted_at IS NULL${version === undefined ? '' : ' AND version = ?'}`;
    const { affectedRows } = await db.run(sql, version === undefined ? [now, now, userId, code] : [now, now, userId, code, version]);
    return affectedRows === 1;
  }

  private async addVersion(db: Executor, code: string, version: number, text: string, userId: number | null, now: string): Promise<void> {
    await db.run('INSERT INTO plinth_form_versions (code, version, definition, created_at, created_by) VALUES (?, ?, ?, ?, ?)', [code, version, text, now, userId]);
  }
}
