import Ajv, { type ValidateFunction } from 'ajv';
import type { FieldError, FormDefinition } from '@plinth/sdk';
import { compileExpression, ExpressionError } from '../expressions';
import { jsonPointerToPath } from '../forms/definition';
import { FLOW_DEFINITION_SCHEMA } from './definition-schema';
import { FlowGraph } from './graph';
import { PEOPLE_KINDS, type FlowDefinition, type FlowNode, type HandlerSpec } from './types';

/** What a definition may refer to outside itself; omitted checks are skipped. */
export interface FlowDefinitionContext {
  form?(code: string): FormDefinition | undefined | null;
  entityExists?(name: string): boolean;
  flowExists?(code: string): boolean;
  /** Whether an enabled flow script (kind `flow`) has this name. */
  scriptExists?(name: string): boolean;
}

let structure: ValidateFunction | null = null;
const structureValidator = (): ValidateFunction => (structure ??= new Ajv({ allErrors: true, strict: false }).compile(FLOW_DEFINITION_SCHEMA));

/** Names an expression may use beyond the form's fields. */
const INSTANCE_NAMES = ['initiator', 'instance'];

/**
 * Check a flow definition; every error names its place (`nodes[3].handlers`) and the node
 * (`Node "hr" …`): structure, unique keys, edges to nothing, exactly one start, an end,
 * unreachable nodes, nodes with no way to an end (cycles without exit), joins without a
 * split before them, people nodes without handlers, condition branches, expressions,
 * sub-flows and forms that do not exist.
 */
