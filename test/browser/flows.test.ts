import type { TestPlatform } from '../support/platform';
import { buildOrg, type OrgFixture } from '../support/org';
import { holdsValue, screenshot, showsText } from './browser';
import { browserSuite } from './suite';

describe('flows in a browser', () => {
  let t: TestPlatform;
  let org: OrgFixture;

  const { openAs: as } = browserSuite(async (platform) => {
    t = platform;
    org = await buildOrg(t, 5, []);
    // HR is notified of leave; finance reviews and the cashier registers expenses.
    for (const [code, user] of [['hr', 'svc1'], ['finance', 'shAdmin'], ['cashier', 'svc2']] as const) {
      const role = await t.api.post('/api/v1/roles', { code, name: code });
      await t.api.post('/api/v1/userRoles', { user: org.users[user].id, role: role.body.id });
    }
    const credit = await t.api.post('/api/v1/flows/definitions', {
      code: 'customerCredit', label: { 'zh-CN': '客户授信审批', en: 'Customer credit' }, model: 'fixed', entity: 'customer',
      nodes: [{ key: 'start', kind: 'start', name: '申请' }, { key: 'superior', kind: 'approval', name: '上级审批', handlers: [{ type: 'superior' }] }, { key: 'end', kind: 'end', name: '结束' }],
      edges: [{ from: 'start', to: 'superior' }, { from: 'superior', to: 'end' }],
    });
    if (credit.status !== 201) throw new Error(JSON.stringify(credit.body));
    for (const template of ['leave', 'expense']) {
      const res = await t.api.post('/api/v1/flows/definitions/from-template', { template });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    }
  });

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
    // Paying is a handling step: its work report goes with it, and the trail shows it.
    await cashier.page.fill('#report-completion', '100');
    await cashier.page.fill('#report-effort', '0.5');
    await cashier.page.fill('#report-cost', '12.3');
    await Promise.all([cashier.page.waitForEvent('load'), cashier.page.click('[data-testid=complete]')]);
    await showsText(cashier.page, '[data-testid=instance-status]', '已完成');
    await showsText(cashier.page, '[data-testid=trail-report]', '完成度 (%): 100 · 工时 (小时): 0.5 · 费用: 12.30');
    const log = await t.api.get(`/api/v1/flows/work-log?user=${org.users.svc2.id}&limit=50`);
    expect(log.status).toBe(200);
    expect(JSON.stringify(log.body)).toContain('"effortHours":0.5');
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
    // The error names the node; clicking it selects the node in the JSON.
    const place = admin.page.locator('[data-testid=error-place]', { hasText: 'island (孤岛)' }).first();
    await place.waitFor();
    await place.click();
    const selected = await admin.page.locator('[data-testid=definition-json]').evaluate((a) => {
      const area = a as unknown as { value: string; selectionStart: number; selectionEnd: number };
      return area.value.slice(area.selectionStart, area.selectionEnd);
    });
    expect(selected).toBe('"key": "island"');
    const renamed = JSON.parse(original);
    renamed.nodes.find((n: { key: string }) => n.key === 'superior').name = '主管审批';
    await admin.page.fill('[data-testid=definition-json]', JSON.stringify(renamed, null, 2));
    await admin.page.click('[data-testid=save-definition]');
    await admin.page.locator('#definition-saved').waitFor({ state: 'visible' });
    const stored = await t.api.get('/api/v1/flows/definitions/leave');
    expect(stored.body.definition.nodes.find((n: { key: string }) => n.key === 'superior').name).toBe('主管审批');
    await screenshot(admin.page, 'flow-definition');
    // Not for everyone.
    // A new definition from a template, under a code of one's own.
    await admin.page.goto('/flows/definitions');
    await admin.page.selectOption('[data-testid=template]', 'overtime');
    await admin.page.fill('[data-testid=template-code]', 'overtimeShop');
    await Promise.all([admin.page.waitForURL('**/flows/definitions/overtimeShop'), admin.page.click('[data-testid=create-from-template]')]);
    expect((await t.api.get('/api/v1/flows/definitions/overtimeShop')).body.template).toBe('overtime');
    await admin.page.goto('/flows/definitions');
    await admin.page.selectOption('[data-testid=template]', 'overtime');
    await admin.page.fill('[data-testid=template-code]', 'overtimeShop');
    await admin.page.click('[data-testid=create-from-template]');
    await admin.page.locator('#err-code, #form-error').first().waitFor({ state: 'attached' });
    await admin.page.waitForFunction(() => {
      const d = (globalThis as unknown as { document: { querySelector(q: string): { hidden: boolean } | null } }).document;
      return d.querySelector('#err-code')?.hidden === false || d.querySelector('#form-error')?.hidden === false;
    });
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

  it('predefined model: the initiator changes a node\'s handler at start (saved for next time), and that handler gets the task', async () => {
    const rep = await as('rep3', '/flows/start/leave');
    await rep.page.selectOption('[data-field=leaveType] select', 'annual');
    await rep.page.fill('[data-field=startDate] input', '2026-12-14');
    await rep.page.fill('[data-field=endDate] input', '2026-12-14');
    await rep.page.fill('[data-testid=choice-user-superior]', 'svc2');
    await rep.page.click('[data-testid=choice-superior] .lookup-list [role=option] >> text=svc2');
    await showsText(rep.page, '[data-testid=choice-superior] .chips', 'svc2');
    await rep.page.check('[data-testid=save-choice]');
    await screenshot(rep.page, 'flow-start-choice');
    await Promise.all([rep.page.waitForURL(/\/flows\/instances\/\d+$/), rep.page.click('[data-testid=save]')]);
    const id = Number(new URL(rep.page.url()).pathname.split('/').pop());
    const view = await t.api.get(`/api/v1/flows/instances/${id}`);
    expect(view.body.nodes.find((n: { nodeKey: string }) => n.nodeKey === 'superior').tasks.map((x: { assignee: number }) => x.assignee)).toEqual([org.users.svc2.id]);

    const chosen = await as('svc2', '/flows/inbox/todo');
    await showsText(chosen.page, '[data-testid=inbox]', 'rep3');
    await chosen.page.goto(`/flows/instances/${id}`);
    await Promise.all([chosen.page.waitForEvent('load'), chosen.page.click('[data-testid=approve]')]);
    await showsText(chosen.page, '[data-testid=trail]', 'svc2');
    // The superior by default (lead1) never had it.
    expect((await t.api.get(`/api/v1/flows/instances/${id}`)).body.nodes.flatMap((n: { tasks: { assignee: number }[] }) => n.tasks).some((x: { assignee: number }) => x.assignee === org.users.lead1.id)).toBe(false);

    // Next time the saved choice is one click away.
    await rep.page.goto('/flows/start/leave');
    await rep.page.click('[data-testid=use-saved]');
    await showsText(rep.page, '[data-testid=choice-superior] .chips', 'svc2');
    for (const p of [rep, chosen]) expect(p.errors).toEqual([]);
  });

  it('start approval from a customer\'s page; a comment with an attachment reaches the next handler; the record lists its approvals', async () => {
    const customer = await t.api.post('/api/v1/customers', { customerNo: 'C88000001', name: '华东重工', kind: 'person', status: 'active', owner: org.users.rep1.id, department: org.users.rep1.department });
    expect(customer.status).toBe(201);
    const rep = await as('rep1', `/app/customers/${customer.body.id}`);
    await Promise.all([rep.page.waitForURL(/\/flows\/start\/customerCredit\?record=/), rep.page.click('[data-testid=start-approval]')]);
    await showsText(rep.page, '[data-testid=start-record-link]', '华东重工');
    await Promise.all([rep.page.waitForURL(/\/flows\/instances\/\d+$/), rep.page.click('[data-testid=save]')]);
    const id = Number(new URL(rep.page.url()).pathname.split('/').pop());
    expect((await t.api.get(`/api/v1/flows/instances/${id}`)).body).toMatchObject({ flow: 'customerCredit', entity: 'customer', recordId: customer.body.id });

    await rep.page.fill('[data-testid=flow-comment]', '附上信用报告');
    await rep.page.setInputFiles('[data-testid=comment-files]', { name: '信用报告.txt', mimeType: 'text/plain', buffer: Buffer.from('AAA rating') });
    await showsText(rep.page, '#comment-file-names', '信用报告.txt');
    await Promise.all([rep.page.waitForEvent('load'), rep.page.click('[data-testid=add-comment]')]);
    await showsText(rep.page, '[data-testid=trail]', '附上信用报告');

    const lead = await as('lead1', `/flows/instances/${id}`);
    await showsText(lead.page, '[data-testid=trail-file]', '信用报告.txt');
    const href = await lead.page.getAttribute('[data-testid=trail-file]', 'href');
    const file = await lead.page.request.get(href!);
    expect(file.status()).toBe(200);
    expect(await file.text()).toBe('AAA rating');
    // Someone with no part in the instance cannot fetch it.
    const other = await as('rep2', '/flows');
    expect((await other.page.request.get(href!)).status()).toBe(404);
    // The decision carries its own attachment.
    await lead.page.fill('#task-comment', '同意授信');
    await lead.page.setInputFiles('[data-testid=task-files]', { name: '审批意见.txt', mimeType: 'text/plain', buffer: Buffer.from('ok') });
    await showsText(lead.page, '#task-file-names', '审批意见.txt');
    await Promise.all([lead.page.waitForEvent('load'), lead.page.click('[data-testid=approve]')]);

    await rep.page.goto(`/flows/instances/${id}`);
    await showsText(rep.page, '[data-testid=trail-file]', '审批意见.txt');
    await rep.page.goto(`/app/customers/${customer.body.id}`);
    await showsText(rep.page, '[data-testid=record-approvals]', '已完成');
    await screenshot(rep.page, 'flow-record-approvals');
    for (const p of [rep, lead, other]) expect(p.errors).toEqual([]);
  });
});
