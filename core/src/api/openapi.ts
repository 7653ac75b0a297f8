import type { EntityModel, FieldModel } from '../meta/model';
import type { MetaRegistry } from '../meta/registry';
import { TRASH_ONLY_FIELDS } from '../meta/model';
import { fieldSchema, mustBeSent, nullable } from '../services/validation';
import { FILTER_OPERATORS } from '@plinth/sdk';
import { MAX_LIMIT, DEFAULT_LIMIT } from '../query/list';
import { MAX_BULK } from '../services/records';
import { authPaths, authSchemas } from './openapi-auth';
import { basedataPaths, basedataSchemas } from './openapi-basedata';
import { relatedAdminPaths, relatedPaths, relatedSchemas } from './openapi-related';
import { filePaths, fileSchemas, recordFilePaths } from './openapi-files';
import { pluginPaths, pluginSchemas } from './openapi-plugins';
import { formPaths } from './openapi-forms';
import { flowPaths } from './openapi-flows';
import { notificationPaths } from './openapi-notifications';
import { ioPaths, ioSchemas } from './openapi-io';
import { metaPaths } from './openapi-meta';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const pascal = (s: string) => s[0].toUpperCase() + s.slice(1);

function describe(f: FieldModel, schema: Json): Json {
  const out: Json = { ...schema, title: f.label.en, 'x-label': f.label };
  if (f.def.type === 'reference') out.description = `Id of a ${f.def.entity}; expand=${f.name} embeds it`;
  if ('sensitive' in f.def && f.def.sensitive) out['x-sensitive'] = true;
  if (f.system) out.readOnly = !f.writable;
  return out;
}

function readSchema(e: EntityModel): Json {
  const properties: Json = {};
  for (const f of e.fields.values()) {
    if (TRASH_ONLY_FIELDS.has(f.name)) continue;
    if (f.def.type === 'collection') {
      properties[f.name] = { type: 'array', items: ref(pascal(f.def.entity)), description: `Present when expand=${f.name}`, 'x-label': f.label };
    } else if (f.def.type === 'reference') {
      properties[f.name] = { anyOf: [describe(f, fieldSchema(f)), ref(pascal(f.def.entity)), { type: 'null' }], title: f.label.en, 'x-label': f.label };
    } else {
      const base = f.name === 'id' || f.name === 'version' ? fieldSchema(f) : f.type === 'datetime' ? { type: 'string', format: 'date-time' } : fieldSchema(f);
      properties[f.name] = describe(f, f.name === 'id' || f.name === 'version' ? base : nullable(base));
    }
  }
  return { type: 'object', title: e.label.en, 'x-label': e.label, properties, required: ['id', 'version'] };
}

