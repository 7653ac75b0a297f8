import type { EntityModel } from '../meta/model';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const exportOptions: Json[] = [
  { name: 'format', in: 'query', schema: { type: 'string', enum: ['xlsx', 'csv'], default: 'xlsx' } },
  { name: 'lang', in: 'query', schema: { type: 'string', enum: ['zh-CN', 'en', 'zh-TW'] }, description: 'Language of the header row and labels; default from Accept-Language, else zh-CN' },
  { name: 'tz', in: 'query', schema: { type: 'string' }, description: 'IANA time zone for date-times (default: system parameter system.timeZone)' },
  { name: 'refs', in: 'query', schema: { type: 'string', enum: ['title', 'id'], default: 'title' }, description: 'References as titles (with (#id) when shared) or ids' },
];

const fileBody: Json = {
  required: true,
  description: 'The spreadsheet itself (xlsx or CSV), at most IMPORT_MAX_BYTES',
  content: { [XLSX]: { schema: { type: 'string', format: 'binary' } }, 'text/csv': { schema: { type: 'string', format: 'binary' } }, 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
};

const readParameters: Json[] = [
  { name: 'key', in: 'query', schema: { type: 'string' }, description: 'Upsert key: id or a unique field' },
  { name: 'headerRow', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
  { name: 'sheet', in: 'query', schema: { type: 'string' }, description: 'xlsx: worksheet name or 1-based position (default the first)' },
  { name: 'encoding', in: 'query', schema: { type: 'string' }, description: 'CSV: utf-8, gb18030, gbk, utf-16le… (default detected)' },
  { name: 'delimiter', in: 'query', schema: { type: 'string', maxLength: 1 }, description: 'CSV: , ; or tab (default detected)' },
];

const fileErrors = {
  400: problem('Invalid parameters or mapping, unreadable file'),
  403: problem('No import right, or a mapped field is read-only for you'),
  413: problem('Over IMPORT_MAX_BYTES or IMPORT_MAX_ROWS'),
  415: problem('Not xlsx or CSV'),
};

/** Export and import of one entity's records (core/src/api/io.ts). */
export function ioPaths(e: EntityModel, listParameters: readonly Json[]): Record<string, Json> {
  const tag = e.plural;
  const Name = e.name[0].toUpperCase() + e.name.slice(1);
  const spreadsheet = { description: 'The file (Content-Disposition: attachment)', content: { [XLSX]: { schema: { type: 'string', format: 'binary' } }, 'text/csv': { schema: { type: 'string' } } } };
  const listOnly = listParameters.filter((p) => ['filter', 'sort', 'fields'].includes(p.name as string));
  return {
    [`/api/v1/${e.plural}/export`]: {
      get: {
        tags: [tag], summary: `Export every ${e.label.en} matching a list query as xlsx or CSV (streamed)`, operationId: `export${Name}`,
        parameters: [...listOnly, ...exportOptions],
        responses: { 200: spreadsheet, 400: problem('Invalid query'), 403: problem('No export right') },
      },
      post: {
        tags: [tag], summary: `Export ${e.label.en} with the query in the body`, operationId: `exportQuery${Name}`,
        requestBody: { content: { 'application/json': { schema: ref('ExportRequest') } } },
        responses: { 200: spreadsheet, 400: problem('Invalid query'), 403: problem('No export right') },
      },
    },
    [`/api/v1/${e.plural}/import/preview`]: {
      post: {
        tags: [tag], summary: `Headers, suggested column mapping and first rows of a spreadsheet of ${e.label.en}`, operationId: `previewImport${Name}`,
        parameters: readParameters, requestBody: fileBody,
        responses: { 200: json(ref('ImportPreview')), ...fileErrors },
      },
    },
    [`/api/v1/${e.plural}/import`]: {
      post: {
        tags: [tag], summary: `Import ${e.label.en}: every row checked first; nothing written unless all pass (or skipBadRows)`, operationId: `import${Name}`,
        parameters: [
          { name: 'mapping', in: 'query', schema: { type: 'string' }, description: 'JSON {"column header": "field" or null}; default: the suggested mapping' },
          { name: 'skipBadRows', in: 'query', schema: { type: 'boolean', default: false } },
          { name: 'dryRun', in: 'query', schema: { type: 'boolean', default: false } },
          { name: 'emptyCells', in: 'query', schema: { type: 'string', enum: ['clear', 'keep'], default: 'clear' }, description: 'What an empty cell does to a record being updated' },
          { name: 'tz', in: 'query', schema: { type: 'string' }, description: 'Time zone of date-times without one' },
          ...readParameters,
        ],
        requestBody: fileBody,
        responses: {
          200: json(ref('ImportReport'), 'Imported (or checked, in a dry run); skipped rows listed in errors'),
          422: { description: 'Rows with errors; nothing written', content: { 'application/problem+json': { schema: { allOf: [ref('Problem'), ref('ImportReport')] } } } },
          ...fileErrors,
        },
      },
    },
  };
}

export const ioSchemas: Json = {
  ExportRequest: {
    type: 'object', additionalProperties: false,
    properties: {
      filter: { type: 'object' }, sort: { type: 'array', items: { type: 'string' } }, fields: { type: 'array', items: { type: 'string' } },
      format: { type: 'string', enum: ['xlsx', 'csv'] }, lang: { type: 'string', enum: ['zh-CN', 'en', 'zh-TW'] }, tz: { type: 'string' }, refs: { type: 'string', enum: ['title', 'id'] },
    },
  },
  ImportIssue: {
    type: 'object', required: ['row', 'field', 'rule', 'message'],
    properties: { row: { type: ['integer', 'null'], description: 'Row number as a spreadsheet shows it (header = 1)' }, column: { type: 'string', examples: ['C'] }, header: { type: 'string' }, field: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } },
  },
  ImportReport: {
    type: 'object',
    properties: {
      entity: { type: 'string' }, format: { type: 'string' }, sheet: { type: 'string' }, dryRun: { type: 'boolean' }, skipBadRows: { type: 'boolean' }, key: { type: ['string', 'null'] },
      rows: { type: 'integer' }, valid: { type: 'integer' }, invalid: { type: 'integer' }, created: { type: 'integer' }, updated: { type: 'integer' }, skipped: { type: 'integer' },
      written: { type: 'boolean' }, errorCount: { type: 'integer' }, errorsTruncated: { type: 'boolean' }, errors: { type: 'array', items: ref('ImportIssue'), maxItems: 1000 },
    },
  },
  ImportPreview: {
    type: 'object',
    properties: {
      format: { type: 'string' }, sheet: { type: 'string' }, sheets: { type: 'array', items: { type: 'string' } }, encoding: { type: 'string' }, delimiter: { type: 'string' }, headerRow: { type: 'integer' },
      columns: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, letter: { type: 'string' }, header: { type: 'string' }, field: { type: ['string', 'null'] }, match: { type: ['string', 'null'], enum: ['name', 'label', null] }, note: { type: 'string' } } } },
      mapping: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
      sample: { type: 'array', items: { type: 'object', properties: { row: { type: 'integer' }, cells: { type: 'array' } } } },
      fields: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, label: { type: 'object' }, type: { type: 'string' }, required: { type: 'boolean' }, key: { type: 'boolean' } } } },
    },
  },
};
