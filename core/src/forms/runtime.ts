import { ValidationError, type FormDefinition } from '@plinth/sdk';
import type { Database, Executor } from '../data/database';
import { MetadataError } from '../meta/registry';
import type { EntitySource, MetaRuntime } from '../meta/runtime';
import { FORMS_PLUGIN, formEntityNames, formToEntities } from './entities';
import { FormRepository } from './repository';

/** Every stored data form (enabled or disabled, not deleted) as entities: a source of the metadata runtime. */
export const dataFormEntities: EntitySource = async (db) =>
  (await new FormRepository(db).list(db, { kind: 'data' })).flatMap((f) => formToEntities(f.definition).map((def) => ({ plugin: FORMS_PLUGIN, def })));

/** Applies a change of data forms to the live metadata and the schema. */
export interface DataFormApplier {
  /** Store a change of the data form `code` (`def`: its new definition; null: gone) with `write`, its tables and the metadata following. */
  apply<T>(code: string, def: FormDefinition | null, write: (tx: Executor) => Promise<T>): Promise<T>;
}

/**
 * Data forms through the metadata runtime: the registry is assembled with the form's new
 * entities, the additive DDL runs, the definition is written, the new registry goes live
 * and the other nodes are told. On the embedded database all of it is one transaction;
 * MySQL commits DDL on its own, so there the DDL runs first and a failed write leaves at
 * most unused tables or columns.
 */
export class RuntimeDataForms implements DataFormApplier {
  constructor(
    private readonly runtime: MetaRuntime,
    private readonly db: Database,
  ) {}

  apply<T>(code: string, def: FormDefinition | null, write: (tx: Executor) => Promise<T>): Promise<T> {
    return this.runtime.exclusive(async () => {
      const input = await this.runtime.input();
      const names = new Set(Object.values(formEntityNames(code)));
      const others = input.entities.filter((e) => !(e.plugin === FORMS_PLUGIN && names.has(e.def.name)));
      const entities = def ? [...others, ...formToEntities(def).map((d) => ({ plugin: FORMS_PLUGIN, def: d }))] : others;
      let meta;
      try {
        meta = this.runtime.build({ ...input, entities }).meta;
      } catch (err) {
        if (!(err instanceof MetadataError)) throw err;
        throw new ValidationError([{ field: 'code', rule: 'conflict', message: `The form's records cannot be stored: ${err.message}` }], 'The data form does not fit the metadata');
      }
      const ddl = await this.runtime.schemaChanges(meta);
      let result: T;
      if (this.db.dialect.kind === 'sqlite') {
        result = await this.db.transaction(async (tx) => {
          await this.runtime.runDdl(ddl, tx);
          return write(tx);
        });
      } else {
        await this.runtime.runDdl(ddl);
        result = await this.db.transaction(write);
      }
      this.runtime.goLive(meta, this.runtime.problems);
      await this.runtime.announce();
      return result;
    });
  }
}
