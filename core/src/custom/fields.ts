import { ConflictError, NotFoundError, ValidationError, type Actor, type CustomFieldInfo, type CustomFieldSpec, type FieldError } from '@plinth/sdk';
import type { Database, Executor } from '../data/database';
import type { AuditLog } from '../audit/log';
import type { EntityModel, FieldModel } from '../meta/model';
import { isCustomizable } from '../meta/model';
import type { MetaRegistry } from '../meta/registry';
import type { MetaInput, MetaRuntime } from '../meta/runtime';
import { EntityValidator, createAjv, type DictionaryLookup } from '../services/validation';
import { encode } from '../data/codec';
import { uniqueIndexName } from '../data/schema';
import { customizations, type StoredOverlay } from './store';
import { overlayErrors } from './overlay';
import type { FieldOverlay } from '../meta/registry';
import { MAX_CUSTOM_FIELDS, MAX_INDEXED_FIELDS, compact, specRuleErrors, specShapeErrors } from './spec';
import { dataConflicts } from './checks';
import { checkOrderRequest, reorderedPositions } from './order';

/** How many offending record ids a refusal lists. */
const LISTED = 100;

const now = (): string => new Date().toISOString();

/**
 * Custom fields through their whole life: add, change, remove (data kept), restore and
 * purge, each checked against the data before anything changes, applied as additive DDL
 * plus the stored definition, then made live here and announced to the other nodes.
 */
export class CustomFields {
  constructor(
    private readonly runtime: MetaRuntime,
    private readonly db: Database,
    private readonly audit: AuditLog,
    private readonly dictionaries: () => DictionaryLookup | null,
  ) {}

  private get meta(): MetaRegistry {
    return this.runtime.live;
  }

  private customizable(name: string): EntityModel {
    const entity = this.meta.get(name);
    if (!entity) throw new NotFoundError(`No entity "${name}"`);
    if (!isCustomizable(entity)) throw new ValidationError([{ field: 'entity', rule: 'not-customizable', message: `${name} does not take custom fields` }]);
    return entity;
  }

  async list(entity: string): Promise<CustomFieldInfo[]> {
    this.customizable(entity);
    return customizations.fields(this.db, entity);
  }

  async get(entity: string, name: string): Promise<CustomFieldInfo> {
    this.customizable(entity);
    const f = await customizations.field(this.db, entity, name);
    if (!f) throw new NotFoundError(`${entity} has no custom field "${name}"`);
    return f;
  }

  create(actor: Actor, entityName: string, body: unknown): Promise<CustomFieldInfo> {
    return this.runtime.exclusive(async () => {
      const entity = this.customizable(entityName);
      const shape = specShapeErrors(body);
      if (shape.length) throw new ValidationError(shape);
      const spec = compact(body as CustomFieldSpec);
      const input = await this.runtime.input();
      const mine = input.fields.filter((f) => f.entity === entity.name);
      const taken = mine.find((f) => f.name === spec.name);
      if (taken || entity.fields.has(spec.name)) {
        throw new ConflictError('conflict', `${entity.name} already has a field "${spec.name}"${taken?.status === 'removed' ? ' (removed; restore or purge it)' : ''}`, [
          { field: 'name', rule: 'unique', message: `The name ${spec.name} is taken` },
        ]);
      }
      if (mine.length >= MAX_CUSTOM_FIELDS) throw new ValidationError([{ field: 'name', rule: 'max', message: `${entity.name} has the most custom fields allowed (${MAX_CUSTOM_FIELDS}, removed ones included); purge removed ones first` }]);
      const info: CustomFieldInfo = { ...spec, entity: entity.name, status: 'active', version: 1, createdAt: now(), updatedAt: now() };
      const { meta, field } = this.candidate(input, [...input.fields, info], info);
      this.checkIndexBudget(meta.get(entity.name)!);
      const target = meta.get(entity.name)!;
      const refusals: FieldError[] = [];
      const rows = await this.liveRows(target);
      if (field.required && spec.default === undefined && rows > 0) {
        const ids = await this.db.all<{ id: number }>(`SELECT id FROM ${this.q(target.table)} WHERE deleted_at IS NULL ORDER BY id LIMIT ${LISTED}`);
        refusals.push({ field: 'required', rule: 'empty', message: `${rows} existing records would have no value; give a default or make the field optional`, records: ids.map((r) => Number(r.id)) });
      }
      if (spec.unique && spec.default !== undefined && rows > 1) refusals.push({ field: 'default', rule: 'unique', message: 'A unique field cannot give the same default to existing records' });
      if (refusals.length) throw new ConflictError('conflict', `The field cannot be added to ${entity.name}`, refusals);
      await this.apply(meta, async (tx) => {
        await customizations.insertField(tx, entity.name, spec);
        if (field.required && spec.default !== undefined) await this.backfill(tx, target, field, spec.default);
      });
      await this.audit.event(actor, { action: 'custom-field.create', entity: entity.name, detail: `${spec.name} (${spec.type})` });
      return (await customizations.field(this.db, entity.name, spec.name))!;
    });
  }

