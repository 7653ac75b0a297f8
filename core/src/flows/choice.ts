import type { FieldError } from '@plinth/sdk';
import type { FlowGraph } from './graph';
import { PEOPLE_KINDS, type HandlerSpec } from './types';

/**
 * What the initiator of a predefined flow may put on a node instead of its handlers: user
 * ids (the short form), or a list of users, roles and departments.
 */
export type ChosenHandlers = number[] | ChosenSpec[];
export type ChosenSpec = Extract<HandlerSpec, { type: 'users' | 'roles' | 'departments' }>;

const MAX_ENTRIES = 100;
const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The nodes whose handlers the initiator of a predefined flow may choose. */
export const changeableNodes = (graph: FlowGraph) => [...graph.nodes.values()].filter((n) => PEOPLE_KINDS.includes(n.kind) && n.changeable !== false);

/** Check a choice of handlers per node against the flow's graph; errors name `handlers.<node>[i]`. */
export function checkHandlerChoice(graph: FlowGraph, raw: unknown): FieldError[] {
  if (!isObject(raw)) return [{ field: 'handlers', rule: 'type', message: 'handlers maps node keys to user ids or to lists of {type: users|roles|departments}' }];
  const changeable = new Set(changeableNodes(graph).map((n) => n.key));
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const field = `handlers.${key}`;
    if (!changeable.has(key)) {
      errors.push({ field, rule: 'changeable', message: `Node "${key}" has no handlers the initiator may choose` });
      continue;
    }
    if (!Array.isArray(value) || value.length > MAX_ENTRIES) {
      errors.push({ field, rule: 'type', message: `a list of at most ${MAX_ENTRIES} user ids or handler entries` });
      continue;
    }
    if (value.every(isPositiveInt)) continue;
    value.forEach((entry: unknown, i) => errors.push(...specErrors(entry, `${field}[${i}]`)));
  }
  return errors;
}

function specErrors(entry: unknown, field: string): FieldError[] {
  if (!isObject(entry)) return [{ field, rule: 'type', message: 'an entry is {type: "users", ids} | {type: "roles", codes} | {type: "departments", ids}' }];
  const unknown = Object.keys(entry).filter((k) => !['type', 'ids', 'codes'].includes(k));
  if (unknown.length) return [{ field: `${field}.${unknown[0]}`, rule: 'unknown', message: `An entry has type and ids or codes; not ${unknown[0]}` }];
  if (entry.type === 'users' || entry.type === 'departments') {
    const ids = entry.ids;
    return Array.isArray(ids) && ids.length > 0 && ids.length <= MAX_ENTRIES && ids.every(isPositiveInt) ? [] : [{ field: `${field}.ids`, rule: 'type', message: `1–${MAX_ENTRIES} ids` }];
  }
  if (entry.type === 'roles') {
    const codes = entry.codes;
    return Array.isArray(codes) && codes.length > 0 && codes.length <= MAX_ENTRIES && codes.every((c) => typeof c === 'string' && c.length > 0 && c.length <= 64) ? [] : [{ field: `${field}.codes`, rule: 'type', message: `1–${MAX_ENTRIES} role codes` }];
  }
  return [{ field: `${field}.type`, rule: 'enum', message: 'type is users, roles or departments' }];
}

/** A checked choice as handler specifications (the short form is a list of users). */
export const choiceSpecs = (chosen: ChosenHandlers): ChosenSpec[] =>
  chosen.length && typeof chosen[0] === 'number' ? [{ type: 'users', ids: chosen as number[] }] : (chosen as ChosenSpec[]);
