import { ConflictError, ValidationError, type Actor, type CustomFieldInfo, type CustomFieldSpec, type FieldError } from '@plinth/sdk';
import type { Database, Executor } from '../data/database';
import type { AuditLog } from '../audit/log';
import type { MetaInput, MetaRuntime } from '../meta/runtime';
import type { StoredOverlay } from '../custom/store';
import { customizations } from '../custom/store';
import { dataConflicts } from '../custom/checks';
import { compact, specShapeErrors } from '../custom/spec';
import { overlayErrors } from '../custom/overlay';
import { PLATFORM_VERSION } from '../app/version';
import { nowDb } from '../data/codec';
import type { RecordStore } from '../services/records';
import { recordSection, type RecordSectionSpec } from './records';
import { PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION, differences, packageShapeErrors, type ConfigPackage, type PackageItem } from './format';

export interface ItemChange {
  section: string;
  key: string;
  action: 'create' | 'update' | 'unchanged';
  /** Properties that differ: what this instance has and what the package brings. */
  changes?: Record<string, { before: unknown; after: unknown }>;
}

/** Metadata being changed by an import, shared by the sections while they plan. */
export interface ImportDraft {
  input: MetaInput;
  /** Keys the package brings, by section: references may point at them. */
  incoming: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface SectionPlan {
  changes: ItemChange[];
  errors: FieldError[];
  /** Write the section's changes, inside the import's transaction. */
  apply(tx: Executor): Promise<void>;
}

/** One kind of admin-made definition a package carries (custom fields, dictionaries, forms …). */
export interface PackageSection {
  name: string;
  /** Run after these sections (e.g. forms after dictionaries). */
  after?: readonly string[];
  export(): Promise<PackageItem[]>;
  plan(items: PackageItem[], draft: ImportDraft): Promise<SectionPlan>;
}

export interface ImportResult {
  dryRun: boolean;
  summary: { create: number; update: number; unchanged: number };
  items: ItemChange[];
}

const change = (section: string, key: string, before: Record<string, unknown> | undefined, after: Record<string, unknown>): ItemChange => {
  if (!before) return { section, key, action: 'create' };
  const changes = differences(before, after);
  return changes ? { section, key, action: 'update', changes } : { section, key, action: 'unchanged' };
};

const specOf = (f: CustomFieldInfo): CustomFieldSpec => {
  const { entity: _e, status: _s, version: _v, createdAt: _c, updatedAt: _u, ...spec } = f;
  return spec;
};

/** Custom fields, keyed `entity.name`. Importing never removes a field the package lacks. */
function customFieldSection(runtime: MetaRuntime, db: Database): PackageSection {
  return {
    name: 'customFields',
    // choice fields name dictionaries; dictionaries come first
    after: ['dictionaries', 'dictionaryItems'],
    async export() {
      return (await customizations.fields(db)).filter((f) => f.status === 'active').map((f) => ({ key: `${f.entity}.${f.name}`, data: { entity: f.entity, ...specOf(f) } }));
    },
    async plan(items, draft) {
      const errors: FieldError[] = [];
      const changes: ItemChange[] = [];
      const writes: ((tx: Executor) => Promise<void>)[] = [];
      const fields = [...draft.input.fields];
      for (const [i, item] of items.entries()) {
        const { entity, ...raw } = item.data as { entity?: unknown } & Record<string, unknown>;
        const at = `sections.customFields[${i}]`;
        const shape = specShapeErrors(raw);
        if (typeof entity !== 'string' || !runtime.live.get(entity)) shape.push({ field: 'entity', rule: 'reference', message: `No entity "${String(entity)}"` });
        if (shape.length) {
          errors.push(...shape.map((e) => ({ ...e, field: `${at}.${e.field}` })));
          continue;
        }
        const spec = compact(raw as unknown as CustomFieldSpec);
        const key = `${entity as string}.${spec.name}`;
        const index = fields.findIndex((f) => f.entity === entity && f.name === spec.name);
        const current = index >= 0 ? fields[index] : undefined;
        if (current && current.type !== spec.type) {
          errors.push({ field: `${at}.type`, rule: 'immutable', message: `${key} is a ${current.type} field here; a package cannot change its type` });
          continue;
        }
        const c = change('customFields', key, current && current.status === 'active' ? (specOf(current) as unknown as Record<string, unknown>) : undefined, spec as unknown as Record<string, unknown>);
        changes.push(c);
        if (c.action === 'unchanged') continue;
        const now = new Date().toISOString();
        const info: CustomFieldInfo = { ...spec, entity: entity as string, status: 'active', version: (current?.version ?? 0) + 1, createdAt: current?.createdAt ?? now, updatedAt: now };
        if (current) fields[index] = info;
        else fields.push(info);
        writes.push(async (tx) => {
          if (current) await tx.run('UPDATE plinth_custom_fields SET spec = ?, status = ?, version = version + 1, updated_at = ? WHERE entity = ? AND name = ?', [JSON.stringify(spec), 'active', nowDb(), entity, spec.name]);
          else await customizations.insertField(tx, entity as string, spec);
        });
      }
      draft.input = { ...draft.input, fields };
      return { changes, errors, apply: async (tx) => { for (const w of writes) await w(tx); } };
    },
  };
}

/** Overlays on plugin fields, keyed `entity.field`. */
function overlaySection(runtime: MetaRuntime, db: Database): PackageSection {
  return {
    name: 'overlays',
    after: ['customFields'],
    async export() {
      return (await customizations.overlays(db)).map((o) => ({ key: `${o.entity}.${o.field}`, data: { entity: o.entity, field: o.field, overlay: o.overlay } }));
    },
    async plan(items, draft) {
      const errors: FieldError[] = [];
      const changes: ItemChange[] = [];
      const overlays: StoredOverlay[] = [...draft.input.overlays];
      const writes: { entity: string; field: string; overlay: Record<string, unknown>; exists: boolean }[] = [];
      for (const [i, item] of items.entries()) {
        const { entity, field, overlay } = item.data as { entity?: string; field?: string; overlay?: Record<string, unknown> };
        const at = `sections.overlays[${i}]`;
        const model = entity && field ? runtime.live.get(entity)?.fields.get(field) : undefined;
        if (!model || model.custom) {
          errors.push({ field: `${at}.field`, rule: 'reference', message: `No plugin field "${String(entity)}.${String(field)}"` });
          continue;
        }
        const bad = overlayErrors(overlay, model);
        if (bad.length) {
          errors.push(...bad.map((e) => ({ ...e, field: `${at}.overlay.${e.field}` })));
          continue;
        }
        const index = overlays.findIndex((o) => o.entity === entity && o.field === field);
        const c = change('overlays', `${entity}.${field}`, index >= 0 ? (overlays[index].overlay as Record<string, unknown>) : undefined, overlay!);
        changes.push(c);
        if (c.action === 'unchanged') continue;
        const stored = { entity: entity!, field: field!, overlay: overlay!, version: (index >= 0 ? overlays[index].version : 0) + 1 };
        if (index >= 0) overlays[index] = stored;
        else overlays.push(stored);
        writes.push({ entity: entity!, field: field!, overlay: overlay!, exists: index >= 0 });
      }
      draft.input = { ...draft.input, overlays };
      return {
        changes,
        errors,
        apply: async (tx) => {
          for (const w of writes) {
            if (w.exists) await tx.run('UPDATE plinth_field_overlays SET overlay = ?, version = version + 1 WHERE entity = ? AND field = ?', [JSON.stringify(w.overlay), w.entity, w.field]);
            else await customizations.putOverlay(tx, w.entity, w.field, w.overlay, null);
          }
        },
      };
    },
  };
}

/**
 * Configuration packages: export admin-made definitions as one JSON document and import
 * one into another instance — first as a dry run that reports the differences, then
 * applied all at once: every section's checks pass or nothing is written.
 */
export class Packages {
  private readonly sections = new Map<string, PackageSection>();
  private readonly recordSpecs = new Map<string, RecordSectionSpec>();

