import type { Actor, AnyRecord, Filter } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { RecordStore } from '../services/records';
import type { HandlerSpec } from './types';

/** What relative handlers are relative to. */
export interface HandlerContext {
  initiator: number | null;
  data: Record<string, unknown>;
  /** Who handled an earlier node of the instance (those who decided its tasks, else who had them). */
  nodeHandlers(node: string): Promise<number[]>;
}

const MAX = 500;

/**
 * Turns handler specifications into user ids, reading the organisation through the record
 * services (the permission layer) as the system: users, their roles, departments,
 * positions, groups, superiors and department heads (the org plugin's `superior`,
 * `position` and `department.manager`). Only active users are handlers; order is kept,
 * duplicates dropped.
 */
export class HandlerResolver {
  constructor(
    private readonly store: RecordStore,
    private readonly system: Actor,
  ) {}

  private async list(tx: Executor, entity: string, filter: Filter, fields: string[]): Promise<AnyRecord[]> {
    if (!this.store.meta.get(entity)) return [];
    return (await this.store.service(entity, this.system, tx).list({ filter, fields, limit: MAX, sort: ['id'] })).data;
  }

  private async users(tx: Executor, filter: Filter): Promise<number[]> {
    return (await this.list(tx, 'user', { and: [filter, { status: 'active' }] }, ['id'])).map((u) => u.id);
  }

  private async user(tx: Executor, id: number | null): Promise<AnyRecord | null> {
    if (!id) return null;
    const [u] = await this.list(tx, 'user', { id }, this.store.meta.get('user')?.fields.has('superior') ? ['id', 'department', 'superior', 'status'] : ['id', 'department', 'status']);
    return u ?? null;
  }

  async resolve(tx: Executor, specs: readonly HandlerSpec[], ctx: HandlerContext): Promise<number[]> {
    const out: number[] = [];
    for (const spec of specs) out.push(...(await this.one(tx, spec, ctx)));
    return [...new Set(out)];
  }

  private async one(tx: Executor, spec: HandlerSpec, ctx: HandlerContext): Promise<number[]> {
    switch (spec.type) {
      case 'users': {
        const active = new Set(await this.users(tx, { id: { in: spec.ids } }));
        return spec.ids.filter((id) => active.has(id));
      }
      case 'roles': {
        const roles = (await this.list(tx, 'role', { code: { in: spec.codes } }, ['id'])).map((r) => r.id);
        if (!roles.length) return [];
        const holders = (await this.list(tx, 'userRole', { role: { in: roles } }, ['user'])).map((r) => r.user as number);
        return holders.length ? this.users(tx, { id: { in: [...new Set(holders)] } }) : [];
      }
      case 'departments':
        return this.users(tx, { department: { in: spec.ids } });
      case 'positions':
        return this.store.meta.get('user')?.fields.has('position') ? this.users(tx, { position: { in: spec.ids } }) : [];
      case 'groups': {
        const members = (await this.list(tx, 'groupMember', { group: { in: spec.ids } }, ['user'])).map((m) => m.user as number);
        return members.length ? this.users(tx, { id: { in: [...new Set(members)] } }) : [];
      }
      case 'initiator':
        return ctx.initiator ? this.users(tx, { id: ctx.initiator }) : [];
      case 'superior': {
        let u = await this.user(tx, ctx.initiator);
        for (let level = 0; level < (spec.levels ?? 1) && u; level++) u = await this.user(tx, (u.superior as number | null) ?? null);
        return u && u.status === 'active' ? [u.id] : [];
      }
      case 'departmentHead': {
        const raw = spec.field ? ctx.data[spec.field] : (await this.user(tx, ctx.initiator))?.department;
        const dept = typeof raw === 'number' ? raw : null;
        if (!dept) return [];
        const [d] = await this.list(tx, 'department', { id: dept }, ['manager']);
        const head = (d?.manager as number | null) ?? null;
        return head ? this.users(tx, { id: head }) : [];
      }
      case 'field': {
        const raw = ctx.data[spec.field];
        const ids = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => Number.isInteger(v));
        if (!ids.length) return [];
        const active = new Set(await this.users(tx, { id: { in: ids } }));
        return ids.filter((id) => active.has(id));
      }
      case 'nodeHandlers':
        return ctx.nodeHandlers(spec.node);
    }
  }
}
