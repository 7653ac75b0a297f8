import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const t = (en: string, zh = en) => ({ 'zh-CN': zh, en });

const visitForm = {
  code: 'visitLog',
  kind: 'data',
  label: t('Visit log', '拜访记录'),
  fields: [
    { name: 'customer', type: 'reference', entity: 'customer', label: t('Customer') },
    { name: 'channel', type: 'enum', dictionary: 'visitChannel', label: t('Channel'), required: true },
    { name: 'items', type: 'detail', label: t('Costs'), fields: [{ name: 'amount', type: 'money', label: t('Amount'), required: true, total: 'sum' }] },
    { name: 'total', type: 'money', label: t('Total'), formula: 'SUM(items.amount)' },
  ],
};

describeEachDatabase('forms in configuration packages', (db) => {
  let a: TestPlatform;
  let b: TestPlatform;
  let pkg: any;
  beforeAll(async () => {
    a = await startTestPlatform(db);
    b = await startTestPlatform(db);
    const dict = (await a.api.post('/api/v1/dictionaries', { code: 'visitChannel', label: t('Channel') })).body;
    for (const code of ['phone', 'onsite']) await a.api.post('/api/v1/dictionaryItems', { dictionary: dict.id, code, label: t(code) });
    expect((await a.api.post('/api/v1/forms', visitForm)).status).toBe(201);
    expect((await a.api.post('/api/v1/forms/from-template', { template: 'leave' })).status).toBe(201);
    await a.api.post('/api/v1/forms/leave/disable');
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('exports form definitions by code', async () => {
    const res = await a.api.get('/api/v1/packages/export?sections=dictionaries,dictionaryItems,forms&name=forms-setup');
    expect(res.status).toBe(200);
    pkg = res.body;
    expect(pkg.sections.forms.map((i: any) => [i.key, i.data.enabled, i.data.template])).toEqual([
      ['leave', false, 'leave'],
      ['visitLog', true, null],
    ]);
    expect(pkg.sections.forms[1].data.definition).toEqual(visitForm);
  });

  it('imports them into an empty instance: dry run first, then data forms serve records at once', async () => {
    const dry = await b.api.post('/api/v1/packages/import?dryRun=true', pkg);
    expect(dry.status).toBe(200);
    expect(dry.body.items.filter((i: any) => i.section === 'forms')).toEqual([
      { section: 'forms', key: 'leave', action: 'create' },
      { section: 'forms', key: 'visitLog', action: 'create' },
    ]);
    expect((await b.api.get('/api/v1/forms/visitLog')).status).toBe(404);
    const res = await b.api.post('/api/v1/packages/import', pkg);
    expect(res.status).toBe(200);
    expect((await b.api.get('/api/v1/forms/visitLog')).body).toMatchObject({ version: 1, enabled: true, definition: visitForm });
    expect((await b.api.get('/api/v1/forms/leave')).body.enabled).toBe(false);
    const rec = await b.api.post('/api/v1/forms/visitLog/records', { channel: 'onsite', items: [{ amount: 12.5 }, { amount: 7.5 }] });
    expect(rec.status).toBe(201);
    expect(rec.body).toMatchObject({ total: 20, _totals: { amount: 20 } });
    expect((await b.api.get('/api/v1/formVisitLogRecords')).body.data).toHaveLength(1);
    // the same definitions come back out
    const again = (await b.api.get('/api/v1/packages/export?sections=forms')).body;
    expect(again.sections.forms).toEqual(pkg.sections.forms);
    const twice = await b.api.post('/api/v1/packages/import', pkg);
    expect(twice.body.items.filter((i: any) => i.section === 'forms').map((i: any) => i.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('updates a changed form with a new version and refuses what the API refuses, naming the path', async () => {
    const changed = structuredClone(pkg);
    changed.sections.forms[1].data.definition.fields.push({ name: 'note', type: 'string', label: t('Note') });
    const res = await b.api.post('/api/v1/packages/import', changed);
    expect(res.body.items.find((i: any) => i.key === 'visitLog')).toMatchObject({ action: 'update' });
    expect((await b.api.get('/api/v1/forms/visitLog')).body.version).toBe(2);
    expect((await b.api.post('/api/v1/forms/visitLog/records', { channel: 'phone', note: 'new column', items: [] })).body.note).toBe('new column');
    const bad = structuredClone(pkg);
    bad.sections.forms[1].data.definition.fields[3].formula = 'SUM(items.amont)';
    bad.sections.forms[1].data.definition.fields[1].type = 'string';
    delete bad.sections.forms[1].data.definition.fields[1].dictionary;
    const refused = await b.api.post('/api/v1/packages/import', bad);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: any) => [e.field, e.rule])).toEqual([['sections.forms[1].definition.fields[3].formula', 'expression']]);
    bad.sections.forms[1].data.definition.fields[3].formula = 'SUM(items.amount)';
    const typeChange = await b.api.post('/api/v1/packages/import', bad);
    expect(typeChange.body.errors.map((e: any) => [e.field, e.rule])).toEqual([['sections.forms[1].definition.fields[1].type', 'immutable']]);
    expect((await b.api.get('/api/v1/forms/visitLog')).body.version).toBe(2);
  });
});
