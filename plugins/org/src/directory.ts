import type { AnyRecord, DataContext, Directory, DirectoryEntry } from '@plinth/sdk';
import { listAll } from './all';
import { BRANCH_KINDS } from './entities/department';

interface Snapshot {
  at: number;
  departments: Map<number, { id: number; path: string; kind: string }>;
  superiorOf: Map<number, number | null>;
}

const SNAPSHOT_MS = 2_000;

/**
 * Answers the permission layer's questions about a user from the organisation tables:
 * their department and its subtree, their branch, everyone below them through the
 * superior relation, their groups. The tree and the reporting lines are read as one
 * snapshot, reused for two seconds, so computing many users' rights stays cheap.
 */
export function organisationDirectory(system: DataContext): Directory {
  let snapshot: Snapshot | null = null;
  let loading: Promise<Snapshot> | null = null;
  const load = (): Promise<Snapshot> => {
    if (snapshot && Date.now() - snapshot.at < SNAPSHOT_MS) return Promise.resolve(snapshot);
    loading ??= read().finally(() => (loading = null));
    return loading;
  };
  const read = async (): Promise<Snapshot> => {
    const departments = await listAll(system.records('department'), { fields: ['path', 'kind'] });
    const users = await listAll(system.records('user'), { fields: ['superior'] });
    snapshot = {
      at: Date.now(),
      departments: new Map(departments.map((d: AnyRecord) => [d.id, { id: d.id, path: String(d.path ?? '/'), kind: String(d.kind) }])),
      superiorOf: new Map(users.map((u: AnyRecord) => [u.id, (u.superior as number | null) ?? null])),
    };
    return snapshot;
  };
  const subtree = (s: Snapshot, root: number): number[] => [...s.departments.values()].filter((d) => d.id === root || d.path.includes(`/${root}/`)).map((d) => d.id);

  return {
    entities: ['department', 'user', 'groupMember'],
    invalidate() {
      snapshot = null;
    },
    async entry(userId: number): Promise<DirectoryEntry> {
      const s = await load();
      const user = await system.records('user').get(userId, { fields: ['department'] });
      const departmentId = (user.department as number | null) ?? null;
      const dept = departmentId ? s.departments.get(departmentId) : undefined;
      let branchId: number | null = null;
      if (dept) {
        const chain = [dept.id, ...dept.path.split('/').filter(Boolean).map(Number).reverse()];
        branchId = chain.find((id) => BRANCH_KINDS.includes(s.departments.get(id)?.kind ?? '')) ?? null;
      }
      const below: number[] = [];
      let frontier = [userId];
      const seen = new Set<number>([userId]);
      while (frontier.length) {
        const next: number[] = [];
        for (const [id, superior] of s.superiorOf) if (superior !== null && frontier.includes(superior) && !seen.has(id)) next.push(id);
        for (const id of next) seen.add(id);
        below.push(...next);
        frontier = next;
      }
      const memberships = await listAll(system.records('groupMember'), { filter: { user: userId }, fields: ['group'] });
      return {
        userId,
        departmentId,
        departmentTree: departmentId ? subtree(s, departmentId) : [],
        branchId,
        branchDepartments: branchId ? subtree(s, branchId) : [],
        subordinates: below,
        groups: memberships.map((m) => m.group as number),
      };
    },
  };
}