function writeSchema(e: EntityModel, mode: 'create' | 'update'): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const f of e.writable) {
    properties[f.name] = describe(f, f.required ? fieldSchema(f) : nullable(fieldSchema(f)));
    if (mustBeSent(f) && mode === 'create') required.push(f.name);
  }
  if (mode === 'update') {
    properties.version = { type: 'integer', minimum: 1, description: 'The version you read; a stale one is refused with 409. Or send If-Match.' };
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

const problemResponse = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const errors = { 400: problemResponse('Invalid input: see errors[]'), 401: problemResponse('Not logged in'), 404: problemResponse('No such record') };

const listParameters: Json[] = [
  { name: 'filter', in: 'query', schema: { type: 'string' }, description: `JSON filter, e.g. {"city":"上海","level":{"in":["vip","a"]}}; or filter[field][op]=value. Operators: ${FILTER_OPERATORS.join(', ')}; combine with and/or/not.` },
  { name: 'sort', in: 'query', schema: { type: 'string' }, description: 'Comma-separated fields, "-" for descending: -createdAt,name' },
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
  { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'meta.nextCursor of the previous page (keyset pagination)' },
  { name: 'fields', in: 'query', schema: { type: 'string' }, description: 'Comma-separated fields to return; customer.name for expanded ones' },
  { name: 'expand', in: 'query', schema: { type: 'string' }, description: 'Comma-separated references or collections to embed' },
  { name: 'count', in: 'query', schema: { type: 'boolean' }, description: 'Return meta.total' },
];

function entityPaths(e: EntityModel): Record<string, Json> {
  const Name = pascal(e.name);
  const tag = e.plural;
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
  const list = json({ type: 'object', properties: { data: { type: 'array', items: ref(Name) }, meta: ref('ListMeta') }, required: ['data', 'meta'] });
  return {
    [`/api/v1/${e.plural}`]: {
      get: { tags: [tag], summary: `List ${e.label.en}`, operationId: `list${Name}`, parameters: listParameters, responses: { 200: list, ...errors } },
      post: {
        tags: [tag], summary: `Create a ${e.label.en}`, operationId: `create${Name}`,
        requestBody: { required: true, content: { 'application/json': { schema: ref(`${Name}Create`) } } },
        responses: { 201: json(ref(Name), 'Created'), 409: problemResponse('A unique value is taken'), ...errors },
      },
    },
    [`/api/v1/${e.plural}/query`]: {
      post: {
        tags: [tag], summary: `List ${e.label.en} with the query in the body`, operationId: `query${Name}`,
        requestBody: { content: { 'application/json': { schema: ref('ListQuery') } } },
        responses: { 200: list, ...errors },
      },
    },
    [`/api/v1/${e.plural}/bulk`]: {
      post: {
        tags: [tag], summary: `Create, update and delete ${e.label.en} in one transaction (at most ${MAX_BULK})`, operationId: `bulk${Name}`,
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, properties: {
          create: { type: 'array', items: ref(`${Name}Create`) },
          update: { type: 'array', items: { allOf: [ref(`${Name}Update`), { type: 'object', required: ['id', 'version'], properties: { id: { type: 'integer' } } }] } },
          delete: { type: 'array', items: { type: 'integer' } },
        } } } } },
        responses: { 200: json({ type: 'object', properties: { created: { type: 'array', items: ref(Name) }, updated: { type: 'array', items: ref(Name) }, deleted: { type: 'array', items: { type: 'integer' } } } }), 409: problemResponse('Conflict; nothing was written'), ...errors },
      },
    },
    [`/api/v1/${e.plural}/trash`]: {
      get: { tags: [tag], summary: `List deleted ${e.label.en} (recycle bin)`, operationId: `trash${Name}`, parameters: listParameters, responses: { 200: list, ...errors } },
    },
    [`/api/v1/${e.plural}/trash/{id}`]: {
      delete: { tags: [tag], summary: 'Purge a record from the recycle bin', operationId: `purge${Name}`, parameters: [idParam], responses: { 204: { description: 'Purged' }, 409: problemResponse('Still referenced'), ...errors } },
    },
    [`/api/v1/${e.plural}/{id}`]: {
      get: {
        tags: [tag], summary: `Get a ${e.label.en}`, operationId: `get${Name}`,
        parameters: [idParam, listParameters[5], listParameters[6]],
        responses: { 200: json(ref(Name)), ...errors },
      },
      patch: {
        tags: [tag], summary: `Update a ${e.label.en} (optimistic locking)`, operationId: `update${Name}`,
        parameters: [idParam, { name: 'If-Match', in: 'header', schema: { type: 'string' }, description: 'The version you read, instead of body.version' }],
        requestBody: { required: true, content: { 'application/json': { schema: ref(`${Name}Update`) } } },
        responses: { 200: json(ref(Name)), 409: problemResponse('Stale version or unique value taken'), 428: problemResponse('No version sent'), ...errors },
      },
      delete: {
        tags: [tag], summary: `Move a ${e.label.en} to the recycle bin`, operationId: `delete${Name}`,
        parameters: [idParam, { name: 'If-Match', in: 'header', schema: { type: 'string' } }],
        responses: { 204: { description: 'Deleted' }, 409: problemResponse('Stale version'), ...errors },
      },
    },
    [`/api/v1/${e.plural}/{id}/restore`]: {
      post: { tags: [tag], summary: 'Restore from the recycle bin', operationId: `restore${Name}`, parameters: [idParam], responses: { 200: json(ref(Name)), ...errors } },
    },
    ...recordFilePaths(e),
    ...relatedPaths(e, listParameters, (items) => json({ type: 'object', properties: { data: { type: 'array', items }, meta: ref('ListMeta') }, required: ['data', 'meta'] })),
    ...ioPaths(e, listParameters),
  };
}

const commonSchemas: Json = {
  FieldError: {
    type: 'object', required: ['field', 'rule', 'message'],
    properties: { field: { type: 'string', examples: ['email', 'create[2].phone'] }, rule: { type: 'string', examples: ['required', 'maxLength', 'unique', 'reference'] }, message: { type: 'string' } },
  },
  Problem: {
    type: 'object', description: 'RFC 9457 problem details', required: ['type', 'title', 'status', 'detail', 'code'],
    properties: {
      type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' },
      errors: { type: 'array', items: ref('FieldError') }, requestId: { type: 'string' }, instance: { type: 'string' },
    },
  },
  ListMeta: {
    type: 'object', required: ['limit'],
    properties: { limit: { type: 'integer' }, offset: { type: 'integer' }, total: { type: 'integer' }, nextCursor: { type: ['string', 'null'] } },
  },
  ListQuery: {
    type: 'object', additionalProperties: false,
    properties: {
      filter: { type: 'object' }, sort: { type: 'array', items: { type: 'string' } }, limit: { type: 'integer' }, offset: { type: 'integer' },
      cursor: { type: 'string' }, fields: { type: 'array', items: { type: 'string' } }, expand: { type: 'array', items: { type: 'string' } }, count: { type: 'boolean' },
    },
  },
};

