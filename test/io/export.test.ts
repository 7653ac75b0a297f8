import { describeEachDatabase, startTestPlatform, Api, type TestPlatform } from '../support/platform';
import { download, readCsv, readXlsx, XLSX } from './helpers';

const customer = (n: number, extra: Record<string, unknown> = {}) => ({
  customerNo: `C${String(n).padStart(8, '0')}`,
  name: `客户${n}`,
  kind: 'person',
  status: 'active',
  ...extra,
});

describeEachDatabase('export', (db) => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform(db);
    const rows = [
      customer(1, { city: '上海', level: 'vip', birthDate: '1985-03-02', establishedValue: 12345.67, doNotContact: true, lastContactAt: '2026-05-01T00:30:00.000Z', tags: ['车险'] }),
      customer(2, { city: '上海', level: 'a', name: '=HYPERLINK("http://x")', establishedValue: 99.5, mobile: '+86 138 0013 8000' }),
      customer(3, { city: '北京', level: 'b', establishedValue: 500 }),
      customer(4, { city: '上海', level: null, establishedValue: 1000, remarks: '@SUM(A1)' }),
    ];
    expect((await t.api.post('/api/v1/customers/bulk', { create: rows })).status).toBe(200);
    // Enough rows for several pages of the keyset walk.
    const many = Array.from({ length: 1200 }, (_, i) => customer(100 + i, { city: '广州', establishedValue: i }));
    for (let i = 0; i < many.length; i += 600) expect((await t.api.post('/api/v1/customers/bulk', { create: many.slice(i, i + 600) })).status).toBe(200);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('xlsx of a filtered, sorted query: labelled headers, enum labels, real dates, money as numbers, owner by name', async () => {
    const fields = 'customerNo,name,level,birthDate,establishedValue,lastContactAt,doNotContact,owner';
    const res = await download(t.api, `/api/v1/customers/export?format=xlsx&filter[city]=上海&sort=-establishedValue&fields=${fields}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="customers-\d{8}-\d{6}\.xlsx"; filename\*=UTF-8''%E5%AE%A2%E6%88%B7-/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { name, rows, formats } = await readXlsx(res.body);
    expect(name).toBe('客户');
    expect(rows[0]).toEqual(['客户编号', '客户名称', '客户等级', '出生日期', '既有价值', '最近联系时间', '勿扰', '负责人']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['C00000001', 'C00000004', 'C00000002']);
    const [first, fourth, second] = rows.slice(1);
    expect(first).toEqual(['C00000001', '客户1', 'VIP', new Date('1985-03-02T00:00:00Z'), 12345.67, new Date('2026-05-01T08:30:00Z'), '是', 'Administrator']);
    expect(formats[1][3]).toBe('yyyy-mm-dd');
    expect(formats[1][4]).toBe('#,##0.00');
    expect(formats[1][5]).toBe('yyyy-mm-dd hh:mm:ss');
    expect(fourth[2]).toBeNull();
    // xlsx text cells are never formulas: the value is kept as it is.
    expect(second[1]).toBe('=HYPERLINK("http://x")');
  });

  it('CSV in English with escaped formula-like text and ISO dates', async () => {
    const res = await download(t.api, '/api/v1/customers/export?format=csv&lang=en&filter[city]=上海&sort=customerNo&fields=customerNo,name,mobile,remarks,lastContactAt,status,establishedValue');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect([...res.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = readCsv(res.body);
    expect(rows[0]).toEqual(['Customer no.', 'Name', 'Mobile', 'Remarks', 'Last contacted at', 'Status', 'Established value']);
    expect(rows.slice(1)).toEqual([
      ['C00000001', '客户1', '', '', '2026-05-01 08:30:00', 'Active', '12345.67'],
      ['C00000002', `'=HYPERLINK("http://x")`, `'+86 138 0013 8000`, '', '', 'Active', '99.5'],
      ['C00000004', '客户4', '', `'@SUM(A1)`, '', 'Active', '1000'],
    ]);
  });

  it('POST with a JSON query, Accept-Language zh-TW, a time zone and references as ids', async () => {
    const res = await download(t.api, '/api/v1/customers/export', { format: 'csv', filter: { customerNo: { in: ['C00000001', 'C00000003'] } }, sort: ['customerNo'], fields: ['customerNo', 'status', 'owner', 'lastContactAt'], tz: 'UTC', refs: 'id' }, { 'accept-language': 'zh-TW,zh;q=0.9,en;q=0.5' });
    expect(res.status).toBe(200);
    const rows = readCsv(res.body);
    const adminId = (await t.api.get('/api/v1/auth/me')).body.userId;
    expect(rows).toEqual([
      // System fields have no zh-TW label: zh-CN stands in.
      ['客戶編號', '客戶狀態', '负责人', '最近聯繫時間'],
      ['C00000001', '有效客戶', String(adminId), '2026-05-01 00:30:00'],
      ['C00000003', '有效客戶', String(adminId), ''],
    ]);
  });

  it('writes date-times in the system.timeZone parameter unless tz is given', async () => {
    const param = (await t.api.get('/api/v1/parameters?filter[code]=system.timeZone')).body.data[0];
    const cell = async () => readCsv((await download(t.api, '/api/v1/customers/export?format=csv&fields=lastContactAt&filter[customerNo]=C00000001')).body)[1][0];
    expect(await cell()).toBe('2026-05-01 08:30:00');
    const changed = await t.api.patch(`/api/v1/parameters/${param.id}`, { version: param.version, value: 'America/New_York' });
    expect(changed.status).toBe(200);
    try {
      expect(await cell()).toBe('2026-04-30 20:30:00');
    } finally {
      await t.api.patch(`/api/v1/parameters/${param.id}`, { version: changed.body.version, value: 'Asia/Shanghai' });
    }
  });

  it('walks every page: all 1,200 matching rows in sort order, with the default columns', async () => {
    const res = await download(t.api, '/api/v1/customers/export?filter[city]=广州&sort=establishedValue');
    expect(res.status).toBe(200);
    const { rows } = await readXlsx(res.body);
    expect(rows.length).toBe(1201);
    const header = rows[0] as string[];
    expect(header.slice(0, 3)).toEqual(['编号', '客户编号', '客户名称']);
    expect(header).toEqual(expect.arrayContaining(['负责人', '部门', '创建时间', '修改时间']));
    expect(header).not.toContain('联系人');
    expect(header).not.toContain('版本');
    const value = header.indexOf('既有价值');
    expect(rows.slice(1).map((r) => r[value])).toEqual(Array.from({ length: 1200 }, (_, i) => i));
  });

  it('refuses what a list would refuse, and parameters that do not apply, with 4xx problems', async () => {
    const cases: [string, number, string][] = [
      ['/api/v1/customers/export?filter[nope]=1', 400, 'filter.nope'],
      ['/api/v1/customers/export?fields=nope', 400, 'fields'],
      ['/api/v1/customers/export?sort=remarks', 400, 'sort'],
      ['/api/v1/customers/export?limit=10', 400, 'limit'],
      ['/api/v1/customers/export?format=pdf', 400, 'format'],
      ['/api/v1/customers/export?lang=fr', 400, 'lang'],
      ['/api/v1/customers/export?tz=Mars/Base', 400, 'tz'],
      ['/api/v1/customers/export?what=1', 400, 'what'],
    ];
    for (const [url, status, field] of cases) {
      const res = await download(t.api, url);
      expect([url, res.status]).toEqual([url, status]);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await download(t.api, '/api/v1/nothings/export')).status).toBe(404);
  });

  it('export and import are in the OpenAPI document of every entity', async () => {
    const doc = (await t.api.get('/api/v1/openapi.json')).body;
    for (const plural of ['customers', 'contacts', 'users']) {
      expect(Object.keys(doc.paths[`/api/v1/${plural}/export`])).toEqual(['get', 'post']);
      expect(doc.paths[`/api/v1/${plural}/import`].post.responses['422']).toBeDefined();
      expect(doc.paths[`/api/v1/${plural}/import/preview`].post.requestBody.content).toHaveProperty(['text/csv']);
    }
    expect(doc.components.schemas.ImportReport.properties.errors.items).toEqual({ $ref: '#/components/schemas/ImportIssue' });
  });

  describe('scoped users', () => {
    let owner: Api;
    let hidden: Api;
    let noExport: Api;
    let ownIds: string[];

    const user = async (username: string, grants: Record<string, unknown>[]) => {
      const u = await t.api.post('/api/v1/users', { username, displayName: username });
      expect(u.status).toBe(201);
      await t.platform.sessions.setPassword(u.body.id, 'Export-Test-Pass-1');
      const role = await t.api.post('/api/v1/roles', { code: `${username}Role`, name: username });
      for (const g of grants) expect((await t.api.post('/api/v1/roleGrants', { role: role.body.id, entity: 'customer', ...g })).status).toBe(201);
      expect((await t.api.post('/api/v1/userRoles', { user: u.body.id, role: role.body.id })).status).toBe(201);
      const api = new Api(t.platform.url);
      await api.login(username, 'Export-Test-Pass-1');
      return { id: u.body.id as number, api };
    };

    beforeAll(async () => {
      // Reads everything, but may export only what they own.
      const o = await user('exportOwn', [{ actions: ['read'], scope: 'all' }, { actions: ['export'], scope: 'own' }]);
      owner = o.api;
      const created = await t.api.post('/api/v1/customers/bulk', { create: [customer(9001, { owner: o.id, city: '深圳', idNumber: '310101198001011234' }), customer(9002, { owner: o.id, city: '深圳' })] });
      ownIds = created.body.created.map((c: { customerNo: string }) => c.customerNo);
      hidden = (await user('exportHidden', [{ actions: ['read', 'export'], scope: 'all', hiddenFields: ['idNumber', 'establishedValue'] }])).api;
      noExport = (await user('readOnly', [{ actions: ['read'], scope: 'all' }])).api;
    });

    it('exports only the rows inside the export scope, whatever the filter', async () => {
      const all = await download(owner, '/api/v1/customers/export?format=csv&fields=customerNo&sort=customerNo');
      expect(all.status).toBe(200);
      expect(readCsv(all.body).slice(1).map((r) => r[0])).toEqual(ownIds);
      const sneaky = await download(owner, '/api/v1/customers/export?format=csv&fields=customerNo&filter={"or":[{"city":"上海"},{"city":"深圳"}]}');
      expect(readCsv(sneaky.body).slice(1).map((r) => r[0]).sort()).toEqual(ownIds);
      // Their list still shows everything they may read.
      expect((await owner.get('/api/v1/customers?count=true&limit=1')).body.meta.total).toBeGreaterThan(1000);
    });

    it('leaves hidden fields out of the default columns and refuses them by name', async () => {
      const res = await download(hidden, '/api/v1/customers/export?format=csv&filter[city]=深圳');
      expect(res.status).toBe(200);
      const rows = readCsv(res.body);
      expect(rows[0]).not.toContain('证件号码');
      expect(rows[0]).not.toContain('既有价值');
      expect(rows[0]).toContain('客户名称');
      expect(res.body.toString('utf8')).not.toContain('310101198001011234');
      const named = await download(hidden, '/api/v1/customers/export?fields=customerNo,idNumber');
      expect(named.status).toBe(400);
      const filtered = await download(hidden, '/api/v1/customers/export?filter[establishedValue][gt]=0');
      expect(filtered.status).toBe(400);
    });

    it('403 without the export right, and the denial is logged', async () => {
      const res = await download(noExport, '/api/v1/customers/export');
      expect(res.status).toBe(403);
      expect(res.json.code).toBe('forbidden');
    });

    it('the admin sees the encrypted ID number in clear, and the export is in the operation log', async () => {
      const res = await download(t.api, '/api/v1/customers/export?format=csv&fields=customerNo,idNumber&filter[customerNo]=C00009001');
      expect(readCsv(res.body)[1]).toEqual(['C00009001', '310101198001011234']);
      const log = await t.api.get('/api/v1/audit?action=export&limit=50');
      expect(log.status).toBe(200);
      expect(log.body.data.some((e: { entity: string; detail: string }) => e.entity === 'customer' && /rows as csv/.test(e.detail))).toBe(true);
    });
  });
});
