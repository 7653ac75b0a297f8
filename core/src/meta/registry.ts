import { SYSTEM_FIELDS, type EntityDef, type EntityExtension, type FieldDef, type I18nText } from '@plinth/sdk';
import { snakeCase, systemFields, type EntityModel, type FieldModel } from './model';
import { reservedPluralProblem } from './reserved';

/** A plugin's entities cannot be registered; the message says which and why. */
export class MetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataError';
  }
}

export const FIELD_NAME = /^[a-z][a-zA-Z0-9]*$/;
const SYSTEM_NAMES: ReadonlySet<string> = new Set(SYSTEM_FIELDS);
/** Custom fields live in columns of their own namespace, so a plugin's later field never collides with one. */
export const CUSTOM_COLUMN_PREFIX = 'cf_';

/** What an admin may change on any field, kept apart from the plugin's definition so upgrades keep it. */
export interface FieldOverlay {
  label?: I18nText;
  help?: I18nText;
  required?: boolean;
  hidden?: boolean;
  order?: number;
  /** Replaces the labels, order or subset of a fixed-list enum's options. */
  values?: readonly { value: string; label: I18nText }[];
}

function fieldModel(entity: EntityDef, table: string, name: string, def: FieldDef, custom: boolean, position: number): FieldModel {
  if (!FIELD_NAME.test(name)) throw new MetadataError(`Entity "${entity.name}": field name "${name}" must be camelCase letters and digits`);
  if (SYSTEM_NAMES.has(name)) throw new MetadataError(`Entity "${entity.name}": field "${name}" is a system field and cannot be declared`);
  if (def.type === 'enum' && (def.values === undefined) === (def.dictionary === undefined)) {
    throw new MetadataError(`Entity "${entity.name}": enum field "${name}" needs either values or a dictionary`);
  }
  const base = custom ? `${CUSTOM_COLUMN_PREFIX}${snakeCase(name)}` : snakeCase(name);
  const column = def.type === 'collection' ? '' : def.type === 'reference' ? `${base}_id` : base;
  const encrypted = (def.type === 'string' || def.type === 'text') && def.encrypted === true;
  const multiple = (def.type === 'enum' || def.type === 'file') && def.multiple === true;
  return {
    encrypted,
    indexColumn: encrypted ? `${column}_bidx` : '',
    multiple,
    joinTable: multiple ? `${table}__${column}` : '',
    custom,
    hidden: false,
    order: position,
    name,
    column,
    type: def.type,
    label: def.label,
    def,
    system: false,
    writable: def.type !== 'collection' && def.readonly !== true,
    required: def.type !== 'collection' && def.required === true,
  };
}

function applyOverlay(f: FieldModel, o: FieldOverlay): FieldModel {
  const def = { ...f.def } as FieldDef & { help?: I18nText; required?: boolean; values?: unknown };
  if (o.label) def.label = o.label;
  if (o.help) def.help = o.help;
  if (o.required !== undefined && def.type !== 'collection') def.required = o.required;
  if (o.values && def.type === 'enum' && def.values) def.values = o.values;
  return {
    ...f,
    def,
    label: def.label,
    required: f.system || def.type === 'collection' ? f.required : o.required ?? f.required,
    hidden: o.hidden ?? f.hidden,
    order: o.order ?? f.order,
  };
}

interface Registered {
  plugin: string;
  def: EntityDef;
  custom: Set<string>;
}

/**
 * The metadata registry: every entity the enabled plugins and admins declare, checked as
 * a whole (names unique, references resolvable). Everything else — schema, validation,
 * SQL, OpenAPI — is derived from it. `version` changes whenever the metadata does; a
 * registry assembled anew at runtime replaces the live one in place (`replaceWith`), so
 * every holder sees the change.
 */
export class MetaRegistry {
  private byName = new Map<string, EntityModel>();
  private byPlural = new Map<string, EntityModel>();
  private byTable = new Map<string, EntityModel>();
  private sources = new Map<string, Registered>();
  private overlays = new Map<string, Map<string, FieldOverlay>>();
  version = 0;

  add(plugin: string, def: EntityDef): EntityModel {
    if (!FIELD_NAME.test(def.name)) throw new MetadataError(`Plugin "${plugin}": entity name "${def.name}" must be camelCase letters and digits`);
    const plural = def.plural ?? `${def.name}s`;
    const table = def.table ?? snakeCase(plural);
    const reserved = reservedPluralProblem(def.name, plural);
    if (reserved) throw new MetadataError(`Plugin "${plugin}": ${reserved}`);
    for (const [key, map, what] of [[def.name, this.byName, 'name'], [plural, this.byPlural, 'plural'], [table, this.byTable, 'table']] as const) {
      const taken = map.get(key);
      if (taken) throw new MetadataError(`Plugin "${plugin}": entity ${what} "${key}" is already used by plugin "${taken.plugin}"`);
    }
    this.sources.set(def.name, { plugin, def, custom: new Set() });
    return this.build(def.name);
  }

  /** Add fields (and indexes) of `plugin` to an entity another plugin declared. */
  extend(plugin: string, ext: EntityExtension): EntityModel {
    return this.merge(plugin, ext, false);
  }

  /** Add an admin's custom fields to an entity (columns `cf_…`). */
  addCustomFields(entity: string, fields: Record<string, FieldDef>): EntityModel {
    return this.merge('custom fields', { entity, fields }, true);
  }

