import type { Actor } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { RecordStore } from '../services/records';
import { HandlerResolver } from '../flows/handlers';
import type { HandlerSpec } from '../flows/types';
import type { RecipientResolver } from './notifications';

/**
 * Recipients as the flow engine resolves handlers: read through the record services as the
 * system, active users only, in the sender's transaction; duplicates dropped.
 */
export function recipientResolver(store: () => RecordStore): RecipientResolver {
  const system: Actor = { userId: null, username: 'system', isAdmin: true };
  return async (db: Executor, r) => {
    const specs: HandlerSpec[] = [];
    if (r.users.length) specs.push({ type: 'users', ids: r.users });
    if (r.roles.length) specs.push({ type: 'roles', codes: r.roles });
    if (r.departments.length && store().meta.get('user')?.fields.has('department')) specs.push({ type: 'departments', ids: r.departments });
    if (!specs.length) return [];
    return new HandlerResolver(store(), system).resolve(db, specs, { initiator: null, data: {}, nodeHandlers: async () => [] });
  };
}
