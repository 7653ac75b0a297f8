/** Files in the OpenAPI document (see api/files.ts). */
import type { EntityModel } from '../meta/model';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };

const fileInfo = {
  type: 'object', required: ['id', 'name', 'mimeType', 'size', 'sha256', 'createdBy', 'createdAt'],
  properties: {
    id: { type: 'integer' }, name: { type: 'string', description: 'Made safe: last path segment, no control characters' }, mimeType: { type: 'string' },
    size: { type: 'integer' }, sha256: { type: 'string' }, createdBy: { type: ['integer', 'null'] }, createdAt: { type: 'string', format: 'date-time' },
  },
};
const download = { description: 'The file, as an attachment (Content-Disposition), never rendered inline', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };

export const fileSchemas: Json = { FileInfo: fileInfo };

export const filePaths: Json = {
  '/api/v1/files': {
    post: {
      tags: ['files'], summary: 'Upload a file: the raw body (Content-Type, name in X-File-Name, percent-encoded UTF-8) or multipart/form-data with one file part; at most UPLOAD_LIMIT bytes', operationId: 'uploadFile',
      parameters: [{ name: 'X-File-Name', in: 'header', schema: { type: 'string' }, description: 'Raw uploads: the file name, encodeURIComponent(name)' }],
      requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } }, 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } } } },
      responses: { 201: json(ref('FileInfo'), 'Stored'), 400: problem('No file, no name, or a malformed body'), 413: problem('Larger than UPLOAD_LIMIT') },
    },
  },
  '/api/v1/files/{id}': {
    get: { tags: ['files'], summary: 'Download a file you uploaded (administrators: any file)', operationId: 'downloadFile', parameters: [idParam], responses: { 200: download, 304: { description: 'Not modified (If-None-Match)' }, 404: problem('No such file, or not yours') } },
  },
};

/** Download of a file held by a record's file field, for entities that have file fields. */
export function recordFilePaths(e: EntityModel): Record<string, Json> {
  if (![...e.fields.values()].some((f) => f.type === 'file')) return {};
  return {
    [`/api/v1/${e.plural}/{id}/files/{fileId}`]: {
      get: {
        tags: [e.plural], summary: `Download a file held by one of the ${e.label.en}'s file fields (for whoever may read the record and the field)`, operationId: `file${e.name[0].toUpperCase()}${e.name.slice(1)}`,
        parameters: [idParam, { name: 'fileId', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
        responses: { 200: download, 404: problem('No such record, not readable, or the file is not in its (visible) file fields') },
      },
    },
  };
}
