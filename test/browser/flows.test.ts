import type { Browser, Page } from 'playwright-core';
import { TEST_DATABASES } from '../support/databases';
import { ADMIN, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { collectErrors, holdsValue, launchBrowser, logIn, newContext, screenshot, showsText } from './browser';

const db = TEST_DATABASES[0];

describe('flows in a browser', () => {
  let t: TestPlatform;
  let org: OrgFixture;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 5, []);
    // HR is notified of leave; finance reviews and the cashier registers expenses.
    for (const [code, user] of [['hr', 'svc1'], ['finance', 'shAdmin'], ['cashier', 'svc2']] as const) {
      const role = await t.api.post('/api/v1/roles', { code, name: code });
      await t.api.post('/api/v1/userRoles', { user: org.users[user].id, role: role.body.id });
    }
    for (const template of ['leave', 'expense']) {
      const res = await t.api.post('/api/v1/flows/definitions/from-template', { template });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    }
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const as = async (user: string, path: string): Promise<{ page: Page; errors: string[] }> => {
    const context = await newContext(browser, t.platform.url);
    const page = await context.newPage();
    const errors = collectErrors(page);
    await logIn(page, user, user === ADMIN.username ? ADMIN.password : PASSWORD, path);
    return { page, errors };
  };

  it('leave: the employee files it, the superior approves, HR sees the notice, the employee sees the trail and the graph', async () => {
    const rep = await as('rep1', '/flows/start');
    await Promise.all([rep.page.waitForURL('**/flows/start/leave'), rep.page.click('[data-testid=start-leave]')]);
    await rep.page.selectOption('[data-field=leaveType] select', 'annual');
    await rep.page.fill('[data-field=startDate] input', '2026-12-01');
    await rep.page.fill('[data-field=endDate] input', '2026-12-02');
    await holdsValue(rep.page, '[data-field=days] input', '2');
    await rep.page.fill('[data-field=reason] textarea', '家中有事');
    await screenshot(rep.page, 'flow-start-leave');
    await Promise.all([rep.page.waitForURL(/\/flows\/instances\/\d+$/), rep.page.click('[data-testid=save]')]);
    const id = Number(new URL(rep.page.url()).pathname.split('/').pop());
    await showsText(rep.page, '[data-testid=instance-status]', '办理中');

    // The superior (lead1) has it to do, approves it.
    const lead = await as('lead1', '/flows');
    await showsText(lead.page, '[data-testid=count-todo]', '1');
    await Promise.all([lead.page.waitForURL(`**/flows/instances/${id}`), lead.page.click('[data-testid=inbox] a')]);
    await lead.page.fill('#task-comment', '同意，注意交接');
    await Promise.all([lead.page.waitForEvent('load'), lead.page.click('[data-testid=approve]')]);
    await showsText(lead.page, '[data-testid=trail]', '同意，注意交接');

    // HR gets a read-only notice: it marks it read; the flow ends.
    const hr = await as('svc1', '/flows/inbox/cc');
    await showsText(hr.page, '[data-testid=inbox]', '请假');
    await Promise.all([hr.page.waitForURL(`**/flows/instances/${id}`), hr.page.click('[data-testid=inbox] a')]);
    expect(await hr.page.locator('[data-testid=approve]').count()).toBe(0);
    await Promise.all([hr.page.waitForEvent('load'), hr.page.click('[data-testid=mark-read]')]);

    // The employee sees the whole trail and the graph.
    await rep.page.goto(`/flows/instances/${id}`);
    await showsText(rep.page, '[data-testid=instance-status]', '已完成');
    await showsText(rep.page, '[data-testid=trail]', 'lead1');
    await showsText(rep.page, '[data-testid=trail]', 'svc1');
    const graph = await rep.page.request.get(`/api/v1/flows/instances/${id}/graph.svg`);
    expect(graph.status()).toBe(200);
    expect(await graph.text()).toContain('<svg');
    expect(await rep.page.locator('[data-testid=graph]').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
    await screenshot(rep.page, 'flow-instance');
    for (const p of [rep, lead, hr]) expect(p.errors).toEqual([]);
  });

  it('expense: one rejected; another returned, fixed by the employee, approved, reviewed and paid', async () => {
    const rep = await as('rep1', '/flows/start/expense');
    const file = async (title: string, amount: string) => {
      await rep.page.goto('/flows/start/expense');
      await rep.page.fill('[data-field=title] input', title);
      const row = rep.page.locator('table.detail-table tbody tr').first();
      await row.locator('[data-name=expenseDate]').fill('2026-11-20');
      await row.locator('[data-name=category]').selectOption('transport');
      await row.locator('[data-name=amount]').fill(amount);
      await rep.page.selectOption('[data-field=paymentMethod] select', 'cash');
      await holdsValue(rep.page, '[data-field=total] input', amount);
      await Promise.all([rep.page.waitForURL(/\/flows\/instances\/\d+$/), rep.page.click('[data-testid=save]')]);
      return Number(new URL(rep.page.url()).pathname.split('/').pop());
    };
    const rejected = await file('出租车费（重复）', '80');
    const returned = await file('出差交通费', '120');

    const lead = await as('lead1', `/flows/instances/${rejected}`);
    lead.page.once('dialog', (d) => void d.accept());
    await Promise.all([lead.page.waitForEvent('load'), lead.page.click('[data-testid=reject]')]);
    await showsText(lead.page, '[data-testid=instance-status]', '已否决');

    await lead.page.goto(`/flows/instances/${returned}`);
    await lead.page.fill('#task-comment', '请补充发票张数');
    await Promise.all([lead.page.waitForEvent('load'), lead.page.click('[data-testid=return]')]);

    // The employee fixes it and submits again.
    await rep.page.goto(`/flows/instances/${returned}`);
    await Promise.all([rep.page.waitForURL(`**/flows/instances/${returned}/resubmit`), rep.page.click('[data-testid=resubmit]')]);
    await rep.page.locator('table.detail-table tbody tr').first().locator('[data-name=receipts]').fill('2');
    await Promise.all([rep.page.waitForURL(`**/flows/instances/${returned}`), rep.page.click('[data-testid=save]')]);

    await lead.page.goto(`/flows/instances/${returned}`);
    await Promise.all([lead.page.waitForEvent('load'), lead.page.click('[data-testid=approve]')]);
    const finance = await as('shAdmin', `/flows/instances/${returned}`);
    await Promise.all([finance.page.waitForEvent('load'), finance.page.click('[data-testid=approve]')]);
    const cashier = await as('svc2', `/flows/instances/${returned}`);
    await Promise.all([cashier.page.waitForEvent('load'), cashier.page.click('[data-testid=complete]')]);
    await showsText(cashier.page, '[data-testid=instance-status]', '已完成');
    const view = await t.api.get(`/api/v1/flows/instances/${returned}`);
    expect(view.body.status).toBe('completed');
    expect(view.body.data.receiptCount).toBe(2);
    await screenshot(cashier.page, 'flow-expense-done');
    // A second decision on a decided task is refused, and the page says so.
    await lead.page.goto(`/flows/instances/${rejected}`);
    expect(await lead.page.locator('[data-testid=approve]').count()).toBe(0);
    for (const p of [rep, lead, finance, cashier]) expect(p.errors).toEqual([]);
  });

  it('flow administrators see definitions with statistics and edit one as JSON: errors name the node, a good change is a new version', async () => {
    const admin = await as('admin', '/flows');
    await Promise.all([admin.page.waitForURL('**/flows/definitions'), admin.page.click('[data-testid=flow-definitions]')]);
    await showsText(admin.page, '[data-testid=definitions]', '请假审批');
    await Promise.all([admin.page.waitForURL('**/flows/definitions/leave'), admin.page.click('[data-testid=definitions] a >> text=请假审批')]);
    await showsText(admin.page, '[data-testid=node-stats]', '直接上级审批');
    const original = await admin.page.inputValue('[data-testid=definition-json]');
    const broken = JSON.parse(original);
    broken.nodes.push({ key: 'island', kind: 'approval', name: '孤岛', handlers: [{ type: 'initiator' }] });
    await admin.page.fill('[data-testid=definition-json]', JSON.stringify(broken, null, 2));
    await admin.page.click('[data-testid=save-definition]');
    await showsText(admin.page, '#definition-errors', 'island');
    const renamed = JSON.parse(original);
    renamed.nodes.find((n: { key: string }) => n.key === 'superior').name = '主管审批';
    await admin.page.fill('[data-testid=definition-json]', JSON.stringify(renamed, null, 2));
    await admin.page.click('[data-testid=save-definition]');
    await admin.page.locator('#definition-saved').waitFor({ state: 'visible' });
    const stored = await t.api.get('/api/v1/flows/definitions/leave');
    expect(stored.body.definition.nodes.find((n: { key: string }) => n.key === 'superior').name).toBe('主管审批');
    await screenshot(admin.page, 'flow-definition');
    // Not for everyone.
    const rep = await as('rep2', '/flows/definitions');
    expect(await rep.page.locator('h1').textContent()).toBe('403');
    expect(admin.errors).toEqual([]);
  });

  it('a handler hands the task over to a colleague found by name (委办)', async () => {
    const rep = await as('rep2', '/flows/start/leave');
    await rep.page.selectOption('[data-field=leaveType] select', 'personal');
    await rep.page.fill('[data-field=startDate] input', '2026-12-10');
    await rep.page.fill('[data-field=endDate] input', '2026-12-10');
    await Promise.all([rep.page.waitForURL(/\/flows\/instances\/\d+$/), rep.page.click('[data-testid=save]')]);
    const id = Number(new URL(rep.page.url()).pathname.split('/').pop());
    const lead = await as('lead1', `/flows/instances/${id}`);
    await lead.page.fill('[data-testid=task-user]', 'shSales');
    await lead.page.click('.lookup-list [role=option] >> text=shSalesMgr');
    await Promise.all([lead.page.waitForEvent('load'), lead.page.click('[data-testid=delegate]')]);
    expect(await lead.page.locator('[data-testid=approve]').count()).toBe(0);
    const manager = await as('shSalesMgr', `/flows/instances/${id}`);
    await manager.page.locator('[data-testid=approve]').waitFor();
    for (const p of [rep, lead, manager]) expect(p.errors).toEqual([]);
  });
});
