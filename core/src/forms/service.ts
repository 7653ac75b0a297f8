import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type Actor,
  type FieldError,
  type FormDefinition,
  type FormField,
  type FormKind,
  type I18nText,
} from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { AuditLog } from '../audit/log';
import type { AccessLoader } from '../access/loader';
import { analyzeForm, type DefinitionContext } from './definition';
import { FormRepository, type FormVersionInfo, type StoredForm } from './repository';
import { formTemplate } from './templates';
import { decimalShape } from './schema';
import type { DataFormApplier } from './runtime';

/** Grants name this in place of an entity to let a role manage form definitions (create, update, delete). */
export const FORM_ADMIN_RESOURCE = 'formDefinition';

export interface FormServiceOptions {
  db: Executor;
  audit: AuditLog;
  access: AccessLoader;
  /** What definitions may refer to (entities, dictionaries), as of now. */
  context: () => DefinitionContext;
  /** Makes data forms' entities follow their definitions (the metadata runtime); without it data forms are stored but not served. */
  entities?: DataFormApplier;
}

export interface FormSummary {
  id: number;
  code: string;
  kind: FormKind;
  label: I18nText;
  version: number;
  enabled: boolean;
  template: string | null;
  fields: number;
  updatedAt: string;
}

const summary = (f: StoredForm): FormSummary => ({
  id: f.id,
  code: f.code,
  kind: f.kind,
  label: f.definition.label,
  version: f.version,
  enabled: f.enabled,
  template: f.template,
  fields: f.definition.fields.length,
  updatedAt: f.updatedAt,
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a field is stored: two fields with the same shape can share a column. */
function storedShape(f: FormField): string {
  switch (f.type) {
    case 'string':
      return `string(${f.length ?? 255})`;
    case 'decimal':
    case 'money': {
      const { precision, scale } = decimalShape(f);
      return `decimal(${precision},${scale})`;
    }
    case 'enum':
    case 'file':
      return `${f.type}${f.multiple ? '[]' : ''}`;
    case 'reference':
      return `reference(${f.entity})`;
    case 'text':
      return (f.maxLength ?? 65_535) > 16_383 ? 'mediumtext' : 'text';
    case 'detail':
      return 'detail';
    default:
      return f.type;
  }
}

/**
 * A stored data form's fields keep how they are stored (their records are in columns):
 * a field may be added or removed (its column and data stay), not changed in type or size.
 */
export function storageChanges(before: FormDefinition, after: FormDefinition): FieldError[] {
  const errors: FieldError[] = [];
  const compare = (old: readonly FormField[], now: readonly FormField[], base: string) => {
    const byName = new Map(old.map((f) => [f.name, f]));
    now.forEach((f, i) => {
      const prev = byName.get(f.name);
      if (prev && storedShape(prev) !== storedShape(f)) {
        errors.push({ field: `${base}[${i}].type`, rule: 'immutable', message: `${f.name} is stored as ${storedShape(prev)}; it cannot become ${storedShape(f)} (add a field under a new name instead)` });
      }
    });
  };
  compare(before.fields, after.fields, 'fields');
  const oldDetail = before.fields.find((f) => f.type === 'detail');
  const i = after.fields.findIndex((f) => f.type === 'detail');
  const newDetail = after.fields[i];
  if (oldDetail && newDetail && oldDetail.type === 'detail' && newDetail.type === 'detail') {
    if (oldDetail.name !== newDetail.name) errors.push({ field: `fields[${i}].name`, rule: 'immutable', message: `The detail table is stored as ${oldDetail.name}; it cannot be renamed` });
    else compare(oldDetail.fields, newDetail.fields, `fields[${i}].fields`);
  }
  return errors;
}

/** What changed between two definitions, for the operation log: field names added, removed, changed. */
function changedFields(before: FormDefinition, after: FormDefinition): string {
  const flat = (d: FormDefinition) => new Map(d.fields.flatMap((f) => (f.type === 'detail' ? [[f.name, JSON.stringify({ ...f, fields: undefined })] as const, ...f.fields.map((c) => [`${f.name}.${c.name}`, JSON.stringify(c)] as const)] : [[f.name, JSON.stringify(f)] as const])));
  const a = flat(before);
  const b = flat(after);
  const added = [...b.keys()].filter((k) => !a.has(k));
  const removed = [...a.keys()].filter((k) => !b.has(k));
  const changed = [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k));
  const parts = [added.length ? `added ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : '', changed.length ? `changed ${changed.join(', ')}` : ''].filter(Boolean);
  return parts.join('; ') || 'fields unchanged';
}

/**
 * Form definitions: checked on save, versioned (optimistic locking; every version kept),
 * copied, created from templates, disabled, deleted (the row and the code stay, so a data
 * form's records keep their meaning). Every change is in the operation log.
 */
export class FormService {
  readonly repo: FormRepository;

  constructor(private readonly options: FormServiceOptions) {
    this.repo = new FormRepository(options.db);
  }

  private async require(actor: Actor, action: 'create' | 'update' | 'delete' | 'read'): Promise<void> {
    if (actor.isAdmin) return;
    const profile = await this.options.access.profile(actor);
    if (!profile.can(FORM_ADMIN_RESOURCE, action === 'read' ? 'update' : action)) throw new ForbiddenError(`You may not ${action === 'read' ? 'manage' : action} form definitions`);
  }

  /** Whether the actor manages forms (sees disabled ones, versions). */
  async manages(actor: Actor): Promise<boolean> {
    if (actor.isAdmin) return true;
    return (await this.options.access.profile(actor)).can(FORM_ADMIN_RESOURCE, 'update');
  }

  private check(def: unknown): FormDefinition {
    const { model, errors } = analyzeForm(def, this.options.context());
    if (!model) throw new ValidationError(errors, 'The form definition is invalid');
    return model.def;
  }

  private audit(db: Executor, actor: Actor, action: string, form: { id: number; code: string }, detail: string, changes: Record<string, { before: unknown; after: unknown }> | null = null): Promise<void> {
    return this.options.audit.write(db, actor, { action: `form.${action}`, entity: 'form', recordId: form.id, changes, detail: `${form.code}: ${detail}` });
  }

  /** Write a change in one transaction; a data form's change also brings its entities and tables along. */
  private write<T>(kind: FormKind, code: string, def: FormDefinition | null, fn: (tx: Executor) => Promise<T>): Promise<T> {
    if (kind === 'data' && this.options.entities) return this.options.entities.apply(code, def, fn);
    return this.options.db.transaction(fn);
  }

  private async taken(code: string, db?: Executor): Promise<void> {
    const existing = await this.repo.get(code, db);
    if (existing) {
      throw new ConflictError('unique', existing.deletedAt ? `The code "${code}" belonged to a deleted form; codes are never reused` : `A form "${code}" already exists`, [
        { field: 'code', rule: 'unique', message: 'code must be unique' },
      ]);
    }
  }

  async list(actor: Actor, options: { kind?: FormKind; enabled?: boolean } = {}): Promise<FormSummary[]> {
    const all = await this.repo.list(undefined, { kind: options.kind });
    const manager = await this.manages(actor);
    return all.filter((f) => (manager || f.enabled) && (options.enabled === undefined || f.enabled === options.enabled)).map(summary);
  }

  /** A form as its users see it: enabled ones for everyone, disabled ones for those who manage forms. */
  async get(actor: Actor, code: string): Promise<StoredForm> {
    const form = await this.repo.get(code);
    if (!form || form.deletedAt || (!form.enabled && !(await this.manages(actor)))) throw new NotFoundError(`No form "${code}"`);
    return form;
  }

  /** The current definition of an enabled form (for submissions). */
  async active(code: string, db?: Executor): Promise<StoredForm> {
    const form = await this.repo.get(code, db);
    if (!form || form.deletedAt) throw new NotFoundError(`No form "${code}"`);
    if (!form.enabled) throw new ConflictError('conflict', `The form "${code}" is disabled`);
    return form;
  }

  /** A definition as it was at `version` (a flow instance keeps the version it started with). */
  async definition(code: string, version?: number): Promise<FormDefinition> {
    if (version === undefined) return (await this.active(code)).definition;
    const def = await this.repo.version(code, version);
    if (!def) throw new NotFoundError(`No version ${version} of form "${code}"`);
    return def;
  }

  async versions(actor: Actor, code: string): Promise<FormVersionInfo[]> {
    await this.require(actor, 'read');
    await this.get(actor, code);
    return this.repo.versions(code);
  }

  /** Every stored data form (enabled or not): the source of their runtime entities. */
  async dataForms(): Promise<FormDefinition[]> {
    return (await this.repo.list(undefined, { kind: 'data' })).map((f) => f.definition);
  }

  /** `origin` says where the definition came from, for the operation log (a copy, a template). */
  async create(actor: Actor, input: unknown, template: string | null = null, origin?: string): Promise<StoredForm> {
    await this.require(actor, 'create');
    const def = this.check(input);
    // Checked before a data form's tables are made, and again inside the transaction.
    await this.taken(def.code);
    return this.write(def.kind, def.code, def, async (tx) => {
      await this.taken(def.code, tx);
      const id = await this.insert(tx, def, actor, template);
      await this.audit(tx, actor, 'create', { id, code: def.code }, origin ?? (template ? `created from template ${template}` : `created (${def.kind})`), { version: { before: null, after: 1 } });
      return (await this.repo.get(def.code, tx))!;
    });
  }

  private async insert(tx: Executor, def: FormDefinition, actor: Actor, template: string | null): Promise<number> {
    try {
      return await this.repo.insert(tx, def, actor.userId, template);
    } catch (err) {
      if (tx.dialect.classify(err)?.kind === 'unique') throw new ConflictError('unique', `A form "${def.code}" already exists`, [{ field: 'code', rule: 'unique', message: 'code must be unique' }]);
      throw err;
    }
  }

  async update(actor: Actor, code: string, input: unknown, version: number): Promise<StoredForm> {
    await this.require(actor, 'update');
    if (isObject(input) && input.code !== undefined && input.code !== code) throw new ValidationError([{ field: 'code', rule: 'immutable', message: `The code of a form cannot change (copy it to a new code instead)` }]);
    const def = this.check(isObject(input) && input.code === undefined ? { ...input, code } : input);
    const current = await this.repo.get(code);
    if (!current || current.deletedAt) throw new NotFoundError(`No form "${code}"`);
    if (current.kind !== def.kind) throw new ValidationError([{ field: 'kind', rule: 'immutable', message: `A ${current.kind} form stays a ${current.kind} form (copy it to change the kind)` }]);
    if (current.version !== version) throw this.stale(current.version, version);
    if (def.kind === 'data') {
      const errors = storageChanges(current.definition, def);
      if (errors.length) throw new ValidationError(errors, 'The change would alter how stored records are kept');
    }
    return this.write(def.kind, code, def, async (tx) => {
      // The conditional UPDATE is the real check: a concurrent save makes it miss.
      if (!(await this.repo.update(tx, code, version, def, actor.userId))) throw this.stale((await this.repo.get(code, tx))?.version ?? version, version);
      await this.audit(tx, actor, 'update', current, changedFields(current.definition, def), { version: { before: version, after: version + 1 } });
      return (await this.repo.get(code, tx))!;
    });
  }

  private stale(current: number, yours: number): ConflictError {
    return new ConflictError('stale-version', `The form was changed by someone else (version ${current}, yours ${yours}); reload and try again`, [
      { field: 'version', rule: 'stale', message: `current version is ${current}` },
    ]);
  }

  async copy(actor: Actor, code: string, to: { code?: unknown; label?: unknown }): Promise<StoredForm> {
    const source = await this.get(actor, code);
    const label = to.label ?? { 'zh-CN': `${source.definition.label['zh-CN']}（副本）`, en: `${source.definition.label.en} (copy)` };
    return this.create(actor, { ...structuredClone(source.definition), code: to.code, label }, source.template, `copied from ${code} version ${source.version}`);
  }

  async fromTemplate(actor: Actor, template: string, overrides: { code?: unknown; label?: unknown; kind?: unknown }): Promise<StoredForm> {
    const def = formTemplate(template);
    if (!def) throw new ValidationError([{ field: 'template', rule: 'enum', message: `There is no template "${template}"` }]);
    const input: Record<string, unknown> = { ...def };
    for (const key of ['code', 'label', 'kind'] as const) if (overrides[key] !== undefined) input[key] = overrides[key];
    return this.create(actor, input, template);
  }

  async setEnabled(actor: Actor, code: string, enabled: boolean): Promise<StoredForm> {
    await this.require(actor, 'update');
    return this.options.db.transaction(async (tx) => {
      const current = await this.repo.get(code, tx);
      if (!current || current.deletedAt) throw new NotFoundError(`No form "${code}"`);
      await this.repo.setEnabled(tx, code, enabled, actor.userId);
      await this.audit(tx, actor, enabled ? 'enable' : 'disable', current, enabled ? 'enabled' : 'disabled', { enabled: { before: current.enabled, after: enabled } });
      return (await this.repo.get(code, tx))!;
    });
  }

  /** Delete a form: its definition leaves the lists, its code is never reused, a data form's records stay in their table. */
  async delete(actor: Actor, code: string, version?: number): Promise<void> {
    await this.require(actor, 'delete');
    const current = await this.repo.get(code);
    if (!current || current.deletedAt) throw new NotFoundError(`No form "${code}"`);
    if (version !== undefined && current.version !== version) throw this.stale(current.version, version);
    await this.write(current.kind, code, null, async (tx) => {
      if (!(await this.repo.softDelete(tx, code, version, actor.userId))) {
        const now = await this.repo.get(code, tx);
        throw version === undefined || !now || now.deletedAt ? new NotFoundError(`No form "${code}"`) : this.stale(now.version, version);
      }
      await this.audit(tx, actor, 'delete', current, `deleted at version ${current.version}`);
    });
  }

  /** Check a definition without saving it (the designer's live check). */
  validate(def: unknown): FieldError[] {
    return analyzeForm(def, this.options.context()).errors;
  }
}
