import { describeEachDatabase, startTestPlatform, type Api, type TestPlatform } from '../support/platform';
import { PluginDir } from '../support/plugins';
import { clientFor, createUser } from '../auth/helpers';

const PASSWORD = 'Menu-Test-Pass-1';

interface Node {
  key: string;
  label: Record<string, string>;
  order: number;
  hidden?: boolean;
  children: Node[];
}

/** `key` and its children's keys, depth first: ['customers', ['customers.list', …]]. */
const shape = (nodes: Node[]): unknown[] => nodes.map((n) => (n.children.length ? [n.key, shape(n.children)] : n.key));
const find = (nodes: Node[], key: string): Node | undefined => {
  for (const n of nodes) {
    if (n.key === key) return n;
    const inner = find(n.children, key);
    if (inner) return inner;
  }
  return undefined;
};

describeEachDatabase('menus', (db) => {
  const dir = new PluginDir({ customers: 'plugins/customers', contacts: 'plugins/contacts', perks: 'test/fixtures/lifecycle/perks', ledger: 'test/fixtures/upgrade/ledger-1' });
  let t: TestPlatform;
  let vera: Api;
  const adminTree = async () => (await t.api.get('/api/v1/menus/admin')).body as { data: Node[]; orphans: { key: string }[] };
  const userTree = async (api: Api) => (await api.get('/api/v1/menus')).body.data as Node[];

  beforeAll(async () => {
    t = await startTestPlatform(db, { env: { PLUGINS_DIR: dir.dir } });
    await createUser(t, 'vera', PASSWORD);
    const role = (await t.api.get('/api/v1/roles?filter[code]=vipManager')).body.data[0];
    const user = (await t.api.get('/api/v1/users?filter[username]=vera')).body.data[0];
    expect((await t.api.post('/api/v1/userRoles', { user: user.id, role: role.id })).status).toBe(201);
    vera = await clientFor(t, 'vera', PASSWORD);
  });
  afterAll(async () => {
    await t?.stop();
    dir.cleanup();
  });

  it("gives administrators every enabled plugin's entries in order, under their parents", async () => {
    expect(shape(await userTree(t.api))).toEqual([
      ['customers', ['customers.list', 'contacts.list', 'perks.vip', 'perks.export']],
      ['ledger', ['ledger.entries', 'ledger.reports']],
      ['system', ['system.users', 'system.roles', 'system.audit']],
    ]);
    const entries = find((await adminTree()).data, 'ledger.entries')!;
    expect(entries).toMatchObject({ plugin: 'ledger', entity: 'ledgerEntry', action: 'read', path: '/ledger', declared: { label: { en: 'Entries' }, order: 10, parent: 'ledger' }, overlay: null, hidden: false });
  });

  it('gives a user only the entries their permissions allow, and no empty groups', async () => {
    expect(shape(await userTree(vera))).toEqual([['customers', ['customers.list', 'perks.vip']]]);
    expect((await vera.get('/api/v1/menus/admin')).status).toBe(403);
  });

  it("drops a disabled plugin's entries at once and brings them back", async () => {
    expect((await t.api.post('/api/v1/plugins/perks/disable')).status).toBe(200);
    // vera's only grant came with perks' role
    expect(shape(await userTree(vera))).toEqual([]);
    expect(shape(await userTree(t.api))[0]).toEqual(['customers', ['customers.list', 'contacts.list']]);
    expect((await t.api.post('/api/v1/plugins/perks/enable')).status).toBe(200);
    expect(shape(await userTree(vera))).toEqual([['customers', ['customers.list', 'perks.vip']]]);
  });

  it('lets administrators rename, reorder and hide entries (overlays), checking what they send', async () => {
    const renamed = await t.api.put('/api/v1/menus/overlays/ledger.entries', { label: { en: 'Journal' }, order: 30 });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ key: 'ledger.entries', label: { en: 'Journal', 'zh-CN': '台账明细' }, order: 30, overlay: { label: { en: 'Journal' }, order: 30, version: 1 } });
    expect((await t.api.put('/api/v1/menus/overlays/ledger.reports', { hidden: true })).status).toBe(200);
    expect((await t.api.put('/api/v1/menus/overlays/customers.list', { label: { 'zh-CN': '客户列表' } })).status).toBe(200);

    expect(shape(await userTree(t.api))[1]).toEqual(['ledger', ['ledger.entries']]);
    expect(find((await adminTree()).data, 'ledger.reports')).toMatchObject({ hidden: true });
    expect(find(await userTree(vera), 'customers.list')?.label).toEqual({ 'zh-CN': '客户列表', en: 'Customer files', 'zh-TW': '客戶檔案' });

    // Optimistic: a stale version is refused.
    expect((await t.api.put('/api/v1/menus/overlays/ledger.entries', { label: { en: 'Book' }, version: 7 })).status).toBe(409);
    const bad = await t.api.put('/api/v1/menus/overlays/ledger.entries', { label: { fr: 'Journal', en: '' }, order: 'first', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['colour', 'label.en', 'label.fr', 'order']);
    expect((await t.api.put('/api/v1/menus/overlays/nothing.here', { order: 1 })).status).toBe(404);
    expect((await vera.put('/api/v1/menus/overlays/customers.list', { hidden: true })).status).toBe(403);
    expect(find((await adminTree()).data, 'ledger.entries')?.label.en).toBe('Journal');
  });

  it("reorders a parent's entries in one request, keeping their labels, and refuses anything but the siblings exactly", async () => {
    const siblingsOf = async (key: string) => {
      const walk = (nodes: Node[]): Node[] | undefined => (nodes.some((n) => n.key === key) ? nodes : nodes.map((n) => walk(n.children)).find(Boolean));
      return walk((await adminTree()).data)!.map((n) => n.key);
    };
    const before = await siblingsOf('customers.list');
    expect(before.length).toBeGreaterThan(1);
    const reversed = [...before].reverse();
    const res = await t.api.put('/api/v1/menus/order', { keys: reversed });
    expect(res.status).toBe(200);
    expect(res.body.data.map((n: Node) => n.key)).toEqual(reversed);
    expect(await siblingsOf('customers.list')).toEqual(reversed);
    expect(res.body.data.map((n: Node) => n.order)).toEqual(reversed.map((_, i) => (i + 1) * 10));
    // The label overlay set earlier stays; users see the new order.
    expect(find((await adminTree()).data, 'customers.list')?.label['zh-CN']).toBe('客户列表');
    const parentOf = (nodes: Node[]): Node | undefined => nodes.find((n) => n.children.some((c) => c.key === 'customers.list')) ?? nodes.map((n) => parentOf(n.children)).find(Boolean);
    const users = await userTree(t.api);
    expect(parentOf(users)!.children.map((n) => n.key)).toEqual(reversed.filter((k) => find(users, k)));

    const refused = async (keys: unknown, errors: string[]) => {
      const r = await t.api.put('/api/v1/menus/order', { keys });
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`)).toEqual(errors);
    };
    await refused(reversed.slice(1), ['keys:incomplete']);
    await refused([...reversed, reversed[0]], [`keys[${reversed.length}]:duplicate`]);
    await refused([...reversed, 'ledger.entries'], [`keys[${reversed.length}]:not-sibling`]);
    await refused(['nothing.here'], ['keys[0]:unknown']);
    await refused('customers.list', ['keys:type']);
    expect(await siblingsOf('customers.list')).toEqual(reversed); // nothing changed
    expect((await vera.put('/api/v1/menus/order', { keys: before })).status).toBe(403);

    // Back to the plugins' order: the entries whose place changes are renumbered again.
    expect((await t.api.put('/api/v1/menus/order', { keys: before })).status).toBe(200);
    expect(await siblingsOf('customers.list')).toEqual(before);
    // Leave only the label overlay the later tests expect.
    expect((await t.api.put('/api/v1/menus/overlays/customers.list', { label: { 'zh-CN': '客户列表' } })).status).toBe(200);
    for (const key of before.filter((k) => k !== 'customers.list')) expect((await t.api.delete(`/api/v1/menus/overlays/${key}`)).status).toBe(204);
  });

  it('keeps the overlays across an upgrade that adds and removes entries', async () => {
    dir.link('ledger', 'test/fixtures/upgrade/ledger-3');
    t = await t.restart();
    const { data, orphans } = await adminTree();
    // 3.0.0 dropped ledger.reports and added ledger.summary (order 5)
    expect(shape(data)[1]).toEqual(['ledger', ['ledger.summary', 'ledger.entries']]);
    expect(find(data, 'ledger.entries')).toMatchObject({ label: { en: 'Journal' }, order: 30 });
    expect(find(data, 'customers.list')?.label['zh-CN']).toBe('客户列表');
    expect(orphans.map((o) => o.key)).toEqual(['ledger.reports']);
    // An overlay is cleared by key: back to what the plugin declares.
    expect((await t.api.delete('/api/v1/menus/overlays/ledger.entries')).status).toBe(204);
    expect(find((await adminTree()).data, 'ledger.entries')).toMatchObject({ label: { en: 'Entries' }, order: 10, overlay: null });
    expect((await t.api.delete('/api/v1/menus/overlays/ledger.entries')).status).toBe(404);
  });

  it('travels in configuration packages', async () => {
    const exported = await t.api.get('/api/v1/packages/export?sections=menuOverlays');
    expect(exported.status).toBe(200);
    const section = exported.body.sections.menuOverlays as { key: string; data: unknown }[];
    expect(section).toEqual(
      expect.arrayContaining([
        { key: 'customers.list', data: { label: { 'zh-CN': '客户列表' } } },
        { key: 'ledger.reports', data: { hidden: true } },
      ]),
    );
    const pkg = exported.body;
    pkg.sections.menuOverlays = [
      ...section.filter((i) => i.key !== 'customers.list'),
      { key: 'customers.list', data: { order: 1 } },
      { key: 'contacts.list', data: { label: { en: 'People' } } },
    ];
    const dry = await t.api.post('/api/v1/packages/import?dryRun=true', pkg);
    expect(dry.status).toBe(200);
    expect(dry.body.summary).toEqual({ create: 1, update: 1, unchanged: section.length - 1 });
    expect((await t.api.post('/api/v1/packages/import', pkg)).status).toBe(200);
    const tree = (await adminTree()).data;
    expect(find(tree, 'contacts.list')?.label.en).toBe('People');
    expect(find(tree, 'customers.list')).toMatchObject({ order: 1, label: { 'zh-CN': '客户档案' } });
    const broken = await t.api.post('/api/v1/packages/import?dryRun=true', { ...pkg, sections: { menuOverlays: [{ key: 'Bad Key', data: { order: 'x' } }] } });
    expect(broken.status).toBe(400);
    expect(broken.body.errors.map((e: { field: string }) => e.field)).toEqual(['sections.menuOverlays[0].key', 'sections.menuOverlays[0].data.order']);
  });
});
