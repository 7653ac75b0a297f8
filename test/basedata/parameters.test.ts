import { describeEachDatabase, startTestPlatform, type TestPlatform, type Api } from '../support/platform';
import { label, signedInUser } from './helpers';

describeEachDatabase('system parameters', (db) => {
  let t: TestPlatform;
  let reader: Api;
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: [] });
    reader = (await signedInUser(t, 'paramreader', ['salesRep'])).api;
  });
  afterAll(async () => t?.stop());

  const create = (code: string, def: Record<string, unknown>) => t.api.post('/api/v1/parameters', { code, label: label(code, code), ...def });
  const byCode = async (code: string, api = t.api) => (await api.get(`/api/v1/parameters?filter[code]=${code}`)).body.data[0];

  it('ships company, currency and fiscal-year parameters, readable as typed values', async () => {
    expect(t.platform.parameters.get('finance.defaultCurrency')).toBe('CNY');
    expect(t.platform.parameters.get('finance.fiscalYearStart')).toBe('1');
    expect(t.platform.parameters.get('system.timeZone')).toBe('Asia/Shanghai');
    expect(t.platform.parameters.get('no.such.parameter')).toBeUndefined();
    expect(t.platform.parameters.get('no.such.parameter', 42)).toBe(42);
    const currency = await byCode('finance.defaultCurrency', reader);
    expect(currency).toMatchObject({ type: 'enum', dictionary: 'currency', value: 'CNY', label: { 'zh-CN': '本位币', en: 'Default currency' } });
  });

  it.each([
    ['integer', 'abc', 'type'],
    ['integer', 1.5, 'type'],
    ['number', '12', 'type'],
    ['boolean', 'yes', 'type'],
    ['date', '2026-02-30', 'format'],
    ['string', 12, 'type'],
  ])('refuses a %s parameter with value %j (400 naming value, rule %s) and writes nothing', async (type, value, rule) => {
    const code = `bad.${type}.${rule}.${String(value).replace(/[^a-z0-9]/gi, '')}`;
    const res = await create(code, { type, value });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'value', rule })]);
    expect(await byCode(code)).toBeUndefined();
  });

  it('accepts values of every type', async () => {
    const cases: [string, unknown][] = [
      ['string', '升蓝'],
      ['integer', 30],
      ['number', 0.13],
      ['boolean', true],
      ['date', '2026-04-01'],
      ['json', { smtp: { host: 'mail.example.com', ports: [25, 465] } }],
    ];
    for (const [type, value] of cases) {
      const res = await create(`ok.${type}`, { type, value });
      expect(res.status).toBe(201);
      expect(res.body.value).toEqual(value);
      expect(t.platform.parameters.get(`ok.${type}`)).toEqual(value);
    }
  });

  it('checks enum values against the options or the dictionary, and the enum definition itself', async () => {
    const options = [
      { value: 'daily', label: label('每天', 'Daily') },
      { value: 'weekly', label: label('每周', 'Weekly') },
    ];
    expect((await create('backup.frequency', { type: 'enum', options, value: 'weekly' })).status).toBe(201);
    const bad = await create('backup.frequency2', { type: 'enum', options, value: 'hourly' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'value', rule: 'enum', message: expect.stringContaining('daily, weekly') })]);
    expect((await create('report.currency', { type: 'enum', dictionary: 'currency', value: 'USD' })).status).toBe(201);
    expect((await create('report.currency2', { type: 'enum', dictionary: 'currency', value: 'XYZ' })).body.errors).toEqual([expect.objectContaining({ field: 'value', rule: 'enum' })]);
    expect((await create('e.none', { type: 'enum', value: 'a' })).body.errors).toEqual([expect.objectContaining({ field: 'options', rule: 'required' })]);
    expect((await create('e.both', { type: 'enum', options, dictionary: 'currency' })).body.errors).toEqual([expect.objectContaining({ field: 'dictionary', rule: 'conflict' })]);
    expect((await create('e.unknown', { type: 'enum', dictionary: 'noSuchDictionary' })).body.errors).toEqual([expect.objectContaining({ field: 'dictionary', rule: 'reference' })]);
    expect((await create('e.string', { type: 'string', options })).body.errors).toEqual([expect.objectContaining({ field: 'options', rule: 'unexpected' })]);
    const dup = await create('e.dup', { type: 'enum', options: [options[0], options[0]] });
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: 'options', rule: 'unique' })]);
  });

  it('re-checks the value when the type changes, and refreshes the cache only for committed writes', async () => {
    const p = (await create('crm.followUpDays', { type: 'string', value: 'seven' })).body;
    const retype = await t.api.patch(`/api/v1/parameters/${p.id}`, { version: p.version, type: 'integer' });
    expect(retype.status).toBe(400);
    expect(retype.body.errors).toEqual([expect.objectContaining({ field: 'value', rule: 'type' })]);
    expect(t.platform.parameters.get('crm.followUpDays')).toBe('seven');
    expect((await t.api.get(`/api/v1/parameters/${p.id}`)).body).toMatchObject({ type: 'string', value: 'seven', version: p.version });
    const ok = await t.api.patch(`/api/v1/parameters/${p.id}`, { version: p.version, type: 'integer', value: 7 });
    expect(ok.status).toBe(200);
    expect(t.platform.parameters.get<number>('crm.followUpDays')).toBe(7);
    expect(t.platform.parameters.entry('crm.followUpDays')).toMatchObject({ type: 'integer', secret: false });
  });

  it('lets signed-in users read parameters, and only administrators write them', async () => {
    const p = await byCode('company.name', reader);
    expect(p).toBeDefined();
    expect((await reader.patch(`/api/v1/parameters/${p.id}`, { version: p.version, value: 'Evil Corp' })).status).toBe(403);
    expect((await reader.post('/api/v1/parameters', { code: 'mine', label: label('我的', 'Mine'), value: 'x' })).status).toBe(403);
    const admin = await t.api.patch(`/api/v1/parameters/${p.id}`, { version: p.version, value: '升蓝软件' });
    expect(admin.status).toBe(200);
    expect(t.platform.parameters.get('company.name')).toBe('升蓝软件');
  });

  it('keeps secret parameters encrypted, hidden from non-administrators and masked in the operation log', async () => {
    const created = await create('mail.smtpPassword', { group: 'mail', type: 'string', secret: true, value: 'hunter2-Secret' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ secret: true, value: null, secretValue: '"hunter2-Secret"' });
    expect(t.platform.parameters.get('mail.smtpPassword')).toBe('hunter2-Secret');
    const stored = await t.platform.db.all<{ secret_value: string; value: string | null }>('SELECT secret_value, value FROM plinth_parameters WHERE code = ?', ['mail.smtpPassword']);
    expect(stored[0].value).toBeNull();
    expect(stored[0].secret_value).not.toContain('hunter2');

    // Not visible at all to other users.
    expect((await reader.get(`/api/v1/parameters/${created.body.id}`)).status).toBe(404);
    expect((await reader.get('/api/v1/parameters?limit=100')).body.data.map((p: { code: string }) => p.code)).not.toContain('mail.smtpPassword');
    expect((await reader.get('/api/v1/parameters?filter[secret]=true')).body.data).toEqual([]);

    const changed = await t.api.patch(`/api/v1/parameters/${created.body.id}`, { version: created.body.version, value: 'new-Secret-9' });
    expect(changed.status).toBe(200);
    expect(t.platform.parameters.get('mail.smtpPassword')).toBe('new-Secret-9');
    const log = await t.api.get(`/api/v1/audit?entity=parameter&recordId=${created.body.id}`);
    expect(log.body.data.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
    expect(log.body.data[0].changes.secretValue).toEqual({ before: '***', after: '***' });
    expect(JSON.stringify(log.body)).not.toMatch(/hunter2|new-Secret/);

    // A secret that stops being one moves back into `value`.
    const plain = await t.api.patch(`/api/v1/parameters/${created.body.id}`, { version: changed.body.version, secret: false });
    expect(plain.body).toMatchObject({ secret: false, value: 'new-Secret-9', secretValue: null });
    expect((await reader.get(`/api/v1/parameters/${created.body.id}`)).status).toBe(200);
  });

  it('refuses a client write of secretValue', async () => {
    const res = await create('mail.apiKey', { secret: true, secretValue: '"x"' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'secretValue', rule: 'readonly' })]);
  });
});
