import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { expectOk, flowOrg, label, taskOf, type FlowOrg } from './helpers';

type N = Record<string, any>;

describeEachDatabase('flow input and records', (db) => {
  let p: TestPlatform;
  let org: FlowOrg;
  let task: number;
  let instance: number;
  const count = async () => (await p.api.get('/api/v1/flows/inbox/counts')).body;

  beforeAll(async () => {
    p = await startTestPlatform(db);
    org = await flowOrg(p, ['rep1', 'lead1', 'gzRep1', 'hq1']);
    await expectOk(p.api.post('/api/v1/flows/definitions', {
      code: 'plain', label: label('plain'), model: 'fixed',
      nodes: [{ key: 'start', kind: 'start', name: 'S' }, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'superior' }] }, { key: 'end', kind: 'end', name: 'E' }],
      edges: [{ from: 'start', to: 'a' }, { from: 'a', to: 'end' }],
    }), 201);
    instance = (await expectOk(org.as('rep1').post('/api/v1/flows/instances', { flow: 'plain' }), 201)).id;
    task = await taskOf(org.as('lead1'), instance);
  }, 120_000);
  afterAll(async () => p?.stop());

  it('answers bad input with 4xx naming the field, never 500, and writes nothing', async () => {
    const rep1 = org.as('rep1');
    const before = (await rep1.get('/api/v1/flows/inbox/started?limit=200')).body.data.length;
    const starts: unknown[] = [[], 'x', { flow: {} }, { flow: 'plain', data: [] }, { form: 42 }, { entity: 'customer', recordId: 'a' }, { flow: 'plain', title: 'x'.repeat(201) }, { flow: 'plain', saveChoice: 'yes' }, { flow: 'plain', colour: 1 }, { flow: 'plain', handlers: [1] }, { flow: 'plain', route: {} }, { flow: 'nope' }, { form: 'nope' }];
    for (const body of starts) {
      const res = await rep1.post('/api/v1/flows/instances', body);
      expect([JSON.stringify(body), res.status >= 400 && res.status < 500]).toEqual([JSON.stringify(body), true]);
      if (res.status === 400) expect(res.body.errors.length).toBeGreaterThan(0);
    }
    expect((await rep1.get('/api/v1/flows/inbox/started?limit=200')).body.data.length).toBe(before);
    const lead = org.as('lead1');
    const actions: [string, unknown][] = [
      ['approve', { comment: 42 }], ['approve', { comment: 'x'.repeat(2001) }], ['approve', { attachments: 'x' }], ['approve', { attachments: [0] }], ['complete', {}],
      ['return', { to: 42 }], ['return', { to: 'nowhere' }], ['assist', { users: 'x' }], ['assist', { users: [999999] }], ['delegate', { to: 'x' }], ['delegate', { to: org.id('lead1') }],
      ['add-handlers', { users: [] }], ['approve', { report: 'x' }], ['approve', { report: { completion: 101 } }], ['approve', { data: [] }], ['resubmit', {}], ['read', {}], ['reply', {}],
    ];
    for (const [action, body] of actions) {
      const res = await lead.post(`/api/v1/flows/tasks/${task}/${action}`, body);
      expect([action, JSON.stringify(body), res.status >= 400 && res.status < 500]).toEqual([action, JSON.stringify(body), true]);
    }
    expect((await lead.post('/api/v1/flows/tasks/abc/approve', {})).status).toBe(400);
    expect((await lead.post('/api/v1/flows/tasks/99999999/approve', {})).status).toBe(404);
    expect((await lead.post(`/api/v1/flows/tasks/${task}/approve`, '[1,2')).status).toBe(400);
    for (const [path, body] of [['jump', { to: 'nowhere' }], ['comments', {}], ['comments', { comment: 7 }]] as const) expect((await p.api.post(`/api/v1/flows/instances/${instance}/${path}`, body)).status).toBe(400);
    expect((await p.api.get('/api/v1/flows/inbox/todo?limit=0')).status).toBe(400);
    expect((await p.api.get('/api/v1/flows/inbox/other')).status).toBe(400);
    for (const body of [{}, { delegate: org.id('hq1'), startsAt: 'x', endsAt: 'y' }, { delegate: org.id('hq1'), startsAt: '2026-01-02T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' }, { delegate: org.id('hq1'), startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-01-02T00:00:00Z', flow: 'x'.repeat(40) }]) {
      expect((await lead.post('/api/v1/flows/delegations', body)).status).toBe(400);
    }
    for (const body of [[], { code: 'Bad Code' }, { code: 'x', label: label('x'), model: 'fixed', nodes: 'x', edges: [] }]) expect((await p.api.post('/api/v1/flows/definitions', body)).status).toBe(400);
    // the task is still pending, untouched
    const v = (await p.api.get(`/api/v1/flows/instances/${instance}`)).body;
    expect(v.nodes[1].tasks).toEqual([expect.objectContaining({ id: task, status: 'pending', decision: null, comment: null })]);
    expect((await p.api.get(`/api/v1/flows/instances/${instance}/trail`)).body.data.map((e: N) => e.action)).toEqual(['instance.started', 'node.entered']);
    expect(await count()).toMatchObject({ todo: 0 });
  });

  it('starts a flow on an entity record the initiator can read, with a snapshot of it', async () => {
    await expectOk(p.api.post('/api/v1/flows/definitions', {
      code: 'customerReview', label: label('客户审核'), model: 'fixed', entity: 'customer',
      nodes: [{ key: 'start', kind: 'start', name: 'S' }, { key: 'c', kind: 'condition', name: 'VIP?' }, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'superior' }] }, { key: 'end', kind: 'end', name: 'E' }],
      edges: [{ from: 'start', to: 'c' }, { from: 'c', to: 'a', when: "level == 'vip'" }, { from: 'c', to: 'end', default: true }, { from: 'a', to: 'end' }],
    }), 201);
    const customer = await expectOk(p.api.post('/api/v1/customers', { customerNo: 'C00000001', name: '大客户', kind: 'person', level: 'vip', owner: org.id('rep1'), department: org.departments.shTeam1 }), 201);
    const inst = await expectOk(org.as('rep1').post('/api/v1/flows/instances', { flow: 'customerReview', recordId: customer.id }), 201);
    expect(inst).toMatchObject({ entity: 'customer', recordId: customer.id, data: { name: '大客户', level: 'vip' } });
    expect(inst.nodes.map((n: N) => n.nodeKey)).toEqual(['start', 'c', 'a']);
    await expectOk(p.api.patch(`/api/v1/customers/${customer.id}`, { name: '改名了', version: customer.version }));
    expect((await p.api.get(`/api/v1/flows/instances/${inst.id}`)).body.data.name).toBe('大客户');
    expect((await org.as('gzRep1').post('/api/v1/flows/instances', { flow: 'customerReview', recordId: customer.id })).status).toBe(404);
    expect((await org.as('rep1').post('/api/v1/flows/instances', { flow: 'customerReview' })).body.errors[0]).toMatchObject({ field: 'recordId', rule: 'required' });
    const byEntity = await expectOk(org.as('rep1').post('/api/v1/flows/instances', { entity: 'customer', recordId: customer.id }), 201);
    expect(byEntity.flow).toBe('customerReview');
  });

  it('lists instances for monitoring: all for administrators, one\'s own for others; start, cancel and jump are in the operation log', async () => {
    const all = (await p.api.get('/api/v1/flows/instances?flow=plain&status=running')).body.data;
    expect(all.map((i: N) => i.id)).toContain(instance);
    expect((await org.as('lead1').get('/api/v1/flows/instances')).body.data.map((i: N) => i.id)).toContain(instance);
    expect((await org.as('gzRep1').get('/api/v1/flows/instances')).body.data.map((i: N) => i.id)).not.toContain(instance);
    expect((await p.api.get('/api/v1/flows/instances?overdue=true')).body.data).toEqual([]);
    expect((await p.api.get('/api/v1/flows/instances?status=done')).status).toBe(400);
    const other = await expectOk(org.as('rep1').post('/api/v1/flows/instances', { flow: 'plain' }), 201);
    await expectOk(p.api.post(`/api/v1/flows/instances/${other.id}/jump`, { to: 'end', comment: 'closed by admin' }));
    const log = (await p.api.get(`/api/v1/audit?entity=flowInstance&recordId=${other.id}`)).body.data.map((e: N) => [e.action, e.username]);
    expect(log).toEqual(expect.arrayContaining([['flow.start', 'rep1'], ['flow.jump', 'admin']]));
  });

  it('documents its endpoints in the OpenAPI document', async () => {
    const doc = (await p.api.get('/api/v1/openapi.json')).body;
    for (const path of ['/api/v1/flows/definitions', '/api/v1/flows/instances', '/api/v1/flows/tasks/{id}/approve', '/api/v1/flows/inbox/{box}', '/api/v1/flows/instances/{id}/graph.svg']) expect(doc.paths[path]).toBeDefined();
  });
});
