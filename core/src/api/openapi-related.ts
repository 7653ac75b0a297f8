/** Related tabs in the OpenAPI document (see api/related.ts). */
import type { EntityModel } from '../meta/model';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const i18n = { type: 'object', properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' }, 'zh-TW': { type: 'string' } } };

export const relatedSchemas: Json = {
  RelatedTabSummary: {
    type: 'object', required: ['key', 'label', 'order', 'entity', 'plural', 'foreignKey', 'count'],
    properties: {
      key: { type: 'string' }, label: i18n, order: { type: 'integer' },
      entity: { type: 'string', description: 'The entity the tab lists' }, plural: { type: 'string', description: 'Its REST path' },
      foreignKey: { type: 'string', description: 'Its reference field pointing at this record' },
      count: { type: 'integer', description: 'Related records the caller may read' },
    },
  },
};

/** Paths of one entity's related tabs; `listParameters` are the list query's. */
export function relatedPaths(e: EntityModel, listParameters: readonly Json[], listOf: (schema: Json) => Json): Record<string, Json> {
  const tag = e.plural;
  const Name = e.name[0].toUpperCase() + e.name.slice(1);
  return {
    [`/api/v1/${e.plural}/{id}/related`]: {
      get: {
        tags: [tag], summary: `Related tabs (关联菜单) of a ${e.label.en}, with the count of records you may read in each`, operationId: `related${Name}`,
        parameters: [idParam],
        responses: { 200: json({ type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref('RelatedTabSummary') } } }), 403: problem('No read right on the entity'), 404: problem('No such record, or not readable') },
      },
    },
    [`/api/v1/${e.plural}/{id}/related/{key}`]: {
      get: {
        tags: [tag], summary: `List one related tab of a ${e.label.en} (the records of the tab's entity that point at it)`, operationId: `relatedList${Name}`,
        parameters: [idParam, { name: 'key', in: 'path', required: true, schema: { type: 'string' } }, ...listParameters],
        responses: { 200: listOf({ type: 'object' }), 400: problem('Invalid query'), 404: problem('No such record or tab') },
      },
    },
  };
}

export const relatedAdminPaths: Json = {
  '/api/v1/related-tabs/{entity}': {
    get: {
      tags: ['relatedTabs'], summary: 'Every related tab of an entity: plugin-declared and administrators’, hidden and broken ones included (needs read on relatedTab)', operationId: 'relatedTabsOf',
      parameters: [{ name: 'entity', in: 'path', required: true, schema: { type: 'string' }, description: 'Entity name, e.g. customer' }],
      responses: { 200: json({ type: 'object' }), 403: problem('No read right on relatedTab'), 404: problem('No such entity') },
    },
  },
};
