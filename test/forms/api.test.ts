import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { purchaseForm } from './fixtures';

const PASSWORD = 'Forms-Test-Pass-1';
const t = (en: string, zh = en) => ({ 'zh-CN': zh, en });

const leaveForm = () => ({
  code: 'leaveTest',
  kind: 'workflow',
  label: t('Leave', '请假'),
  fields: [
    { name: 'startDate', type: 'date', label: t('Start'), required: true },
    { name: 'endDate', type: 'date', label: t('End'), required: true },
    { name: 'days', type: 'integer', label: t('Days'), formula: 'DAYS(endDate, startDate) + 1' },
    { name: 'reason', type: 'text', label: t('Reason'), requiredWhen: 'days > 3' },
  ],
});

describeEachDatabase('form definitions API', (db) => {
  let p: TestPlatform;
  let user: Api;
  beforeAll(async () => {
    p = await startTestPlatform(db);
    const u = await p.api.post('/api/v1/users', { username: 'clerk', displayName: 'Clerk' });
    await p.platform.sessions.setPassword(u.body.id, PASSWORD);
    user = new Api(p.platform.url);
    await user.login('clerk', PASSWORD);
  });
  afterAll(async () => p?.stop());

  it('creates, reads and lists a form', async () => {
    const res = await p.api.post('/api/v1/forms', leaveForm());
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/v1/forms/leaveTest');
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body).toMatchObject({ code: 'leaveTest', kind: 'workflow', version: 1, enabled: true, template: null, definition: leaveForm() });
    const got = await p.api.get('/api/v1/forms/leaveTest');
    expect(got.body.definition).toEqual(leaveForm());
    const list = await p.api.get('/api/v1/forms?kind=workflow');
    expect(list.body.data.map((f: { code: string }) => f.code)).toContain('leaveTest');
    expect((await p.api.get('/api/v1/forms?kind=data')).body.data.map((f: { code: string }) => f.code)).not.toContain('leaveTest');
    const schema = await p.api.get('/api/v1/forms/leaveTest/schema');
    expect(schema.body).toMatchObject({ type: 'object', required: ['startDate', 'endDate'], properties: { days: { readOnly: true } } });
  });

  it('refuses an invalid definition with errors naming the path, and saves nothing', async () => {
    const bad = { ...leaveForm(), code: 'badForm', fields: [...leaveForm().fields, { name: 'days', type: 'integer', label: t('Again') }, { name: 'x', type: 'money', label: t('X'), formula: 'dayz * 2' }] };
    const res = await p.api.post('/api/v1/forms', bad);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(res.body.errors.map((e: { field: string; rule: string }) => [e.field, e.rule])).toEqual([['fields[4].name', 'unique']]);
    const res2 = await p.api.post('/api/v1/forms', { ...leaveForm(), code: 'badForm', fields: [...leaveForm().fields, { name: 'x', type: 'money', label: t('X'), formula: 'dayz * 2' }] });
    expect(res2.body.errors).toEqual([{ field: 'fields[4].formula', rule: 'expression', message: 'fields[4].formula: Unknown name "dayz"; did you mean "days"? (at 1)' }]);
    const res3 = await p.api.post('/api/v1/forms', { ...leaveForm(), code: 'badForm', fields: [{ name: 'c', type: 'reference', entity: 'nothing', label: t('C') }] });
    expect(res3.body.errors).toEqual([expect.objectContaining({ field: 'fields[0].entity', rule: 'reference' })]);
    expect((await p.api.get('/api/v1/forms/badForm')).status).toBe(404);
    const validate = await p.api.post('/api/v1/forms/validate', { definition: { ...leaveForm(), kind: 'x' } });
    expect(validate.status).toBe(200);
    expect(validate.body.errors).toEqual([expect.objectContaining({ field: 'kind', rule: 'enum' })]);
  });

  it('refuses a second form with the same code', async () => {
    const res = await p.api.post('/api/v1/forms', leaveForm());
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([{ field: 'code', rule: 'unique', message: 'code must be unique' }]);
  });

  it('updates with the version read, keeps every version, and refuses stale or missing versions', async () => {
    const def = { ...leaveForm(), fields: [...leaveForm().fields, { name: 'phone', type: 'string', label: t('Phone'), length: 32 }] };
    expect((await p.api.request('PUT', '/api/v1/forms/leaveTest', { definition: def })).status).toBe(428);
    const ok = await p.api.request('PUT', '/api/v1/forms/leaveTest', { version: 1, definition: def });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await p.api.request('PUT', '/api/v1/forms/leaveTest', { version: 1, definition: leaveForm() });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('stale-version');
    const viaHeader = await p.api.request('PUT', '/api/v1/forms/leaveTest', { definition: leaveForm() }, { 'if-match': '"2"' });
    expect(viaHeader.body.version).toBe(3);
    const old = await p.api.get('/api/v1/forms/leaveTest?version=2');
    expect(old.body.definition.fields.map((f: { name: string }) => f.name)).toContain('phone');
    const versions = await p.api.get('/api/v1/forms/leaveTest/versions');
    expect(versions.body.data.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect((await p.api.request('PUT', '/api/v1/forms/leaveTest', { version: 3, definition: { ...leaveForm(), code: 'other' } })).body.errors[0]).toMatchObject({ field: 'code', rule: 'immutable' });
    expect((await p.api.request('PUT', '/api/v1/forms/leaveTest', { version: 3, definition: { ...leaveForm(), kind: 'data' } })).body.errors[0]).toMatchObject({ field: 'kind', rule: 'immutable' });
    const invalid = await p.api.request('PUT', '/api/v1/forms/leaveTest', { version: 3, definition: { ...leaveForm(), fields: [] } });
    expect(invalid.status).toBe(400);
    expect((await p.api.get('/api/v1/forms/leaveTest')).body.version).toBe(3);
  });

  it('keeps how a data form stores its fields', async () => {
    const def = purchaseForm();
    expect((await p.api.post('/api/v1/forms', def)).status).toBe(201);
    const changed = structuredClone(def) as any;
    changed.fields[0] = { ...changed.fields[0], type: 'integer', length: undefined };
    delete changed.fields[0].length;
    changed.fields[3].fields[1].scale = 3;
    const res = await p.api.request('PUT', `/api/v1/forms/${def.code}`, { version: 1, definition: changed });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string; rule: string }) => [e.field, e.rule])).toEqual([
      ['fields[0].type', 'immutable'],
      ['fields[3].fields[1].type', 'immutable'],
    ]);
    const added = structuredClone(def) as any;
    added.fields.push({ name: 'supplier', type: 'string', label: t('Supplier') });
    added.fields.splice(5, 1);
    expect((await p.api.request('PUT', `/api/v1/forms/${def.code}`, { version: 1, definition: added })).status).toBe(200);
  });

  it('copies a form under a new code', async () => {
    const res = await p.api.post('/api/v1/forms/leaveTest/copy', { code: 'leaveCopy' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: 'leaveCopy', version: 1, definition: { code: 'leaveCopy', label: { en: 'Leave (copy)', 'zh-CN': '请假（副本）' }, fields: leaveForm().fields } });
    expect((await p.api.post('/api/v1/forms/leaveTest/copy', { code: 'leaveCopy' })).status).toBe(409);
    expect((await p.api.post('/api/v1/forms/leaveTest/copy', {})).body.errors[0]).toMatchObject({ field: 'code', rule: 'required' });
  });

  it('creates forms from the shipped templates', async () => {
    const list = await p.api.get('/api/v1/forms/templates');
    expect(list.body.data).toHaveLength(7);
    const res = await p.api.post('/api/v1/forms/from-template', { template: 'expense', code: 'expenseHq', label: t('HQ expenses', '总部报销') });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: 'expenseHq', template: 'expense', definition: { label: { en: 'HQ expenses' } } });
    expect((await p.api.post('/api/v1/forms/from-template', { template: 'leave' })).body.code).toBe('leave');
    expect((await p.api.post('/api/v1/forms/from-template', { template: 'nope' })).body.errors[0]).toMatchObject({ field: 'template', rule: 'enum' });
    const evaluated = await p.api.post('/api/v1/forms/expenseHq/evaluate', { data: { title: 'x', payee: 'y', bankAccount: '12345678', lines: [{ expenseDate: '2026-01-02', category: 'meals', amount: 10.1 }, { expenseDate: '2026-01-02', category: 'meals', amount: 0.2 }] } });
    expect(evaluated.body).toMatchObject({ errors: [], data: { total: 10.3, payable: 10.3, payableInWords: '壹拾元叁角' }, totals: { amount: 10.3, receipts: 2 } });
    const zh = await p.api.post('/api/v1/forms/leave/evaluate', { data: { leaveType: 'annual', startDate: '2026-01-05', endDate: '2026-01-02' } }, { 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(zh.body.errors).toEqual([{ field: 'endDate', rule: 'rule', message: '结束日期不能早于开始日期' }]);
  });

  it('lets users read enabled forms but not manage them; disabled forms are hidden from them', async () => {
    expect((await user.get('/api/v1/forms/leaveTest')).status).toBe(200);
    expect((await user.post('/api/v1/forms', { ...leaveForm(), code: 'mine' })).status).toBe(403);
    expect((await user.request('PUT', '/api/v1/forms/leaveTest', { version: 3, definition: leaveForm() })).status).toBe(403);
    expect((await user.get('/api/v1/forms/leaveTest/versions')).status).toBe(403);
    const disabled = await p.api.post('/api/v1/forms/leaveCopy/disable');
    expect(disabled.body.enabled).toBe(false);
    expect((await user.get('/api/v1/forms/leaveCopy')).status).toBe(404);
    expect((await user.get('/api/v1/forms')).body.data.map((f: { code: string }) => f.code)).not.toContain('leaveCopy');
    expect((await p.api.get('/api/v1/forms')).body.data.find((f: { code: string }) => f.code === 'leaveCopy')).toMatchObject({ enabled: false });
    expect((await p.api.post('/api/v1/forms/leaveCopy/enable')).body.enabled).toBe(true);
    expect((await user.get('/api/v1/forms/leaveCopy')).status).toBe(200);
  });

  it('deletes a form; its code is never reused', async () => {
    expect((await p.api.delete('/api/v1/forms/leaveCopy', { 'if-match': '"9"' })).status).toBe(409);
    expect((await p.api.delete('/api/v1/forms/leaveCopy')).status).toBe(204);
    expect((await p.api.get('/api/v1/forms/leaveCopy')).status).toBe(404);
    expect((await p.api.delete('/api/v1/forms/leaveCopy')).status).toBe(404);
    const again = await p.api.post('/api/v1/forms', { ...leaveForm(), code: 'leaveCopy' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/never reused/);
  });

  it('takes choices from dictionaries, which then cannot be deleted', async () => {
    const dict = (await p.api.post('/api/v1/dictionaries', { code: 'expenseKind', label: t('Kinds') })).body;
    for (const code of ['taxi', 'hotel']) expect((await p.api.post('/api/v1/dictionaryItems', { dictionary: dict.id, code, label: t(code) })).status).toBe(201);
    const def = { code: 'dictForm', kind: 'workflow', label: t('Dict'), fields: [{ name: 'kind', type: 'enum', dictionary: 'expenseKind', label: t('Kind'), required: true }] };
    const unknown = await p.api.post('/api/v1/forms', { ...def, fields: [{ ...def.fields[0], dictionary: 'nope' }] });
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'fields[0].dictionary', rule: 'reference' })]);
    expect((await p.api.post('/api/v1/forms', def)).status).toBe(201);
    expect((await p.api.post('/api/v1/forms/dictForm/evaluate', { data: { kind: 'taxi' } })).body.errors).toEqual([]);
    expect((await p.api.post('/api/v1/forms/dictForm/evaluate', { data: { kind: 'yacht' } })).body.errors).toEqual([expect.objectContaining({ field: 'kind', rule: 'enum' })]);
    const del = await p.api.delete(`/api/v1/dictionaries/${dict.id}`);
    expect(del.status).toBe(409);
    expect(del.body.detail).toContain('form dictForm.kind');
  });

  it('dates TODAY() in the system.timeZone parameter', async () => {
    const def = { code: 'today', kind: 'workflow', label: t('Today'), fields: [{ name: 'day', type: 'date', label: t('Day'), default: 'today' }] };
    expect((await p.api.post('/api/v1/forms', def)).status).toBe(201);
    const param = (await p.api.get('/api/v1/parameters?filter[code]=system.timeZone')).body.data[0];
    const dayIn = async (zone: string, version: number) => {
      const changed = await p.api.patch(`/api/v1/parameters/${param.id}`, { version, value: zone });
      expect(changed.status).toBe(200);
      return { day: (await p.api.post('/api/v1/forms/today/evaluate', { data: {} })).body.data.day as string, version: changed.body.version as number };
    };
    const east = await dayIn('Pacific/Kiritimati', param.version);
    const west = await dayIn('Pacific/Pago_Pago', east.version);
    // UTC+14 and UTC-11 are never on the same calendar day
    expect(east.day > west.day).toBe(true);
    await dayIn('Asia/Shanghai', west.version);
  });

  it('documents the endpoints in OpenAPI', async () => {
    const doc = (await p.api.get('/api/v1/openapi.json')).body;
    for (const path of ['/api/v1/forms', '/api/v1/forms/{code}', '/api/v1/forms/{code}/copy', '/api/v1/forms/from-template', '/api/v1/forms/{code}/evaluate']) expect(doc.paths).toHaveProperty([path]);
    expect(doc.paths['/api/v1/forms/{code}'].put.responses).toHaveProperty(['409']);
  });

  it('writes every change to the operation log', async () => {
    const log = await p.api.get('/api/v1/audit?entity=form&limit=100');
    const actions = log.body.data.map((e: { action: string; detail: string }) => `${e.action} ${e.detail.split(':')[0]}`);
    expect(actions).toEqual(expect.arrayContaining(['form.create leaveTest', 'form.update leaveTest', 'form.create leaveCopy', 'form.disable leaveCopy', 'form.enable leaveCopy', 'form.delete leaveCopy', 'form.create expenseHq']));
    const update = log.body.data.find((e: { action: string; detail: string }) => e.action === 'form.update' && e.detail.startsWith('leaveTest: added phone'));
    expect(update).toMatchObject({ username: 'admin', changes: { version: { before: 1, after: 2 } } });
    expect(log.body.data.find((e: { action: string; detail: string }) => e.detail.startsWith('leaveCopy: copied from leaveTest version 3'))).toBeTruthy();
  });
});
