import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type Actor, type FieldError } from '@plinth/sdk';
import type { Executor, Row } from '../data/database';
import type { AuditLog } from '../audit/log';
import type { AccessLoader } from '../access/loader';
import { fromDbDateTime, nowDb } from '../data/codec';
import { checkFlowDefinition, type FlowDefinitionContext } from './definition';
import type { FlowDefinition } from './types';

/** Grants name this in place of an entity to let a role manage flow definitions. */
export const FLOW_ADMIN_RESOURCE = 'flowDefinition';

export interface StoredFlow {
  id: number;
  code: string;
  version: number;
  enabled: boolean;
  template: string | null;
  definition: FlowDefinition;
  createdAt: string;
  createdBy: number | null;
  updatedAt: string;
  updatedBy: number | null;
  deletedAt: string | null;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const parsed = new Map<string, { text: string; def: FlowDefinition }>();
/** Parsed once per (code, version, text): the engine reads a definition at every action. */
function definitionOf(code: string, version: number, text: string): FlowDefinition {
  const k = `${code}@${version}`;
  const hit = parsed.get(k);
  if (hit && hit.text === text) return hit.def;
  const def = JSON.parse(text) as FlowDefinition;
  if (parsed.size > 2000) parsed.clear();
  parsed.set(k, { text, def });
  return def;
}

function decode(r: Row): StoredFlow {
  const code = String(r.code);
  const version = Number(r.version);
  return {
    id: Number(r.id),
    code,
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

const SELECT = 'SELECT id, code, version, enabled, template, definition, created_at, created_by, updated_at, updated_by, deleted_at FROM plinth_flow_definitions';

/** SQL for flow definitions. */
export class FlowDefinitionRepository {
  constructor(private readonly db: Executor) {}

  async list(db: Executor = this.db): Promise<StoredFlow[]> {
    return (await db.all(`${SELECT} WHERE deleted_at IS NULL ORDER BY code`)).map(decode);
  }

  async get(code: string, db: Executor = this.db): Promise<StoredFlow | null> {
    const [row] = await db.all(`${SELECT} WHERE code = ?`, [code]);
    return row ? decode(row) : null;
  }

  /** Saved versions never change: each is read from the database once per repository (the engine reads one at every action). */
  private readonly versionCache = new Map<string, FlowDefinition>();

  async version(code: string, version: number, db: Executor = this.db): Promise<FlowDefinition | null> {
    const key = `${code}@${version}`;
    const hit = this.versionCache.get(key);
    if (hit) return hit;
    const [row] = await db.all<Row>('SELECT definition FROM plinth_flow_definition_versions WHERE code = ? AND version = ?', [code, version]);
    if (!row) return null;
    const def = definitionOf(code, version, String(row.definition));
    if (this.versionCache.size > 1000) this.versionCache.clear();
    this.versionCache.set(key, def);
    return def;
  }

  async versions(code: string): Promise<{ version: number; createdAt: string; createdBy: number | null }[]> {
    const rows = await this.db.all<Row>('SELECT version, created_at, created_by FROM plinth_flow_definition_versions WHERE code = ? ORDER BY version DESC', [code]);
    return rows.map((r) => ({ version: Number(r.version), createdAt: fromDbDateTime(r.created_at) ?? '', createdBy: num(r.created_by) }));
  }

  async insert(db: Executor, def: FlowDefinition, userId: number | null, template: string | null): Promise<void> {
    const now = nowDb();
    const text = JSON.stringify(def);
    await db.run('INSERT INTO plinth_flow_definitions (code, version, enabled, template, form, entity, definition, created_at, created_by, updated_at, updated_by) VALUES (?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?)', [
      def.code, template, def.form ?? null, def.entity ?? null, text, now, userId, now, userId,
    ]);
    await db.run('INSERT INTO plinth_flow_definition_versions (code, version, definition, created_at, created_by) VALUES (?, 1, ?, ?, ?)', [def.code, text, now, userId]);
  }

  async update(db: Executor, code: string, version: number, def: FlowDefinition, userId: number | null): Promise<boolean> {
    const now = nowDb();
    const text = JSON.stringify(def);
    const { affectedRows } = await db.run('UPDATE plinth_flow_definitions SET definition = ?, form = ?, entity = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE code = ? AND version = ? AND deleted_at IS NULL', [
      text, def.form ?? null, def.entity ?? null, now, userId, code, version,
    ]);
    if (affectedRows !== 1) return false;
    await db.run('INSERT INTO plinth_flow_definition_versions (code, version, definition, created_at, created_by) VALUES (?, ?, ?, ?, ?)', [code, version + 1, text, now, userId]);
    return true;
  }

  async setEnabled(db: Executor, code: string, enabled: boolean, userId: number | null): Promise<boolean> {
    return (await db.run('UPDATE plinth_flow_definitions SET enabled = ?, updated_at = ?, updated_by = ? WHERE code = ? AND deleted_at IS NULL', [enabled ? 1 : 0, nowDb(), userId, code])).affectedRows === 1;
  }

  async softDelete(db: Executor, code: string, userId: number | null): Promise<boolean> {
    const now = nowDb();
    return (await db.run('UPDATE plinth_flow_definitions SET deleted_at = ?, enabled = 0, updated_at = ?, updated_by = ? WHERE code = ? AND deleted_at IS NULL', [now, now, userId, code])).affectedRows === 1;
  }

  /** Enabled flows bound to a form or an entity (auto-assignment candidates). */
  async boundTo(binding: { form?: string; entity?: string }, db: Executor = this.db): Promise<StoredFlow[]> {
    const [col, value] = binding.form ? ['form', binding.form] : ['entity', binding.entity];
    return (await db.all(`${SELECT} WHERE ${col} = ? AND enabled = 1 AND deleted_at IS NULL ORDER BY code`, [value])).map(decode);
  }
}

export interface FlowDefinitionServiceOptions {
  db: Executor;
  audit: AuditLog;
  access: AccessLoader;
  /** What definitions may refer to, as of now (forms, entities). */
  context: () => Promise<Omit<FlowDefinitionContext, 'flowExists'>>;
}

/**
 * Flow definitions: checked on save (errors name the node), versioned with optimistic
 * locking (every version kept: running instances stay on theirs), copied, enabled and
 * disabled, deleted (the code is never reused). Every change is in the operation log.
 */
export class FlowDefinitions {
  readonly repo: FlowDefinitionRepository;
  private codes = new Set<string>();

  constructor(private readonly options: FlowDefinitionServiceOptions) {
    this.repo = new FlowDefinitionRepository(options.db);
  }

  async manages(actor: Actor): Promise<boolean> {
    if (actor.isAdmin) return true;
    return (await this.options.access.profile(actor)).can(FLOW_ADMIN_RESOURCE, 'update');
  }

  private async require(actor: Actor): Promise<void> {
    if (!(await this.manages(actor))) throw new ForbiddenError('You may not manage flow definitions');
  }

  /** Check without saving. */
  async validate(input: unknown): Promise<FieldError[]> {
    return checkFlowDefinition(input, await this.context()).errors;
  }

  private async context(): Promise<FlowDefinitionContext> {
    const existing = new Set((await this.repo.list()).map((f) => f.code));
    return { ...(await this.options.context()), flowExists: (code) => existing.has(code) };
  }

  private async check(input: unknown): Promise<FlowDefinition> {
    const { def, errors } = checkFlowDefinition(input, await this.context());
    if (!def) throw new ValidationError(errors, 'The flow definition is invalid');
    return def;
  }

  private audit(db: Executor, actor: Actor, action: string, flow: { id: number; code: string }, detail: string): Promise<void> {
    return this.options.audit.write(db, actor, { action: `flow.${action}`, entity: 'flowDefinition', recordId: flow.id, detail: `${flow.code}: ${detail}` });
  }

  async list(actor: Actor): Promise<StoredFlow[]> {
    const manager = await this.manages(actor);
    return (await this.repo.list()).filter((f) => manager || f.enabled);
  }

  async get(actor: Actor, code: string): Promise<StoredFlow> {
    const flow = await this.repo.get(code);
    if (!flow || flow.deletedAt || (!flow.enabled && !(await this.manages(actor)))) throw new NotFoundError(`No flow "${code}"`);
    return flow;
  }

  async versions(actor: Actor, code: string) {
    await this.require(actor);
    await this.get(actor, code);
    return this.repo.versions(code);
  }

  async create(actor: Actor, input: unknown, template: string | null = null, origin?: string): Promise<StoredFlow> {
    await this.require(actor);
    const def = await this.check(input);
    return this.options.db.transaction(async (tx) => {
      const existing = await this.repo.get(def.code, tx);
      if (existing) throw new ConflictError('unique', existing.deletedAt ? `The code "${def.code}" belonged to a deleted flow; codes are never reused` : `A flow "${def.code}" already exists`, [{ field: 'code', rule: 'unique', message: 'code must be unique' }]);
      try {
        await this.repo.insert(tx, def, actor.userId, template);
      } catch (err) {
        if (tx.dialect.classify(err)?.kind === 'unique') throw new ConflictError('unique', `A flow "${def.code}" already exists`, [{ field: 'code', rule: 'unique', message: 'code must be unique' }]);
        throw err;
      }
      const stored = (await this.repo.get(def.code, tx))!;
      await this.audit(tx, actor, 'create', stored, origin ?? (template ? `created from template ${template}` : 'created'));
      return stored;
    });
  }

  async update(actor: Actor, code: string, input: unknown, version: number): Promise<StoredFlow> {
    await this.require(actor);
    const body = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
    if (body.code !== undefined && body.code !== code) throw new ValidationError([{ field: 'code', rule: 'immutable', message: 'The code of a flow cannot change (copy it instead)' }]);
    const def = await this.check({ ...body, code });
    return this.options.db.transaction(async (tx) => {
      const current = await this.repo.get(code, tx);
      if (!current || current.deletedAt) throw new NotFoundError(`No flow "${code}"`);
      if (!(await this.repo.update(tx, code, version, def, actor.userId))) throw this.stale(current.version, version);
      await this.audit(tx, actor, 'update', current, `version ${version + 1}`);
      return (await this.repo.get(code, tx))!;
    });
  }

  private stale(current: number, yours: number): ConflictError {
    return new ConflictError('stale-version', `The flow was changed by someone else (version ${current}, yours ${yours}); reload and try again`, [{ field: 'version', rule: 'stale', message: `current version is ${current}` }]);
  }

  async copy(actor: Actor, code: string, to: { code?: unknown; label?: unknown }): Promise<StoredFlow> {
    const source = await this.get(actor, code);
    const label = to.label ?? { 'zh-CN': `${source.definition.label['zh-CN']}（副本）`, en: `${source.definition.label.en} (copy)` };
    return this.create(actor, { ...structuredClone(source.definition), code: to.code, label }, source.template, `copied from ${code} version ${source.version}`);
  }

  async setEnabled(actor: Actor, code: string, enabled: boolean): Promise<StoredFlow> {
    await this.require(actor);
    return this.options.db.transaction(async (tx) => {
      const current = await this.repo.get(code, tx);
      if (!current || current.deletedAt) throw new NotFoundError(`No flow "${code}"`);
      await this.repo.setEnabled(tx, code, enabled, actor.userId);
      await this.audit(tx, actor, enabled ? 'enable' : 'disable', current, enabled ? 'enabled' : 'disabled');
      return (await this.repo.get(code, tx))!;
    });
  }

  async delete(actor: Actor, code: string): Promise<void> {
    await this.require(actor);
    await this.options.db.transaction(async (tx) => {
      const current = await this.repo.get(code, tx);
      if (!current || !(await this.repo.softDelete(tx, code, actor.userId))) throw new NotFoundError(`No flow "${code}"`);
      await this.audit(tx, actor, 'delete', current, `deleted at version ${current.version}`);
    });
  }
}
