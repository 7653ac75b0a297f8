import { Writable } from 'node:stream';
import { Platform } from '../../core/src/app/platform';
import { createLogger } from '../../core/src/app/logger';
import { Api, TEST_SCRIPT_ENGINE, describeEachDatabase, startTestPlatform, testKeyring, type TestPlatform } from '../support/platform';
import { expectOk, label } from './helpers';

const PASSWORD = 'Flow-Conc-Pass-1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type N = Record<string, any>;

describeEachDatabase('flow concurrency, restarts and nodes', (db) => {
  let p: TestPlatform;
  const handlers: { id: number; api: Api }[] = [];
  let initiator: Api;
  const newUser = async (name: string) => {
    const u = await expectOk(p.api.post('/api/v1/users', { username: name, displayName: name }), 201);
    await p.platform.sessions.setPassword(u.id, PASSWORD);
    const api = new Api(p.platform.url);
    await api.login(name, PASSWORD);
    return { id: u.id as number, api };
  };

  beforeAll(async () => {
    p = await startTestPlatform(db);
    for (let i = 0; i < 20; i++) handlers.push(await newUser(`h${i}`));
    initiator = (await newUser('starter')).api;
  }, 120_000);
  afterAll(async () => p?.stop());

  const countersignFlow = (code: string, countersign: N) =>
    expectOk(p.api.post('/api/v1/flows/definitions', {
      code, label: label(code), model: 'fixed',
      nodes: [{ key: 'start', kind: 'start', name: 'S' }, { key: 'cs', kind: 'approval', name: 'CS', handlers: [{ type: 'users', ids: handlers.map((h) => h.id) }], countersign }, { key: 'after', kind: 'handle', name: 'After', handlers: [{ type: 'initiator' }] }, { key: 'end', kind: 'end', name: 'E' }],
      edges: [{ from: 'start', to: 'cs' }, { from: 'cs', to: 'after' }, { from: 'after', to: 'end' }],
    }), 201);

  it('20 handlers decide one countersign node at once, 100 times: one completion each, the right outcome, no lost or doubled tasks', async () => {
    await countersignFlow('concAll', { mode: 'all' });
    await countersignFlow('concAny', { mode: 'any' });
    await countersignFlow('concHalf', { mode: 'ratio', percent: 50 });
    for (let round = 0; round < 100; round++) {
      const flow = ['concAll', 'concAny', 'concHalf'][round % 3];
      const inst = await expectOk(initiator.post('/api/v1/flows/instances', { flow }), 201);
      const tasks: N[] = inst.nodes[1].tasks;
      expect(tasks).toHaveLength(20);
      // concHalf: 11 reject, 9 agree → whatever the order, 50 % can no longer be reached once 11 have rejected
      const vote = (i: number) => (flow === 'concHalf' && i < 11 ? 'reject' : 'approve');
      const statuses = await Promise.all(tasks.map((t, i) => handlers.find((h) => h.id === t.assignee)!.api.post(`/api/v1/flows/tasks/${t.id}/${vote(i)}`, {}).then((r) => r.status)));
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
      const v = (await p.api.get(`/api/v1/flows/instances/${inst.id}`)).body;
      const cs = v.nodes.filter((n: N) => n.nodeKey === 'cs');
      expect(cs).toHaveLength(1);
      expect(cs[0].tasks).toHaveLength(20);
      const done = cs[0].tasks.filter((t: N) => t.status === 'done').length;
      expect(done).toBe(statuses.filter((s) => s === 200).length);
      expect(done + cs[0].tasks.filter((t: N) => t.status === 'cancelled').length).toBe(20);
      const trail = (await p.api.get(`/api/v1/flows/instances/${inst.id}/trail`)).body.data;
      expect(trail.filter((e: N) => e.action === 'node.completed' && e.node?.key === 'cs')).toHaveLength(1);
      if (flow === 'concAll') {
        expect([done, cs[0].outcome, v.nodes.map((n: N) => n.nodeKey)]).toEqual([20, 'approved', ['start', 'cs', 'after']]);
      } else if (flow === 'concAny') {
        expect([done, cs[0].outcome, v.status]).toEqual([1, 'approved', 'running']);
      } else {
        const decided = cs[0].tasks.filter((t: N) => t.status === 'done');
        const agreed = decided.filter((t: N) => t.decision === 'agree').length;
        const rejected = decided.filter((t: N) => t.decision === 'reject').length;
        // the outcome follows the counts at the moment the node was decided
        expect(cs[0].outcome).toBe(agreed >= 10 ? 'approved' : 'rejected');
        expect(agreed >= 10 || rejected === 11).toBe(true);
        expect(v.status).toBe(cs[0].outcome === 'approved' ? 'running' : 'rejected');
      }
    }
  }, 600_000);

  it('keeps its state over a restart after a committed action, and a pending timer fires once', async () => {
    await expectOk(p.api.post('/api/v1/flows/definitions', {
      code: 'restartable', label: label('restartable'), model: 'fixed',
      nodes: [{ key: 'start', kind: 'start', name: 'S' }, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'users', ids: [handlers[0].id] }] }, { key: 'b', kind: 'approval', name: 'B', handlers: [{ type: 'users', ids: [handlers[1].id] }], timeLimit: { minutes: 0.03, onOverdue: 'urge' } }, { key: 'end', kind: 'end', name: 'E' }],
      edges: [{ from: 'start', to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: 'end' }],
    }), 201);
    const inst = await expectOk(initiator.post('/api/v1/flows/instances', { flow: 'restartable', data: { n: 1 } }), 201);
    await expectOk(handlers[0].api.post(`/api/v1/flows/tasks/${inst.nodes[1].tasks[0].id}/approve`, { comment: 'ok' }));
    const before = (await p.api.get(`/api/v1/flows/instances/${inst.id}`)).body;
    await p.platform.flows.timers.stop(); // no fire before the stop
    p = await p.restart();
    for (const h of handlers) h.api = Object.assign(new Api(p.platform.url), { token: h.api.token });
    initiator = Object.assign(new Api(p.platform.url), { token: initiator.token });
    const after = (await p.api.get(`/api/v1/flows/instances/${inst.id}`)).body;
    expect({ ...after, version: 0 }).toEqual({ ...before, version: 0 });
    let overdue: N[] = [];
    for (let i = 0; i < 50 && !overdue.length; i++) {
      await sleep(200);
      overdue = (await p.api.get(`/api/v1/flows/instances/${inst.id}/trail`)).body.data.filter((e: N) => e.action === 'node.overdue');
    }
    await p.platform.flows.timers.poll(new Date(Date.now() + 3_600_000));
    await sleep(1_200);
    const trail = (await p.api.get(`/api/v1/flows/instances/${inst.id}/trail`)).body.data;
    expect(trail.filter((e: N) => e.action === 'node.overdue')).toHaveLength(1);
    expect(trail.filter((e: N) => e.action === 'urged')).toHaveLength(1);
    await expectOk(handlers[1].api.post(`/api/v1/flows/tasks/${after.nodes[2].tasks[0].id}/approve`, {}));
    expect((await p.api.get(`/api/v1/flows/instances/${inst.id}`)).body.status).toBe('completed');
  }, 60_000);

  if (db.name === 'mariadb') {
    it('fires each timer once across two nodes', async () => {
      const silent = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
      const b = await Platform.start({ ...p.config, port: 0 }, { pluginSource: true, logger: silent, keyring: testKeyring(), scripts: TEST_SCRIPT_ENGINE, flowTimerPollMs: 100 });
      try {
        await expectOk(p.api.post('/api/v1/flows/definitions', {
          code: 'twoNodes', label: label('twoNodes'), model: 'fixed',
          nodes: [{ key: 'start', kind: 'start', name: 'S' }, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'users', ids: [handlers[2].id] }], timeLimit: { minutes: 0.02, warnMinutes: 0.01, remindEveryMinutes: 0.5, onOverdue: 'escalate', escalateTo: [{ type: 'users', ids: [handlers[3].id] }] } }, { key: 'end', kind: 'end', name: 'E' }],
          edges: [{ from: 'start', to: 'a' }, { from: 'a', to: 'end' }],
        }), 201);
        const ids: number[] = [];
        for (let i = 0; i < 20; i++) ids.push((await expectOk(initiator.post('/api/v1/flows/instances', { flow: 'twoNodes' }), 201)).id);
        await sleep(1_500);
        await Promise.all([p.platform.flows.timers.poll(new Date(Date.now() + 10_000)), b.flows.timers.poll(new Date(Date.now() + 10_000)), p.platform.flows.timers.poll(new Date(Date.now() + 10_000)), b.flows.timers.poll(new Date(Date.now() + 10_000))]);
        for (const id of ids) {
          const trail = (await p.api.get(`/api/v1/flows/instances/${id}/trail`)).body.data.map((e: N) => e.action);
          expect([id, trail.filter((a: string) => a === 'node.warning').length, trail.filter((a: string) => a === 'node.overdue').length, trail.filter((a: string) => a === 'escalated').length]).toEqual([id, 1, 1, 1]);
          expect((await p.api.get(`/api/v1/flows/instances/${id}`)).body.nodes[1].tasks).toHaveLength(2);
        }
      } finally {
        await b.close();
      }
    }, 60_000);
  }
});
