import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const label = (s: string) => ({ 'zh-CN': s, en: s });
const CF = '/api/v1/meta/entities/customer/custom-fields';

describeEachDatabase('configuration packages', (db) => {
  let source: TestPlatform;
  let target: TestPlatform;
  beforeAll(async () => {
    [source, target] = await Promise.all([startTestPlatform(db, { plugins: ['customers', 'contacts'] }), startTestPlatform(db, { plugins: ['customers', 'contacts'] })]);
  });
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  const definitions = async (t: TestPlatform) => {
    const fields = (await t.api.get(CF)).body.data.map(({ version: _v, createdAt: _c, updatedAt: _u, ...f }: Record<string, unknown>) => f);
    const meta = (await t.api.get('/api/v1/meta/entities/customer')).body.fields;
    return { fields, meta };
  };

  it('export → dry run (the diff) → import into an empty instance reproduces the same definitions, atomically', async () => {
    for (const spec of [
      { name: 'hobby', type: 'text', indexed: true, maxLength: 60 },
      { name: 'tier', type: 'choice', options: [{ value: 'gold', label: label('Gold') }] },
      { name: 'channels', type: 'multiChoice', options: [{ value: 'sms', label: label('SMS') }, { value: 'mail', label: label('Mail') }] },
      { name: 'mainContact', type: 'reference', target: 'contact' },
    ]) expect((await source.api.post(CF, { label: label(spec.name), ...spec })).status).toBe(201);
    expect((await source.api.request('PUT', '/api/v1/meta/entities/customer/fields/city/overlay', { label: label('Town'), order: 1 })).status).toBe(200);

    const exported = await source.api.get('/api/v1/packages/export?name=crm-setup');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment; filename="plinth-package-/);
    const pkg = exported.body;
    expect(pkg).toMatchObject({ format: 'plinth.package', formatVersion: 1, name: 'crm-setup' });
    expect(pkg.sections.customFields.map((i: { key: string }) => i.key)).toEqual(['customer.hobby', 'customer.tier', 'customer.channels', 'customer.mainContact']);

    const dry = await target.api.post('/api/v1/packages/import?dryRun=true', pkg);
    expect(dry.status).toBe(200);
    // the seeded dictionaries and parameters are the same on both: unchanged
    expect(dry.body).toMatchObject({ dryRun: true, summary: { create: 5, update: 0 } });
    expect((await target.api.get(CF)).body.data).toEqual([]);

    const applied = await target.api.post('/api/v1/packages/import', pkg);
    expect(applied.status).toBe(200);
    expect(applied.body.summary).toMatchObject({ create: 5, update: 0 });
    expect(await definitions(target)).toEqual(await definitions(source));
    expect(await target.platform.db.pendingSchemaChanges()).toBe('');
    const rec = await target.api.post('/api/v1/customers', { customerNo: 'C00000001', name: 'x', kind: 'person', status: 'active', hobby: 'golf', channels: ['sms'] });
    expect(rec.status).toBe(201);

    // importing again changes nothing; a changed label is an update with its diff
    expect((await target.api.post('/api/v1/packages/import?dryRun=true', pkg)).body.summary).toMatchObject({ create: 0, update: 0 });
    const changed = structuredClone(pkg);
    changed.sections.customFields[0].data.label = label('Pastime');
    const diff = (await target.api.post('/api/v1/packages/import?dryRun=true', changed)).body;
    expect(diff.items.find((i: { key: string }) => i.key === 'customer.hobby')).toEqual({
      section: 'customFields', key: 'customer.hobby', action: 'update', changes: { label: { before: label('hobby'), after: label('Pastime') } },
    });
  });

  it('carries dictionaries with their items (and parents) by code, and a choice field using one', async () => {
    const dict = (await source.api.post('/api/v1/dictionaries', { code: 'hobbyKind', label: label('Hobby kind') })).body;
    const sport = (await source.api.post('/api/v1/dictionaryItems', { dictionary: dict.id, code: 'sport', label: label('Sport') })).body;
    expect((await source.api.post('/api/v1/dictionaryItems', { dictionary: dict.id, code: 'golf', label: label('Golf'), parent: sport.id })).status).toBe(201);
    expect((await source.api.post(CF, { name: 'hobbyKind', type: 'choice', dictionary: 'hobbyKind', label: label('Kind') })).status).toBe(201);
    const pkg = (await source.api.get('/api/v1/packages/export?sections=dictionaries,dictionaryItems,customFields')).body;
    expect(Object.keys(pkg.sections)).toEqual(['dictionaries', 'dictionaryItems', 'customFields']); // dependency order
    expect(pkg.sections.dictionaryItems.find((i: { key: string }) => i.key === 'hobbyKind/golf').data).toMatchObject({ dictionary: 'hobbyKind', parent: 'hobbyKind/sport' });
    const dry = (await target.api.post('/api/v1/packages/import?dryRun=true', pkg)).body;
    if (!dry.items) throw new Error(JSON.stringify(dry));
    expect(dry.items.filter((i: { action: string }) => i.action === 'create').map((i: { key: string }) => i.key)).toEqual(
      expect.arrayContaining(['hobbyKind', 'hobbyKind/sport', 'hobbyKind/golf', 'customer.hobbyKind']),
    );
    expect((await target.api.post('/api/v1/packages/import', pkg)).status).toBe(200);
    const items = (await target.api.get('/api/v1/dictionaries/hobbyKind/items')).body;
    expect(JSON.stringify(items)).toContain('golf');
    const ok = await target.api.post('/api/v1/customers', { customerNo: 'C00000002', name: 'y', kind: 'person', status: 'active', hobbyKind: 'golf' });
    expect(ok.status).toBe(201);
    const bad = await target.api.post('/api/v1/customers', { customerNo: 'C00000003', name: 'z', kind: 'person', status: 'active', hobbyKind: 'chess' });
    expect(bad.body.errors[0]).toMatchObject({ field: 'hobbyKind', rule: 'dictionary' });
    expect((await target.api.post('/api/v1/packages/import?dryRun=true', pkg)).body.summary).toMatchObject({ create: 0, update: 0 });
  });

  it('carries scripts: a hook script and the custom field it computes, checked and compiled on import', async () => {
    expect((await source.api.post(CF, { name: 'nameLength', type: 'integer', label: label('Name length') })).status).toBe(201);
    const hook = await source.api.post('/api/v1/scripts', {
      name: 'name-length', kind: 'hook', target: 'customer:beforeCreate', language: 'ts',
      source: 'export default function (input: HookInput) {\n  const r = input.record as { name: string };\n  return { set: { nameLength: r.name.length } };\n}',
    });
    expect(hook.status).toBe(201);
    const pkg = (await source.api.get('/api/v1/packages/export?sections=customFields,scripts')).body;
    expect(pkg.sections.scripts).toEqual([expect.objectContaining({ key: 'name-length', data: expect.objectContaining({ kind: 'hook', target: 'customer:beforeCreate' }) })]);
    const broken = structuredClone(pkg);
    broken.sections.scripts[0].data.source = 'export default function () {\n  return ;;(\n}';
    const refused = await target.api.post('/api/v1/packages/import', broken);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'sections.scripts[0].data.source', rule: 'compile' });
    expect((await target.api.get('/api/v1/scripts')).body.data).toEqual([]);
    const applied = await target.api.post('/api/v1/packages/import', pkg);
    expect(applied.status).toBe(200);
    const rec = await target.api.post('/api/v1/customers', { customerNo: 'C00000004', name: '四个字的', kind: 'person', status: 'active' });
    expect(rec.body.nameLength).toBe(4);
  });

  it('carries related tabs (an administrator tab on a custom reference field) after the field they use', async () => {
    expect((await source.api.post('/api/v1/meta/entities/contact/custom-fields', { name: 'referrer', type: 'reference', target: 'customer', label: label('Referrer') })).status).toBe(201);
    const tab = await source.api.post('/api/v1/relatedTabs', { entity: 'customer', key: 'referred', target: 'contact', foreignKey: 'referrer', label: label('Referred contacts'), order: 5 });
    expect(tab.status).toBe(201);
    const pkg = (await source.api.get('/api/v1/packages/export?sections=customFields,relatedTabs')).body;
    expect(Object.keys(pkg.sections)).toEqual(['customFields', 'relatedTabs']);
    expect(pkg.sections.relatedTabs).toEqual([expect.objectContaining({ key: 'customer/referred' })]);
    const imported = await target.api.post('/api/v1/packages/import', pkg);
    expect(imported.body.errors).toBeUndefined();
    const customer = (await target.api.post('/api/v1/customers', { customerNo: 'C00000005', name: 'r', kind: 'person', status: 'active' })).body;
    await target.api.post('/api/v1/contacts', { name: '被推荐人', customer: customer.id, referrer: customer.id });
    const related = (await target.api.get(`/api/v1/customers/${customer.id}/related`)).body;
    expect(JSON.stringify(related)).toContain('referred');
  });

  it('refuses a package that does not fit, or that the data here breaks, and changes nothing', async () => {
    const before = await definitions(target);
    const bad = { format: 'plinth.package', formatVersion: 1, sections: { customFields: [
      { key: 'customer.fine', data: { entity: 'customer', name: 'fine', type: 'integer', label: label('ok') } },
      { key: 'customer.broken', data: { entity: 'customer', name: 'broken', type: 'colour', label: label('x') } },
    ] } };
    const res = await target.api.post('/api/v1/packages/import', bad);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'sections.customFields[1].type', rule: 'enum' });
    // target has a customer: a new required field without default is refused by the data
    const required = { format: 'plinth.package', formatVersion: 1, sections: { customFields: [
      { key: 'customer.fine', data: { entity: 'customer', name: 'fine', type: 'integer', label: label('ok') } },
      { key: 'customer.must', data: { entity: 'customer', name: 'must', type: 'text', required: true, label: label('must') } },
    ] } };
    const refused = await target.api.post('/api/v1/packages/import', required);
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0]).toMatchObject({ field: 'customFields.customer.must.required', rule: 'empty' });
    expect(await definitions(target)).toEqual(before);
    expect((await target.api.post('/api/v1/packages/import', { format: 'other', sections: {} })).status).toBe(400);
    expect((await target.api.post('/api/v1/packages/import', { format: 'plinth.package', formatVersion: 1, sections: { nope: [] } })).body.errors[0]).toMatchObject({ field: 'sections.nope', rule: 'unknown' });
  });
});
