import { Api, type TestPlatform } from '../support/platform';
import { buildOrg, type OrgFixture } from '../support/org';

export const label = (zh: string, en = zh) => ({ 'zh-CN': zh, en });

export interface FlowOrg extends OrgFixture {
  /** A logged-in client per user name. */
  as(name: string): Api;
  id(name: string): number;
}

/**
 * The 20-user organisation of the access tests (superiors, a 4-level tree) plus department
 * heads (上海销售部 → shSalesMgr, 销售一组 → lead1) and flow roles: hr (svc1), finance
 * (hq1), cashier (hq2), legal (auditor), generalManager (shAdmin).
 */
export async function flowOrg(p: TestPlatform, users: string[] = ['shAdmin', 'shSalesMgr', 'lead1', 'rep1', 'rep2', 'rep3', 'svc1', 'svc2', 'hq1', 'hq2', 'auditor', 'gzMgr', 'gzRep1', 'multi', 'nobody', 'shRep5']): Promise<FlowOrg> {
  const org = await buildOrg(p, 0, users);
  const ok = async (res: Promise<{ status: number; body: any }>) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const version = async (entity: string, id: number) => (await p.api.get(`/api/v1/${entity}/${id}`)).body.version;
  await ok(p.api.patch(`/api/v1/departments/${org.departments.shSales}`, { manager: org.users.shSalesMgr.id, version: await version('departments', org.departments.shSales) }));
  await ok(p.api.patch(`/api/v1/departments/${org.departments.shTeam1}`, { manager: org.users.lead1.id, version: await version('departments', org.departments.shTeam1) }));
  for (const [code, user] of [['hr', 'svc1'], ['finance', 'hq1'], ['cashier', 'hq2'], ['legal', 'auditor'], ['generalManager', 'shAdmin'], ['documentClerk', 'svc2'], ['documentSigner', 'shAdmin'], ['documentReaders', 'rep2'], ['documentReaders', 'rep3'], ['documentCountersign', 'hq1'], ['documentCountersign', 'auditor'], ['assetAdmin', 'svc2'], ['purchasing', 'svc2'], ['pmo', 'svc1'], ['projectCommittee', 'hq1'], ['projectCommittee', 'hq2'], ['projectCommittee', 'auditor'], ['projectCommittee', 'shAdmin']] as const) {
    let role = (await p.api.get(`/api/v1/roles?filter[code]=${code}`)).body.data[0];
    role ??= await ok(p.api.post('/api/v1/roles', { code, name: code }));
    await ok(p.api.post('/api/v1/userRoles', { user: org.users[user].id, role: role.id }));
  }
  return { ...org, as: (name) => org.users[name].api, id: (name) => org.users[name].id };
}

/** The pending task of `user` on instance `id` (exactly one expected). */
export async function taskOf(api: Api, instanceId: number, kind?: string): Promise<number> {
  const todo = (await api.get('/api/v1/flows/inbox/todo?limit=200')).body.data.filter((t: any) => t.instance.id === instanceId && (!kind || t.kind === kind));
  if (todo.length !== 1) throw new Error(`expected one task on instance ${instanceId}, found ${todo.length}`);
  return todo[0].task;
}

export async function expectOk<T = any>(res: Promise<{ status: number; body: T }>, status = 200): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}
