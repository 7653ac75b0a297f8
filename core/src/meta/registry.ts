import { SYSTEM_FIELDS, type EntityDef, type EntityExtension, type FieldDef } from '@plinth/sdk';
import { snakeCase, systemFields, type EntityModel, type FieldModel } from './model';

/** A plugin's entities cannot be registered; the message says which and why. */
export class MetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataError';
  }
}

const NAME = /^[a-z][a-zA-Z0-9]*$/;
const SYSTEM_NAMES: ReadonlySet<string> = new Set(SYSTEM_FIELDS);

function fieldModel(entity: string, name: string, def: FieldDef): FieldModel {
  if (!NAME.test(name)) throw new MetadataError(`Entity "${entity}": field name "${name}" must be camelCase letters and digits`);
  if (SYSTEM_NAMES.has(name)) throw new MetadataError(`Entity "${entity}": field "${name}" is a system field and cannot be declared`);
  const column = def.type === 'collection' ? '' : def.type === 'reference' ? `${snakeCase(name)}_id` : snakeCase(name);
  const encrypted = (def.type === 'string' || def.type === 'text') && def.encrypted === true;
  return {
    encrypted,
    indexColumn: encrypted ? `${column}_bidx` : '',
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

/**
 * The metadata registry: every entity the enabled plugins declare, checked as a whole
 * (names unique, references resolvable). Everything else — schema, validation, SQL,
 * OpenAPI — is derived from it. `version` changes whenever the metadata does.
 */
export class MetaRegistry {
  private readonly byName = new Map<string, EntityModel>();
  private readonly byPlural = new Map<string, EntityModel>();
  private readonly byTable = new Map<string, EntityModel>();
  version = 0;

  /** Add fields (and indexes) of `plugin` to an entity another plugin declared. */
  extend(plugin: string, ext: EntityExtension): EntityModel {
    const current = this.byName.get(ext.entity);
    if (!current) throw new MetadataError(`Plugin "${plugin}" extends unknown entity "${ext.entity}" (is its plugin a dependency?)`);
    for (const name of Object.keys(ext.fields)) {
      if (name in current.def.fields) throw new MetadataError(`Plugin "${plugin}": entity "${ext.entity}" already has a field "${name}"`);
    }
    const def: EntityDef = { ...current.def, fields: { ...current.def.fields, ...ext.fields }, indexes: [...(current.def.indexes ?? []), ...(ext.indexes ?? [])] };
    this.byName.delete(current.name);
    this.byPlural.delete(current.plural);
    this.byTable.delete(current.table);
    return this.add(current.plugin, def);
  }

  add(plugin: string, def: EntityDef): EntityModel {
    if (!NAME.test(def.name)) throw new MetadataError(`Plugin "${plugin}": entity name "${def.name}" must be camelCase letters and digits`);
    const plural = def.plural ?? `${def.name}s`;
    const table = def.table ?? snakeCase(plural);
    for (const [key, map, what] of [[def.name, this.byName, 'name'], [plural, this.byPlural, 'plural'], [table, this.byTable, 'table']] as const) {
      const taken = map.get(key);
      if (taken) throw new MetadataError(`Plugin "${plugin}": entity ${what} "${key}" is already used by plugin "${taken.plugin}"`);
    }
    const fields = new Map<string, FieldModel>();
    for (const f of systemFields()) fields.set(f.name, f);
    for (const [name, fd] of Object.entries(def.fields)) fields.set(name, fieldModel(def.name, name, fd));
    const columns = [...fields.values()].filter((f) => f.column !== '');
    const titleField = def.titleField ?? columns.find((f) => !f.system && f.type === 'string')?.name ?? 'id';
    for (const index of def.indexes ?? []) {
      for (const name of index.fields) {
        const f = fields.get(name);
        if (!f || f.column === '') throw new MetadataError(`Entity "${def.name}": index names unknown field "${name}"`);
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
