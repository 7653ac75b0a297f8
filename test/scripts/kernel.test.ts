import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const person = (n: number, extra: Record<string, unknown> = {}) => ({ customerNo: `C${String(n).padStart(8, '0')}`, name: `客户${n}`, kind: 'person', ...extra });

describeEachDatabase('scripts wired into the platform', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db);
  });
  afterAll(async () => t?.stop());

  const save = (def: Record<string, unknown>) => t.api.post('/api/v1/scripts', { language: 'ts', ...def });
  const roleIds = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await t.api.get('/api/v1/roles?limit=50')).body.data.map((r: { code: string; id: number }) => [r.code, r.id]));

  it('reports compile errors with line and column and stores nothing', async () => {
    const res = await save({ name: 'broken', kind: 'hook', target: 'customer:beforeCreate', source: 'export default function (input) {\n  return input.;\n}' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'source:2:16', rule: 'syntax', message: 'Identifier expected.' });
    expect((await t.api.get('/api/v1/scripts')).body.data.map((s: { name: string }) => s.name)).not.toContain('broken');
  });

  it('runs a before-create hook that computes fields, and one that rejects: the rejected write leaves nothing', async () => {
    const hook = await save({
      name: 'customer-defaults',
      kind: 'hook',
      target: 'customer:beforeCreate',
      source: `export default function (input: HookInput, ctx: ScriptContext) {
  const r = input.record as { name: string; remarks?: string | null };
  if (r.name.includes('测试')) ctx.fail('Test customers are not allowed', [{ field: 'name', rule: 'script', message: 'no test customers' }]);
  return { set: { remarks: 'checked: ' + r.name, valueScore: r.name.length } };
}`,
    });
    expect(hook.status).toBe(201);
    const ok = await t.api.post('/api/v1/customers', person(1));
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ remarks: 'checked: 客户1', valueScore: 3 });
    const before = (await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total;
    const rejected = await t.api.post('/api/v1/customers', person(2, { name: '测试客户' }));
    expect(rejected.status).toBe(400);
    expect(rejected.body.errors).toEqual([expect.objectContaining({ field: 'name', rule: 'script' })]);
    expect((await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total).toBe(before);
    expect((await t.api.patch('/api/v1/scripts/customer-defaults', { enabled: false })).status).toBe(200);
  });

  it('runs as the calling user: a hook script cannot write outside their scope, and the whole write rolls back', async () => {
    const roles = await roleIds();
    const rep = await t.api.post('/api/v1/users', { username: 'scriptrep', displayName: 'rep' });
    await t.platform.sessions.setPassword(rep.body.id, 'Script-Rep-Pass-1');
    await t.api.post('/api/v1/userRoles', { user: rep.body.id, role: roles.salesRep });
    const api = new Api(t.platform.url);
    await api.login('scriptrep', 'Script-Rep-Pass-1');
    const foreign = (await t.api.post('/api/v1/customers', person(3))).body;
    const hook = await save({
      name: 'contact-touches-customer',
      kind: 'hook',
      target: 'contact:afterCreate',
      capabilities: ['records:write', 'records:read'],
      source: `export default async function (input: HookInput, ctx: ScriptContext) {
  await ctx.records('customer').update(${foreign.id}, { city: '被脚本修改' }, { version: ${foreign.version} });
}`,
    });
    expect(hook.status).toBe(201);
    const mine = (await api.post('/api/v1/customers', person(4))).body;
    const contactsBefore = (await t.api.get('/api/v1/contacts?count=true&limit=1')).body.meta.total;
    const res = await api.post('/api/v1/contacts', { customer: mine.id, name: '联系人' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'script-error', detail: expect.stringContaining('contact-touches-customer') });
    expect((await t.api.get(`/api/v1/customers/${foreign.id}`)).body.city).toBeNull();
    expect((await t.api.get('/api/v1/contacts?count=true&limit=1')).body.meta.total).toBe(contactsBefore);
    // The administrator (unrestricted) may: the same hook then succeeds.
    const adminRes = await t.api.post('/api/v1/contacts', { customer: mine.id, name: '联系人2' });
    expect(adminRes.status).toBe(201);
    expect((await t.api.get(`/api/v1/customers/${foreign.id}`)).body.city).toBe('被脚本修改');
    await t.api.patch('/api/v1/scripts/contact-touches-customer', { enabled: false });
  });

  it('dry-runs a source: result, logs and writes, all rolled back', async () => {
    const res = await t.api.post('/api/v1/scripts/dry-run', {
      kind: 'hook',
      language: 'ts',
      capabilities: ['records:write', 'log'],
      source: `export default async function (input: HookInput, ctx: ScriptContext) {
  const n = (input.record as { n: number }).n;
  ctx.log.info('creating', { n });
  const c = await ctx.records('customer').create({ customerNo: 'C00000' + n, name: 'dry', kind: 'person' });
  return { created: c.id };
}`,
      input: { event: 'beforeCreate', entity: 'customer', record: { n: 777 } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, value: { created: expect.any(Number) }, logs: [expect.objectContaining({ level: 'info', message: 'creating {"n":777}' })] });
    expect(res.body.writes.length).toBe(1);
    expect((await t.api.get('/api/v1/customers?filter[name]=dry&count=true&limit=1')).body.meta.total).toBe(0);
  });

  it('serves endpoint scripts at /api/v1/x/{name}, as the caller, to roles granted x:{name}', async () => {
    const saved = await save({
      name: 'customer-summary',
      kind: 'endpoint',
      target: 'customer-summary',
      capabilities: ['records:read'],
      source: `export default async function (input: EndpointInput, ctx: ScriptContext) {
  return { method: input.method, visible: await ctx.records('customer').count({}) };
}`,
    });
    expect(saved.status).toBe(201);
    const total = (await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total;
    expect((await t.api.get('/api/v1/x/customer-summary')).body).toEqual({ method: 'GET', visible: total });
    const rep = new Api(t.platform.url);
    await rep.login('scriptrep', 'Script-Rep-Pass-1');
    expect((await rep.get('/api/v1/x/customer-summary')).status).toBe(403);
    expect((await rep.get('/api/v1/x/no-such-endpoint')).status).toBe(404);
    const roles = await roleIds();
    expect((await t.api.post('/api/v1/roleGrants', { role: roles.salesRep, entity: 'x:customer-summary', actions: ['call'], scope: 'all' })).status).toBe(201);
    const own = (await rep.get('/api/v1/customers?count=true&limit=1')).body.meta.total;
    expect(own).toBeLessThan(total);
    expect((await rep.post('/api/v1/x/customer-summary', {})).body).toEqual({ method: 'POST', visible: own });
  });

  it('a service-role script can do what its role was granted and nothing more', async () => {
    const role = await t.api.post('/api/v1/roles', { code: 'reportBot', name: 'Report bot' });
    await t.api.post('/api/v1/roleGrants', { role: role.body.id, entity: 'customer', actions: ['read'], scope: 'all' });
    const saved = await save({
      name: 'all-customers',
      kind: 'endpoint',
      target: 'all-customers',
      serviceRole: 'reportBot',
      capabilities: ['records:read', 'records:write'],
      source: `export default async function (input: EndpointInput, ctx: ScriptContext) {
  const visible = await ctx.records('customer').count({});
  let createError: string | null = null;
  try {
    await ctx.records('customer').create({ customerNo: 'C77777777', name: 'bot', kind: 'person' });
  } catch (err) {
    createError = (err as HostCallError).code ?? 'error';
  }
  let contactsError: string | null = null;
  try {
    await ctx.records('contact').count({});
  } catch (err) {
    contactsError = (err as HostCallError).code ?? 'error';
  }
  return { visible, createError, contactsError };
}`,
    });
    expect(saved.status).toBe(201);
    const roles = await roleIds();
    await t.api.post('/api/v1/roleGrants', { role: roles.salesRep, entity: 'x:all-customers', actions: ['call'], scope: 'all' });
    const rep = new Api(t.platform.url);
    await rep.login('scriptrep', 'Script-Rep-Pass-1');
    const total = (await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total;
    const res = await rep.get('/api/v1/x/all-customers');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ visible: total, createError: 'forbidden', contactsError: 'forbidden' });
    expect((await t.api.get('/api/v1/customers?filter[customerNo]=C77777777&count=true&limit=1')).body.meta.total).toBe(0);
  });

  it('runs subscriber scripts after a change commits, never for one that rolled back', async () => {
    const saved = await save({
      name: 'welcome-contact',
      kind: 'subscriber',
      target: 'customer.created',
      capabilities: ['records:write'],
      source: `export default async function (input: EventInput, ctx: ScriptContext) {
  const p = input.payload as { id: number; record: { name: string } };
  // Independent of the customer row, so a (wrong) event for a rolled-back write would show.
  await ctx.records('department').create({ name: 'welcome ' + p.record.name, kind: 'team' });
}`,
    });
    expect(saved.status).toBe(201);
    const c = (await t.api.post('/api/v1/customers', person(500))).body;
    let made: { name: string }[] = [];
    for (let i = 0; i < 50 && made.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      made = (await t.api.get(`/api/v1/departments?filter[name]=${encodeURIComponent(`welcome ${c.name}`)}&fields=name`)).body.data;
    }
    expect(made.map((x) => x.name)).toEqual(['welcome 客户500']);
    const failed = await t.api.post('/api/v1/customers/bulk', { create: [person(501), person(501)] });
    expect(failed.status).toBe(409);
    await t.platform.store.events.idle();
    expect((await t.api.get(`/api/v1/departments?filter[name]=${encodeURIComponent('welcome 客户501')}&count=true&limit=1`)).body.meta.total).toBe(0);
    await t.api.patch('/api/v1/scripts/welcome-contact', { enabled: false });
  });

  it('is for system administrators only', async () => {
    const rep = new Api(t.platform.url);
    await rep.login('scriptrep', 'Script-Rep-Pass-1');
    expect((await rep.get('/api/v1/scripts')).status).toBe(403);
    expect((await rep.post('/api/v1/scripts', { name: 'x', kind: 'hook', language: 'js', source: 'export default () => 1' })).status).toBe(403);
  });
});
