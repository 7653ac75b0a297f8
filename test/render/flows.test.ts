import { ADMIN, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { PageClient, pageData } from './client';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;

describeEachDatabase('flow pages', (db) => {
  let t: TestPlatform;
  let org: OrgFixture;
  const client = async (name: string, password = PASSWORD) => {
    const c = new PageClient(t.platform.url);
    await c.login(name, password);
    return c;
  };

  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 5, ['rep1']);
    expect((await t.api.post('/api/v1/flows/definitions/from-template', { template: 'leave' })).status).toBe(201);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('inbox, instance and start pages: the right people see them, hostile data is escaped, others get 404', async () => {
    const started = await org.users.rep1.api.post('/api/v1/flows/instances', { flow: 'leave', title: HOSTILE, data: { leaveType: 'annual', startDate: '2026-12-01', endDate: '2026-12-01', reason: HOSTILE } });
    expect(started.status).toBe(201);
    const id = started.body.id as number;
    const lead = await client('lead1');
    const inbox = await lead.get('/flows/inbox/todo');
    expect(inbox.status).toBe(200);
    expect(inbox.text).toContain(`/flows/instances/${id}"`);
    expect(inbox.text).toMatch(/data-testid="count-todo">1</);
    for (const html of [inbox.text, (await lead.get(`/flows/instances/${id}`)).text]) {
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    expect((await lead.get(`/flows/instances/${id}`)).text).toContain('data-testid="approve"');
    // Someone with no part in it sees neither the instance nor it in their inbox.
    const other = await client('rep3');
    expect((await other.get(`/flows/instances/${id}`)).status).toBe(404);
    expect((await other.get('/flows/inbox/todo')).text).not.toContain(`/flows/instances/${id}"`);
    // The initiator sees it started, without an approve button; the start page lists the flow.
    const rep = await client('rep1');
    expect((await rep.get('/flows/inbox/started')).text).toContain(`/flows/instances/${id}"`);
    expect((await rep.get(`/flows/instances/${id}`)).text).not.toContain('data-testid="approve"');
    expect((await rep.get('/flows/start')).text).toContain('data-testid="start-leave"');
    expect((await rep.get('/flows/start/nosuch')).status).toBe(404);
    expect((await rep.get('/flows/inbox/nosuch')).status).toBe(404);
    expect((await rep.get(`/flows/instances/${id}/resubmit`)).status).toBe(404);
    // The desktop counts the superior's todo.
    expect((await lead.get('/')).text).toMatch(/data-testid="todo-count">1</);
  });

  it('handler choice, start on a record, the record\'s approvals, attachments, archive/destroy and delegations: escaped, for the right people', async () => {
    const hostileLabel = { 'zh-CN': HOSTILE, en: HOSTILE };
    const role = await t.api.post('/api/v1/roles', { code: 'hostileRole', name: HOSTILE });
    expect(role.status).toBe(201);
    const rep1 = org.users.rep1;
    const nodes = (kind: string) => [{ key: 'start', kind: 'start', name: '申请' }, { key: 'a', kind: 'approval', name: HOSTILE, handlers: kind === 'roles' ? [{ type: 'roles', codes: ['hostileRole'] }] : [{ type: 'superior' }] }, { key: 'end', kind: 'end', name: '结束' }];
    const edges = [{ from: 'start', to: 'a' }, { from: 'a', to: 'end' }];
    expect((await t.api.post('/api/v1/flows/definitions', { code: 'hostilePick', label: hostileLabel, model: 'predefined', form: 'leave', nodes: nodes('roles'), edges })).status).toBe(201);
    expect((await t.api.post('/api/v1/flows/definitions', { code: 'hostileCust', label: hostileLabel, model: 'predefined', entity: 'customer', nodes: nodes('superior'), edges })).status).toBe(201);
    expect((await t.api.post('/api/v1/flows/definitions', { code: 'routeMine', label: hostileLabel, model: 'custom', form: 'leave', custom: { kinds: ['approval', 'notify'] }, nodes: nodes('superior'), edges })).status).toBe(201);

    const rep = await client('rep1');
    const escaped = (html: string) => {
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
    };
    // A predefined flow's start page: each changeable node, its default handlers (a hostile role name), the pickers.
    const pick = await rep.get('/flows/start/hostilePick');
    expect(pick.status).toBe(200);
    escaped(pick.text);
    expect(pick.text).toContain('data-testid="choice-a"');
    expect(pick.text).toContain('data-testid="save-choice"');
    expect(pageData(pick.text).choice).toEqual({ predefined: true, saved: null });
    const custom = await rep.get('/flows/start/routeMine');
    expect(custom.text).toContain('data-testid="add-step"');
    expect(pageData(custom.text).choice).toMatchObject({ custom: true });
    expect((await rep.get('/flows/start/leave')).text).toContain('data-testid="flow-choice"');

    // A customer of rep1's with a hostile name: the record page offers the flow and lists its instances.
    const customer = await rep1.api.post('/api/v1/customers', { customerNo: 'C77000001', name: HOSTILE, kind: 'person', status: 'active' });
    expect(customer.status).toBe(201);
    const id = customer.body.id as number;
    const record = await rep.get(`/app/customers/${id}`);
    escaped(record.text);
    expect(record.text).toContain(`href="/flows/start/hostileCust?record&#x3D;${id}" data-testid="start-approval"`);
    expect(record.text).not.toContain('data-testid="record-approvals"');
    const startPage = await rep.get(`/flows/start/hostileCust?record=${id}`);
    expect(startPage.status).toBe(200);
    escaped(startPage.text);
    expect(pageData(startPage.text)).toMatchObject({ flow: 'hostileCust', recordId: id });
    expect((await rep.get('/flows/start/hostileCust')).status).toBe(404);
    expect((await (await client('gzRep1')).get(`/flows/start/hostileCust?record=${id}`)).status).toBe(404);
    const started = await rep.api('POST', '/api/v1/flows/instances', { flow: 'hostileCust', recordId: id, title: HOSTILE });
    expect(started.status).toBe(201);
    const withApprovals = await rep.get(`/app/customers/${id}`);
    escaped(withApprovals.text);
    expect(withApprovals.text).toContain('data-testid="record-approvals"');
    expect(withApprovals.text).toContain(`href="/flows/instances/${started.body.id}"`);

    // A comment with a hostile file name: listed in the trail, linked through the instance.
    const upload = await fetch(`${t.platform.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${rep1.api.token}`, 'content-type': 'text/plain', 'x-file-name': encodeURIComponent(`${HOSTILE}.txt`) }, body: 'x' });
    const file = ((await upload.json()) as { id: number }).id;
    expect((await rep.api('POST', `/api/v1/flows/instances/${started.body.id}/comments`, { comment: HOSTILE, attachments: [file] })).status).toBe(200);
    const lead = await client('lead1');
    const instance = await lead.get(`/flows/instances/${started.body.id}`);
    escaped(instance.text);
    expect(instance.text).toContain(`href="/api/v1/flows/instances/${started.body.id}/files/${file}"`);
    expect(instance.text).toContain('data-testid="print"');
    expect(instance.text).not.toContain('data-testid="destroy"');

    // Finished, then archived and destroyed by the administrator: a tombstone, no content.
    const task = instance.text.match(/"task":\{"id":(\d+)/);
    expect(task).not.toBeNull();
    expect((await lead.api('POST', `/api/v1/flows/tasks/${task![1]}/approve`, {})).status).toBe(200);
    const admin = await client(ADMIN.username, ADMIN.password);
    expect((await admin.get(`/flows/instances/${started.body.id}`)).text).toContain('data-testid="destroy"');
    const definitions = await admin.get('/flows/definitions');
    escaped(definitions.text);
    expect(definitions.text).toContain('data-testid="from-template"');
    expect(definitions.text).toContain('<option value="documentSend">');
    expect((await admin.api('POST', `/api/v1/flows/instances/${started.body.id}/destroy`, {})).status).toBe(200);
    const tomb = await rep.get(`/flows/instances/${started.body.id}`);
    expect(tomb.text).toContain('data-testid="destroyed"');
    expect(tomb.text).not.toContain(`/files/${file}"`);
    expect(tomb.text).not.toContain('data-testid="add-comment"');

    // Standing delegations: the viewer's own.
    expect((await rep.api('POST', '/api/v1/flows/delegations', { delegate: org.users.rep2.id, startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-12-10T00:00:00Z', flow: 'hostilePick' })).status).toBe(201);
    const delegations = await rep.get('/flows/delegations');
    expect(delegations.status).toBe(200);
    escaped(delegations.text);
    expect(delegations.text).toContain('data-action="remove-delegation"');
    expect((await lead.get('/flows/delegations')).text).not.toContain('data-action="remove-delegation"');
  });
});
