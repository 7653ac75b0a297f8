/** The shape of a flow definition (types.ts), checked with ajv before the graph checks. */
const i18n = { type: 'object', required: ['zh-CN', 'en'], additionalProperties: false, properties: { 'zh-CN': { type: 'string', maxLength: 200 }, en: { type: 'string', maxLength: 200 }, 'zh-TW': { type: 'string', maxLength: 200 } } };
const ids = { type: 'array', minItems: 1, maxItems: 500, items: { type: 'integer', minimum: 1 } };
const key = { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,63}$' };

const handler = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['users', 'roles', 'departments', 'positions', 'groups', 'initiator', 'superior', 'departmentHead', 'field', 'nodeHandlers'] },
    ids,
    codes: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', maxLength: 64 } },
    levels: { enum: [1, 2] },
    field: { type: 'string', maxLength: 64 },
    node: key,
  },
  additionalProperties: false,
  allOf: [
    { if: { properties: { type: { enum: ['users', 'departments', 'positions', 'groups'] } } }, then: { required: ['ids'] } },
    { if: { properties: { type: { const: 'roles' } } }, then: { required: ['codes'] } },
    { if: { properties: { type: { const: 'field' } } }, then: { required: ['field'] } },
    { if: { properties: { type: { const: 'nodeHandlers' } } }, then: { required: ['node'] } },
  ],
};
const handlers = { type: 'array', maxItems: 50, items: handler };
const minutes = { type: 'number', exclusiveMinimum: 0, maximum: 525_600 };

export const FLOW_DEFINITION_SCHEMA = {
  type: 'object',
  required: ['code', 'label', 'model', 'nodes', 'edges'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]{0,31}$' },
    label: i18n,
    description: i18n,
    model: { enum: ['fixed', 'predefined', 'custom'] },
    form: { type: 'string', maxLength: 32 },
    entity: { type: 'string', maxLength: 64 },
    assign: { type: 'object', additionalProperties: false, properties: { when: { type: 'string', maxLength: 4000 }, priority: { type: 'integer', minimum: 0, maximum: 1_000_000 } } },
    custom: { type: 'object', required: ['kinds'], additionalProperties: false, properties: { kinds: { type: 'array', minItems: 1, items: { enum: ['approval', 'handle', 'notify'] } } } },
    starters: handlers,
    nodes: {
      type: 'array',
      minItems: 2,
      maxItems: 2000,
      items: {
        type: 'object',
        required: ['key', 'kind', 'name'],
        additionalProperties: false,
        properties: {
          key,
          kind: { enum: ['start', 'approval', 'handle', 'notify', 'condition', 'split', 'join', 'subflow', 'script', 'end'] },
          name: { type: 'string', minLength: 1, maxLength: 100 },
          handlers,
          countersign: { type: 'object', required: ['mode'], additionalProperties: false, properties: { mode: { enum: ['any', 'all', 'ratio', 'sequential'] }, percent: { type: 'integer', minimum: 1, maximum: 100 } } },
          onNobody: { enum: ['skip', 'admin', 'error'] },
          changeable: { type: 'boolean' },
          timeLimit: {
            type: 'object',
            required: ['minutes'],
            additionalProperties: false,
            properties: { minutes, warnMinutes: minutes, remindEveryMinutes: minutes, onOverdue: { enum: ['none', 'urge', 'escalate', 'approve', 'reject', 'jump'] }, escalateTo: handlers, jumpTo: key },
          },
          autoJump: { type: 'array', maxItems: 20, items: { type: 'object', required: ['when', 'to'], additionalProperties: false, properties: { when: { type: 'string', maxLength: 4000 }, to: key } } },
          join: { type: 'object', required: ['mode'], additionalProperties: false, properties: { mode: { enum: ['all', 'any', 'count'] }, count: { type: 'integer', minimum: 1 } } },
          flow: { type: 'string', maxLength: 32 },
          script: { type: 'string', maxLength: 100 },
          report: { type: 'boolean' },
          position: { type: 'object', additionalProperties: false, properties: { x: { type: 'number' }, y: { type: 'number' } } },
        },
      },
    },
    edges: {
      type: 'array',
      maxItems: 5000,
      items: {
        type: 'object',
        required: ['from', 'to'],
        additionalProperties: false,
        properties: { from: key, to: key, when: { type: 'string', maxLength: 4000 }, script: { type: 'string', maxLength: 100 }, default: { type: 'boolean' }, on: { enum: ['approved', 'rejected'] }, label: { type: 'string', maxLength: 100 } },
      },
    },
  },
};
