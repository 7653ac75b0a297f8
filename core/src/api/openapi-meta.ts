/** The metadata administration in the OpenAPI document: custom fields, overlays, field order (see api/custom-fields.ts). */

type Json = Record<string, unknown>;

const problem = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const tags = ['metadata'];
const admin = problem('Not a system administrator');
const entity = { name: 'entity', in: 'path', required: true, schema: { type: 'string' } };
const name = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const field = { name: 'field', in: 'path', required: true, schema: { type: 'string' } };
const version = { name: 'version', in: 'query', schema: { type: 'integer', minimum: 1 }, description: 'The version you read (or body "version", or If-Match)' };
const body = (description: string): Json => ({ required: true, content: { 'application/json': { schema: { type: 'object', description } } } });
const conflict = problem('Existing records do not allow the change (errors list the records), or a stale version');

export const metaPaths: Json = {
  '/api/v1/meta/entities': { get: { tags, operationId: 'metaEntities', summary: 'The entities the caller may read, with their fields as they are now', responses: { 200: json({ type: 'object' }) } } },
  '/api/v1/meta/entities/{entity}': { get: { tags, operationId: 'metaEntity', summary: 'One entity with its fields (custom fields and overlays included, hidden ones left out)', parameters: [entity], responses: { 200: json({ type: 'object' }), 403: problem('No read right'), 404: problem('No such entity') } } },
  '/api/v1/meta/entities/{entity}/custom-fields': {
    get: { tags, operationId: 'listCustomFields', summary: "The entity's custom fields, removed ones too", parameters: [entity], responses: { 200: json({ type: 'object' }), 403: admin } },
    post: { tags, operationId: 'createCustomField', summary: 'Add a custom field (docs/custom-fields.md)', parameters: [entity], requestBody: body('name, type, label, options …'), responses: { 201: json({ type: 'object' }), 400: problem('Invalid (errors name the property)'), 403: admin, 409: conflict } },
  },
  '/api/v1/meta/entities/{entity}/custom-fields/{name}': {
    get: { tags, operationId: 'getCustomField', summary: 'One custom field', parameters: [entity, name], responses: { 200: json({ type: 'object' }), 403: admin, 404: problem('No such field') } },
    patch: { tags, operationId: 'updateCustomField', summary: 'Change a custom field (name and type are fixed; null drops an option)', parameters: [entity, name, version], requestBody: body('the properties to change, and version'), responses: { 200: json({ type: 'object' }), 400: problem('Invalid'), 403: admin, 409: conflict, 428: problem('No version') } },
    delete: { tags, operationId: 'removeCustomField', summary: 'Remove the field from the API (its column and data stay)', parameters: [entity, name, version], responses: { 200: json({ type: 'object' }), 403: admin, 409: conflict } },
  },
  '/api/v1/meta/entities/{entity}/custom-fields/{name}/restore': { post: { tags, operationId: 'restoreCustomField', summary: 'Bring a removed field back with its data', parameters: [entity, name, version], responses: { 200: json({ type: 'object' }), 403: admin, 409: conflict } } },
  '/api/v1/meta/entities/{entity}/custom-fields/{name}/purge': { post: { tags, operationId: 'purgeCustomField', summary: 'Drop a removed field’s column for good', parameters: [entity, name], responses: { 204: { description: 'Purged' }, 403: admin, 409: problem('Not removed') } } },
  '/api/v1/meta/entities/{entity}/overlays': { get: { tags, operationId: 'listFieldOverlays', summary: "The overlays on the entity's plugin and system fields, with their versions", parameters: [entity], responses: { 200: json({ type: 'object', properties: { data: { type: 'array', items: { type: 'object', properties: { entity: { type: 'string' }, field: { type: 'string' }, overlay: { type: 'object' }, version: { type: 'integer' } } } } } }), 403: admin, 404: problem('No such entity') } } },
  '/api/v1/meta/entities/{entity}/fields/{field}/overlay': {
    put: { tags, operationId: 'putFieldOverlay', summary: "Relabel, require, hide, reorder a plugin field or restrict its options (kept across plugin upgrades)", parameters: [entity, field, version], requestBody: body('label, help, required, hidden, order, values; version when one exists'), responses: { 200: json({ type: 'object' }), 400: problem('Invalid overlay'), 403: admin, 409: conflict } },
    delete: { tags, operationId: 'deleteFieldOverlay', summary: 'Back to the field as its plugin declares it', parameters: [entity, field], responses: { 204: { description: 'Cleared' }, 403: admin, 404: problem('No overlay') } },
  },
  '/api/v1/meta/entities/{entity}/field-order': {
    put: {
      tags, operationId: 'reorderFields',
      summary: 'Put every field but the system ones in the order given, as one change (custom fields get a position, the others an overlay order; only moved fields are written)',
      parameters: [entity],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['fields'], properties: { fields: { type: 'array', items: { type: 'string' } } } } } } },
      responses: { 200: json({ type: 'object', properties: { fields: { type: 'array', items: { type: 'string' } } } }), 400: problem('A field unknown, listed twice or missing'), 403: admin, 404: problem('No such entity'), 409: problem('Changed by someone else meanwhile') },
    },
  },
};