  constructor(
    private readonly runtime: MetaRuntime,
    private readonly db: Database,
    private readonly audit: AuditLog,
  ) {
    this.register(customFieldSection(runtime, db));
    this.register(overlaySection(runtime, db));
  }

  register(section: PackageSection): void {
    this.sections.set(section.name, section);
  }

  /** Sections over entities' records (see records.ts), acting as `actor`. */
  registerRecords(store: () => RecordStore, actor: Actor, specs: readonly RecordSectionSpec[]): void {
    for (const spec of specs) {
      this.recordSpecs.set(spec.name, spec);
      this.register(recordSection(store, actor, spec, () => this.recordSpecs));
    }
  }

  /** The sections a package may hold, in the order they are exported and imported. */
  sectionNames(): string[] {
    return this.ordered().map((s) => s.name);
  }

  /** Sections in an order that respects `after`. */
  private ordered(): PackageSection[] {
    const out: PackageSection[] = [];
    const visit = (s: PackageSection, path: string[]) => {
      if (out.includes(s) || path.includes(s.name)) return;
      for (const dep of s.after ?? []) {
        const d = this.sections.get(dep);
        if (d) visit(d, [...path, s.name]);
      }
      out.push(s);
    };
    for (const s of this.sections.values()) visit(s, []);
    return out;
  }

