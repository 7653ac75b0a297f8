/** The base-data reads in the OpenAPI document (see api/basedata.ts and docs/configuration.md). */

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const i18n: Json = { type: 'object', required: ['zh-CN', 'en'], properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' }, 'zh-TW': { type: 'string' } } };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const common = { 401: problem('Not logged in'), 403: problem('No read grant'), 404: problem('No such dictionary or category') };

export const basedataSchemas: Json = {
  DictionaryEntry: {
    type: 'object',
    required: ['id', 'code', 'label', 'sortOrder', 'enabled', 'parent', 'color'],
    properties: {
      id: { type: 'integer' },
      code: { type: 'string', description: 'What records store' },
      label: i18n,
      sortOrder: { type: 'integer' },
      enabled: { type: 'boolean' },
      parent: { type: ['string', 'null'], description: "The parent item's code" },
      color: { type: ['string', 'null'] },
    },
  },
  CategoryNode: {
    type: 'object',
    required: ['id', 'code', 'label', 'sortOrder', 'enabled', 'children'],
    properties: { id: { type: 'integer' }, code: { type: 'string' }, label: i18n, sortOrder: { type: 'integer' }, enabled: { type: 'boolean' }, children: { type: 'array', items: ref('CategoryNode') } },
  },
  EffectiveAttribute: {
    type: 'object',
    required: ['name', 'type', 'label', 'required', 'options', 'dictionary', 'sortOrder', 'category', 'inherited'],
    properties: {
      name: { type: 'string' },
      type: { type: 'string', enum: ['string', 'text', 'integer', 'number', 'boolean', 'date', 'enum'] },
      label: i18n,
      required: { type: 'boolean' },
      options: { type: ['array', 'null'], items: { type: 'object', properties: { value: { type: 'string' }, label: i18n } } },
      dictionary: { type: ['string', 'null'] },
      sortOrder: { type: 'integer' },
      category: { type: 'integer', description: 'The category that defines it' },
      inherited: { type: 'boolean' },
    },
  },
};

export const basedataPaths: Json = {
  '/api/v1/dictionaries/{code}/items': {
    get: {
      tags: ['dictionaries'],
      summary: "A dictionary's items in order (from memory); disabled ones only with all=true",
      operationId: 'dictionaryItemsByCode',
      parameters: [
        { name: 'code', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'all', in: 'query', schema: { type: 'boolean' }, description: 'Include disabled items' },
      ],
      responses: {
        200: json({ type: 'object', properties: { dictionary: { type: 'object' }, data: { type: 'array', items: ref('DictionaryEntry') } } }),
        ...common,
      },
    },
  },
  '/api/v1/categories/tree/{kind}': {
    get: {
      tags: ['categories'],
      summary: 'The category tree of a kind, nested and in order',
      operationId: 'categoryTree',
      parameters: [
        { name: 'kind', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'enabled', in: 'query', schema: { type: 'boolean' }, description: 'Only enabled categories (and nothing under a disabled one)' },
      ],
      responses: { 200: json({ type: 'object', properties: { kind: { type: 'string' }, data: { type: 'array', items: ref('CategoryNode') } } }), ...common },
    },
  },
  '/api/v1/categories/{id}/attributes': {
    get: {
      tags: ['categories'],
      summary: "A category's effective attributes: its own and its ancestors' (the nearest definition of a name wins)",
      operationId: 'categoryAttributesEffective',
      parameters: [id],
      responses: { 200: json({ type: 'object', properties: { data: { type: 'array', items: ref('EffectiveAttribute') } } }), ...common },
    },
  },
  '/api/v1/categories/{id}/attributes/check': {
    post: {
      tags: ['categories'],
      summary: "Check attribute values against a category's effective attributes",
      operationId: 'checkCategoryAttributes',
      parameters: [id],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { values: { type: 'object' } } } } } },
      responses: {
        200: json({ type: 'object', properties: { valid: { type: 'boolean' }, errors: { type: 'array', items: ref('FieldError') } } }),
        400: problem('The body is not { values: {...} }'),
        ...common,
      },
    },
  },
};
