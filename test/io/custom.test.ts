import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { download, readXlsx, upload, xlsxOf } from './helpers';

const label = (en: string, zh = en) => ({ 'zh-CN': zh, en });
const CF = '/api/v1/meta/entities/customer/custom-fields';

describeEachDatabase('import and export of custom fields', (db) => {
  let t: TestPlatform;
  let contactId: number;
  let deptId: number;
  const byNo = async (customerNo: string) => (await t.api.get(`/api/v1/customers?filter[customerNo]=${customerNo}`)).body.data[0];

  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: ['org', 'customers', 'contacts'] });
    const add = async (spec: Record<string, unknown>) => expect((await t.api.post(CF, spec)).status).toBe(201);
    const holder = (await t.api.post('/api/v1/customers', { customerNo: 'C00000001', name: '持有人', kind: 'person', status: 'active' })).body;
    contactId = (await t.api.post('/api/v1/contacts', { name: '联系人甲', customer: holder.id })).body.id;
    deptId = (await t.api.post('/api/v1/departments', { name: '总公司', code: 'HQ' })).body.id;
    // Added while the platform runs: export and import know them at once.
    await add({ name: 'memberNo', type: 'text', unique: true, maxLength: 20, label: label('Member no.', '会员号') });
    await add({ name: 'children', type: 'integer', min: 0, max: 20, label: label('Children', '子女数') });
    await add({ name: 'deposit', type: 'money', label: label('Deposit', '保证金') });
    await add({ name: 'anniversary', type: 'date', label: label('Anniversary', '纪念日') });
    await add({ name: 'visitedAt', type: 'datetime', label: label('Visited at', '拜访时间') });
    await add({ name: 'vip', type: 'boolean', default: false, label: label('VIP flag', '贵宾') });
    await add({ name: 'tier', type: 'choice', options: [{ value: 'gold', label: label('Gold', '金卡') }, { value: 'silver', label: label('Silver', '银卡') }], label: label('Tier', '卡级') });
    await add({ name: 'channels', type: 'multiChoice', options: [{ value: 'sms', label: label('SMS', '短信') }, { value: 'mail', label: label('Mail', '邮件') }, { value: 'wechat', label: label('WeChat', '微信') }], label: label('Channels', '渠道') });
    await add({ name: 'mainContact', type: 'reference', target: 'contact', label: label('Main contact', '主联系人') });
    await add({ name: 'advisor', type: 'user', label: label('Advisor', '顾问') });
    await add({ name: 'servedBy', type: 'department', label: label('Served by', '服务部门') });
    await add({ name: 'scans', type: 'files', label: label('Scans', '扫描件') });
  });
  afterAll(async () => t?.stop());

  it('dictionary-backed choices: exported as the items’ labels, imported by label or code; disabled items label old values but are not accepted', async () => {
    const dict = (await t.api.post('/api/v1/dictionaries', { code: 'hobbies', label: label('Hobbies', '爱好') })).body.id;
    for (const [code, zh, en, enabled] of [['golf', '高尔夫', 'Golf', true], ['chess', '象棋', 'Chess', true], ['old', '旧爱好', 'Old', true]] as const) {
      expect((await t.api.post('/api/v1/dictionaryItems', { dictionary: dict, code, label: label(en, zh), enabled })).status).toBe(201);
    }
    expect((await t.api.post(CF, { name: 'hobby', type: 'choice', dictionary: 'hobbies', label: label('Hobby', '爱好') })).status).toBe(201);
    expect((await t.api.post(CF, { name: 'hobbyList', type: 'multiChoice', dictionary: 'hobbies', label: label('Hobbies', '爱好们') })).status).toBe(201);
    expect((await t.api.post('/api/v1/customers', { customerNo: 'C00000010', name: '丁', kind: 'person', status: 'active', hobby: 'old', hobbyList: ['golf', 'old'] })).status).toBe(201);
    const old = (await t.api.get('/api/v1/dictionaryItems?filter[code]=old')).body.data[0];
    expect((await t.api.patch(`/api/v1/dictionaryItems/${old.id}`, { version: old.version, enabled: false })).status).toBe(200);

    const res = await download(t.api, '/api/v1/customers/export?format=csv&lang=en&fields=customerNo,hobby,hobbyList&filter[customerNo]=C00000010');
    expect(res.body.toString('utf8').replace(/^\uFEFF/, '').split('\r\n')[1]).toBe('C00000010,Old,Golf; Old');

    const file = await xlsxOf([
      ['客户编号', '客户名称', '客户类别', '爱好', '爱好们'],
      ['C00000011', '戊', 'person', '象棋', '高尔夫、chess'],
      ['C00000012', '己', 'person', '旧爱好', 'Golf'],
    ]);
    const imported = await upload(t.api, '/api/v1/customers/import?skipBadRows=true', file);
    expect(imported.body.created).toBe(1);
    expect(await byNo('C00000011')).toMatchObject({ hobby: 'chess', hobbyList: ['golf', 'chess'] });
    expect(imported.body.errors.map((e: { row: number; field: string; rule: string }) => [e.row, e.field, e.rule])).toEqual([[3, 'hobby', 'enum']]);
  });

  const FIELDS = 'customerNo,memberNo,children,deposit,anniversary,visitedAt,vip,tier,channels,mainContact,advisor,servedBy,scans';

  /** A file in the platform's file store, uploaded by the admin. */
  const storedFile = async (name: string) => {
    const res = await fetch(`${t.platform.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${t.api.token}`, 'content-type': 'application/pdf', 'x-file-name': encodeURIComponent(name) }, body: `%PDF ${name}` });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };

  it('exports runtime fields by their labels and types, and imports them back', async () => {
    const admin = (await t.api.get('/api/v1/users?filter[username]=admin')).body.data[0];
    const [f1, f2, f3, f4] = [await storedFile('保单1.pdf'), await storedFile('保单2.pdf'), await storedFile('保单3.pdf'), await storedFile('保单4.pdf')];
    const created = await t.api.post('/api/v1/customers', {
      customerNo: 'C00000002', name: '甲', kind: 'person', status: 'active', memberNo: 'M-1', children: 2, deposit: 1234.56, anniversary: '2020-02-29',
      visitedAt: '2026-01-02T03:04:05Z', vip: true, tier: 'gold', channels: ['sms', 'wechat'], mainContact: contactId, advisor: admin.id, servedBy: deptId, scans: [f1, f2],
    });
    expect(created.status).toBe(201);
    const res = await download(t.api, `/api/v1/customers/export?fields=${FIELDS}&filter[customerNo]=C00000002`);
    expect(res.status).toBe(200);
    const { rows } = await readXlsx(res.body);
    expect(rows).toEqual([
      ['客户编号', '会员号', '子女数', '保证金', '纪念日', '拜访时间', '贵宾', '卡级', '渠道', '主联系人', '顾问', '服务部门', '扫描件'],
      ['C00000002', 'M-1', 2, 1234.56, new Date('2020-02-29T00:00:00Z'), new Date('2026-01-02T11:04:05Z'), '是', '金卡', '短信; 微信', '联系人甲', 'Administrator', '总公司', `${f1}; ${f2}`],
    ]);

    // The exported file imports back unchanged, by the runtime unique field as the key.
    const before = await byNo('C00000002');
    const back = await upload(t.api, '/api/v1/customers/import?key=memberNo', res.body);
    expect(back.body).toMatchObject({ rows: 1, updated: 1, errorCount: 0 });
    expect({ ...(await byNo('C00000002')), version: 0, updatedAt: null }).toEqual({ ...before, version: 0, updatedAt: null });

    // New rows in spreadsheet forms: labels, lists split on 、 or ;, references by title.
    const file = await xlsxOf([
      ['客户编号', '客户名称', '客户类别', '会员号', '子女数', 'deposit', '纪念日', '拜访时间', '贵宾', 'Tier', '渠道', '主联系人', '顾问', '服务部门', '扫描件'],
      ['C00000003', '乙', '个人客户', 'M-2', '3', '2,000.5', '2021/5/6', '2026-01-02 09:00', 'no', 'Silver', '邮件、短信', '联系人甲', 'admin', '总公司', `${f3};#${f4}`],
      ['C00000004', '丙', '个人客户', 'M-1', 30, 'x', '2021-13-01', null, '也许', '铜卡', '信鸽', '无人', null, null, 'abc'],
    ]);
    const imported = await upload(t.api, '/api/v1/customers/import?skipBadRows=true', file);
    expect(imported.status).toBe(200);
    expect(imported.body.created).toBe(1);
    expect(await byNo('C00000003')).toMatchObject({
      memberNo: 'M-2', children: 3, deposit: 2000.5, anniversary: '2021-05-06', visitedAt: '2026-01-02T01:00:00.000Z', vip: false, tier: 'silver',
      channels: ['mail', 'sms'], mainContact: contactId, advisor: admin.id, servedBy: deptId, scans: [f3, f4],
    });
    expect(imported.body.errors.filter((e: { row: number }) => e.row === 3).map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`).sort()).toEqual(
      ['anniversary:format', 'channels:enum', 'children:max', 'deposit:type', 'mainContact:reference', 'memberNo:unique', 'scans:type', 'tier:enum', 'vip:type'],
    );
  });
});
