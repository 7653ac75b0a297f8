import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';

const schema = (meta: Record<string, unknown>) => new EntitySchema(meta as unknown as EntitySchemaMetadata<Record<string, unknown>>);

/** MariaDB reports NULL defaults as 'NULL': without this the differ rewrites nullable columns on every sync. */
const keep = { ignoreSchemaChanges: ['default'] };

/** Long text: MySQL's TEXT stops at 64 KB. */
const longText = (kind: 'sqlite' | 'mysql') => ({ type: 'text', columnType: kind === 'mysql' ? 'mediumtext' : 'text' });

/**
 * Stored scripts, one row per version: saving a script adds a row with the next version;
 * the highest version of a name is the current one (and carries `enabled`). Nothing is
 * rewritten, so every run can name the exact code it ran.
 */
export function scriptSchema(kind: 'sqlite' | 'mysql'): EntitySchema {
  return schema({
    name: 'PlinthScript',
    tableName: 'plinth_scripts',
    indexes: [{ name: 'idx_plinth_scripts_kind_target', properties: ['kind', 'target'] }],
    uniques: [{ name: 'uq_plinth_scripts_name_version', properties: ['name', 'version'] }],
    properties: {
      id: { type: 'integer', primary: true, autoincrement: true, unsigned: true },
      name: { type: 'string', length: 100 },
      version: { type: 'integer' },
      /** hook | validation | computed | flow | job | endpoint | subscriber */
      kind: { type: 'string', length: 16 },
      /** hook/validation: entity (and event, `customer:beforeCreate`); job: cron; endpoint: path; subscriber: event. */
      target: { type: 'string', length: 255, nullable: true, ...keep },
      /** ts | js */
      language: { type: 'string', length: 4 },
      source: longText(kind),
      compiled: longText(kind),
      enabled: { type: 'boolean', default: true, ...keep },
      /** JSON array of capabilities. */
      capabilities: { type: 'text' },
      /** JSON object of limits, or null for the kind's defaults. */
      limits: { type: 'text', nullable: true, ...keep },
      /** The role a script runs as instead of the calling user, granted by an admin. */
      serviceRole: { type: 'string', length: 64, nullable: true, fieldName: 'service_role', ...keep },
      description: { type: 'string', length: 500, nullable: true, ...keep },
      createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
      createdBy: { type: 'integer', nullable: true, fieldName: 'created_by', ...keep },
    },
  });
}

/** One row per run worth keeping (all runs, or failures only: the recorder's choice). */
export function scriptRunSchema(kind: 'sqlite' | 'mysql'): EntitySchema {
  return schema({
    name: 'PlinthScriptRun',
    tableName: 'plinth_script_runs',
    indexes: [
      { name: 'idx_plinth_script_runs_script_at', properties: ['script', 'at'] },
      { name: 'idx_plinth_script_runs_at', properties: ['at'] },
    ],
    properties: {
      id: { type: 'integer', primary: true, autoincrement: true, unsigned: true },
      script: { type: 'string', length: 100 },
      version: { type: 'integer' },
      /** ok | error | rejected | limit | unavailable */
      status: { type: 'string', length: 16 },
      /** What ran it: `hook:customer:beforeCreate`, `job`, `dry-run`… */
      trigger: { type: 'string', length: 100, nullable: true, ...keep },
      durationMs: { type: 'double', fieldName: 'duration_ms' },
      cpuMs: { type: 'double', fieldName: 'cpu_ms', nullable: true, ...keep },
      /** Heap in use after the run, bytes. */
      memory: { type: 'integer', nullable: true, ...keep },
      errorCode: { type: 'string', length: 64, nullable: true, fieldName: 'error_code', ...keep },
      error: { type: 'text', nullable: true, ...keep },
      /** JSON array of log lines. */
      logs: longText(kind),
      userId: { type: 'integer', nullable: true, fieldName: 'user_id', ...keep },
      at: { type: 'string', length: 30 },
    },
  });
}

/** Both schemas, for `Database.open(config, [...others, ...scriptSchemas(kind)])`. */
export function scriptSchemas(kind: 'sqlite' | 'mysql'): EntitySchema[] {
  return [scriptSchema(kind), scriptRunSchema(kind)];
}