export function checkFlowDefinition(input: unknown, context: FlowDefinitionContext = {}): { def: FlowDefinition | null; errors: FieldError[] } {
  const validate = structureValidator();
  if (!validate(input)) {
    const errors = (validate.errors ?? []).map((e) => {
      const base = jsonPointerToPath(e.instancePath);
      if (e.keyword === 'additionalProperties') {
        const prop = (e.params as { additionalProperty: string }).additionalProperty;
        return { field: base ? `${base}.${prop}` : prop, rule: 'unknown', message: `${base ? `${base}: ` : ''}unknown property "${prop}"` };
      }
      if (e.keyword === 'required') {
        const prop = (e.params as { missingProperty: string }).missingProperty;
        return { field: base ? `${base}.${prop}` : prop, rule: 'required', message: `${base ? `${base}.` : ''}${prop} is required` };
      }
      return { field: base || '(definition)', rule: e.keyword === 'pattern' ? 'pattern' : e.keyword === 'enum' ? 'enum' : 'type', message: `${base || 'definition'} ${e.message ?? 'is invalid'}` };
    });
    // ajv reports every branch of a oneOf; keep one error per place and rule
    const seen = new Set<string>();
    return { def: null, errors: errors.filter((e) => (seen.has(`${e.field}|${e.rule}`) ? false : (seen.add(`${e.field}|${e.rule}`), true))) };
  }
  const def = input as FlowDefinition;
  const errors: FieldError[] = [];
  const err = (field: string, rule: string, message: string) => errors.push({ field, rule, message });
  const at = (n: FlowNode) => `nodes[${def.nodes.indexOf(n)}]`;

  // keys
  const keys = new Map<string, number>();
  def.nodes.forEach((n, i) => {
    if (keys.has(n.key)) err(`nodes[${i}].key`, 'unique', `Node "${n.key}" is defined twice`);
    else keys.set(n.key, i);
  });
  def.edges.forEach((e, i) => {
    if (!keys.has(e.from)) err(`edges[${i}].from`, 'reference', `Edge ${i} starts at "${e.from}", which is not a node`);
    if (!keys.has(e.to)) err(`edges[${i}].to`, 'reference', `Edge ${i} leads to "${e.to}", which is not a node`);
  });
  const starts = def.nodes.filter((n) => n.kind === 'start');
  if (starts.length !== 1) err('nodes', 'start', `A flow has exactly one start node (found ${starts.length})`);
  if (!def.nodes.some((n) => n.kind === 'end')) err('nodes', 'end', 'A flow needs an end node');
  if (def.form && def.entity) err('entity', 'conflict', 'A flow starts from a form or from an entity record, not both');
  if (def.model === 'custom' && !def.custom) err('custom', 'required', 'A custom-model flow names the node kinds an initiator may use (custom.kinds)');
  if (errors.length) return { def: null, errors };

  const graph = new FlowGraph(def);
  const form = def.form ? context.form?.(def.form) : undefined;
  if (def.form && context.form && !form) err('form', 'reference', `There is no form "${def.form}"`);
  if (def.entity && context.entityExists && !context.entityExists(def.entity)) err('entity', 'reference', `There is no entity "${def.entity}"`);
  const fieldNames = new Set([...(form?.fields.map((f) => f.name) ?? []), ...INSTANCE_NAMES]);
  const fieldType = (name: string) => form?.fields.find((f) => f.name === name)?.type;
  const expression = (field: string, source: string, nodeKey: string) => {
    try {
      const compiled = compileExpression(source);
      if (form) {
        const unknown = compiled.references.map((r) => r[0]).find((name) => !fieldNames.has(name));
        if (unknown) err(field, 'expression', `Node "${nodeKey}": unknown name "${unknown}" in ${source} (the form ${def.form} has no such field)`);
      }
    } catch (e) {
      if (e instanceof ExpressionError) err(field, 'expression', `Node "${nodeKey}": ${e.message}`);
      else throw e;
    }
  };
  const scriptReference = (field: string, name: string, what: string) => {
    if (context.scriptExists && !context.scriptExists(name)) err(field, 'reference', `${what}: there is no enabled flow script "${name}"`);
  };
  const handlerChecks = (field: string, specs: readonly HandlerSpec[], n: FlowNode) => {
    specs.forEach((h, i) => {
      if ((h.type === 'field' || (h.type === 'departmentHead' && h.field)) && form) {
        const type = fieldType(h.field!);
        const want = h.type === 'field' ? 'user' : 'department';
        if (type !== want) err(`${field}[${i}].field`, 'reference', `Node "${n.key}": the form has no ${want} field "${h.field}"`);
      }
      if (h.type === 'nodeHandlers') {
        const target = graph.nodes.get(h.node);
        if (!target || !PEOPLE_KINDS.includes(target.kind)) err(`${field}[${i}].node`, 'reference', `Node "${n.key}": "${h.node}" is not a node with handlers`);
        else if (!graph.leadsTo(h.node, n.key)) err(`${field}[${i}].node`, 'order', `Node "${n.key}": "${h.node}" does not come before it`);
      }
    });
  };

  const start = starts[0];
  const reachable = graph.reachable(start.key);
  const ends = def.nodes.filter((n) => n.kind === 'end').map((n) => n.key);
  const canFinish = new Set<string>();
  for (const e of ends) for (const k of graph.reachable(e, true)) canFinish.add(k);

  for (const n of def.nodes) {
    const place = at(n);
    const out = graph.outgoing(n.key);
    const inc = graph.incoming(n.key);
    if (!reachable.has(n.key)) err(place, 'unreachable', `Node "${n.key}" cannot be reached from the start`);
    else if (!canFinish.has(n.key)) err(place, 'no-exit', `Node "${n.key}" has no way to an end (a cycle without exit or a dead end)`);
    if (n.kind === 'start' && inc.length) err(place, 'start', `The start node "${n.key}" cannot have incoming edges (a return to the initiator is an operation)`);
    if (n.kind === 'end' && out.length) err(place, 'end', `The end node "${n.key}" cannot have outgoing edges`);
    if (n.kind !== 'end' && n.kind !== 'condition' && n.kind !== 'split' && n.kind !== 'approval' && n.kind !== 'script' && out.length > 1) {
      err(place, 'edges', `Node "${n.key}" (${n.kind}) has ${out.length} outgoing edges; branch with a condition or a split node`);
    }
    if (n.kind === 'approval') {
      const approved = out.filter((e) => (e.on ?? 'approved') === 'approved');
      const rejected = out.filter((e) => e.on === 'rejected');
      if (approved.length !== 1) err(place, 'edges', `Approval node "${n.key}" needs exactly one edge for "approved" (has ${approved.length})`);
      if (rejected.length > 1) err(place, 'edges', `Approval node "${n.key}" has more than one edge for "rejected"`);
    } else {
      out.forEach((e) => {
        if (e.on) err(`edges[${def.edges.indexOf(e)}].on`, 'conflict', `Only approval nodes branch on their outcome ("${n.key}" is ${n.kind})`);
      });
    }
    if (n.kind === 'condition') {
      const defaults = out.filter((e) => e.default);
      if (out.length < 2) err(place, 'edges', `Condition node "${n.key}" needs at least two branches`);
      if (defaults.length > 1) err(place, 'edges', `Condition node "${n.key}" has more than one default branch`);
      out.forEach((e) => {
        const i = def.edges.indexOf(e);
        if (!e.default && !e.when && !e.script) err(`edges[${i}].when`, 'required', `Branch ${e.from} → ${e.to} of condition node "${n.key}" needs a condition (when or script, or default: true)`);
        if (e.when && e.script) err(`edges[${i}].script`, 'conflict', `Branch ${e.from} → ${e.to} of condition node "${n.key}" has both an expression and a script; keep one`);
        if (e.script && e.default) err(`edges[${i}].script`, 'conflict', `The default branch ${e.from} → ${e.to} of condition node "${n.key}" needs no script`);
        if (e.when) expression(`edges[${i}].when`, e.when, n.key);
        if (e.script) scriptReference(`edges[${i}].script`, e.script, `Branch ${e.from} → ${e.to}`);
      });
    } else {
      out.forEach((e) => {
        if (e.when || e.default) err(`edges[${def.edges.indexOf(e)}].when`, 'conflict', `Only condition nodes have conditional branches ("${n.key}" is ${n.kind})`);
        if (e.script) err(`edges[${def.edges.indexOf(e)}].script`, 'conflict', `Only condition nodes have script branches ("${n.key}" is ${n.kind})`);
      });
    }
    if (n.kind === 'split' && out.length < 2) err(place, 'edges', `Split node "${n.key}" needs at least two branches`);
    if (n.kind === 'join') {
      if (inc.length < 2) err(place, 'join', `Join node "${n.key}" needs at least two incoming branches`);
      const before = graph.reachable(n.key, true);
      if (![...before].some((k) => graph.nodes.get(k)?.kind === 'split')) err(place, 'join', `Join node "${n.key}" has no split before it`);
      if (n.join?.mode === 'count' && !(n.join.count && n.join.count >= 1 && n.join.count <= inc.length)) {
        err(`${place}.join.count`, 'range', `Join node "${n.key}" waits for count branches: between 1 and ${inc.length}`);
      }
    }
    if (PEOPLE_KINDS.includes(n.kind)) {
      const chosen = def.model === 'predefined' && n.changeable !== false;
      if (!n.handlers?.length && !chosen) err(`${place}.handlers`, 'required', `Node "${n.key}" has no handlers`);
      if (n.handlers) handlerChecks(`${place}.handlers`, n.handlers, n);
      if (n.countersign?.mode === 'ratio' && n.countersign.percent === undefined) err(`${place}.countersign.percent`, 'required', `Node "${n.key}": a ratio countersign names its percent`);
      if (n.kind === 'notify' && n.countersign) err(`${place}.countersign`, 'conflict', `Node "${n.key}": a notify node needs no decision`);
    } else {
      for (const prop of ['handlers', 'countersign', 'timeLimit'] as const) {
        if (n[prop] !== undefined) err(`${place}.${prop}`, 'conflict', `Node "${n.key}" (${n.kind}) has no handlers; ${prop} does not apply`);
      }
    }
    if (n.timeLimit) {
      const t = n.timeLimit;
      if (t.warnMinutes !== undefined && t.warnMinutes >= t.minutes) err(`${place}.timeLimit.warnMinutes`, 'range', `Node "${n.key}": the warning line comes before the overdue line`);
      if (t.onOverdue === 'escalate' && !t.escalateTo?.length) err(`${place}.timeLimit.escalateTo`, 'required', `Node "${n.key}": escalation needs escalateTo`);
      if (t.onOverdue === 'jump' && !(t.jumpTo && graph.nodes.has(t.jumpTo))) err(`${place}.timeLimit.jumpTo`, 'reference', `Node "${n.key}": jumpTo must name a node`);
      if ((t.onOverdue === 'approve' || t.onOverdue === 'reject') && n.kind !== 'approval') err(`${place}.timeLimit.onOverdue`, 'conflict', `Node "${n.key}": only approval nodes approve or reject automatically`);
      if (t.escalateTo) handlerChecks(`${place}.timeLimit.escalateTo`, t.escalateTo, n);
    }
    n.autoJump?.forEach((rule, i) => {
      if (!graph.nodes.has(rule.to)) err(`${place}.autoJump[${i}].to`, 'reference', `Node "${n.key}": automatic jump to "${rule.to}", which is not a node`);
      expression(`${place}.autoJump[${i}].when`, rule.when, n.key);
    });
    if (n.kind === 'subflow') {
      if (!n.flow) err(`${place}.flow`, 'required', `Sub-flow node "${n.key}" names the flow it starts`);
      else if (n.flow === def.code) err(`${place}.flow`, 'cycle', `Sub-flow node "${n.key}" cannot start its own flow`);
      else if (context.flowExists && !context.flowExists(n.flow)) err(`${place}.flow`, 'reference', `Sub-flow node "${n.key}": there is no flow "${n.flow}"`);
    } else if (n.flow !== undefined) err(`${place}.flow`, 'conflict', `Node "${n.key}" is not a sub-flow`);
    if (n.kind === 'script') {
      if (!n.script) err(`${place}.script`, 'required', `Script node "${n.key}" names its script`);
      else scriptReference(`${place}.script`, n.script, `Script node "${n.key}"`);
      // Several exits: the script names the one to take (`next`), so each must be a distinct node.
      if (new Set(out.map((e) => e.to)).size !== out.length) err(place, 'edges', `Script node "${n.key}" has two edges to the same node`);
    } else if (n.script !== undefined) err(`${place}.script`, 'conflict', `Node "${n.key}" is not a script node`);
    if (n.kind !== 'join' && n.join) err(`${place}.join`, 'conflict', `Node "${n.key}" is not a join`);
  }
  if (def.assign?.when) expression('assign.when', def.assign.when, '(assign)');
  if (def.starters) handlerChecks('starters', def.starters, start);
  return errors.length ? { def: null, errors } : { def, errors };
}