  /** Admin changes to fields' presentation and rules, whoever declared them. */
  overlay(entity: string, field: string, overlay: FieldOverlay): void {
    const current = this.byName.get(entity);
    if (!current?.fields.has(field)) throw new MetadataError(`Overlay on unknown field "${entity}.${field}"`);
    let map = this.overlays.get(entity);
    if (!map) this.overlays.set(entity, (map = new Map()));
    map.set(field, overlay);
    this.build(entity);
  }

  private merge(by: string, ext: EntityExtension, custom: boolean): EntityModel {
    const src = this.sources.get(ext.entity);
    if (!src) throw new MetadataError(`Plugin "${by}" extends unknown entity "${ext.entity}" (is its plugin a dependency?)`);
    for (const name of Object.keys(ext.fields)) {
      if (name in src.def.fields) throw new MetadataError(`${custom ? 'Custom field' : `Plugin "${by}"`}: entity "${ext.entity}" already has a field "${name}"`);
    }
    src.def = { ...src.def, fields: { ...src.def.fields, ...ext.fields }, indexes: [...(src.def.indexes ?? []), ...(ext.indexes ?? [])] };
    if (custom) for (const name of Object.keys(ext.fields)) src.custom.add(name);
    return this.build(ext.entity);
  }

  private build(name: string): EntityModel {
    const { plugin, def, custom } = this.sources.get(name)!;
    const plural = def.plural ?? `${def.name}s`;
    const table = def.table ?? snakeCase(plural);
    const overlays = this.overlays.get(name);
    const declared: FieldModel[] = [];
    let position = 0;
    for (const [fname, fd] of Object.entries(def.fields)) declared.push(fieldModel(def, table, fname, fd, custom.has(fname), (position += 10)));
    const fields = new Map<string, FieldModel>();
    for (const f of systemFields()) fields.set(f.name, overlays?.get(f.name) ? applyOverlay(f, overlays.get(f.name)!) : f);
    const ordered = declared.map((f) => (overlays?.get(f.name) ? applyOverlay(f, overlays.get(f.name)!) : f)).sort((a, b) => a.order - b.order);
    for (const f of ordered) fields.set(f.name, f);
    const columns = [...fields.values()].filter((f) => f.column !== '');
    const titleField = def.titleField ?? columns.find((f) => !f.system && f.type === 'string')?.name ?? 'id';
    for (const index of def.indexes ?? []) {
      for (const n of index.fields) {
        const f = fields.get(n);
        if (!f || f.column === '' || f.multiple) throw new MetadataError(`Entity "${def.name}": index names unknown field "${n}"`);
      }
    }
    const placed = new Set<string>();
    const keys = new Set<string>();
    for (const section of def.sections ?? []) {
      if (keys.has(section.key)) throw new MetadataError(`Entity "${def.name}": section "${section.key}" is declared twice`);
      keys.add(section.key);
      for (const n of section.fields) {
        if (!fields.has(n) || fields.get(n)!.system) throw new MetadataError(`Entity "${def.name}": section "${section.key}" names unknown field "${n}"`);
        if (placed.has(n)) throw new MetadataError(`Entity "${def.name}": field "${n}" is in more than one section`);
        placed.add(n);
      }
    }
    const model: EntityModel = {
      name: def.name,
      plural,
      table,
      label: def.label,
      plugin,
      def,
      fields,
      columns,
      writable: [...fields.values()].filter((f) => f.writable),
      titleField,
      indexes: def.indexes ?? [],
    };
    this.byName.set(model.name, model);
    this.byPlural.set(plural, model);
    this.byTable.set(table, model);
    this.version++;
    return model;
  }

  /** Check what single entities cannot: that every reference and collection points somewhere valid. */
  validate(): void {
    for (const entity of this.byName.values()) {
      for (const f of entity.fields.values()) {
        if (f.def.type === 'reference' && !this.byName.has(f.def.entity)) {
          throw new MetadataError(`Entity "${entity.name}": field "${f.name}" references unknown entity "${f.def.entity}"`);
        }
        if (f.def.type === 'collection') {
          const target = this.byName.get(f.def.entity);
          if (!target) throw new MetadataError(`Entity "${entity.name}": collection "${f.name}" lists unknown entity "${f.def.entity}"`);
          const fk = target.fields.get(f.def.foreignKey);
          if (!fk || fk.def.type !== 'reference' || fk.def.entity !== entity.name) {
            throw new MetadataError(`Entity "${entity.name}": collection "${f.name}" needs "${target.name}.${f.def.foreignKey}" to be a reference to "${entity.name}"`);
          }
        }
      }
    }
  }

  /** A registry holding this one's current content (to go back to after a failed change). */
  snapshot(): MetaRegistry {
    const copy = new MetaRegistry();
    copy.replaceWith(this);
    copy.version = this.version;
    return copy;
  }

  /** Take over another registry's content (a runtime reassembly); holders of this one see it at once. */
  replaceWith(other: MetaRegistry): void {
    this.byName = other.byName;
    this.byPlural = other.byPlural;
    this.byTable = other.byTable;
    this.sources = other.sources;
    this.overlays = other.overlays;
    this.version = Math.max(this.version, other.version) + 1;
  }

  get(name: string): EntityModel | undefined {
    return this.byName.get(name);
  }

  byPluralName(plural: string): EntityModel | undefined {
    return this.byPlural.get(plural);
  }

  all(): EntityModel[] {
    return [...this.byName.values()];
  }
}
