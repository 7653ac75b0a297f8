import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { expectOk, flowOrg, taskOf, type FlowOrg } from './helpers';

type N = Record<string, any>;

/** Every shipped flow template, created from its template and run end to end by the right people. */
describeEachDatabase('flow templates', (db) => {
  let p: TestPlatform;
  let org: FlowOrg;
  const startAs = (user: string, body: N) => expectOk(org.as(user).post('/api/v1/flows/instances', body), 201);
  const view = async (id: number) => (await p.api.get(`/api/v1/flows/instances/${id}`)).body;
  const act = (user: string, instance: number, action: string, body: N = {}, kind?: string) => taskOf(org.as(user), instance, kind).then((task) => expectOk(org.as(user).post(`/api/v1/flows/tasks/${task}/${action}`, body)));
  const open = async (id: number) => (await view(id)).nodes.filter((n: N) => n.status === 'active').map((n: N) => n.nodeKey);

  beforeAll(async () => {
    p = await startTestPlatform(db);
    org = await flowOrg(p);
    const list = (await p.api.get('/api/v1/flows/templates')).body.data;
    for (const t of list) await expectOk(p.api.post('/api/v1/flows/definitions/from-template', { template: t.code }), 201);
  }, 180_000);
  afterAll(async () => p?.stop());

  it('leave: the employee files, the superior approves, HR gets a read-only notice; the employee sees trail and graph', async () => {
    const inst = await startAs('rep1', { flow: 'leave', data: { leaveType: 'annual', startDate: '2026-05-06', endDate: '2026-05-07' } });
    expect(inst.data.days).toBe(2);
    await act('lead1', inst.id, 'approve', { comment: '同意' });
    const done = await view(inst.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.map((n: N) => n.nodeKey)).toEqual(['start', 'superior', 'long', 'hr', 'end']);
    const cc = (await org.as('svc1').get('/api/v1/flows/inbox/cc')).body.data;
    expect(cc.find((t: N) => t.instance.id === inst.id)).toMatchObject({ kind: 'notify', status: 'unread', node: { key: 'hr' } });
    const trail = (await org.as('rep1').get(`/api/v1/flows/instances/${inst.id}/trail`)).body.data;
    expect(trail.find((e: N) => e.action === 'task.agree')).toMatchObject({ user: org.id('lead1'), comment: '同意', node: { key: 'superior', name: '直接上级审批' } });
    const svg = (await org.as('rep1').get(`/api/v1/flows/instances/${inst.id}/graph.svg`)).body;
    expect(svg).toContain('class="node completed" data-key="superior"');
    expect(svg).toContain('class="node pending" data-key="head"');
    const long = await startAs('rep1', { flow: 'leave', data: { leaveType: 'personal', startDate: '2026-06-01', endDate: '2026-06-05', reason: '家事' } });
    await act('lead1', long.id, 'approve');
    expect(await open(long.id)).toEqual(['head']); // 销售一组's head is lead1 as well
    await act('lead1', long.id, 'approve');
    expect((await view(long.id)).status).toBe('completed');
  });

  it('expense: rejected back to the employee, fixed, approved, and registered by the cashier', async () => {
    const data = { title: '三月报销', paymentMethod: 'transfer', payee: 'rep1', bankAccount: '6222000011112222', lines: [{ expenseDate: '2026-03-02', category: 'transport', amount: 120 }] };
    const inst = await startAs('rep1', { flow: 'expense', data });
    await act('lead1', inst.id, 'return', { comment: '缺少住宿费' });
    await act('rep1', inst.id, 'resubmit', { data: { lines: [...data.lines, { expenseDate: '2026-03-03', category: 'lodging', amount: 300 }] } }, 'resubmit');
    expect((await view(inst.id)).data.total).toBe(420);
    await act('lead1', inst.id, 'approve');
    await act('hq1', inst.id, 'approve');
    await act('hq2', inst.id, 'complete', { report: { completion: 100, effortHours: 0.2, cost: 0, note: '已付款' } });
    expect((await view(inst.id)).status).toBe('completed');
    expect((await org.as('hq2').get('/api/v1/flows/work-log')).body.data[0]).toMatchObject({ instance: { id: inst.id }, report: { note: '已付款' } });
    const rejected = await startAs('rep1', { flow: 'expense', data });
    await act('lead1', rejected.id, 'reject', { comment: '不予报销' });
    expect((await view(rejected.id)).status).toBe('rejected');
  });

  it('travel and overtime: superior approval, notices to finance and HR', async () => {
    const travel = await startAs('rep1', { flow: 'travel', data: { destination: '北京', purpose: '拜访', startDate: '2026-04-01', endDate: '2026-04-02', estimatedCost: 8000 } });
    await act('lead1', travel.id, 'approve');
    await act('lead1', travel.id, 'approve'); // over 5,000: the department head (lead1 again)
    expect((await view(travel.id)).status).toBe('completed');
    const overtime = await startAs('rep3', { flow: 'overtime', data: { overtimeType: 'weekend', startTime: '2026-03-07T09:00:00+08:00', endTime: '2026-03-07T17:00:00+08:00', compensation: 'timeOff', reason: '上线' } });
    await act('shSalesMgr', overtime.id, 'approve');
    expect((await view(overtime.id)).status).toBe('completed');
  });

  it('purchase, chosen among three flows by category (auto-assign)', async () => {
    for (const [code, when, priority] of [['purchaseIt', "title == 'IT'", 1], ['purchaseUrgent', 'urgent', 2]] as const) {
      const copy = await expectOk(p.api.post('/api/v1/flows/definitions/purchase/copy', { code }), 201);
      await expectOk(p.api.put(`/api/v1/flows/definitions/${code}`, { version: copy.version, definition: { ...copy.definition, assign: { when, priority } } }));
    }
    const items = [{ itemName: '电脑', unit: '台', quantity: 2, unitPrice: 8000 }];
    const it1 = await startAs('rep1', { form: 'purchase', data: { title: 'IT', items } });
    const urgent = await startAs('rep1', { form: 'purchase', data: { title: '纸', urgent: true, urgentReason: '断货', items: [{ itemName: '纸', unit: '箱', quantity: 1, unitPrice: 100 }] } });
    const plain = await startAs('rep1', { form: 'purchase', data: { title: '纸', items: [{ itemName: '纸', unit: '箱', quantity: 1, unitPrice: 100 }] } });
    expect([it1.flow, urgent.flow, plain.flow]).toEqual(['purchaseIt', 'purchaseUrgent', 'purchase']);
    await act('lead1', it1.id, 'approve');
    expect(await open(it1.id)).toEqual(['gm']); // 16,000 > 10,000
    await act('shAdmin', it1.id, 'approve');
    await act('svc2', it1.id, 'complete', { report: { completion: 100, cost: 16000 } });
    expect((await view(it1.id)).status).toBe('completed');
  });

  it('loan (borrow → return) and asset borrowing', async () => {
    const loan = await startAs('rep1', { flow: 'loan', data: { purpose: '出差借支', amount: 2000, loanDate: '2026-03-01', expectedRepaymentDate: '2026-04-30', paymentMethod: 'cash' } });
    await act('lead1', loan.id, 'approve');
    await act('hq1', loan.id, 'approve');
    await act('hq2', loan.id, 'complete', { comment: '已付现金' });
    expect(await open(loan.id)).toEqual(['repay']);
    await act('rep1', loan.id, 'complete', { comment: '已归还' });
    await act('hq2', loan.id, 'complete');
    expect((await view(loan.id)).status).toBe('completed');
    const asset = await startAs('rep1', { flow: 'assetBorrow', data: { purpose: '演示', borrowDate: '2026-03-01', expectedReturnDate: '2026-03-20', items: [{ assetName: '投影仪' }] } });
    await act('lead1', asset.id, 'approve');
    await act('svc2', asset.id, 'complete');
    await act('rep1', asset.id, 'complete');
    await act('svc2', asset.id, 'complete');
    expect((await view(asset.id)).status).toBe('completed');
  });

  it('contract countersign: legal, finance and the department head all agree, the general manager signs', async () => {
    const inst = await startAs('rep1', { flow: 'contractCountersign', data: { contractNo: 'HT-2026-001', title: '团体险合同', counterparty: '某公司', amount: 500000 } });
    expect((await view(inst.id)).nodes[1].tasks.map((t: N) => t.assignee).sort()).toEqual([org.id('auditor'), org.id('hq1'), org.id('lead1')].sort());
    await act('auditor', inst.id, 'approve');
    await act('hq1', inst.id, 'approve');
    expect(await open(inst.id)).toEqual(['countersign']);
    await act('lead1', inst.id, 'approve');
    await act('shAdmin', inst.id, 'approve');
    expect((await view(inst.id)).status).toBe('completed');
  });

  it('project initiation: a large budget goes to the committee, half of whom must agree', async () => {
    const inst = await startAs('rep1', { flow: 'projectInitiation', data: { name: '新核心系统', goal: '替换旧系统', budget: 2000000, startDate: '2026-04-01', endDate: '2026-12-31' } });
    await act('lead1', inst.id, 'approve');
    await act('hq1', inst.id, 'reject');
    await act('hq2', inst.id, 'approve');
    expect((await view(inst.id)).status).toBe('running');
    await act('auditor', inst.id, 'approve'); // 2 of 4: half
    expect((await view(inst.id)).status).toBe('completed');
  });

  it('delegated task (交办): the assignee does it and reports, the one who delegated checks it', async () => {
    const inst = await startAs('lead1', { flow: 'delegatedTask', data: { subject: '整理客户名单', assignee: org.id('rep1'), dueDate: '2026-03-31' } });
    await act('rep1', inst.id, 'complete', { report: { completion: 100, effortHours: 3, note: '已完成' } });
    await act('lead1', inst.id, 'approve', { comment: '很好' });
    expect((await view(inst.id)).status).toBe('completed');
    expect((await org.as('rep1').get('/api/v1/flows/work-log')).body.data[0]).toMatchObject({ node: { key: 'doIt' }, report: { effortHours: 3 } });
  });

  it('official documents: send (draft → review → countersign → sign-off → number → distribute → archive) and receive', async () => {
    const send = await startAs('rep1', { form: 'officialDocument', data: { title: '关于春节放假的通知', direction: 'send', content: '…' } });
    expect(send.flow).toBe('documentSend');
    await act('lead1', send.id, 'approve');
    await act('hq1', send.id, 'approve');
    await act('auditor', send.id, 'approve');
    await act('shAdmin', send.id, 'approve');
    await act('svc2', send.id, 'complete', { data: { documentNo: '沪发〔2026〕1号' } });
    expect((await view(send.id)).data.documentNo).toBe('沪发〔2026〕1号');
    for (const reader of ['rep2', 'rep3']) expect((await org.as(reader).get('/api/v1/flows/inbox/cc')).body.data.some((t: N) => t.instance.id === send.id)).toBe(true);
    await act('svc2', send.id, 'complete');
    expect((await view(send.id)).status).toBe('completed');
    const receive = await startAs('svc2', { form: 'officialDocument', data: { title: '监管通知', direction: 'receive', issuer: '监管局' } });
    expect(receive.flow).toBe('documentReceive');
    await act('svc2', receive.id, 'complete', { comment: '拟请领导阅示' });
    await act('shAdmin', receive.id, 'approve');
    // 上海客服部 has no head: the node goes to the administrator (onNobody: admin)
    expect((await view(receive.id)).nodes.find((n: N) => n.nodeKey === 'handleIt').tasks[0].assignee).toBe((await p.api.get('/api/v1/users?filter[username]=admin')).body.data[0].id);
    await expectOk(p.api.post(`/api/v1/flows/tasks/${await taskOf(p.api, receive.id)}/complete`, { comment: '已办' }));
    await act('svc2', receive.id, 'complete');
    expect((await view(receive.id)).status).toBe('completed');
  });
});
