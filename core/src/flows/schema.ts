import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';

const schema = (meta: Record<string, unknown>) => new EntitySchema(meta as unknown as EntitySchemaMetadata<Record<string, unknown>>);
const keep = { ignoreSchemaChanges: ['default'] };
const longText = (kind: 'sqlite' | 'mysql') => ({ type: 'text', columnType: kind === 'mysql' ? 'mediumtext' : 'text' });
const id = { type: 'integer', primary: true, autoincrement: true, unsigned: true };
const at = (fieldName: string, nullable = false) => ({ type: 'string', length: 30, fieldName, ...(nullable ? { nullable: true, ...keep } : {}) });
const ref = (fieldName: string, nullable = false) => ({ type: 'integer', fieldName, ...(nullable ? { nullable: true, ...keep } : {}) });

/**
 * The flow engine's tables: definitions (current + every version), instances with their
 * data snapshot, a node instance per visit, a task per handler, the append-only event
 * log, durable timers, standing delegations and saved handler choices.
 */
export function flowSchemas(kind: 'sqlite' | 'mysql'): EntitySchema[] {
  return [
    schema({
      name: 'PlinthFlowDefinition',
      tableName: 'plinth_flow_definitions',
      uniques: [{ name: 'uq_plinth_flow_definitions_code', properties: ['code'] }],
      properties: {
        id,
        code: { type: 'string', length: 32 },
        version: { type: 'integer' },
        enabled: { type: 'boolean', default: true, ...keep },
        template: { type: 'string', length: 32, nullable: true, ...keep },
        form: { type: 'string', length: 32, nullable: true, ...keep },
        entity: { type: 'string', length: 64, nullable: true, ...keep },
        definition: longText(kind),
        createdAt: at('created_at'),
        createdBy: ref('created_by', true),
        updatedAt: at('updated_at'),
        updatedBy: ref('updated_by', true),
        deletedAt: at('deleted_at', true),
      },
    }),
    schema({
      name: 'PlinthFlowDefinitionVersion',
      tableName: 'plinth_flow_definition_versions',
      uniques: [{ name: 'uq_plinth_flow_def_versions', properties: ['code', 'version'] }],
      properties: { id, code: { type: 'string', length: 32 }, version: { type: 'integer' }, definition: longText(kind), createdAt: at('created_at'), createdBy: ref('created_by', true) },
    }),
    schema({
      name: 'PlinthFlowInstance',
      tableName: 'plinth_flow_instances',
      indexes: [
        { name: 'idx_plinth_flow_instances_initiator', properties: ['initiator', 'id'] },
        { name: 'idx_plinth_flow_instances_def', properties: ['definitionCode', 'status'] },
        { name: 'idx_plinth_flow_instances_parent', properties: ['parentId'] },
        { name: 'idx_plinth_flow_instances_record', properties: ['entity', 'recordId'] },
      ],
      properties: {
        id,
        definitionCode: { type: 'string', length: 32, fieldName: 'definition_code' },
        definitionVersion: { type: 'integer', fieldName: 'definition_version' },
        title: { type: 'string', length: 200 },
        status: { type: 'string', length: 16 },
        initiator: ref('initiator', true),
        form: { type: 'string', length: 32, nullable: true, ...keep },
        formVersion: ref('form_version', true),
        entity: { type: 'string', length: 64, nullable: true, ...keep },
        recordId: ref('record_id', true),
        data: longText(kind),
        /** The instance's own graph (custom model) or handler choices (predefined model). */
        overrides: { ...longText(kind), nullable: true, ...keep },
        parentId: ref('parent_id', true),
        parentNode: ref('parent_node', true),
        version: { type: 'integer', default: 1, ...keep },
        startedAt: at('started_at'),
        endedAt: at('ended_at', true),
        archivedAt: at('archived_at', true),
        destroyedAt: at('destroyed_at', true),
      },
    }),
    schema({
      name: 'PlinthFlowNode',
      tableName: 'plinth_flow_nodes',
      indexes: [{ name: 'idx_plinth_flow_nodes_instance', properties: ['instanceId', 'status'] }, { name: 'idx_plinth_flow_nodes_def', properties: ['definitionCode', 'nodeKey'] }],
      properties: {
        id,
        instanceId: ref('instance_id'),
        definitionCode: { type: 'string', length: 32, fieldName: 'definition_code' },
        nodeKey: { type: 'string', length: 64, fieldName: 'node_key' },
        kind: { type: 'string', length: 16 },
        name: { type: 'string', length: 100 },
        visit: { type: 'integer' },
        status: { type: 'string', length: 16 },
        outcome: { type: 'string', length: 16, nullable: true, ...keep },
        arrivals: { type: 'integer', default: 0, ...keep },
        childId: ref('child_id', true),
        enteredAt: at('entered_at'),
        leftAt: at('left_at', true),
        warnAt: at('warn_at', true),
        dueAt: at('due_at', true),
      },
    }),
    schema({
      name: 'PlinthFlowTask',
      tableName: 'plinth_flow_tasks',
      indexes: [
        { name: 'idx_plinth_flow_tasks_assignee', properties: ['assignee', 'status', 'id'] },
        { name: 'idx_plinth_flow_tasks_node', properties: ['nodeId'] },
        { name: 'idx_plinth_flow_tasks_instance', properties: ['instanceId'] },
        { name: 'idx_plinth_flow_tasks_decided', properties: ['decidedBy', 'decidedAt'] },
      ],
      properties: {
        id,
        instanceId: ref('instance_id'),
        nodeId: ref('node_id'),
        kind: { type: 'string', length: 16 },
        assignee: ref('assignee'),
        delegatedFrom: ref('delegated_from', true),
        parentTask: ref('parent_task', true),
        seq: { type: 'integer', default: 0, ...keep },
        status: { type: 'string', length: 16 },
        decision: { type: 'string', length: 16, nullable: true, ...keep },
        comment: { type: 'string', length: 2000, nullable: true, ...keep },
        report: { type: 'text', nullable: true, ...keep },
        urged: { type: 'integer', default: 0, ...keep },
        createdAt: at('created_at'),
        decidedAt: at('decided_at', true),
        decidedBy: ref('decided_by', true),
      },
    }),
    schema({
      name: 'PlinthFlowEvent',
      tableName: 'plinth_flow_events',
      indexes: [{ name: 'idx_plinth_flow_events_instance', properties: ['instanceId', 'id'] }],
      properties: {
        id,
        instanceId: ref('instance_id'),
        nodeId: ref('node_id', true),
        taskId: ref('task_id', true),
        at: { type: 'string', length: 30 },
        userId: ref('user_id', true),
        action: { type: 'string', length: 32 },
        detail: { type: 'text', nullable: true, ...keep },
      },
    }),
    schema({
      name: 'PlinthFlowTimer',
      tableName: 'plinth_flow_timers',
      indexes: [{ name: 'idx_plinth_flow_timers_due', properties: ['status', 'fireAt'] }, { name: 'idx_plinth_flow_timers_node', properties: ['nodeId'] }],
      properties: {
        id,
        instanceId: ref('instance_id'),
        nodeId: ref('node_id', true),
        kind: { type: 'string', length: 16 },
        fireAt: at('fire_at'),
        status: { type: 'string', length: 16 },
        firedAt: at('fired_at', true),
        detail: { type: 'string', length: 500, nullable: true, ...keep },
      },
    }),
    schema({
      name: 'PlinthFlowDelegation',
      tableName: 'plinth_flow_delegations',
      indexes: [{ name: 'idx_plinth_flow_delegations_user', properties: ['userId'] }],
      properties: {
        id,
        userId: ref('user_id'),
        delegateId: ref('delegate_id'),
        flow: { type: 'string', length: 32, nullable: true, ...keep },
        startsAt: at('starts_at'),
        endsAt: at('ends_at'),
        createdAt: at('created_at'),
      },
    }),
    schema({
      name: 'PlinthFlowChoice',
      tableName: 'plinth_flow_choices',
      uniques: [{ name: 'uq_plinth_flow_choices', properties: ['userId', 'flow'] }],
      properties: { id, userId: ref('user_id'), flow: { type: 'string', length: 32 }, choices: { type: 'text' }, savedAt: at('saved_at') },
    }),
  ];
}
