import { Api, type TestPlatform } from './platform';

export const PASSWORD = 'Org-Test-Pass-1';

export interface OrgFixture {
  departments: Record<'hq' | 'sh' | 'shSales' | 'shTeam1' | 'shTeam2' | 'shService' | 'gz' | 'gzSales', number>;
  users: Record<string, { id: number; department: number; api: Api }>;
  roles: Record<string, number>;
  customers: { id: number; owner: number; department: number; level: string | null; city: string }[];
}

type UserSpec = { name: string; dept: keyof OrgFixture['departments']; roles: string[]; superior?: string };

/** 20 users over a 4-level tree: head office → 2 branches → departments → teams. */
const USERS: UserSpec[] = [
  { name: 'shAdmin', dept: 'sh', roles: ['branchAdmin'] },
  { name: 'shSalesMgr', dept: 'shSales', roles: ['departmentManager'] },
  { name: 'lead1', dept: 'shTeam1', roles: ['salesRep'], superior: 'shSalesMgr' },
  { name: 'rep1', dept: 'shTeam1', roles: ['salesRep'], superior: 'lead1' },
  { name: 'rep2', dept: 'shTeam1', roles: ['salesRep'], superior: 'lead1' },
  { name: 'rep3', dept: 'shTeam2', roles: ['salesRep'], superior: 'shSalesMgr' },
  { name: 'rep4', dept: 'shTeam2', roles: ['salesRep'], superior: 'rep3' },
  { name: 'svc1', dept: 'shService', roles: ['serviceRep'] },
  { name: 'svc2', dept: 'shService', roles: ['serviceRep'] },
  { name: 'gzAdmin', dept: 'gz', roles: ['branchAdmin'] },
  { name: 'gzMgr', dept: 'gzSales', roles: ['departmentManager'] },
  { name: 'gzRep1', dept: 'gzSales', roles: ['salesRep'], superior: 'gzMgr' },
  { name: 'gzRep2', dept: 'gzSales', roles: ['salesRep'], superior: 'gzMgr' },
  { name: 'auditor', dept: 'hq', roles: ['auditor'] },
  { name: 'multi', dept: 'shTeam2', roles: ['salesRep', 'serviceRep'] },
  { name: 'nobody', dept: 'shTeam1', roles: [] },
  { name: 'hq1', dept: 'hq', roles: ['salesRep'] },
  { name: 'hq2', dept: 'hq', roles: ['salesRep'] },
  { name: 'gzSvc', dept: 'gzSales', roles: ['serviceRep'] },
  { name: 'shRep5', dept: 'shSales', roles: ['salesRep'], superior: 'shSalesMgr' },
];

const CITIES = ['上海', '北京', '广州', '深圳', '杭州'];
const LEVELS = ['vip', 'a', 'b', 'c', null];

async function ok<T = any>(p: Promise<{ status: number; body: T }>, status = 201): Promise<T> {
  const res = await p;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Build the organisation, users with roles and passwords, and `customerCount` customers owned across them. */
export async function buildOrg(t: TestPlatform, customerCount = 2000, loginAs: string[] = USERS.map((u) => u.name)): Promise<OrgFixture> {
  const api = t.api;
  const dept = (name: string, kind: string, parent?: number) => ok(api.post('/api/v1/departments', { name, kind, parent: parent ?? null }));
  const hq = await dept('总公司', 'headquarters');
  const sh = await dept('上海分公司', 'branch', hq.id);
  const shSales = await dept('上海销售部', 'department', sh.id);
  const shTeam1 = await dept('销售一组', 'team', shSales.id);
  const shTeam2 = await dept('销售二组', 'team', shSales.id);
  const shService = await dept('上海客服部', 'department', sh.id);
  const gz = await dept('广州分公司', 'branch', hq.id);
  const gzSales = await dept('广州销售部', 'department', gz.id);
  const departments = { hq: hq.id, sh: sh.id, shSales: shSales.id, shTeam1: shTeam1.id, shTeam2: shTeam2.id, shService: shService.id, gz: gz.id, gzSales: gzSales.id };

  const roleRows = (await ok<{ data: { id: number; code: string }[] }>(api.get('/api/v1/roles?limit=100'), 200)).data;
  const roles = Object.fromEntries(roleRows.map((r) => [r.code, r.id]));

  const users: OrgFixture['users'] = {};
  for (const spec of USERS) {
    const u = await ok(api.post('/api/v1/users', { username: spec.name, displayName: spec.name, department: departments[spec.dept], superior: spec.superior ? users[spec.superior].id : null }));
    await t.platform.sessions.setPassword(u.id, PASSWORD);
    for (const role of spec.roles) await ok(api.post('/api/v1/userRoles', { user: u.id, role: roles[role] }));
    users[spec.name] = { id: u.id, department: departments[spec.dept], api: new Api(t.platform.url) };
  }
  for (const name of loginAs) await users[name].api.login(name, PASSWORD);

  const owners = USERS.filter((u) => u.roles.includes('salesRep'));
  const rows = Array.from({ length: customerCount }, (_, i) => {
    const owner = users[owners[i % owners.length].name];
    return {
      customerNo: `C${String(i + 1).padStart(8, '0')}`,
      name: `客户${i + 1}`,
      kind: 'person',
      status: 'active',
      city: CITIES[i % CITIES.length],
      level: LEVELS[i % LEVELS.length],
      idNumber: `3101011980010${String(i).padStart(5, '0')}`,
      establishedValue: (i % 97) * 100,
      owner: owner.id,
      department: owner.department,
    };
  });
  const customers: OrgFixture['customers'] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const res = await ok<{ created: { id: number; owner: number; department: number; level: string | null; city: string }[] }>(api.post('/api/v1/customers/bulk', { create: rows.slice(i, i + 1000) }), 200);
    customers.push(...res.created.map((c) => ({ id: c.id, owner: c.owner, department: c.department, level: c.level, city: c.city })));
  }
  return { departments, users, roles, customers };
}
