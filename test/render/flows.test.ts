import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { PageClient } from './client';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;

describeEachDatabase('flow pages', (db) => {
  let t: TestPlatform;
  let org: OrgFixture;
  const client = async (name: string) => {
    const c = new PageClient(t.platform.url);
    await c.login(name, PASSWORD);
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
});
