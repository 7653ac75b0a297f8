import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';

const schema = (meta: Record<string, unknown>) => new EntitySchema(meta as unknown as EntitySchemaMetadata<Record<string, unknown>>);
const keep = { ignoreSchemaChanges: ['default'] };

/** Contents are stored in chunks: a row stays far below MySQL's max_allowed_packet and redo-log limits. */
export const CHUNK_SIZE = 1024 * 1024;

/** A stored file: what was uploaded, by whom. Several files may share one content (same SHA-256). */
export const fileSchema = schema({
  name: 'PlinthFile',
  tableName: 'plinth_files',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true, unsigned: true },
    name: { type: 'string', length: 255 },
    mimeType: { type: 'string', length: 255, fieldName: 'mime_type' },
    size: { type: 'bigint', fieldName: 'size' },
    sha256: { type: 'string', length: 64, fieldName: 'sha256', index: 'idx_plinth_files_sha256' },
    createdBy: { type: 'integer', fieldName: 'created_by', nullable: true, index: 'idx_plinth_files_created_by', ...keep },
    createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
  },
});

/** One content, by its SHA-256: written once however many files hold it. */
export const fileContentSchema = schema({
  name: 'PlinthFileContent',
  tableName: 'plinth_file_contents',
  properties: {
    sha256: { type: 'string', length: 64, primary: true, fieldName: 'sha256' },
    size: { type: 'bigint', fieldName: 'size' },
    chunks: { type: 'integer', fieldName: 'chunks' },
    createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
  },
});

export function fileChunkSchema(kind: 'sqlite' | 'mysql'): EntitySchema {
  return schema({
    name: 'PlinthFileChunk',
    tableName: 'plinth_file_chunks',
    properties: {
      sha256: { type: 'string', length: 64, primary: true, fieldName: 'sha256' },
      seq: { type: 'integer', primary: true, autoincrement: false, fieldName: 'seq' },
      // MEDIUMBLOB holds up to 16 MiB, plenty for one chunk.
      data: { type: 'blob', columnType: kind === 'mysql' ? 'mediumblob' : 'blob', fieldName: 'data' },
    },
  });
}

export const fileSchemas = (kind: 'sqlite' | 'mysql'): EntitySchema[] => [fileSchema, fileContentSchema, fileChunkSchema(kind)];
