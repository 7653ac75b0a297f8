import { ServiceDataContext } from '../../core/src/services/context';
import type { Executor } from '../../core/src/data/database';
import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { EventStream, PASSWORD, people, type Person } from './helpers';
import { PageClient } from '../render/client';

const ADMIN_ACTOR = { userId: null, username: 'system', isAdmin: true };

describeEachDatabase('notifications', (db) => {
  let t: TestPlatform;
  let u: Record<string, Person>;
  let department: number;
  const data = (tx: Executor = t.platform.db) => new ServiceDataContext(t.platform.store, ADMIN_ACTOR, tx);
  const titles = async (p: Person, query = '') => (await p.api.get(`/api/v1/me/notifications${query}`)).body.data.map((n: { title: string }) => n.title);
  const clear = async () => {
    await t.platform.db.run('DELETE FROM plinth_notifications');
  };

  beforeAll(async () => {
    t = await startTestPlatform(db);
    ({ users: u, department } = await people(t, ['alice', 'bob', 'carol', 'dave'], { carol: 'notifyClerks', dave: 'notifyClerks' }));
    // dave leaves: disabled users receive nothing
    const dave = (await t.api.get(`/api/v1/users/${u.dave.id}`)).body;
    expect((await t.api.patch(`/api/v1/users/${u.dave.id}`, { status: 'disabled', version: dave.version })).status).toBe(200);
  }, 60_000);
  afterAll(async () => t?.stop());
  beforeEach(clear);

  it('a plugin sends through its data context; each user lists, counts and marks only their own', async () => {
    const receipt = await data().notifications.send({ to: [u.alice.id, u.bob.id], title: '合同到期', body: '<b>C-1</b> 到期', link: '/app/customers/1' }, { kind: 'crm.contract' });
    expect(receipt).toEqual({ recipients: 2 });
    await data().notifications.send({ to: u.alice.id, title: 'second' });
    const list = (await u.alice.api.get('/api/v1/me/notifications')).body;
    expect(list).toMatchObject({ page: 1, limit: 20, total: 2, unread: 2 });
    expect(list.data[0]).toMatchObject({ title: 'second', kind: 'system', sender: null, readAt: null, link: null, body: null });
    expect(list.data[1]).toMatchObject({ title: '合同到期', kind: 'crm.contract', body: '<b>C-1</b> 到期', link: '/app/customers/1' });
    expect((await u.bob.api.get('/api/v1/me/notifications/count')).body).toEqual({ unread: 1 });
    expect(await titles(u.carol)).toEqual([]);

    const mine = list.data[1].id;
    // someone else's notification does not exist for bob: not readable, not markable
    const bobs = (await u.bob.api.get('/api/v1/me/notifications')).body.data[0].id;
    expect((await u.alice.api.get(`/api/v1/me/notifications/${bobs}`)).status).toBe(404);
    expect((await u.alice.api.post(`/api/v1/me/notifications/${bobs}/read`)).status).toBe(404);
    expect((await u.bob.api.get('/api/v1/me/notifications/count')).body).toEqual({ unread: 1 });

    const read = await u.alice.api.post(`/api/v1/me/notifications/${mine}/read`);
    expect(read.status).toBe(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    expect((await u.alice.api.post(`/api/v1/me/notifications/${mine}/read`)).body.readAt).toBe(read.body.readAt);
    expect(await titles(u.alice, '?unread=1')).toEqual(['second']);
    expect((await u.alice.api.post('/api/v1/me/notifications/read-all')).body).toEqual({ marked: 1 });
    expect((await u.alice.api.get('/api/v1/me/notifications/count')).body).toEqual({ unread: 0 });
    expect((await u.bob.api.get('/api/v1/me/notifications/count')).body).toEqual({ unread: 1 });
  });

  it('pages newest first and refuses bad parameters with 400 naming them', async () => {
    for (let i = 1; i <= 5; i++) await data().notifications.send({ to: u.alice.id, title: `n${i}` });
    expect(await titles(u.alice, '?limit=2&page=2')).toEqual(['n3', 'n2']);
    expect((await u.alice.api.get('/api/v1/me/notifications?limit=2&page=3')).body).toMatchObject({ total: 5, data: [{ title: 'n1' }] });
    const bad = await u.alice.api.get('/api/v1/me/notifications?limit=0&unread=maybe&sort=id');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`).sort()).toEqual(['limit:range', 'sort:unknown', 'unread:type']);
    expect((await u.alice.api.post('/api/v1/me/notifications/abc/read')).status).toBe(400);
    expect((await t.api.get('/api/v1/openapi.json')).body.paths['/api/v1/me/notifications/{id}/read'].post.operationId).toBe('readNotification');
  });

  it('refuses unsafe links and bad messages, naming field and rule, and writes nothing', async () => {
    const refused = async (message: unknown) => {
      try {
        await data().notifications.send(message as never);
      } catch (err) {
        return (err as { status: number; errors: { field: string; rule: string }[] }).errors.map((e) => `${e.field}:${e.rule}`);
      }
      throw new Error('accepted');
    };
    for (const link of ['javascript:alert(1)', '//evil.example/x', '/\\evil.example', 'https://evil.example/', '/ok\nSet-Cookie: x', 'relative/path']) {
      expect(await refused({ to: u.alice.id, title: 'x', link })).toEqual(['link:relativeUrl']);
    }
    expect(await refused({ to: [], title: '' })).toEqual(['title:required']);
    expect(await refused({ to: 'alice', title: 'x'.repeat(201), body: 5, extra: 1 })).toEqual(['extra:unknown', 'to:type', 'title:maxLength', 'body:type']);
    expect(await refused({ to: { users: [u.alice.id], teams: [1], roles: ['a b'] }, title: 'x' })).toEqual(['to.teams:unknown', 'to.roles:type']);
    expect((await u.alice.api.get('/api/v1/me/notifications/count')).body).toEqual({ unread: 0 });
  });

  it('retention deletes read notifications past the given age; unread ones stay however old', async () => {
    for (const title of ['old read', 'old unread', 'recent read']) await data().notifications.send({ to: u.alice.id, title });
    const rows = await t.platform.db.all<{ id: number; title: string }>('SELECT id, title FROM plinth_notifications WHERE recipient_id = ?', [u.alice.id]);
    const id = (title: string) => Number(rows.find((r) => r.title === title)!.id);
    await u.alice.api.post(`/api/v1/me/notifications/${id('old read')}/read`);
    await u.alice.api.post(`/api/v1/me/notifications/${id('recent read')}/read`);
    await t.platform.db.run("UPDATE plinth_notifications SET created_at = '2020-01-01 00:00:00.000' WHERE recipient_id = ?", [u.alice.id]);
    await t.platform.db.run("UPDATE plinth_notifications SET read_at = '2020-01-02 00:00:00.000' WHERE id = ?", [id('old read')]);
    expect(await t.platform.notifications.service.purgeRead(90)).toBe(1);
    expect(await titles(u.alice)).toEqual(['recent read', 'old unread']);
    expect(await t.platform.notifications.service.purgeRead(90)).toBe(0);
  });

  it('resolves roles and departments to their active members, once each', async () => {
    const receipt = await data().notifications.send({ to: { users: [u.carol.id, u.dave.id], roles: ['notifyClerks'], departments: [department] }, title: 'all hands' });
    expect(receipt).toEqual({ recipients: 3 }); // alice, bob, carol; dave is disabled
    for (const name of ['alice', 'bob', 'carol']) expect(await titles(u[name])).toEqual(['all hands']);
    expect((await t.platform.db.all('SELECT id FROM plinth_notifications WHERE recipient_id = ?', [u.dave.id])).length).toBe(0);
  });

  it('a send inside a transaction that rolls back notifies nobody, and the stream hears nothing', async () => {
    const stream = await EventStream.open(t.platform.url, u.alice.api.token!);
    await stream.next((e) => e.unread === 0);
    await expect(
      t.platform.db.transaction(async (tx) => {
        await data(tx).notifications.send({ to: u.alice.id, title: 'never' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await t.platform.db.transaction(async (tx) => data(tx).notifications.send({ to: u.alice.id, title: 'committed' }));
    const event = await stream.next((e) => e.unread > 0);
    expect(event).toMatchObject({ unread: 1, newest: { title: 'committed' } });
    expect(await titles(u.alice)).toEqual(['committed']);
    await stream.close();
  });

  it('streams the count and the newest notification live, to every open stream of the user', async () => {
    const [a1, a2, b] = await Promise.all([EventStream.open(t.platform.url, u.alice.api.token!), EventStream.open(t.platform.url, u.alice.api.token!), EventStream.open(t.platform.url, u.bob.api.token!)]);
    expect([a1.status, a2.status, b.status]).toEqual([200, 200, 200]);
    await data().notifications.send({ to: u.alice.id, title: 'live', link: '/flows/inbox/todo' });
    for (const s of [a1, a2]) expect(await s.next((e) => e.unread === 1)).toMatchObject({ newest: { title: 'live', link: '/flows/inbox/todo', kind: 'system' } });
    const id = a1.events.find((e) => e.newest)!.newest!.id;
    await u.alice.api.post(`/api/v1/me/notifications/${id}/read`);
    expect(await a2.next((e) => e.unread === 0 && a2.events.indexOf(e) > 0)).toMatchObject({ newest: null });
    expect(b.events.every((e) => e.unread === 0 && e.newest === null)).toBe(true);
    await Promise.all([a1.close(), a2.close(), b.close()]);
    expect((await fetch(`${t.platform.url}/api/v1/me/notifications/stream`)).status).toBe(401);
  });

  it("scripts notify users, roles and departments with ctx.notify (capability notify); a rejected hook's notification is never sent", async () => {
    const save = (def: Record<string, unknown>) => t.api.post('/api/v1/scripts', { language: 'ts', ...def });
    expect(
      (
        await save({
          name: 'tell-clerks',
          kind: 'endpoint',
          target: 'tell-clerks',
          capabilities: ['notify'],
          source: `export default async function (input: EndpointInput, ctx: ScriptContext) {
  const body = input.body as { link?: string };
  try {
    await ctx.notify({ to: { roles: ['notifyClerks'], users: [${u.alice.id}] }, title: 'from a script', body: 'plain', link: body.link ?? '/app/customers' });
    return { ok: true };
  } catch (err) {
    const e = err as HostCallError;
    return { ok: false, code: e.code, errors: e.errors };
  }
}`,
        })
      ).status,
    ).toBe(201);
    expect((await t.api.post('/api/v1/x/tell-clerks', {})).body).toEqual({ ok: true });
    expect(await titles(u.carol)).toEqual(['from a script']);
    expect((await u.alice.api.get('/api/v1/me/notifications')).body.data[0]).toMatchObject({ kind: 'script:tell-clerks', body: 'plain', link: '/app/customers' });
    expect((await t.api.post('/api/v1/x/tell-clerks', { link: 'javascript:alert(1)' })).body).toEqual({ ok: false, code: 'validation', errors: [expect.objectContaining({ field: 'link', rule: 'relativeUrl' })] });

    expect((await save({ name: 'no-cap', kind: 'endpoint', target: 'no-cap', capabilities: [], source: `export default async (i: EndpointInput, ctx: ScriptContext) => { try { await ctx.notify({ to: 1, title: 'x' }); } catch (e) { return (e as HostCallError).code; } }` })).status).toBe(201);
    expect((await t.api.post('/api/v1/x/no-cap', {})).body).toBe('capability');

    expect(
      (
        await save({
          name: 'tell-then-refuse',
          kind: 'hook',
          target: 'customer:beforeCreate',
          capabilities: ['notify'],
          // what is tested is the rollback, not the limits: room for a loaded machine
          limits: { cpuMs: 2000, wallMs: 20000 },
          source: `export default async function (input: HookInput, ctx: ScriptContext) {
  await ctx.notify({ to: ${u.bob.id}, title: 'customer ' + String(input.record.name) });
  if (input.record.name === 'refused') ctx.fail('refused');
}`,
        })
      ).status,
    ).toBe(201);
    const refused = await t.api.post('/api/v1/customers', { customerNo: 'C00000001', name: 'refused', kind: 'person' });
    expect({ status: refused.status, body: refused.body }).toMatchObject({ status: 400, body: { code: 'validation' } });
    expect((await t.api.post('/api/v1/customers', { customerNo: 'C00000002', name: 'kept', kind: 'person' })).status).toBe(201);
    expect(await titles(u.bob)).toEqual(['customer kept']);
  });

  it('pages: the bell and the desktop count the unread, /messages lists only your own, escaped', async () => {
    await data().notifications.send({ to: u.alice.id, title: '<script>alert(1)</script>', body: 'line1\n<img src=x onerror=alert(1)>', link: '/app/customers?x="><b>' });
    await data().notifications.send({ to: u.bob.id, title: 'for bob only' });
    const alice = new PageClient(t.platform.url);
    await alice.login('alice', PASSWORD);
    const desktop = await alice.get('/');
    expect(desktop.text).toMatch(/data-testid="bell-count">1</);
    expect(desktop.text).toMatch(/data-testid="messages-count">1</);
    expect(desktop.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const page = await alice.get('/messages');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('&lt;img src');
    expect(page.text).not.toContain('<img src');
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).not.toContain('"><b>');
    expect(page.text).not.toContain('for bob only');
    expect((await alice.get('/messages?page=x')).status).toBe(400);
    await alice.api('POST', '/api/v1/me/notifications/read-all');
    expect((await alice.get('/messages?unread=1')).text).toContain('data-testid="messages-unread">0<');
  });

  it('the flow engine notifies: a new task, urging, a read-only notice, the end for the initiator', async () => {
    const users = (...ps: Person[]) => ({ type: 'users', ids: ps.map((p) => p.id) });
    const def = await t.api.post('/api/v1/flows/definitions', {
      code: 'notified', label: { 'zh-CN': '通知测试', en: 'Notified' }, model: 'fixed',
      nodes: [
        { key: 'start', kind: 'start', name: '申请' },
        { key: 'approve', kind: 'approval', name: '主管审批', handlers: [users(u.bob)] },
        { key: 'cc', kind: 'notify', name: '备案', handlers: [users(u.carol)] },
        { key: 'end', kind: 'end', name: '结束' },
      ],
      edges: [{ from: 'start', to: 'approve' }, { from: 'approve', to: 'cc' }, { from: 'cc', to: 'end' }],
    });
    expect(def.status).toBe(201);
    const inst = (await u.alice.api.post('/api/v1/flows/instances', { flow: 'notified', title: 'Alice leave' })).body;
    expect(inst.id).toEqual(expect.any(Number));
    const bobs = (await u.bob.api.get('/api/v1/me/notifications')).body.data;
    expect(bobs).toEqual([expect.objectContaining({ kind: 'flow.task', title: inst.title, body: '主管审批', link: `/flows/instances/${inst.id}` })]);
    expect((await u.alice.api.post(`/api/v1/flows/instances/${inst.id}/urge`, { comment: 'please' })).status).toBe(200);
    expect((await u.bob.api.get('/api/v1/me/notifications')).body.data[0]).toMatchObject({ kind: 'flow.urge', body: 'please', sender: u.alice.id });
    const task = (await u.bob.api.get('/api/v1/flows/inbox/todo')).body.data.find((x: { instance: { id: number } }) => x.instance.id === inst.id).task;
    expect((await u.bob.api.post(`/api/v1/flows/tasks/${task}/approve`, {})).status).toBe(200);
    expect((await u.carol.api.get('/api/v1/me/notifications')).body.data).toEqual([expect.objectContaining({ kind: 'flow.notify', body: '备案' })]);
    expect((await u.alice.api.get('/api/v1/me/notifications')).body.data).toEqual([expect.objectContaining({ kind: 'flow.completed', title: inst.title, sender: u.bob.id })]);
  });
});
