import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { expectOk, flowOrg, label, taskOf, type FlowOrg } from './helpers';

type N = Record<string, any>;
const start = { key: 'start', kind: 'start', name: '申请' };
const end = { key: 'end', kind: 'end', name: '结束' };
const chain = (...keys: string[]) => keys.slice(1).map((k, i) => ({ from: keys[i], to: k }));

describeEachDatabase('flow handler choices, record flows, attachments, archive and destroy', (db) => {
  let p: TestPlatform;
  let org: FlowOrg;
  const define = async (code: string, nodes: N[], edges: N[], extra: N = {}) => expectOk(p.api.post('/api/v1/flows/definitions', { code, label: label(code), model: 'fixed', nodes, edges, ...extra }), 201);
  const startAs = (user: string, body: N) => org.as(user).post('/api/v1/flows/instances', body);
  const act = (user: string, task: number, action: string, body: N = {}) => org.as(user).post(`/api/v1/flows/tasks/${task}/${action}`, body);
  const upload = async (user: string, name: string, content: string): Promise<number> => {
    const res = await fetch(`${p.platform.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${org.as(user).token}`, 'content-type': 'text/plain', 'x-file-name': name }, body: content });
    return ((await res.json()) as { id: number }).id;
  };
  const download = (user: string, path: string) => fetch(`${p.platform.url}${path}`, { headers: { authorization: `Bearer ${org.as(user).token}` } });

  beforeAll(async () => {
    p = await startTestPlatform(db);
    org = await flowOrg(p);
    await define('pick', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'superior' }] }, { key: 'b', kind: 'approval', name: 'B', handlers: [{ type: 'users', ids: [org.id('hq1')] }], changeable: false }, end], chain('start', 'a', 'b', 'end'), { model: 'predefined' });
  }, 120_000);
  afterAll(async () => p?.stop());

  it('predefined: roles and departments as handlers, saved and reused; bad choices are 400 naming the node and entry, nothing started', async () => {
    const byRole = await expectOk(startAs('rep1', { flow: 'pick', handlers: { a: [{ type: 'roles', codes: ['finance', 'cashier'] }] }, saveChoice: true }), 201);
    expect(byRole.nodes[1].tasks.map((t: N) => t.assignee).sort()).toEqual([org.id('hq1'), org.id('hq2')].sort());
    expect((await org.as('rep1').get('/api/v1/flows/definitions/pick/my-choice')).body.handlers).toEqual({ a: [{ type: 'roles', codes: ['finance', 'cashier'] }] });
    const again = await expectOk(startAs('rep1', { flow: 'pick', useSavedChoice: true }), 201);
    expect(again.nodes[1].tasks).toHaveLength(2);
    const byDept = await expectOk(startAs('rep1', { flow: 'pick', handlers: { a: [{ type: 'departments', ids: [org.departments.shTeam1] }, { type: 'users', ids: [org.id('svc1')] }] } }), 201);
    const assignees = byDept.nodes[1].tasks.map((t: N) => t.assignee);
    expect(assignees).toContain(org.id('lead1'));
    expect(assignees).toContain(org.id('svc1'));

    const before = (await org.as('rep1').get('/api/v1/flows/inbox/started?limit=200')).body.data.length;
    const bad = async (handlers: unknown) => {
      const res = await startAs('rep1', { flow: 'pick', handlers });
      expect(res.status).toBe(400);
      return res.body.errors;
    };
    expect(await bad({ a: [{ type: 'superior' }] })).toEqual([expect.objectContaining({ field: 'handlers.a[0].type', rule: 'enum' })]);
    expect(await bad({ a: [{ type: 'users', ids: [] }] })).toEqual([expect.objectContaining({ field: 'handlers.a[0].ids', rule: 'type' })]);
    expect(await bad({ a: [{ type: 'roles', codes: ['noSuchRole'] }] })).toEqual([expect.objectContaining({ field: 'handlers.a', rule: 'no-handler' })]);
    expect(await bad({ a: [{ type: 'users', ids: [999999] }] })).toEqual([expect.objectContaining({ field: 'handlers.a[0].ids', rule: 'reference' })]);
    expect(await bad({ a: [999999] })).toEqual([expect.objectContaining({ field: 'handlers.a', rule: 'reference' })]);
    expect(await bad({ b: [{ type: 'users', ids: [org.id('svc1')] }] })).toEqual([expect.objectContaining({ field: 'handlers.b', rule: 'changeable' })]);
    expect(await bad({ a: [{ type: 'users', ids: [org.id('svc1')], extra: 1 }] })).toEqual([expect.objectContaining({ field: 'handlers.a[0].extra', rule: 'unknown' })]);
    expect((await org.as('rep1').get('/api/v1/flows/inbox/started?limit=200')).body.data.length).toBe(before);
  });

  it('comment attachments download for those who see the instance only; another user\'s upload cannot be attached', async () => {
    await define('attach', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'users', ids: [org.id('lead1')] }] }, end], chain('start', 'a', 'end'));
    const inst = await expectOk(startAs('rep1', { flow: 'attach' }), 201);
    const mine = await upload('rep1', encodeURIComponent('报价单.txt'), 'price list');
    const theirs = await upload('rep3', 'secret.txt', 'not yours');
    await expectOk(org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/comments`, { comment: '附报价单', attachments: [mine] }));
    const refused = await org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/comments`, { comment: 'x', attachments: [theirs] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'attachments', rule: 'reference' });
    const task = await taskOf(org.as('lead1'), inst.id);
    expect((await act('lead1', task, 'approve', { attachments: [theirs] })).status).toBe(400);

    const path = `/api/v1/flows/instances/${inst.id}/files/${mine}`;
    const got = await download('lead1', path);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('price list');
    expect(got.headers.get('content-disposition')).toMatch(/^attachment/);
    expect((await download('lead1', `/api/v1/files/${mine}`)).status).toBe(404); // not theirs through the file store
    expect((await download('rep3', path)).status).toBe(404); // no part in the instance
    expect((await download('lead1', `/api/v1/flows/instances/${inst.id}/files/${theirs}`)).status).toBe(404); // not a file of the instance
    const trail = (await org.as('lead1').get(`/api/v1/flows/instances/${inst.id}/trail`)).body.data;
    expect(trail.find((e: N) => e.action === 'comment').detail.attachments).toEqual([mine]);
  });

  it('a flow bound to customers starts on a record the initiator can read; auto-assignment picks the flow by the record', async () => {
    await define('custVip', [start, { key: 'a', kind: 'approval', name: 'VIP', handlers: [{ type: 'users', ids: [org.id('shSalesMgr')] }] }, end], chain('start', 'a', 'end'), { entity: 'customer', assign: { when: "level == 'vip'", priority: 1 } });
    await define('custPlain', [start, { key: 'a', kind: 'approval', name: 'Plain', handlers: [{ type: 'superior' }] }, end], chain('start', 'a', 'end'), { entity: 'customer', assign: { priority: 5 } });
    const customer = await expectOk(org.as('rep1').post('/api/v1/customers', { customerNo: 'C90000001', name: '大客户', kind: 'person', status: 'active', level: 'vip' }), 201);
    const auto = await expectOk(startAs('rep1', { entity: 'customer', recordId: customer.id }), 201);
    expect(auto).toMatchObject({ flow: 'custVip', entity: 'customer', recordId: customer.id });
    expect(auto.data.name).toBe('大客户');
    const named = await expectOk(startAs('rep1', { flow: 'custPlain', recordId: customer.id }), 201);
    expect(named.nodes[1].tasks[0].assignee).toBe(org.id('lead1'));
    // Someone who cannot read the record cannot start on it.
    expect((await startAs('gzRep1', { flow: 'custPlain', recordId: customer.id })).status).toBe(404);
  });

  it('archive and destroy a finished instance: flow administrators only, audited; destroy leaves a tombstone trail', async () => {
    await define('doc', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'users', ids: [org.id('lead1')] }] }, end], chain('start', 'a', 'end'));
    const inst = await expectOk(startAs('rep1', { flow: 'doc', data: { subject: '机密文件' } }), 201);
    const file = await upload('rep1', 'memo.txt', 'memo');
    await expectOk(org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/comments`, { comment: '敏感意见', attachments: [file] }));
    expect((await p.api.post(`/api/v1/flows/instances/${inst.id}/archive`, {})).status).toBe(409); // still running
    await expectOk(act('lead1', await taskOf(org.as('lead1'), inst.id), 'approve', { comment: '同意发文' }));

    expect((await org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/archive`, {})).status).toBe(403);
    expect((await org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/destroy`, {})).status).toBe(403);
    expect((await p.api.post(`/api/v1/flows/instances/${inst.id}/archive`, { comment: 42 })).body.errors[0]).toMatchObject({ field: 'comment' });
    const archived = await expectOk(p.api.post(`/api/v1/flows/instances/${inst.id}/archive`, { comment: '归档 2026-001' }));
    expect(archived.archivedAt).toBeTruthy();
    expect((await p.api.post(`/api/v1/flows/instances/${inst.id}/archive`, {})).status).toBe(409);

    const destroyed = await expectOk(p.api.post(`/api/v1/flows/instances/${inst.id}/destroy`, { comment: '保管期满' }));
    expect(destroyed.destroyedAt).toBeTruthy();
    expect(destroyed.data).toEqual({});
    expect(destroyed.nodes.flatMap((n: N) => n.tasks).every((t: N) => t.comment === null)).toBe(true);
    const trail = (await org.as('rep1').get(`/api/v1/flows/instances/${inst.id}/trail`)).body.data;
    expect(trail.map((e: N) => e.action)).toEqual(expect.arrayContaining(['instance.started', 'comment', 'task.agree', 'instance.archived', 'instance.destroyed']));
    expect(JSON.stringify(trail)).not.toMatch(/敏感意见|同意发文|机密文件/);
    expect(trail.find((e: N) => e.action === 'task.agree').user).toBe(org.id('lead1'));
    expect((await download('rep1', `/api/v1/flows/instances/${inst.id}/files/${file}`)).status).toBe(404);
    expect((await p.api.post(`/api/v1/flows/instances/${inst.id}/destroy`, {})).status).toBe(409);
    expect((await org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/comments`, { comment: 'again' })).status).toBe(409);
    const log = (await p.api.get(`/api/v1/audit?entity=flowInstance&recordId=${inst.id}`)).body.data.map((e: N) => e.action);
    expect(log).toEqual(expect.arrayContaining(['flow.archive', 'flow.destroy']));
  });
});