const platformPaths: Json = {
  // authentication: core/src/api/openapi-auth.ts
  ...authPaths,
  // dictionaries and categories beyond the generic resources: core/src/api/openapi-basedata.ts
  ...basedataPaths,
  ...relatedAdminPaths,
  ...filePaths,
  // plugin administration and menus: core/src/api/openapi-plugins.ts
  ...pluginPaths,
  // metadata administration (custom fields, overlays, field order): core/src/api/openapi-meta.ts
  ...metaPaths,
  // custom forms: core/src/api/openapi-forms.ts
  ...formPaths,
  // the flow engine: core/src/api/openapi-flows.ts
  ...flowPaths,
  // the signed-in user's notifications: core/src/api/openapi-notifications.ts
  ...notificationPaths,
  '/api/v1/audit': {
    get: {
      tags: ['audit'], summary: 'Read the operation log (needs a grant on auditLog)', operationId: 'auditLog',
      parameters: ['entity', 'recordId', 'userId', 'action', 'requestId', 'from', 'to', 'before', 'limit'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
      responses: { 200: json({ type: 'object' }), 403: problemResponse('No grant on auditLog') },
    },
  },
  '/api/v1/scripts': {
    get: { tags: ['scripts'], summary: 'List stored scripts (system administrators)', operationId: 'listScripts', parameters: [{ name: 'kind', in: 'query', schema: { type: 'string' } }], responses: { 200: json({ type: 'object' }), 403: problemResponse('Not an administrator') } },
    post: {
      tags: ['scripts'], summary: 'Save a new version of a script (compiled; errors name source:line:column)', operationId: 'saveScript',
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name', 'kind', 'language', 'source'], properties: { name: { type: 'string' }, kind: { type: 'string', enum: ['hook', 'validation', 'job', 'endpoint', 'subscriber'] }, target: { type: 'string', description: 'For hooks: <entity>:<beforeCreate|afterCreate|beforeUpdate|afterUpdate|beforeDelete|afterDelete>' }, language: { type: 'string', enum: ['ts', 'js'] }, source: { type: 'string' }, capabilities: { type: 'array', items: { type: 'string' } }, enabled: { type: 'boolean' } } } } } },
      responses: { 201: json({ type: 'object' }), 400: problemResponse('Invalid definition or compile errors') },
    },
  },
  '/api/v1/scripts/check': { post: { tags: ['scripts'], summary: 'Diagnostics of a source (nothing saved)', operationId: 'checkScript', responses: { 200: json({ type: 'object' }) } } },
  '/api/v1/scripts/dry-run': { post: { tags: ['scripts'], summary: 'Run a stored script or a source against an input; its writes are rolled back', operationId: 'dryRunScript', responses: { 200: json({ type: 'object' }) } } },
  '/api/v1/scripts/runs': { get: { tags: ['scripts'], summary: 'Script runs (failures by default)', operationId: 'scriptRuns', parameters: [{ name: 'script', in: 'query', schema: { type: 'string' } }, { name: 'limit', in: 'query', schema: { type: 'integer' } }], responses: { 200: json({ type: 'object' }) } } },
  '/api/v1/scripts/{name}': { patch: { tags: ['scripts'], summary: 'Enable or disable a script', operationId: 'enableScript', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: json({ type: 'object' }), 404: problemResponse('No such script') } } },
  '/healthz': { get: { tags: ['health'], summary: 'Liveness', security: [], operationId: 'healthz', responses: { 200: json({ type: 'object' }) } } },
  '/readyz': { get: { tags: ['health'], summary: 'Readiness (database reachable)', security: [], operationId: 'readyz', responses: { 200: json({ type: 'object' }), 503: problemResponse('Database unreachable') } } },
};

/** The OpenAPI 3.1 document, derived from the metadata. */
export function openApiDocument(meta: MetaRegistry, version: string): Json {
  const schemas: Json = { ...commonSchemas, ...authSchemas, ...basedataSchemas, ...relatedSchemas, ...fileSchemas, ...pluginSchemas, ...ioSchemas };
  let paths: Json = { ...platformPaths };
  for (const e of meta.all()) {
    const Name = pascal(e.name);
    schemas[Name] = readSchema(e);
    schemas[`${Name}Create`] = writeSchema(e, 'create');
    schemas[`${Name}Update`] = writeSchema(e, 'update');
    paths = { ...paths, ...entityPaths(e) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Plinth API', version, description: 'Generated from the metadata of the enabled plugins. Errors are RFC 9457 problem+json.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { cookie: [] }],
    tags: meta.all().map((e) => ({ name: e.plural, description: `${e.label.en} · ${e.label['zh-CN']} (plugin ${e.plugin})` })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/v1/auth/login, or an API token from POST /api/v1/auth/tokens' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'plinth_session', description: 'Browser session from POST /api/v1/auth/login with cookie: true; state-changing requests also need the X-CSRF-Token header' },
      },
    },
  };
}
