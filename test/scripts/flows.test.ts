import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { expectOk, flowOrg, label, taskOf, type FlowOrg } from '../flows/helpers';

type N = Record<string, any>;
const start = { key: 'start', kind: 'start', name: '申请' };
const end = { key: 'end', kind: 'end', name: '结束' };

describeEachDatabase('flow script nodes and script conditions', (db) => {
  let p: TestPlatform;
  let org: FlowOrg;
  const saveScript = async (def: N) => expectOk(p.api.post('/api/v1/scripts', { language: 'ts', kind: 'flow', ...def }), 201);
  const startAs = (user: string, body: N) => org.as(user).post('/api/v1/flows/instances', body);
  const view = async (id: number) => (await p.api.get(`/api/v1/flows/instances/${id}`)).body;
  const instances = async (flow: string) => (await p.api.get(`/api/v1/flows/instances?flow=${flow}&limit=200`)).body.data.length as number;
  const customers = async (name: string) => (await p.api.get(`/api/v1/customers?filter[name]=${encodeURIComponent(name)}&count=true&limit=1`)).body.meta.total as number;
  const keys = (inst: N) => inst.nodes.map((n: N) => n.nodeKey);

  beforeAll(async () => {
    p = await startTestPlatform(db);
    org = await flowOrg(p);
    await saveScript({
      name: 'risk-score',
      capabilities: ['records:write'],
      source: `export default async function (input: FlowScriptInput, ctx: ScriptContext): Promise<FlowScriptResult> {
  const amount = input.data.amount as number;
  // A write inside the action's transaction, as the user who acted.
  await ctx.records('customer').create({ customerNo: 'C' + String(60000000 + amount), name: 'flow-' + input.instance.id + '-' + amount, kind: 'person' });
  if (amount === 13) throw new Error('unlucky amount');
  if (amount === 14) ctx.fail('Amount 14 is not accepted', [{ field: 'amount', rule: 'script', message: 'not 14' }]);
  if (amount === 15) { while (true) {} }
  if (amount === 7) return { next: 'nowhere' };
  return { set: { score: amount * 2, scoredBy: ctx.actor.username, node: input.node.key }, next: amount >= 100 ? 'check' : 'end' };
}`,
    });
    await saveScript({
      name: 'is-big',
      source: `export default function (input: FlowScriptInput): boolean {
  const score = input.data.score as number;
  if (score === 1332) return 'maybe' as unknown as boolean;
  return input.branch === 'big' && score > 1000;
}`,
    });
    await expectOk(
      p.api.post('/api/v1/flows/definitions', {
        code: 'scriptedRisk',
        label: label('scripted'),
        model: 'fixed',
        nodes: [
          start,
          { key: 'score', kind: 'script', name: 'Score', script: 'risk-score' },
          { key: 'check', kind: 'condition', name: 'Check' },
          { key: 'big', kind: 'approval', name: 'Big', handlers: [{ type: 'users', ids: [org.id('lead1')] }] },
          { key: 'small', kind: 'notify', name: 'Small', handlers: [{ type: 'users', ids: [org.id('svc1')] }] },
          end,
        ],
        edges: [
          { from: 'start', to: 'score' },
          { from: 'score', to: 'check' },
          { from: 'score', to: 'end' },
          { from: 'check', to: 'big', script: 'is-big' },
          { from: 'check', to: 'small', default: true },
          { from: 'big', to: 'end' },
          { from: 'small', to: 'end' },
        ],
      }),
      201,
    );
  }, 120_000);
  afterAll(async () => p?.stop());

  it('runs end to end: the script node sets data and picks its exit, the script condition picks the branch', async () => {
    const low = await expectOk(startAs('rep1', { flow: 'scriptedRisk', data: { amount: 50 } }), 201);
    expect(low.status).toBe('completed');
    expect(keys(low)).toEqual(['start', 'score', 'end']);
    expect(low.data).toEqual({ amount: 50, score: 100, scoredBy: 'rep1', node: 'score' });
    expect(await customers(`flow-${low.id}-50`)).toBe(1);

    const mid = await expectOk(startAs('rep1', { flow: 'scriptedRisk', data: { amount: 200 } }), 201);
    expect(keys(mid)).toEqual(['start', 'score', 'check', 'small', 'end']);
    expect(mid.status).toBe('completed');

    const big = await expectOk(startAs('rep1', { flow: 'scriptedRisk', data: { amount: 600 } }), 201);
    expect(keys(big)).toEqual(['start', 'score', 'check', 'big']);
    expect(big.data.score).toBe(1200);
    await expectOk(org.as('lead1').post(`/api/v1/flows/tasks/${await taskOf(org.as('lead1'), big.id)}/approve`, {}));
    expect((await view(big.id)).status).toBe('completed');
  });

  it('a failing, rejecting or over-limit script fails the action cleanly: nothing of it is kept', async () => {
    const before = await instances('scriptedRisk');
    const failed = await startAs('rep1', { flow: 'scriptedRisk', data: { amount: 13 } });
    expect(failed.status).toBe(422);
    expect(failed.body).toMatchObject({ code: 'script', detail: expect.stringContaining('risk-score') });
    expect(failed.body.detail).toContain('unlucky amount');

    const rejected = await startAs('rep1', { flow: 'scriptedRisk', data: { amount: 14 } });
    expect(rejected.status).toBe(400);
    expect(rejected.body.errors).toEqual([{ field: 'amount', rule: 'script', message: 'not 14' }]);

    const spinning = await startAs('rep1', { flow: 'scriptedRisk', data: { amount: 15 } });
    expect(spinning.status).toBe(422);
    expect(spinning.body.detail).toContain('risk-score');
    expect(spinning.body.detail).toMatch(/CPU|cpu/);

    const lost = await startAs('rep1', { flow: 'scriptedRisk', data: { amount: 7 } });
    expect(lost.status).toBe(422);
    expect(lost.body).toMatchObject({ code: 'script-next' });

    const odd = await startAs('rep1', { flow: 'scriptedRisk', data: { amount: 666 } });
    expect(odd.status).toBe(422);
    expect(odd.body).toMatchObject({ code: 'condition', detail: expect.stringContaining('is-big') });

    expect(await instances('scriptedRisk')).toBe(before);
    // The records the script created before failing rolled back with the action.
    expect((await p.api.get('/api/v1/customers?filter[name][contains]=-13&count=true&limit=1')).body.meta.total).toBe(0);
    expect((await p.api.get('/api/v1/customers?filter[name][contains]=-666&count=true&limit=1')).body.meta.total).toBe(0);
  });

  it('a disabled script stops its flow cleanly; definitions must name enabled flow scripts and valid branches', async () => {
    expect((await p.api.patch('/api/v1/scripts/is-big', { enabled: false })).status).toBe(200);
    const res = await startAs('rep1', { flow: 'scriptedRisk', data: { amount: 300 } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain('is-big');
    expect((await p.api.patch('/api/v1/scripts/is-big', { enabled: true })).status).toBe(200);

    const bad = await p.api.post('/api/v1/flows/definitions', {
      code: 'badScripts',
      label: label('bad'),
      model: 'fixed',
      nodes: [start, { key: 's', kind: 'script', name: 'S', script: 'no-such-script' }, { key: 'c', kind: 'condition', name: 'C' }, { key: 'a', kind: 'notify', name: 'A', handlers: [{ type: 'initiator' }], script: 'risk-score' }, end],
      edges: [
        { from: 'start', to: 's' },
        { from: 's', to: 'c' },
        { from: 'c', to: 'a', when: 'amount > 1', script: 'is-big' },
        { from: 'c', to: 'end', default: true },
        { from: 'a', to: 'end' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'nodes[1].script', rule: 'reference' }),
        expect.objectContaining({ field: 'edges[2].script', rule: 'conflict' }),
        expect.objectContaining({ field: 'nodes[3].script', rule: 'conflict' }),
      ]),
    );
  });

  it('subscriber scripts hear of flow ends after the action commits: every flow (flow.<status>) and one definition (flow:<code>.<status>)', async () => {
    const subscriber = (name: string, target: string) =>
      expectOk(
        p.api.post('/api/v1/scripts', {
          name, kind: 'subscriber', target, language: 'ts', capabilities: ['records:write'],
          source: `export default async function (input: EventInput, ctx: ScriptContext) {
  const e = input.payload as { flow: string; instance: number; status: string; initiator: number; actor: number | null; data: { score?: number } };
  await ctx.records('department').create({ name: [input.event, e.flow, e.instance, e.status, e.initiator, e.actor, e.data.score ?? '-'].join(' '), kind: 'team' });
}`,
        }),
        201,
      );
    await subscriber('any-flow-end', 'flow.completed');
    await subscriber('risk-flow-rejected', 'flow:scriptedRisk.rejected');
    const heard = async (prefix: string): Promise<string[]> => {
      let names: string[] = [];
      for (let i = 0; i < 50 && names.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        names = (await p.api.get(`/api/v1/departments?filter[name][startsWith]=${encodeURIComponent(prefix)}&fields=name`)).body.data.map((d: { name: string }) => d.name);
      }
      return names;
    };
    const done = await expectOk(startAs('rep1', { flow: 'scriptedRisk', data: { amount: 51 } }), 201);
    expect(await heard(`flow.completed scriptedRisk ${done.id} `)).toEqual([`flow.completed scriptedRisk ${done.id} completed ${org.id('rep1')} ${org.id('rep1')} 102`]);

    const big = await expectOk(startAs('rep1', { flow: 'scriptedRisk', data: { amount: 700 } }), 201);
    await expectOk(org.as('lead1').post(`/api/v1/flows/tasks/${await taskOf(org.as('lead1'), big.id)}/reject`, { comment: 'no' }));
    expect((await view(big.id)).status).toBe('rejected');
    expect(await heard(`flow:scriptedRisk.rejected scriptedRisk ${big.id} `)).toEqual([`flow:scriptedRisk.rejected scriptedRisk ${big.id} rejected ${org.id('rep1')} ${org.id('lead1')} 1400`]);
    // Each end was heard once, by the subscribers of its event only.
    expect((await p.api.get('/api/v1/departments?filter[name][startsWith]=flow&count=true&limit=1')).body.meta.total).toBe(2);
    for (const name of ['any-flow-end', 'risk-flow-rejected']) expect((await p.api.patch(`/api/v1/scripts/${name}`, { enabled: false })).status).toBe(200);
  });

  it('validation scripts of a workflow form check its data when an instance starts and when an action changes it', async () => {
    await saveScript({
      name: 'leave-days',
      kind: 'validation',
      target: 'form:scriptLeave.days',
      source: `export default function (input: ValidationInput): ValidationResult {
  const days = input.value as number;
  const before = (input.previous?.days as number | undefined) ?? 0;
  if (days > 10) return { errors: [{ message: 'at most 10 days' }] };
  if (input.operation === 'update' && days < before) return { errors: [{ rule: 'shrink', message: 'cannot shrink from ' + before }] };
}`,
    });
    const form = await p.api.post('/api/v1/forms', { code: 'scriptLeave', kind: 'workflow', label: label('Leave'), fields: [{ name: 'days', type: 'integer', label: label('Days'), required: true }] });
    expect(form.status).toBe(201);
    await expectOk(
      p.api.post('/api/v1/flows/definitions', {
        code: 'scriptLeave', label: label('leave'), model: 'fixed', form: 'scriptLeave',
        nodes: [start, { key: 'h', kind: 'handle', name: 'HR', handlers: [{ type: 'users', ids: [org.id('svc1')] }] }, end],
        edges: [{ from: 'start', to: 'h' }, { from: 'h', to: 'end' }],
      }),
      201,
    );
    const before = await instances('scriptLeave');
    const tooLong = await startAs('rep1', { flow: 'scriptLeave', data: { days: 12 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors).toEqual([{ field: 'days', rule: 'script:leave-days', message: 'at most 10 days' }]);
    expect(await instances('scriptLeave')).toBe(before);

    const inst = await expectOk(startAs('rep1', { flow: 'scriptLeave', data: { days: 5 } }), 201);
    const task = await taskOf(org.as('svc1'), inst.id);
    const shrink = await org.as('svc1').post(`/api/v1/flows/tasks/${task}/complete`, { data: { days: 3 } });
    expect(shrink.status).toBe(400);
    expect(shrink.body.errors).toEqual([{ field: 'days', rule: 'script:leave-days:shrink', message: 'cannot shrink from 5' }]);
    expect(await view(inst.id)).toMatchObject({ status: 'running', data: { days: 5 } });
    await expectOk(org.as('svc1').post(`/api/v1/flows/tasks/${task}/complete`, { data: { days: 6 } }));
    expect(await view(inst.id)).toMatchObject({ status: 'completed', data: { days: 6 } });
  });
});