  update(actor: Actor, entityName: string, name: string, body: unknown, version: number): Promise<CustomFieldInfo> {
    return this.runtime.exclusive(async () => {
      const entity = this.customizable(entityName);
      const input = await this.runtime.input();
      const before = this.stored(input, entity.name, name);
      this.checkVersion(before, version);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'The body must be a JSON object' }]);
      const patch = body as Record<string, unknown>;
      // scale is the column's shape: changing it would rewrite the column (the embedded database copies the table).
      for (const key of ['name', 'type', 'scale'] as const) {
        if (key in patch && patch[key] !== before[key]) throw new ValidationError([{ field: key, rule: 'immutable', message: `${key} cannot change; add a new field and purge this one` }]);
      }
      const { entity: _e, status: _s, version: _v, createdAt: _c, updatedAt: _u, ...oldSpec } = before;
      const merged = compact({ ...oldSpec, ...Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v === null ? undefined : v])) }) as CustomFieldSpec;
      const shape = specShapeErrors(merged);
      if (shape.length) throw new ValidationError(shape);
      const info: CustomFieldInfo = { ...before, ...merged, updatedAt: now() };
      const fields = input.fields.map((f) => (f === before ? info : f));
      if (before.status !== 'active') throw new ConflictError('conflict', `${entity.name}.${name} is removed; restore it before changing it`);
      const { meta, field } = this.candidate(input, fields, info);
      const target = meta.get(entity.name)!;
      this.checkIndexBudget(target);
      const oldField = entity.fields.get(name)!;
      const refusals = await dataConflicts(this.db, target, oldField, field, merged, LISTED);
      if (refusals.length) throw new ConflictError('conflict', `The change cannot be applied to ${entity.name}.${name}: existing records break it; nothing was changed`, refusals);
      await this.apply(meta, async (tx) => {
        if (!(await customizations.updateField(tx, entity.name, name, version, { spec: merged }))) throw this.stale(entity.name, name);
        if (field.required && !oldField.required && merged.default !== undefined) await this.backfill(tx, target, field, merged.default);
      });
      await this.audit.event(actor, { action: 'custom-field.update', entity: entity.name, detail: `${name}: ${Object.keys(patch).join(', ')}` });
      return (await customizations.field(this.db, entity.name, name))!;
    });
  }

  /** Take the field out of the API; its column and data stay until purged. */
  remove(actor: Actor, entityName: string, name: string, version: number): Promise<CustomFieldInfo> {
    return this.setStatus(actor, entityName, name, version, 'removed');
  }

  restore(actor: Actor, entityName: string, name: string, version: number): Promise<CustomFieldInfo> {
    return this.setStatus(actor, entityName, name, version, 'active');
  }

  private setStatus(actor: Actor, entityName: string, name: string, version: number, status: 'active' | 'removed'): Promise<CustomFieldInfo> {
    return this.runtime.exclusive(async () => {
      const entity = this.customizable(entityName);
      const input = await this.runtime.input();
      const before = this.stored(input, entity.name, name);
      this.checkVersion(before, version);
      if (before.status === status) throw new ConflictError('conflict', `${entity.name}.${name} is already ${status}`);
      const info: CustomFieldInfo = { ...before, status };
      const { meta } = status === 'active' ? this.candidate(input, input.fields.map((f) => (f === before ? info : f)), info) : this.runtime.build({ ...input, fields: input.fields.map((f) => (f === before ? info : f)) });
      await this.apply(meta, async (tx) => {
        if (!(await customizations.updateField(tx, entity.name, name, version, { status }))) throw this.stale(entity.name, name);
      });
      await this.audit.event(actor, { action: status === 'active' ? 'custom-field.restore' : 'custom-field.remove', entity: entity.name, detail: name });
      return (await customizations.field(this.db, entity.name, name))!;
    });
  }

  /** Drop a removed field's column (or join table) and its definition, for good. */
  purge(actor: Actor, entityName: string, name: string): Promise<void> {
    return this.runtime.exclusive(async () => {
      const entity = this.customizable(entityName);
      const input = await this.runtime.input();
      const before = this.stored(input, entity.name, name);
      if (before.status !== 'removed') throw new ConflictError('conflict', `Remove ${entity.name}.${name} before purging it`);
      // The removed field's model, as it was: where its column and join table are.
      const { meta: was } = this.runtime.build({ ...input, fields: [...input.fields.filter((f) => f !== before), { ...before, status: 'active' }] });
      const field = was.get(entity.name)?.fields.get(name);
      const { meta } = this.runtime.build({ ...input, fields: input.fields.filter((f) => f !== before) });
      const drops = field ? this.dropStatements(entity, field) : [];
      await this.apply(meta, async (tx) => customizations.deleteField(tx, entity.name, name), drops);
      await this.audit.event(actor, { action: 'custom-field.purge', entity: entity.name, detail: name });
    });
  }

  /** Change a field's label, help, required-ness, visibility, order or options as an overlay kept across plugin upgrades. */
  setOverlay(actor: Actor, entityName: string, fieldName: string, body: unknown, version: number | null): Promise<StoredOverlay> {
    return this.runtime.exclusive(async () => {
      const entity = this.meta.get(entityName);
      const field = entity?.fields.get(fieldName);
      if (!entity || !field) throw new NotFoundError(`No field "${entityName}.${fieldName}"`);
      if (field.custom) throw new ValidationError([{ field: 'field', rule: 'custom', message: 'Change a custom field through its own definition' }]);
      const errors = overlayErrors(body, field);
      if (errors.length) throw new ValidationError(errors);
      const overlay = body as FieldOverlay;
      const input = await this.runtime.input();
      const current = input.overlays.find((o) => o.entity === entity.name && o.field === fieldName) ?? null;
      if ((current?.version ?? null) !== version) throw this.stale(entity.name, fieldName);
      const overlays = [...input.overlays.filter((o) => o !== current), { entity: entity.name, field: fieldName, overlay, version: (version ?? 0) + 1 }];
      const { meta } = this.runtime.build({ ...input, overlays });
      const after = meta.get(entity.name)!.fields.get(fieldName)!;
      const refusals = await dataConflicts(this.db, meta.get(entity.name)!, field, after, { name: fieldName, type: 'text', label: after.label }, LISTED);
      if (refusals.length) throw new ConflictError('conflict', `The change cannot be applied to ${entity.name}.${fieldName}: existing records break it; nothing was changed`, refusals);
      await this.apply(meta, async (tx) => {
        if (!(await customizations.putOverlay(tx, entity.name, fieldName, overlay, version))) throw this.stale(entity.name, fieldName);
      });
      await this.audit.event(actor, { action: 'field-overlay.set', entity: entity.name, detail: `${fieldName}: ${Object.keys(overlay).join(', ')}` });
      return (await customizations.overlays(this.db)).find((o) => o.entity === entity.name && o.field === fieldName)!;
    });
  }

  /** Back to the field as its plugin declares it. */
  clearOverlay(actor: Actor, entityName: string, fieldName: string): Promise<void> {
    return this.runtime.exclusive(async () => {
      const input = await this.runtime.input();
      const current = input.overlays.find((o) => o.entity === entityName && o.field === fieldName);
      if (!current) throw new NotFoundError(`No overlay on ${entityName}.${fieldName}`);
      const { meta } = this.runtime.build({ ...input, overlays: input.overlays.filter((o) => o !== current) });
      await this.apply(meta, (tx) => customizations.deleteOverlay(tx, entityName, fieldName));
      await this.audit.event(actor, { action: 'field-overlay.clear', entity: entityName, detail: fieldName });
    });
  }

  /** The overlays administrators put on an entity's fields (every entity's without one), with their versions. */
  async overlays(entityName?: string): Promise<StoredOverlay[]> {
    if (entityName === undefined) return customizations.overlays(this.db);
    if (!this.meta.get(entityName)) throw new NotFoundError(`No entity "${entityName}"`);
    return (await customizations.overlays(this.db)).filter((o) => o.entity === entityName);
  }

  /** Every entity's custom fields, removed ones too. */
  all(): Promise<CustomFieldInfo[]> {
    return customizations.fields(this.db);
  }

  /**
   * Put an entity's fields (all but the system fields, which always come first) in the
   * order given, as one change: custom fields get a `position`, the others an overlay
   * `order`. Only the fields whose place changes are written.
   */
  reorder(actor: Actor, entityName: string, body: unknown): Promise<{ fields: string[] }> {
    return this.runtime.exclusive(async () => {
      const entity = this.meta.get(entityName);
      if (!entity) throw new NotFoundError(`No entity "${entityName}"`);
      const declared = [...entity.fields.values()].filter((f) => !f.system);
      const wanted = checkOrderRequest(body, declared.map((f) => f.name));
      const orders = reorderedPositions(wanted, new Map(declared.map((f) => [f.name, f.order])));
      if (!orders.size) return { fields: wanted };
      const input = await this.runtime.input();
      const fields = input.fields.map((f) => (f.entity === entity.name && f.status === 'active' && orders.has(f.name) ? { ...f, position: orders.get(f.name) } : f));
      const overlays = [...input.overlays];
      for (const [name, order] of orders) {
        if (entity.fields.get(name)!.custom) continue;
        const at = overlays.findIndex((o) => o.entity === entity.name && o.field === name);
        if (at >= 0) overlays[at] = { ...overlays[at], overlay: { ...overlays[at].overlay, order } };
        else overlays.push({ entity: entity.name, field: name, overlay: { order }, version: 0 });
      }
      const { meta } = this.runtime.build({ ...input, fields, overlays });
      await this.apply(meta, async (tx) => {
        for (const [name, order] of orders) {
          if (entity.fields.get(name)!.custom) {
            const { entity: _e, status: _s, version, createdAt: _c, updatedAt: _u, ...spec } = this.stored(input, entity.name, name);
            if (!(await customizations.updateField(tx, entity.name, name, version, { spec: { ...spec, position: order } }))) throw this.stale(entity.name, name);
          } else {
            const current = input.overlays.find((o) => o.entity === entity.name && o.field === name);
            if (!(await customizations.putOverlay(tx, entity.name, name, { ...(current?.overlay ?? {}), order }, current?.version ?? null))) throw this.stale(entity.name, name);
          }
        }
      });
      await this.audit.event(actor, { action: 'field-order.set', entity: entity.name, detail: wanted.join(', ') });
      return { fields: wanted };
    });
  }

  private dropStatements(entity: EntityModel, f: FieldModel): string[] {
    const q = this.q;
    const out: string[] = [];
    if (this.db.dialect.kind === 'sqlite') {
      // SQLite refuses to drop an indexed column; MySQL drops the column's indexes with it.
      for (const index of [uniqueIndexName(entity.table, f.column), `idx_${entity.table}_${f.column}`]) out.push(`DROP INDEX IF EXISTS ${q(index)}`);
    }
    out.push(`ALTER TABLE ${q(entity.table)} DROP COLUMN ${q(f.column)}`);
    if (f.joinTable) out.push(`DROP TABLE IF EXISTS ${q(f.joinTable)}`);
    return out;
  }

  /**
   * Make the database fit `meta`, record the change with `write`, go live, tell the other
   * nodes. On the embedded database all of it is one transaction; MySQL commits DDL on
   * its own, so there the (additive, idempotent) DDL runs first and the definition is
   * written only once it succeeded — a failure leaves at most an unused column.
   */
  private async apply(meta: MetaRegistry, write: (tx: Executor) => Promise<void>, extraDdl: readonly string[] = []): Promise<void> {
    const ddl = [...(await this.runtime.schemaChanges(meta)), ...extraDdl];
    if (this.db.dialect.kind === 'sqlite') {
      await this.db.transaction(async (tx) => {
        await this.runtime.runDdl(ddl, tx);
        await write(tx);
      });
    } else {
      await this.runtime.runDdl(ddl);
      await this.db.transaction(write);
    }
    this.runtime.goLive(meta, this.runtime.problems);
    await this.runtime.announce();
  }

  /** The registry with `fields` in place of the stored ones, and the model of `info`; 400 when it does not fit. */
  private candidate(input: MetaInput, fields: readonly CustomFieldInfo[], info: CustomFieldInfo): { meta: MetaRegistry; field: FieldModel } {
    const rules = specRuleErrors(info);
    if (info.type === 'reference' && info.target && !this.meta.get(info.target)) rules.push({ field: 'target', rule: 'reference', message: `No entity "${info.target}"` });
    if (info.type === 'department' && !this.meta.get('department')) rules.push({ field: 'type', rule: 'unavailable', message: 'Department fields need the org plugin' });
    const dictionaries = this.dictionaries();
    if (info.dictionary && dictionaries && dictionaries.values(info.dictionary) === undefined) rules.push({ field: 'dictionary', rule: 'reference', message: `No dictionary "${info.dictionary}"` });
    if (rules.length) throw new ValidationError(rules);
    const { meta, problems } = this.runtime.build({ ...input, fields });
    const field = meta.get(info.entity)?.fields.get(info.name);
    if (!field) throw new ValidationError([{ field: 'name', rule: 'invalid', message: problems.find((p) => p.includes(`${info.entity}.${info.name}`)) ?? 'The field cannot be added' }]);
    if (info.default !== undefined) {
      const validator = new EntityValidator(meta.get(info.entity)!, createAjv(dictionaries));
      const errors = validator.check('update', { [info.name]: info.default }, '', true);
      if (errors.length) throw new ValidationError(errors.map((e) => ({ ...e, field: 'default', message: `default: ${e.message}` })));
    }
    return { meta, field };
  }

  private checkIndexBudget(entity: EntityModel): void {
    const indexed = [...entity.fields.values()].filter((f) => f.custom && ((f.def as { unique?: boolean }).unique || (f.def as { index?: boolean }).index)).length;
    if (indexed > MAX_INDEXED_FIELDS) throw new ValidationError([{ field: 'indexed', rule: 'max', message: `${entity.name} has the most indexed or unique custom fields allowed (${MAX_INDEXED_FIELDS})` }]);
  }

  private stored(input: MetaInput, entity: string, name: string): CustomFieldInfo {
    const f = input.fields.find((x) => x.entity === entity && x.name === name);
    if (!f) throw new NotFoundError(`${entity} has no custom field "${name}"`);
    return f;
  }

  private checkVersion(f: CustomFieldInfo, version: number): void {
    if (f.version !== version) throw this.stale(f.entity, f.name);
  }

  private stale(entity: string, name: string): ConflictError {
    return new ConflictError('stale-version', `${entity}.${name} was changed by someone else; read it again`, [{ field: 'version', rule: 'stale', message: 'version is not the current one' }]);
  }

  private get q(): (id: string) => string {
    return this.db.dialect.quote;
  }

  private async liveRows(entity: EntityModel): Promise<number> {
    const [row] = await this.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${this.q(entity.table)} WHERE deleted_at IS NULL`);
    return Number(row.n);
  }

  /** Give existing records the default of a field that became required. */
  private async backfill(tx: Executor, entity: EntityModel, f: FieldModel, value: unknown): Promise<void> {
    const q = this.q;
    if (f.multiple) {
      for (const [i, v] of (value as unknown[]).entries()) {
        await tx.run(`INSERT INTO ${q(f.joinTable)} (record_id, value, position) SELECT id, ?, ? FROM ${q(entity.table)} WHERE ${q(f.column)} IS NULL`, [v, i]);
      }
    }
    await tx.run(`UPDATE ${q(entity.table)} SET ${q(f.column)} = ? WHERE ${q(f.column)} IS NULL`, [encode(f, value)]);
  }
}
