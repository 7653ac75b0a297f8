import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { expectOk, flowOrg, label, taskOf, type FlowOrg } from './helpers';

type N = Record<string, unknown>;
const start = { key: 'start', kind: 'start', name: '申请' };
const end = { key: 'end', kind: 'end', name: '结束' };
const chain = (...keys: string[]) => keys.slice(1).map((k, i) => ({ from: keys[i], to: k }));

describeEachDatabase('flow engine', (db) => {
  let p: TestPlatform;
  let org: FlowOrg;
  const define = async (code: string, nodes: N[], edges: N[], extra: N = {}) => expectOk(p.api.post('/api/v1/flows/definitions', { code, label: label(code), model: 'fixed', nodes, edges, ...extra }), 201);
  const startAs = async (user: string, body: N) => expectOk(org.as(user).post('/api/v1/flows/instances', body), 201);
  const view = async (id: number) => (await p.api.get(`/api/v1/flows/instances/${id}`)).body;
  const act = (user: string, task: number, action: string, body: N = {}) => org.as(user).post(`/api/v1/flows/tasks/${task}/${action}`, body);
  const users = (...names: string[]) => ({ type: 'users', ids: names.map((n) => org.id(n)) });

  beforeAll(async () => {
    p = await startTestPlatform(db);
    org = await flowOrg(p);
  }, 120_000);
  afterAll(async () => p?.stop());

  describe('definitions', () => {
    it('saves, versions, copies; refuses invalid graphs naming the node; instances keep their version', async () => {
      const created = await define('simple', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [users('lead1')] }, end], chain('start', 'a', 'end'));
      expect(created).toMatchObject({ code: 'simple', version: 1, enabled: true });
      const bad = await p.api.post('/api/v1/flows/definitions', { code: 'broken', label: label('x'), model: 'fixed', nodes: [start, { key: 'a', kind: 'approval', name: 'A' }, { key: 'x', kind: 'handle', name: 'X', handlers: [users('lead1')] }, end], edges: chain('start', 'a', 'end') });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([
        { field: 'nodes[1].handlers', rule: 'required', message: 'Node "a" has no handlers' },
        expect.objectContaining({ field: 'nodes[2]', rule: 'unreachable' }),
      ]);
      expect((await p.api.get('/api/v1/flows/definitions/broken')).status).toBe(404);
      const running = await startAs('rep1', { flow: 'simple', data: { note: 'v1' } });
      expect(running.flowVersion).toBe(1);
      const v2 = await expectOk(p.api.put('/api/v1/flows/definitions/simple', { version: 1, definition: { label: label('simple'), model: 'fixed', nodes: [start, { key: 'a', kind: 'approval', name: 'A2', handlers: [users('lead1')] }, { key: 'b', kind: 'approval', name: 'B', handlers: [users('shSalesMgr')] }, end], edges: chain('start', 'a', 'b', 'end') } }));
      expect(v2.version).toBe(2);
      expect((await p.api.put('/api/v1/flows/definitions/simple', { version: 1, definition: v2.definition })).status).toBe(409);
      await expectOk(act('lead1', await taskOf(org.as('lead1'), running.id), 'approve'));
      expect((await view(running.id)).status).toBe('completed'); // version 1 has no node b
      const copy = await expectOk(p.api.post('/api/v1/flows/definitions/simple/copy', { code: 'simpleCopy' }), 201);
      expect(copy.definition.nodes.map((n: N) => n.key)).toEqual(['start', 'a', 'b', 'end']);
      expect((await p.api.get('/api/v1/flows/definitions/simple/versions')).body.data.map((v: N) => v.version)).toEqual([2, 1]);
      expect((await org.as('rep1').post('/api/v1/flows/definitions', { code: 'mine', label: label('x'), model: 'fixed', nodes: [start, end], edges: chain('start', 'end') })).status).toBe(403);
      const svg = await p.api.get('/api/v1/flows/definitions/simple/graph.svg');
      expect(svg.headers.get('content-type')).toMatch(/image\/svg\+xml/);
      expect(svg.body).toContain('data-key="b"');
    });
  });

  describe('countersign', () => {
    const node = (mode: string, names: string[], percent?: number) => ({ key: 'cs', kind: 'approval', name: '会签', handlers: [users(...names)], countersign: { mode, ...(percent ? { percent } : {}) } });
    const run = async (code: string, mode: string, names: string[], votes: [string, 'approve' | 'reject'][], percent?: number) => {
      await define(code, [start, node(mode, names, percent), end], chain('start', 'cs', 'end'));
      const inst = await startAs('rep1', { flow: code });
      const results: number[] = [];
      for (const [user, vote] of votes) {
        const todo = (await org.as(user).get('/api/v1/flows/inbox/todo')).body.data.filter((t: N) => (t.instance as N).id === inst.id);
        if (!todo.length) {
          results.push(0);
          continue;
        }
        results.push((await act(user, todo[0].task, vote)).status);
      }
      return { inst: await view(inst.id), results };
    };

    it('any: the first decision decides; the others are cancelled', async () => {
      const { inst, results } = await run('csAny', 'any', ['hq1', 'hq2', 'auditor'], [['hq2', 'reject'], ['hq1', 'approve']]);
      expect(results).toEqual([200, 0]);
      expect(inst.status).toBe('rejected');
      expect(inst.nodes[1].tasks.map((t: N) => t.status).sort()).toEqual(['cancelled', 'cancelled', 'done']);
    });

    it('all: everyone agrees, or one reject rejects', async () => {
      expect((await run('csAll', 'all', ['hq1', 'hq2'], [['hq1', 'approve'], ['hq2', 'approve']])).inst.status).toBe('completed');
      const r = await run('csAllNo', 'all', ['hq1', 'hq2', 'auditor'], [['hq1', 'approve'], ['hq2', 'reject'], ['auditor', 'approve']]);
      expect(r.results).toEqual([200, 200, 0]);
      expect(r.inst.status).toBe('rejected');
    });

    it('ratio 50 %: a tie of 2 of 4 approves; 3 rejections of 4 reject', async () => {
      const tie = await run('csHalf', 'ratio', ['hq1', 'hq2', 'auditor', 'svc1'], [['hq1', 'reject'], ['hq2', 'approve'], ['auditor', 'reject'], ['svc1', 'approve']], 50);
      expect(tie.inst.status).toBe('completed');
      expect(tie.inst.nodes[1]).toMatchObject({ status: 'completed', outcome: 'approved' });
      const no = await run('csHalfNo', 'ratio', ['hq1', 'hq2', 'auditor', 'svc1'], [['hq1', 'reject'], ['hq2', 'reject'], ['auditor', 'reject'], ['svc1', 'approve']], 50);
      expect(no.results).toEqual([200, 200, 200, 0]);
      expect(no.inst.status).toBe('rejected');
    });

    it('sequential: one after another in order; a reject stops it', async () => {
      await define('csSeq', [start, node('sequential', ['hq1', 'hq2', 'auditor']), end], chain('start', 'cs', 'end'));
      const inst = await startAs('rep1', { flow: 'csSeq' });
      expect((await org.as('hq2').get('/api/v1/flows/inbox/todo')).body.data.filter((t: N) => (t.instance as N).id === inst.id)).toEqual([]);
      await expectOk(act('hq1', await taskOf(org.as('hq1'), inst.id), 'approve'));
      await expectOk(act('hq2', await taskOf(org.as('hq2'), inst.id), 'approve'));
      expect((await view(inst.id)).status).toBe('running');
      await expectOk(act('auditor', await taskOf(org.as('auditor'), inst.id), 'approve'));
      expect((await view(inst.id)).status).toBe('completed');
      const r = await run('csSeqNo', 'sequential', ['hq1', 'hq2'], [['hq1', 'reject'], ['hq2', 'approve']]);
      expect(r.results).toEqual([200, 0]);
      expect(r.inst.status).toBe('rejected');
    });

    it('a rejected edge leads elsewhere instead of ending the flow; a second action on a decided task is 409', async () => {
      await define('rejEdge', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [users('lead1')] }, { key: 'fix', kind: 'handle', name: 'Fix', handlers: [{ type: 'initiator' }] }, end], [{ from: 'start', to: 'a' }, { from: 'a', to: 'end' }, { from: 'a', to: 'fix', on: 'rejected' }, { from: 'fix', to: 'end' }]);
      const inst = await startAs('rep1', { flow: 'rejEdge' });
      const task = await taskOf(org.as('lead1'), inst.id);
      await expectOk(act('lead1', task, 'reject', { comment: '不行' }));
      const again = await act('lead1', task, 'approve');
      expect(again.status).toBe(409);
      expect((await act('rep1', task, 'approve')).status).toBe(403);
      await expectOk(act('rep1', await taskOf(org.as('rep1'), inst.id), 'complete', { report: { completion: 100, effortHours: 1.5 } }));
      expect((await view(inst.id)).status).toBe('completed');
    });
  });

  describe('node kinds', () => {
    it('condition, parallel split and join (all, any, n-of-m)', async () => {
      const par = (code: string, join: N) =>
        define(code, [start, { key: 'c', kind: 'condition', name: 'C' }, { key: 'sp', kind: 'split', name: 'Split' }, { key: 'x', kind: 'handle', name: 'X', handlers: [users('hq1')] }, { key: 'y', kind: 'handle', name: 'Y', handlers: [users('hq2')] }, { key: 'z', kind: 'handle', name: 'Z', handlers: [users('auditor')] }, { key: 'j', kind: 'join', name: 'Join', join }, { key: 'small', kind: 'handle', name: 'S', handlers: [users('svc1')] }, end], [
          { from: 'start', to: 'c' }, { from: 'c', to: 'sp', when: 'amount > 100' }, { from: 'c', to: 'small', default: true }, { from: 'sp', to: 'x' }, { from: 'sp', to: 'y' }, { from: 'sp', to: 'z' }, { from: 'x', to: 'j' }, { from: 'y', to: 'j' }, { from: 'z', to: 'j' }, { from: 'j', to: 'end' }, { from: 'small', to: 'end' },
        ]);
      await par('parAll', { mode: 'all' });
      await par('parAny', { mode: 'any' });
      await par('parTwo', { mode: 'count', count: 2 });
      const small = await startAs('rep1', { flow: 'parAll', data: { amount: 5 } });
      expect(small.nodes.map((n: N) => n.nodeKey)).toEqual(['start', 'c', 'small']);
      const all = await startAs('rep1', { flow: 'parAll', data: { amount: 500 } });
      expect(all.nodes.filter((n: N) => n.status === 'active').map((n: N) => n.nodeKey)).toEqual(['x', 'y', 'z']);
      for (const u of ['hq1', 'hq2']) await expectOk(act(u, await taskOf(org.as(u), all.id), 'complete'));
      expect((await view(all.id)).status).toBe('running');
      await expectOk(act('auditor', await taskOf(org.as('auditor'), all.id), 'complete'));
      expect((await view(all.id)).status).toBe('completed');
      const any = await startAs('rep1', { flow: 'parAny', data: { amount: 500 } });
      await expectOk(act('hq2', await taskOf(org.as('hq2'), any.id), 'complete'));
      const anyView = await view(any.id);
      expect(anyView.status).toBe('completed');
      expect(anyView.nodes.filter((n: N) => n.status === 'cancelled').map((n: N) => n.nodeKey).sort()).toEqual(['x', 'z']);
      const two = await startAs('rep1', { flow: 'parTwo', data: { amount: 500 } });
      await expectOk(act('auditor', await taskOf(org.as('auditor'), two.id), 'complete'));
      expect((await view(two.id)).status).toBe('running');
      await expectOk(act('hq1', await taskOf(org.as('hq1'), two.id), 'complete'));
      expect((await view(two.id)).status).toBe('completed');
    });

    it('a return inside one parallel branch leaves the other branch and the join\'s arrivals alone', async () => {
      await define('parReturn', [start, { key: 'sp', kind: 'split', name: 'Split' }, { key: 'x', kind: 'handle', name: 'X', handlers: [users('hq1')] }, { key: 'y', kind: 'approval', name: 'Y', handlers: [users('hq2')] }, { key: 'z', kind: 'handle', name: 'Z', handlers: [users('auditor')] }, { key: 'j', kind: 'join', name: 'Join' }, end], [
        { from: 'start', to: 'sp' }, { from: 'sp', to: 'x' }, { from: 'x', to: 'y' }, { from: 'y', to: 'j' }, { from: 'sp', to: 'z' }, { from: 'z', to: 'j' }, { from: 'j', to: 'end' },
      ]);
      const inst = await startAs('rep1', { flow: 'parReturn' });
      const zNode = inst.nodes.find((n: N) => n.nodeKey === 'z').id;
      await expectOk(act('hq1', await taskOf(org.as('hq1'), inst.id), 'complete'));
      expect((await act('auditor', await taskOf(org.as('auditor'), inst.id), 'return', { to: 'x' })).body.errors[0]).toMatchObject({ field: 'to', rule: 'earlier-node' });
      await expectOk(act('hq2', await taskOf(org.as('hq2'), inst.id), 'return', { to: 'x' }));
      const mid = await view(inst.id);
      expect(mid.nodes.filter((n: N) => n.status === 'active').map((n: N) => [n.nodeKey, n.id === zNode])).toEqual([['z', true], ['x', false]]);
      await expectOk(act('auditor', await taskOf(org.as('auditor'), inst.id), 'complete'));
      expect((await view(inst.id)).nodes.find((n: N) => n.nodeKey === 'j')).toMatchObject({ status: 'waiting', arrivals: 1 });
      await expectOk(act('hq1', await taskOf(org.as('hq1'), inst.id), 'complete'));
      await expectOk(act('hq2', await taskOf(org.as('hq2'), inst.id), 'approve'));
      expect((await view(inst.id)).status).toBe('completed');
    });

    it('conditions read the initiator', async () => {
      await define('byDept', [start, { key: 'c', kind: 'condition', name: 'C' }, { key: 'team', kind: 'handle', name: 'Team', handlers: [users('lead1')] }, { key: 'other', kind: 'handle', name: 'Other', handlers: [users('hq1')] }, end], [
        { from: 'start', to: 'c' }, { from: 'c', to: 'team', when: `initiator.department == ${org.departments.shTeam1} and initiator.username != 'x'` }, { from: 'c', to: 'other', default: true }, { from: 'team', to: 'end' }, { from: 'other', to: 'end' },
      ]);
      expect((await startAs('rep1', { flow: 'byDept' })).nodes.map((n: N) => n.nodeKey)).toEqual(['start', 'c', 'team']);
      expect((await startAs('rep3', { flow: 'byDept' })).nodes.map((n: N) => n.nodeKey)).toEqual(['start', 'c', 'other']);
    });

    it('nested sub-flows: the parent waits for its child, which waits for its own', async () => {
      await define('grandchild', [start, { key: 'g', kind: 'approval', name: 'G', handlers: [users('hq2')] }, end], chain('start', 'g', 'end'));
      await define('child', [start, { key: 'c', kind: 'approval', name: 'C', handlers: [users('hq1')] }, { key: 'sub', kind: 'subflow', name: 'Sub', flow: 'grandchild' }, end], chain('start', 'c', 'sub', 'end'));
      await define('parent', [start, { key: 'sub', kind: 'subflow', name: 'Sub', flow: 'child' }, { key: 'after', kind: 'handle', name: 'After', handlers: [{ type: 'initiator' }] }, end], chain('start', 'sub', 'after', 'end'));
      const parent = await startAs('rep1', { flow: 'parent', data: { x: 1 } });
      const childId = parent.nodes[1].childId;
      expect(childId).toBeGreaterThan(parent.id);
      await expectOk(act('hq1', await taskOf(org.as('hq1'), childId), 'approve'));
      const child = await view(childId);
      const grandId = child.nodes.find((n: N) => n.nodeKey === 'sub').childId;
      expect((await view(grandId)).data).toEqual({ x: 1 });
      await expectOk(act('hq2', await taskOf(org.as('hq2'), grandId), 'approve'));
      expect((await view(grandId)).status).toBe('completed');
      expect((await view(childId)).status).toBe('completed');
      const p1 = await view(parent.id);
      expect(p1.nodes.map((n: N) => [n.nodeKey, n.status])).toEqual([['start', 'completed'], ['sub', 'completed'], ['after', 'active']]);
      await expectOk(act('rep1', await taskOf(org.as('rep1'), parent.id), 'complete'));
      expect((await view(parent.id)).status).toBe('completed');
    });

    it('script nodes run their stored flow script; notify nodes need no action and mark read', async () => {
      await expectOk(p.api.post('/api/v1/scripts', { name: 'score', kind: 'flow', language: 'ts', source: 'export default (input: FlowScriptInput): FlowScriptResult => ({ set: { scored: Number(input.data.amount) * 2 } });' }), 201);
      await define('scripted', [start, { key: 's', kind: 'script', name: 'Score', script: 'score' }, { key: 'c', kind: 'condition', name: 'C' }, { key: 'n', kind: 'notify', name: 'FYI', handlers: [users('svc1', 'svc2')] }, { key: 'a', kind: 'approval', name: 'A', handlers: [users('lead1')] }, end], [
        { from: 'start', to: 's' }, { from: 's', to: 'c' }, { from: 'c', to: 'n', when: 'scored > 100' }, { from: 'c', to: 'a', default: true }, { from: 'n', to: 'end' }, { from: 'a', to: 'end' },
      ]);
      const inst = await startAs('rep1', { flow: 'scripted', data: { amount: 60 } });
      expect(inst.status).toBe('completed');
      expect(inst.data).toEqual({ amount: 60, scored: 120 });
      const cc = (await org.as('svc1').get('/api/v1/flows/inbox/cc')).body.data.find((t: N) => (t.instance as N).id === inst.id);
      expect(cc).toMatchObject({ kind: 'notify', status: 'unread' });
      const before = (await org.as('svc1').get('/api/v1/flows/inbox/counts')).body.ccUnread;
      expect((await expectOk(act('svc1', cc.task, 'read'))).status).toBe('read');
      expect((await org.as('svc1').get('/api/v1/flows/inbox/counts')).body.ccUnread).toBe(before - 1);
      await expectOk(p.api.patch('/api/v1/scripts/score', { enabled: false }));
      expect((await org.as('rep1').post('/api/v1/flows/instances', { flow: 'scripted', data: { amount: 1 } })).status).toBe(422);
    });
  });

  describe('handlers', () => {
    const resolveWith = async (code: string, handlers: N[], as = 'rep1', data: N = {}, extra: N = {}) => {
      await define(code, [start, { key: 'a', kind: 'approval', name: 'A', handlers, ...extra }, end], chain('start', 'a', 'end'));
      const inst = await org.as(as).post('/api/v1/flows/instances', { flow: code, data });
      if (inst.status !== 201) return inst;
      return inst.body.nodes.find((n: N) => n.nodeKey === 'a')?.tasks.map((t: N) => t.assignee).sort((x: number, y: number) => x - y) ?? [];
    };
    const ids = (...names: string[]) => names.map((n) => org.id(n)).sort((a, b) => a - b);

    it('resolves absolute handlers: users, roles, departments, positions, groups', async () => {
      expect(await resolveWith('hUsers', [users('hq1', 'hq2')])).toEqual(ids('hq1', 'hq2'));
      expect(await resolveWith('hRoles', [{ type: 'roles', codes: ['finance', 'cashier'] }])).toEqual(ids('hq1', 'hq2'));
      expect(await resolveWith('hDepts', [{ type: 'departments', ids: [org.departments.shService] }])).toEqual(ids('svc1', 'svc2'));
      const position = await expectOk(p.api.post('/api/v1/positions', { name: '主管会计' }), 201);
      const hq1 = (await p.api.get(`/api/v1/users/${org.id('hq1')}`)).body;
      await expectOk(p.api.patch(`/api/v1/users/${org.id('hq1')}`, { position: position.id, version: hq1.version }));
      expect(await resolveWith('hPositions', [{ type: 'positions', ids: [position.id] }])).toEqual(ids('hq1'));
      const group = await expectOk(p.api.post('/api/v1/groups', { name: '评审组' }), 201);
      for (const u of ['auditor', 'svc2']) await expectOk(p.api.post('/api/v1/groupMembers', { group: group.id, user: org.id(u) }), 201);
      expect(await resolveWith('hGroups', [{ type: 'groups', ids: [group.id] }])).toEqual(ids('auditor', 'svc2'));
    });

    it('resolves relative handlers: initiator, superior, superior\'s superior, department heads, a user field, an earlier node', async () => {
      expect(await resolveWith('hInit', [{ type: 'initiator' }])).toEqual(ids('rep1'));
      expect(await resolveWith('hSup', [{ type: 'superior' }])).toEqual(ids('lead1'));
      expect(await resolveWith('hSup2', [{ type: 'superior', levels: 2 }])).toEqual(ids('shSalesMgr'));
      expect(await resolveWith('hHead', [{ type: 'departmentHead' }])).toEqual(ids('lead1'));
      expect(await resolveWith('hHead2', [{ type: 'departmentHead' }], 'shRep5')).toEqual(ids('shSalesMgr'));
      expect(await resolveWith('hField', [{ type: 'field', field: 'reviewer' }], 'rep1', { reviewer: org.id('auditor') })).toEqual(ids('auditor'));
      expect(await resolveWith('hHeadField', [{ type: 'departmentHead', field: 'dept' }], 'rep1', { dept: org.departments.shSales })).toEqual(ids('shSalesMgr'));
      await define('hNode', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'roles', codes: ['finance', 'cashier'] }] }, { key: 'b', kind: 'handle', name: 'B', handlers: [{ type: 'nodeHandlers', node: 'a' }] }, end], chain('start', 'a', 'b', 'end'));
      const inst = await startAs('rep1', { flow: 'hNode' });
      await expectOk(act('hq2', await taskOf(org.as('hq2'), inst.id), 'approve'));
      expect((await view(inst.id)).nodes.find((n: N) => n.nodeKey === 'b').tasks.map((t: N) => t.assignee)).toEqual([org.id('hq2')]);
    });

    it('nobody found: skip, the administrator, or an error naming the node', async () => {
      const none = [{ type: 'roles', codes: ['noSuchRole'] }];
      await define('nbSkip', [start, { key: 'a', kind: 'approval', name: 'A', handlers: none, onNobody: 'skip' }, end], chain('start', 'a', 'end'));
      const skipped = await startAs('rep1', { flow: 'nbSkip' });
      expect(skipped.status).toBe('completed');
      expect(skipped.nodes[1]).toMatchObject({ nodeKey: 'a', status: 'skipped' });
      const admin = (await p.api.get('/api/v1/users?filter[username]=admin')).body.data[0];
      expect(await resolveWith('nbAdmin', none, 'rep1', {}, { onNobody: 'admin' })).toEqual([admin.id]);
      const err = await resolveWith('nbError', none, 'rep1', {}, { onNobody: 'error' });
      expect(err.status).toBe(422);
      expect(err.body.errors[0]).toMatchObject({ field: 'nodes.a.handlers', rule: 'no-handler' });
      expect((await org.as('rep1').get('/api/v1/flows/inbox/started?limit=200')).body.data.some((s: N) => (s.instance as N).flow === 'nbError')).toBe(false);
    });
  });

  describe('models', () => {
    it('predefined: the initiator chooses handlers, saves the choice and uses it next time', async () => {
      await define('pre', [start, { key: 'a', kind: 'approval', name: 'A' }, { key: 'b', kind: 'approval', name: 'B', handlers: [users('hq1')], changeable: false }, end], chain('start', 'a', 'b', 'end'), { model: 'predefined' });
      const one = await startAs('rep1', { flow: 'pre', handlers: { a: [org.id('svc2')] }, saveChoice: true });
      expect(one.nodes[1].tasks[0].assignee).toBe(org.id('svc2'));
      expect((await org.as('rep1').get('/api/v1/flows/definitions/pre/my-choice')).body.handlers).toEqual({ a: [org.id('svc2')] });
      const two = await startAs('rep1', { flow: 'pre', useSavedChoice: true });
      expect(two.nodes[1].tasks[0].assignee).toBe(org.id('svc2'));
      const bad = await org.as('rep1').post('/api/v1/flows/instances', { flow: 'pre', handlers: { b: [org.id('svc2')] } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ field: 'handlers.b', rule: 'changeable' });
      expect((await org.as('rep1').post('/api/v1/flows/instances', { flow: 'simple', handlers: { a: [1] } })).body.errors[0]).toMatchObject({ field: 'handlers', rule: 'model' });
    });

    it('custom: the initiator lays out the route with the allowed kinds', async () => {
      await define('cus', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [users('lead1')] }, end], chain('start', 'a', 'end'), { model: 'custom', custom: { kinds: ['approval', 'notify'] } });
      const inst = await startAs('rep1', { flow: 'cus', route: [{ kind: 'approval', name: '先找组长', users: [org.id('lead1')] }, { kind: 'approval', name: '再找经理', users: [org.id('shSalesMgr'), org.id('hq1')], countersign: { mode: 'all' } }, { kind: 'notify', name: '告知', users: [org.id('svc1')] }] });
      expect(inst.custom).toBe(true);
      await expectOk(act('lead1', await taskOf(org.as('lead1'), inst.id), 'approve'));
      await expectOk(act('shSalesMgr', await taskOf(org.as('shSalesMgr'), inst.id), 'approve'));
      await expectOk(act('hq1', await taskOf(org.as('hq1'), inst.id), 'approve'));
      const done = await view(inst.id);
      expect(done.status).toBe('completed');
      expect(done.nodes.map((n: N) => n.name)).toEqual(['申请', '先找组长', '再找经理', '告知', '结束']);
      expect((await p.api.get(`/api/v1/flows/instances/${inst.id}/graph.svg`)).body).toContain('先找组长');
      const bad = await org.as('rep1').post('/api/v1/flows/instances', { flow: 'cus', route: [{ kind: 'handle', name: 'x', users: [org.id('lead1')] }] });
      expect(bad.body.errors[0]).toMatchObject({ field: 'route[0].kind', rule: 'enum' });
    });
  });

  describe('operations', () => {
    const twoStep = () => define(`ops${Math.random().toString(36).slice(2, 8)}`, [start, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'superior' }] }, { key: 'b', kind: 'approval', name: 'B', handlers: [users('hq1')] }, end], chain('start', 'a', 'b', 'end'));

    it('return to an earlier node or the initiator; resubmit; withdraw only before anyone acts', async () => {
      const flow = await twoStep();
      const inst = await startAs('rep1', { flow: flow.code, data: { amount: 1 } });
      await expectOk(act('lead1', await taskOf(org.as('lead1'), inst.id), 'approve'));
      const b = await taskOf(org.as('hq1'), inst.id);
      expect((await act('hq1', b, 'return', { to: 'end' })).body.errors[0]).toMatchObject({ field: 'to', rule: 'earlier-node' });
      await expectOk(act('hq1', b, 'return', { to: 'a', comment: '请组长再看' }));
      await expectOk(act('lead1', await taskOf(org.as('lead1'), inst.id), 'return', { comment: '金额不对' }));
      expect((await org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/withdraw`, {})).status).toBe(409);
      await expectOk(act('rep1', await taskOf(org.as('rep1'), inst.id, 'resubmit'), 'resubmit', { data: { amount: 2 }, comment: '已改' }));
      const v = await view(inst.id);
      expect(v.data).toEqual({ amount: 2 });
      expect(v.nodes.filter((n: N) => n.nodeKey === 'a').map((n: N) => [n.visit, n.status])).toEqual([[1, 'completed'], [2, 'returned'], [3, 'active']]);
      await expectOk(org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/withdraw`, { comment: '先撤回' }));
      const w = await view(inst.id);
      expect(w.nodes[w.nodes.length - 1]).toMatchObject({ nodeKey: 'start', status: 'active' });
      expect((await org.as('lead1').get('/api/v1/flows/inbox/todo')).body.data.some((t: N) => (t.instance as N).id === inst.id)).toBe(false);
      const trail = (await org.as('rep1').get(`/api/v1/flows/instances/${inst.id}/trail`)).body.data;
      expect(trail.map((e: N) => e.action)).toEqual(expect.arrayContaining(['instance.started', 'task.agree', 'task.return', 'instance.resubmitted', 'instance.withdrawn']));
      expect(trail.find((e: N) => e.action === 'task.return' && e.comment === '金额不对')).toMatchObject({ user: org.id('lead1'), node: { key: 'a' } });
      expect((await org.as('gzRep1').get(`/api/v1/flows/instances/${inst.id}`)).status).toBe(404);
    });

    it('assist, reply, delegate, add handlers, urge, comment with attachments, jump, cancel', async () => {
      const flow = await twoStep();
      const inst = await startAs('rep1', { flow: flow.code });
      const a = await taskOf(org.as('lead1'), inst.id);
      const assist = await expectOk(act('lead1', a, 'assist', { users: [org.id('auditor')], comment: '请给意见' }));
      await expectOk(act('auditor', assist.tasks[0], 'reply', { comment: '可以' }));
      expect((await view(inst.id)).nodes[1].status).toBe('active');
      await expectOk(act('lead1', a, 'delegate', { to: org.id('shRep5') }));
      expect((await act('lead1', a, 'approve')).status).toBe(403);
      const added = await expectOk(act('shRep5', a, 'add-handlers', { users: [org.id('svc1')] }));
      expect(added.tasks).toHaveLength(1);
      const urged = await expectOk(org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/urge`, { comment: '急' }));
      expect(urged.users.sort()).toEqual(ids2(org.id('shRep5'), org.id('svc1')));
      expect((await org.as('svc1').get('/api/v1/flows/inbox/counts')).body.urged).toBeGreaterThanOrEqual(1);
      const upload = await fetch(`${p.platform.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${org.as('rep1').token}`, 'content-type': 'text/plain', 'x-file-name': 'note.txt' }, body: 'hello' });
      const file = (await upload.json()) as { id: number };
      await expectOk(org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/comments`, { comment: '补充材料', attachments: [file.id] }));
      expect((await org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/comments`, { attachments: [999999] })).body.errors[0]).toMatchObject({ field: 'attachments', rule: 'reference' });
      expect((await org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/jump`, { to: 'b' })).status).toBe(403);
      await expectOk(p.api.post(`/api/v1/flows/instances/${inst.id}/jump`, { to: 'b', comment: '管理员跳转' }));
      const jumped = await view(inst.id);
      expect(jumped.nodes.filter((n: N) => n.status === 'active').map((n: N) => n.nodeKey)).toEqual(['b']);
      await expectOk(org.as('rep1').post(`/api/v1/flows/instances/${inst.id}/cancel`, {}));
      expect((await view(inst.id)).status).toBe('cancelled');
      expect((await act('hq1', jumped.nodes.find((n: N) => n.nodeKey === 'b' && n.status === 'active').tasks[0].id, 'approve')).status).toBe(409);
      const trail = (await org.as('rep1').get(`/api/v1/flows/instances/${inst.id}/trail`)).body.data.map((e: N) => e.action);
      for (const a2 of ['task.assist', 'task.reply', 'task.delegate', 'task.addHandlers', 'urged', 'comment', 'jump.manual', 'instance.cancelled']) expect(trail).toContain(a2);
    });

    it('standing delegation while on leave; automatic jump by rule', async () => {
      const d = await expectOk(org.as('lead1').post('/api/v1/flows/delegations', { delegate: org.id('rep2'), startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() }), 201);
      const flow = await twoStep();
      const inst = await startAs('rep1', { flow: flow.code });
      expect(inst.nodes[1].tasks[0]).toMatchObject({ assignee: org.id('rep2'), delegatedFrom: org.id('lead1') });
      await expectOk(act('rep2', inst.nodes[1].tasks[0].id, 'approve'));
      expect((await org.as('lead1').delete(`/api/v1/flows/delegations/${d.id}`)).status).toBe(204);
      await define('autoJump', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [users('lead1')], autoJump: [{ when: 'amount < 10', to: 'b' }] }, { key: 'b', kind: 'approval', name: 'B', handlers: [users('hq1')] }, end], chain('start', 'a', 'b', 'end'));
      const small = await startAs('rep1', { flow: 'autoJump', data: { amount: 5 } });
      expect(small.nodes.map((n: N) => [n.nodeKey, n.status])).toEqual([['start', 'completed'], ['a', 'jumped'], ['b', 'active']]);
    });
  });

  describe('time limits', () => {
    it('warns, reminds and acts on overdue (urge, escalate, auto-approve, jump) once each', async () => {
      const limit = (onOverdue: string, extra: N = {}) => ({ minutes: 60, warnMinutes: 30, onOverdue, ...extra });
      await define('tUrge', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [users('lead1')], timeLimit: limit('urge', { remindEveryMinutes: 20 }) }, end], chain('start', 'a', 'end'));
      await define('tEsc', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [users('lead1')], timeLimit: limit('escalate', { escalateTo: [{ type: 'superior', levels: 2 }] }) }, end], chain('start', 'a', 'end'));
      await define('tAuto', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [users('lead1')], timeLimit: limit('approve') }, { key: 'b', kind: 'handle', name: 'B', handlers: [users('hq1')] }, end], chain('start', 'a', 'b', 'end'));
      await define('tJump', [start, { key: 'a', kind: 'approval', name: 'A', handlers: [users('lead1')], timeLimit: limit('jump', { jumpTo: 'b' }) }, { key: 'b', kind: 'handle', name: 'B', handlers: [users('hq1')] }, end], chain('start', 'a', 'b', 'end'));
      const urge = await startAs('rep1', { flow: 'tUrge' });
      const esc = await startAs('rep1', { flow: 'tEsc' });
      const auto = await startAs('rep1', { flow: 'tAuto' });
      const jump = await startAs('rep1', { flow: 'tJump' });
      expect(urge.nodes[1].dueAt).toBeTruthy();
      const timers = p.platform.flows.timers;
      await timers.poll(new Date(Date.now() + 25 * 60_000)); // a reminder
      await timers.poll(new Date(Date.now() + 35 * 60_000)); // the warning line
      await timers.poll(new Date(Date.now() + 61 * 60_000)); // the overdue line
      await timers.poll(new Date(Date.now() + 62 * 60_000)); // nothing twice
      const actions = async (id: number) => (await p.api.get(`/api/v1/flows/instances/${id}/trail`)).body.data.map((e: N) => e.action);
      const u = await actions(urge.id);
      expect(u.filter((a: string) => a === 'node.warning')).toHaveLength(1);
      expect(u.filter((a: string) => a === 'node.overdue')).toHaveLength(1);
      expect(u).toContain('reminded');
      expect(u).toContain('urged');
      expect((await view(esc.id)).nodes[1].tasks.map((t: N) => t.assignee)).toEqual([org.id('lead1'), org.id('shSalesMgr')]);
      const av = await view(auto.id);
      expect(av.nodes.map((n: N) => [n.nodeKey, n.status, n.outcome])).toEqual([['start', 'completed', 'approved'], ['a', 'completed', 'approved'], ['b', 'active', null]]);
      expect((await view(jump.id)).nodes.filter((n: N) => n.status === 'active').map((n: N) => n.nodeKey)).toEqual(['b']);
      const stats = (await p.api.get('/api/v1/flows/definitions/tAuto/statistics')).body;
      expect(stats).toMatchObject({ flow: 'tAuto', instances: { total: 1, byStatus: { running: 1 } } });
      expect(stats.nodes.find((n: N) => n.key === 'a')).toMatchObject({ visits: 1, open: 0, overdueRate: 0, duration: { count: 1 } });
    });
  });
});

const ids2 = (...xs: number[]) => xs.sort();