  async export(only?: readonly string[], name?: string): Promise<ConfigPackage> {
    const unknown = (only ?? []).filter((s) => !this.sections.has(s));
    if (unknown.length) throw new ValidationError(unknown.map((s) => ({ field: 'sections', rule: 'enum', message: `Unknown section ${s}; known: ${[...this.sections.keys()].join(', ')}` })));
    const sections: Record<string, PackageItem[]> = {};
    for (const s of this.ordered()) if (!only || only.includes(s.name)) sections[s.name] = await s.export();
    return { format: PACKAGE_FORMAT, formatVersion: PACKAGE_FORMAT_VERSION, platformVersion: PLATFORM_VERSION, exportedAt: new Date().toISOString(), ...(name ? { name } : {}), sections };
  }

  import(actor: Actor, body: unknown, dryRun: boolean): Promise<ImportResult> {
    return this.runtime.exclusive(async () => {
      const shape = packageShapeErrors(body);
      if (shape.length) throw new ValidationError(shape, 'This is not a Plinth configuration package');
      const pkg = body as ConfigPackage;
      const unknown = Object.keys(pkg.sections).filter((s) => !this.sections.has(s));
      if (unknown.length) throw new ValidationError(unknown.map((s) => ({ field: `sections.${s}`, rule: 'unknown', message: `This instance has no section ${s} (is its plugin enabled?)` })));
      const incoming = new Map(Object.entries(pkg.sections).map(([name, items]) => [name, new Set(items.map((i) => i.key))]));
      const draft: ImportDraft = { input: await this.runtime.input(), incoming };
      const plans: SectionPlan[] = [];
      for (const s of this.ordered()) if (pkg.sections[s.name]) plans.push(await s.plan(pkg.sections[s.name], draft));
      const errors = plans.flatMap((p) => p.errors);
      if (errors.length) throw new ValidationError(errors, 'The package does not fit this instance; nothing was changed');
      const items = plans.flatMap((p) => p.changes);
      const { meta, problems } = this.runtime.build(draft.input);
      // What the data here does not allow, field by field, before anything changes.
      const refusals: FieldError[] = [];
      for (const item of items.filter((i) => i.section === 'customFields' && i.action !== 'unchanged')) {
        const [entityName, name] = item.key.split('.');
        const after = meta.get(entityName)?.fields.get(name);
        if (!after) {
          refusals.push({ field: `customFields.${item.key}`, rule: 'invalid', message: problems.find((p) => p.includes(item.key)) ?? 'The field cannot be applied' });
          continue;
        }
        const before = this.runtime.live.get(entityName)?.fields.get(name);
        const spec = draft.input.fields.find((f) => f.entity === entityName && f.name === name)!;
        if (before) {
          for (const r of await dataConflicts(this.db, meta.get(entityName)!, before, after, spec, 100)) refusals.push({ ...r, field: `customFields.${item.key}.${r.field}` });
        } else if (after.required && spec.default === undefined) {
          const [row] = await this.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${this.db.dialect.quote(meta.get(entityName)!.table)} WHERE deleted_at IS NULL`);
          if (Number(row.n) > 0) refusals.push({ field: `customFields.${item.key}.required`, rule: 'empty', message: `${row.n} existing records would have no value and no default is given` });
        }
      }
      if (refusals.length) throw new ConflictError('conflict', 'The data here does not allow the package; nothing was changed', refusals);
      const summary = { create: 0, update: 0, unchanged: 0 };
      for (const i of items) summary[i.action]++;
      if (dryRun || summary.create + summary.update === 0) return { dryRun, summary, items };
      const ddl = await this.runtime.schemaChanges(meta);
      // Record sections are written through the record service against the new metadata
      // (a related tab naming a field this package adds): it goes live for the writes, and
      // back if they fail.
      const previous = this.runtime.live.snapshot();
      const previousProblems = this.runtime.problems;
      const write = async (tx: Executor) => {
        this.runtime.goLive(meta, problems);
        for (const p of plans) await p.apply(tx);
      };
      try {
        if (this.db.dialect.kind === 'sqlite') {
          await this.db.transaction(async (tx) => {
            await this.runtime.runDdl(ddl, tx);
            await write(tx);
          });
        } else {
          await this.runtime.runDdl(ddl);
          await this.db.transaction(write);
        }
      } catch (err) {
        this.runtime.goLive(previous, previousProblems);
        throw err;
      }
      await this.runtime.announce();
      await this.audit.event(actor, { action: 'package.import', detail: `${pkg.name ?? 'package'}: ${summary.create} created, ${summary.update} updated` });
      return { dryRun, summary, items };
    });
  }
}
