import { ConflictError, type CustomFieldInfo, type EntityDef, type FieldDef, type PluginDef } from '@plinth/sdk';
import type { Database, Executor } from '../data/database';
import { entitySchemas } from '../data/schema';
import type { Logger } from '../app/logger';
import type { Signals } from '../cluster/signals';
import { customizations, type StoredOverlay } from '../custom/store';
import { compact, specToFieldDef } from '../custom/spec';
import { MetaRegistry, MetadataError } from './registry';
import { isCustomizable } from './model';

/** Entities a module defines at runtime (data forms …), read from its own tables. */
export type EntitySource = (db: Executor) => Promise<{ plugin: string; def: EntityDef }[]>;

/** Everything the metadata is assembled from besides the plugins' code. */
export interface MetaInput {
  fields: readonly CustomFieldInfo[];
  overlays: readonly StoredOverlay[];
  entities: readonly { plugin: string; def: EntityDef }[];
}

export const META_TOPIC = 'meta';

/**
 * The metadata while the platform runs: assembled from the enabled plugins, runtime
 * entity sources, custom fields and overlays; rebuilt and swapped into the live registry
 * when an admin changes something, and when another node says it did.
 */
export class MetaRuntime {
  private readonly sources = new Map<string, EntitySource>();
  private tail: Promise<unknown> = Promise.resolve();
  /** Stored definitions that could not be applied (e.g. a custom reference to an entity whose plugin is disabled). */
  problems: string[] = [];

  constructor(
    readonly live: MetaRegistry,
    private readonly db: Database,
    private readonly plugins: () => readonly PluginDef[],
    private readonly signals: Signals | null,
    private readonly log: Logger,
  ) {
    signals?.on(META_TOPIC, () => this.exclusive(() => this.reload()));
  }

  addSource(name: string, source: EntitySource): void {
    this.sources.set(name, source);
  }

  /** What the stored definitions say now. */
  async input(db: Executor = this.db): Promise<MetaInput> {
    const entities: { plugin: string; def: EntityDef }[] = [];
    for (const source of this.sources.values()) entities.push(...(await source(db)));
    return { fields: await customizations.fields(db), overlays: await customizations.overlays(db), entities };
  }

  /** Assemble a registry; definitions that no longer fit are left out and reported in `problems`. */
  build(input: MetaInput): { meta: MetaRegistry; problems: string[] } {
    const meta = new MetaRegistry();
    const plugins = this.plugins();
    for (const plugin of plugins) for (const entity of plugin.entities ?? []) meta.add(plugin.name, entity);
    for (const { plugin, def } of input.entities) meta.add(plugin, def);
    for (const plugin of plugins) for (const ext of plugin.extend ?? []) meta.extend(plugin.name, ext);
    meta.validate();
    const problems: string[] = [];
    const byEntity = new Map<string, Record<string, FieldDef>>();
    for (const f of input.fields) {
      if (f.status !== 'active') continue;
      const entity = meta.get(f.entity);
      if (!entity || !isCustomizable(entity)) {
        problems.push(`Custom field ${f.entity}.${f.name}: entity "${f.entity}" is not available`);
        continue;
      }
      const def = compact(specToFieldDef(f));
      if (def.type === 'reference' && !meta.get(def.entity)) {
        problems.push(`Custom field ${f.entity}.${f.name}: references "${def.entity}", which is not available`);
        continue;
      }
      if (entity.fields.has(f.name)) {
        problems.push(`Custom field ${f.entity}.${f.name}: a plugin now declares a field of that name; rename or purge the custom one`);
        continue;
      }
      const fields = byEntity.get(f.entity) ?? {};
      fields[f.name] = def;
      byEntity.set(f.entity, fields);
    }
    for (const [entity, fields] of byEntity) meta.addCustomFields(entity, fields);
    // Custom field positions are overlays' `order` under the hood: one ordering mechanism.
    const positions = new Map(input.fields.filter((f) => f.position !== undefined).map((f) => [`${f.entity}.${f.name}`, f.position!]));
    const overlays = new Map(input.overlays.map((o) => [`${o.entity}.${o.field}`, o]));
    for (const key of new Set([...positions.keys(), ...overlays.keys()])) {
      const [entity, field] = key.split('.');
      if (!meta.get(entity)?.fields.has(field)) {
        if (overlays.has(key)) problems.push(`Overlay on ${key}: the field is not available`);
        continue;
      }
      try {
        meta.overlay(entity, field, { ...(positions.has(key) ? { order: positions.get(key) } : {}), ...overlays.get(key)?.overlay });
      } catch (err) {
        if (!(err instanceof MetadataError)) throw err;
        problems.push(err.message);
      }
    }
    return { meta, problems };
  }

  /** The DDL that makes the database fit `meta` (additive only). */
  async schemaChanges(meta: MetaRegistry, atStart = false): Promise<string[]> {
    const ddl = await this.db.schemaChangesFor(entitySchemas(meta, this.db.config.kind));
    // The embedded database alters some columns by copying the table: at start (a plugin
    // upgrade), never while requests run.
    const rebuild = atStart ? undefined : ddl.find((s) => /^drop table|__temp_alter/i.test(s));
    if (rebuild) throw new ConflictError('conflict', `This change would rebuild a table (${rebuild.slice(0, 100)}…); it is not applied at runtime`);
    return ddl;
  }

  async runDdl(statements: readonly string[], tx: Executor = this.db): Promise<void> {
    for (const sql of statements) await tx.run(sql);
  }

  /** At start: assemble from the stored definitions, bring the schema up to it, go live. */
  async start(): Promise<void> {
    const { meta, problems } = this.build(await this.input());
    // MikroORM applies it itself here: a plugin upgrade may need a table rebuild, which it
    // wraps in the embedded database's foreign-key pragmas.
    if ((await this.schemaChanges(meta, true)).length) await this.db.syncSchema();
    this.goLive(meta, problems);
  }

  /** Another node changed the definitions (and the schema): assemble again and go live. */
  async reload(): Promise<void> {
    const { meta, problems } = this.build(await this.input());
    this.goLive(meta, problems);
    this.log.info({ version: this.live.version }, 'metadata reloaded');
  }

  goLive(meta: MetaRegistry, problems: string[]): void {
    this.live.replaceWith(meta);
    this.problems = problems;
    for (const p of problems) this.log.warn({ problem: p }, 'a stored definition was not applied');
  }

  /** Tell the other nodes (after the change committed). */
  async announce(): Promise<void> {
    await this.signals?.publish(META_TOPIC);
  }

  /** Run metadata changes of this node one at a time. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
