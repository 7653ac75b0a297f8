import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const label = (en: string, zh = en) => ({ 'zh-CN': zh, en });
const CF = '/api/v1/meta/entities/customer/custom-fields';
let serial = 0;
const customer = (extra: Record<string, unknown> = {}) => ({ customerNo: `C9${String(++serial).padStart(7, '0')}`, name: `客户${serial}`, kind: 'person', status: 'active', ...extra });

describeEachDatabase('custom fields at runtime', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: ['org', 'customers', 'contacts'] });
  });
  afterAll(async () => t?.stop());

  const add = async (spec: Record<string, unknown>) => {
    const res = await t.api.post(CF, { label: label(String(spec.name)), ...spec });
    if (res.status !== 201) throw new Error(`adding ${String(spec.name)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  it('adds a field of every type and uses them through the API at once: create, read, filter, sort, OpenAPI, metadata', async () => {
    const contact = (await t.api.post('/api/v1/contacts', { name: '联系人甲', customer: (await t.api.post('/api/v1/customers', customer())).body.id })).body;
    const dept = (await t.api.post('/api/v1/departments', { name: '总公司', code: 'HQ' })).body;
    const user = (await t.api.get('/api/v1/users?filter[username]=admin')).body.data[0];
    await add({ name: 'hobby', type: 'text', maxLength: 40, indexed: true, pattern: '[^0-9]*' });
    await add({ name: 'notes2', type: 'longText' });
    await add({ name: 'children', type: 'integer', min: 0, max: 20 });
    await add({ name: 'score', type: 'number', scale: 1 });
    await add({ name: 'deposit', type: 'money' });
    await add({ name: 'anniversary', type: 'date' });
    await add({ name: 'visitedAt', type: 'datetime' });
    await add({ name: 'vip', type: 'boolean', default: false });
    await add({ name: 'tier', type: 'choice', options: [{ value: 'gold', label: label('Gold', '金') }, { value: 'silver', label: label('Silver', '银') }] });
    await add({ name: 'channels', type: 'multiChoice', options: ['sms', 'mail', 'wechat'].map((v) => ({ value: v, label: label(v) })) });
    await add({ name: 'mainContact', type: 'reference', target: 'contact' });
    await add({ name: 'advisor', type: 'user' });
    await add({ name: 'servedBy', type: 'department' });
    await add({ name: 'photo', type: 'file' });
    await add({ name: 'scans', type: 'files' });

    // File fields take ids of the file store's files.
    const [photo, scan1, scan2] = await Promise.all(['photo.jpg', 'scan1.pdf', 'scan2.pdf'].map(async (name) => {
      const res = await fetch(`${t.platform.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${t.api.token}`, 'content-type': 'application/octet-stream', 'x-file-name': name }, body: name });
      return ((await res.json()) as { id: number }).id;
    }));
    const body = customer({
      hobby: 'golf', notes2: '长文本'.repeat(100), children: 2, score: 7.5, deposit: 1234.56, anniversary: '2020-02-29', visitedAt: '2026-01-02T03:04:05Z',
      tier: 'gold', channels: ['sms', 'wechat'], mainContact: contact.id, advisor: user.id, servedBy: dept.id, photo, scans: [scan1, scan2],
    });
    const created = await t.api.post('/api/v1/customers', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...body, visitedAt: '2026-01-02T03:04:05.000Z', vip: false });
    const other = (await t.api.post('/api/v1/customers', customer({ hobby: 'chess', children: 5, tier: 'silver', channels: ['mail'] }))).body;
    expect((await t.api.get(`/api/v1/customers/${created.body.id}`)).body).toEqual(created.body);

    const ids = async (query: string) => {
      const res = await t.api.get(`/api/v1/customers?${query}&fields=id&sort=id`);
      if (res.status !== 200) throw new Error(`${query}: ${JSON.stringify(res.body)}`);
      return res.body.data.map((r: { id: number }) => r.id);
    };
    expect(await ids('filter[hobby]=golf')).toEqual([created.body.id]);
    expect(await ids('filter[children][gte]=3')).toEqual([other.id]);
    expect(await ids('filter[tier]=silver')).toEqual([other.id]);
    expect(await ids('filter[channels]=wechat')).toEqual([created.body.id]);
    expect(await ids('filter[channels][in]=mail,sms')).toEqual([created.body.id, other.id]);
    expect(await ids('filter[channels][nin]=sms&filter[channels][null]=false')).toEqual([other.id]);
    expect(await ids('filter[mainContact.name]=联系人甲')).toEqual([created.body.id]);
    expect(await ids('filter[anniversary][between]=2020-01-01,2020-12-31')).toEqual([created.body.id]);
    const sorted = (await t.api.get('/api/v1/customers?filter[hobby][null]=false&sort=-children&fields=id,children')).body.data;
    expect(sorted.map((r: { id: number }) => r.id)).toEqual([other.id, created.body.id]);
    expect((await t.api.get('/api/v1/customers?sort=channels')).body.errors[0]).toMatchObject({ field: 'sort', rule: 'not-sortable' });
    // type-ahead lookup of the referenced entity
    expect((await t.api.get('/api/v1/contacts/lookup?q=联系人')).body.data).toEqual([{ id: contact.id, title: '联系人甲' }]);
    const expanded = (await t.api.get(`/api/v1/customers/${created.body.id}?expand=mainContact&fields=id,mainContact`)).body;
    expect(expanded.mainContact).toMatchObject({ id: contact.id, name: '联系人甲' });

    // validation follows the new rules
    const bad = await t.api.post('/api/v1/customers', customer({ hobby: 'abc123', children: 99, tier: 'bronze', channels: ['sms', 'sms'], deposit: 1.234 }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`).sort()).toEqual(
      expect.arrayContaining(['children:max', 'deposit:decimalScale', 'hobby:pattern', 'tier:enum']),
    );
    expect(bad.body.errors.some((e: { field: string }) => e.field.startsWith('channels'))).toBe(true);

    const openapi = (await t.api.get('/api/v1/openapi.json')).body;
    const schema = openapi.components.schemas.Customer.properties;
    expect(schema.hobby).toBeDefined();
    expect(schema.channels.anyOf?.[0]?.type ?? schema.channels.type).toContain('array');
    const meta = (await t.api.get('/api/v1/meta/entities/customer')).body;
    const hobby = meta.fields.find((f: { name: string }) => f.name === 'hobby');
    expect(hobby).toMatchObject({ type: 'string', custom: true, label: label('hobby'), length: 40, pattern: '^(?:[^0-9]*)$' });
    expect(meta.fields.find((f: { name: string }) => f.name === 'channels')).toMatchObject({ multiple: true, type: 'enum' });
  });

  it('reads decimals back as the numbers written, in lists and single reads', async () => {
    await add({ name: 'exact', type: 'number', scale: 6 });
    await add({ name: 'bigMoney', type: 'money' });
    // 18 significant digits: beyond what 15-digit JSON renders, so the embedded database's packed rows carry 17.
    const values = [123456789012.123456, 0.3, 99999999999.999999, -0.000001, 5];
    const ids: number[] = [];
    for (const exact of values) {
      const res = await t.api.post('/api/v1/customers', customer({ exact, bigMoney: 9876543210123.45 }));
      expect([res.status, res.body.exact, res.body.errors]).toEqual([201, exact, undefined]);
      ids.push(res.body.id);
    }
    const list = await t.api.get(`/api/v1/customers?filter[id][in]=${ids.join(',')}&sort=id&fields=id,exact,bigMoney`);
    expect(list.status).toBe(200);
    const listed = list.body.data;
    expect(listed.map((r: { exact: number }) => r.exact)).toEqual(values);
    expect(listed.every((r: { bigMoney: number }) => r.bigMoney === 9876543210123.45)).toBe(true);
    expect((await t.api.get(`/api/v1/customers/${ids[0]}`)).body.exact).toBe(values[0]);
  });

  it('refuses a required field without default on a table with records, listing them, and changes nothing', async () => {
    const res = await t.api.post(CF, { name: 'mustHave', type: 'text', label: label('Must'), required: true });
    expect(res.status).toBe(409);
    expect(res.body.errors[0]).toMatchObject({ field: 'required', rule: 'empty' });
    expect(res.body.errors[0].records.length).toBeGreaterThan(0);
    expect((await t.api.get(CF)).body.data.some((f: { name: string }) => f.name === 'mustHave')).toBe(false);
    const write = await t.api.post('/api/v1/customers', customer({ mustHave: 'x' }));
    expect(write.status).toBe(400);
    expect(write.body.errors[0]).toMatchObject({ field: 'mustHave', rule: 'unknown' });
    expect(await t.platform.db.pendingSchemaChanges()).toBe('');
  });

  it('fills existing records with the default when a required field has one', async () => {
    const before = (await t.api.post('/api/v1/customers', customer())).body;
    await add({ name: 'segment', type: 'text', required: true, default: 'retail' });
    expect((await t.api.get(`/api/v1/customers/${before.id}`)).body.segment).toBe('retail');
    const missing = await t.api.post('/api/v1/customers', customer({ segment: null }));
    expect(missing.status).toBe(400);
  });

  it('refuses to make a field unique while duplicates exist, naming the records, then accepts once they are fixed', async () => {
    const f = await add({ name: 'memberNo', type: 'text' });
    const a = (await t.api.post('/api/v1/customers', customer({ memberNo: 'M-1' }))).body;
    const b = (await t.api.post('/api/v1/customers', customer({ memberNo: 'M-1' }))).body;
    const refused = await t.api.patch(`${CF}/memberNo`, { unique: true, version: f.version });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'unique', rule: 'duplicates', records: [a.id, b.id] })]);
    expect((await t.api.post('/api/v1/customers', customer({ memberNo: 'M-1' }))).status).toBe(201);
    // fix the data, then the change applies and is enforced
    const dupes = (await t.api.get('/api/v1/customers?filter[memberNo]=M-1&fields=id,version')).body.data;
    for (const [i, r] of dupes.entries()) await t.api.patch(`/api/v1/customers/${r.id}`, { memberNo: `M-1-${i}`, version: r.version });
    const ok = await t.api.patch(`${CF}/memberNo`, { unique: true, version: f.version });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ unique: true, version: f.version + 1 });
    const dup = await t.api.post('/api/v1/customers', customer({ memberNo: 'M-1-0' }));
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0]).toMatchObject({ field: 'memberNo', rule: 'unique' });
    // a stale version is refused
    expect((await t.api.patch(`${CF}/memberNo`, { help: label('h'), version: f.version })).status).toBe(409);
    // name and type are fixed
    expect((await t.api.patch(`${CF}/memberNo`, { type: 'integer', version: f.version + 1 })).body.errors[0]).toMatchObject({ field: 'type', rule: 'immutable' });
  });

  it('refuses narrowing rules that existing values break (length, bounds, options)', async () => {
    const f = await add({ name: 'code', type: 'text', maxLength: 20 });
    const r = (await t.api.post('/api/v1/customers', customer({ code: 'ABCDEFGHIJ' }))).body;
    const res = await t.api.patch(`${CF}/code`, { maxLength: 5, version: f.version });
    expect(res.status).toBe(409);
    expect(res.body.errors[0]).toMatchObject({ field: 'maxLength', records: [r.id] });
    const tier = (await t.api.get(`${CF}/tier`)).body;
    const drop = await t.api.patch(`${CF}/tier`, { options: [{ value: 'silver', label: label('Silver') }], version: tier.version });
    expect(drop.status).toBe(409);
    expect(drop.body.errors[0]).toMatchObject({ field: 'options', rule: 'in-use' });
  });

  it('removes a field from the API while keeping its data, restores it, and purges it for good', async () => {
    const f = await add({ name: 'shoeSize', type: 'integer' });
    const r = (await t.api.post('/api/v1/customers', customer({ shoeSize: 42 }))).body;
    const removed = await t.api.delete(`${CF}/shoeSize?version=${f.version}`);
    expect(removed.status).toBe(200);
    expect((await t.api.get(`/api/v1/customers/${r.id}`)).body).not.toHaveProperty('shoeSize');
    expect((await t.api.post('/api/v1/customers', customer({ shoeSize: 1 }))).status).toBe(400);
    expect((await t.api.post(CF, { name: 'shoeSize', type: 'text', label: label('x') })).status).toBe(409);
    const restored = await t.api.post(`${CF}/shoeSize/restore`, { version: removed.body.version });
    expect(restored.status).toBe(200);
    expect((await t.api.get(`/api/v1/customers/${r.id}`)).body.shoeSize).toBe(42);
    expect((await t.api.post(`${CF}/shoeSize/purge`)).status).toBe(409);
    const again = await t.api.delete(`${CF}/shoeSize?version=${restored.body.version}`);
    expect((await t.api.post(`${CF}/shoeSize/purge`)).status).toBe(204);
    expect(again.status).toBe(200);
    expect((await t.api.get(`${CF}/shoeSize`)).status).toBe(404);
    await add({ name: 'shoeSize', type: 'text' });
    expect((await t.api.get(`/api/v1/customers/${r.id}`)).body.shoeSize).toBeNull();
  });

  it('purges a multi-valued field with its join table', async () => {
    const f = await add({ name: 'labels', type: 'multiChoice', options: [{ value: 'a', label: label('A') }] });
    await t.api.post('/api/v1/customers', customer({ labels: ['a'] }));
    const removed = await t.api.delete(`${CF}/labels?version=${f.version}`);
    expect((await t.api.post(`${CF}/labels/purge`)).status).toBe(204);
    expect(removed.status).toBe(200);
    const table = db.name === 'sqlite'
      ? await t.platform.db.all("SELECT name FROM sqlite_master WHERE name = 'customers__cf_labels'")
      : await t.platform.db.all("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'customers__cf_labels'");
    expect(table).toEqual([]);
  });

  it('overrides a built-in field (label, help, required, hidden, options) as an overlay, refusing what the data breaks', async () => {
    const set = await t.api.request('PUT', '/api/v1/meta/entities/customer/fields/city/overlay', { label: label('Town', '城镇'), hidden: true, order: 5 });
    expect(set.status).toBe(200);
    const meta = (await t.api.get('/api/v1/meta/entities/customer')).body.fields;
    expect(meta.find((f: { name: string }) => f.name === 'city')).toMatchObject({ label: label('Town', '城镇'), hidden: true, order: 5 });
    // required while some records have no city: refused, listing them
    const req = await t.api.request('PUT', '/api/v1/meta/entities/customer/fields/city/overlay', { required: true, version: set.body.version });
    expect(req.status).toBe(409);
    expect(req.body.errors[0]).toMatchObject({ field: 'required', rule: 'empty' });
    // options: relabel and restrict a fixed list
    const level = await t.api.request('PUT', '/api/v1/meta/entities/customer/fields/level/overlay', { values: [{ value: 'vip', label: label('Very important', '贵宾') }] });
    expect([200, 409]).toContain(level.status);
    const add = await t.api.request('PUT', '/api/v1/meta/entities/customer/fields/level/overlay', { values: [{ value: 'nope', label: label('x') }] });
    expect(add.status).toBe(400);
    expect(add.body.errors[0]).toMatchObject({ field: 'values[0].value', rule: 'enum' });
    expect((await t.api.delete('/api/v1/meta/entities/customer/fields/city/overlay')).status).toBe(204);
    expect((await t.api.get('/api/v1/meta/entities/customer')).body.fields.find((f: { name: string }) => f.name === 'city').hidden).toBe(false);
  });

  it('checks the definition: shape, type rules, names, targets, defaults; only admins', async () => {
    const errors = async (spec: unknown) => {
      const res = await t.api.post(CF, spec);
      expect(res.status).toBe(400);
      return res.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`);
    };
    expect(await errors({ name: 'Bad Name', type: 'text', label: label('x') })).toContain('name:pattern');
    expect(await errors({ name: 'x1', type: 'colour', label: label('x') })).toContain('type:enum');
    expect(await errors({ name: 'x2', type: 'text', label: label('x'), scale: 2 })).toContain('scale:not-applicable');
    expect(await errors({ name: 'x3', type: 'reference', label: label('x'), target: 'nothing' })).toContain('target:reference');
    expect(await errors({ name: 'x4', type: 'choice', label: label('x') })).toContain('dictionary:required');
    expect(await errors({ name: 'x5', type: 'integer', label: label('x'), default: 'seven' })).toContain('default:type');
    expect(await errors({ name: 'x6', type: 'text', label: label('x'), pattern: '(' })).toContain('pattern:pattern');
    expect((await t.api.post(CF, { name: 'name', type: 'text', label: label('x') })).status).toBe(409);
    expect((await t.api.post('/api/v1/meta/entities/nothing/custom-fields', { name: 'a', type: 'text', label: label('x') })).status).toBe(404);
  });

  it('backs a choice field with a dictionary: live codes validate, and the dictionary or a used item cannot be deleted', async () => {
    const dict = (await t.api.post('/api/v1/dictionaries', { code: 'petKind', label: label('Pet') })).body;
    const cat = (await t.api.post('/api/v1/dictionaryItems', { dictionary: dict.id, code: 'cat', label: label('Cat') })).body;
    const dog = (await t.api.post('/api/v1/dictionaryItems', { dictionary: dict.id, code: 'dog', label: label('Dog') })).body;
    expect((await t.api.post(CF, { name: 'pet', type: 'choice', dictionary: 'nope', label: label('Pet') })).body.errors[0]).toMatchObject({ field: 'dictionary', rule: 'reference' });
    await add({ name: 'pet', type: 'choice', dictionary: 'petKind' });
    await add({ name: 'pets', type: 'multiChoice', dictionary: 'petKind' });
    const r = await t.api.post('/api/v1/customers', customer({ pet: 'cat', pets: ['cat'] }));
    expect(r.status).toBe(201);
    expect((await t.api.post('/api/v1/customers', customer({ pet: 'bird' }))).body.errors[0]).toMatchObject({ field: 'pet', rule: 'dictionary' });
    // a new item is valid at once
    expect((await t.api.post('/api/v1/dictionaryItems', { dictionary: dict.id, code: 'bird', label: label('Bird') })).status).toBe(201);
    expect((await t.api.post('/api/v1/customers', customer({ pet: 'bird' }))).status).toBe(201);
    const usedItem = await t.api.delete(`/api/v1/dictionaryItems/${cat.id}`);
    expect(usedItem.status).toBe(409);
    expect(usedItem.body.detail).toContain('customer.pet (1 records)');
    expect((await t.api.delete(`/api/v1/dictionaryItems/${dog.id}`)).status).toBe(204);
    const usedDict = await t.api.delete(`/api/v1/dictionaries/${dict.id}`);
    expect(usedDict.status).toBe(409);
    expect(usedDict.body.detail).toContain('customer.pets');
  });

  it('keeps custom fields and overlays across a restart', async () => {
    const r = (await t.api.post('/api/v1/customers', customer({ hobby: 'tennis', channels: ['mail'] }))).body;
    t = await t.restart();
    const got = (await t.api.get(`/api/v1/customers/${r.id}`)).body;
    expect(got).toMatchObject({ hobby: 'tennis', channels: ['mail'] });
    expect(await t.platform.db.pendingSchemaChanges()).toBe('');
  });
});
