import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import { describeEachDatabase, startTestPlatform, Api, type TestPlatform } from '../support/platform';
import { download, readXlsx, upload, xlsxOf, XLSX } from './helpers';

const no = (n: number) => `C${String(n).padStart(8, '0')}`;
const q = (params: Record<string, unknown>) =>
  '?' + Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`).join('&');

describeEachDatabase('import', (db) => {
  let t: TestPlatform;
  const count = async (filter: Record<string, unknown> = {}) => (await t.api.get(`/api/v1/customers?limit=1&count=true&filter=${encodeURIComponent(JSON.stringify(filter))}`)).body.meta.total as number;
  const byNo = async (customerNo: string) => (await t.api.get(`/api/v1/customers?filter[customerNo]=${customerNo}`)).body.data[0];

  beforeAll(async () => {
    t = await startTestPlatform(db, { env: { IMPORT_MAX_BYTES: '2mb' } });
  }, 60_000);
  afterAll(async () => t?.stop());

  it('preview: headers, a mapping suggested from labels in any language or API names, sample rows, importable fields', async () => {
    const file = await xlsxOf([
      ['客户编号*', 'Name', '客戶類別', 'status', '城市', 'Owner', '创建时间', 'Notes'],
      ['C00000001', '张三', '个人客户', 'active', '上海', 'admin', '2026-01-01', 'x'],
    ]);
    const res = await upload(t.api, '/api/v1/customers/import/preview?key=customerNo', file);
    expect(res.status).toBe(200);
    expect(res.body.format).toBe('xlsx');
    expect(res.body.mapping).toEqual({ '客户编号*': 'customerNo', Name: 'name', 客戶類別: 'kind', status: 'status', 城市: 'city', Owner: 'owner', 创建时间: null, Notes: null });
    expect(res.body.columns.find((c: { header: string }) => c.header === '创建时间').note).toBe('createdAt is read-only');
    expect(res.body.columns.find((c: { header: string }) => c.header === 'Notes')).toMatchObject({ letter: 'H', field: null, note: 'no field has this name or label' });
    expect(res.body.sample).toEqual([{ row: 2, cells: ['C00000001', '张三', '个人客户', 'active', '上海', 'admin', '2026-01-01', 'x'] }]);
    const fields = res.body.fields.map((f: { name: string }) => f.name);
    expect(fields).toEqual(expect.arrayContaining(['customerNo', 'name', 'owner', 'department']));
    expect(fields).not.toContain('createdAt');
    expect(res.body.fields.find((f: { name: string }) => f.name === 'customerNo')).toMatchObject({ required: true, key: true });
  });

  it('imports with an explicit mapping: enums by label, dates and money in spreadsheet forms, references by unique value or title', async () => {
    const file = await xlsxOf([
      ['No.', 'Full name', 'Type', 'State', 'Born', 'Paid', 'Last call', 'DNC', 'Rep', 'ignored'],
      [no(101), '张三', '个人客户', 'Active', new Date('1980-01-02T00:00:00Z'), 1234.5, new Date('2026-03-04T09:30:00Z'), '是', 'admin', 'x'],
      [no(102), '李四', 'organisation', '潜在客户', '1990/3/4', '1,000.25', '2026-03-04 10:00', 'no', 'Administrator', ''],
      [no(103), '王五', '團體客戶', 'lost', '2001年2月3日', 0.1 + 0.2, '2026-03-04T01:00:00Z', 'FALSE', '', ''],
    ]);
    const mapping = { 'No.': 'customerNo', 'Full name': 'name', Type: 'kind', State: 'status', Born: 'birthDate', Paid: 'establishedValue', 'Last call': 'lastContactAt', DNC: 'doNotContact', Rep: 'owner' };
    const res = await upload(t.api, `/api/v1/customers/import${q({ mapping })}`, file);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 3, valid: 3, invalid: 0, created: 3, updated: 0, skipped: 0, written: true, errorCount: 0, errors: [] });
    const admin = (await t.api.get('/api/v1/auth/me')).body.userId;
    expect(await byNo(no(101))).toMatchObject({ name: '张三', kind: 'person', status: 'active', birthDate: '1980-01-02', establishedValue: 1234.5, lastContactAt: '2026-03-04T01:30:00.000Z', doNotContact: true, owner: admin });
    expect(await byNo(no(102))).toMatchObject({ kind: 'organisation', status: 'prospect', birthDate: '1990-03-04', establishedValue: 1000.25, lastContactAt: '2026-03-04T02:00:00.000Z', doNotContact: false });
    const third = await byNo(no(103));
    expect(third).toMatchObject({ kind: 'organisation', status: 'lost', birthDate: '2001-02-03', establishedValue: 0.3, lastContactAt: '2026-03-04T01:00:00.000Z', doNotContact: false, owner: admin });
    // Written through the service: the operation log has the creation.
    const history = await t.api.get(`/api/v1/customers/${third.id}/history`);
    expect(history.body.data.map((e: { action: string }) => e.action)).toEqual(['create']);
  });

  it('upserts by a key: matching rows update their record (empty cells clear), the others create one', async () => {
    await t.api.post('/api/v1/customers/bulk', { create: [201, 202, 203].map((n) => ({ customerNo: no(n), name: `旧${n}`, kind: 'person', status: 'active', city: '上海', level: 'b' })) });
    const before = await byNo(no(202));
    const file = await xlsxOf([
      ['客户编号', '客户名称', '城市', '客户等级', '客户类别'],
      [no(201), '新201', '杭州', 'A', '个人客户'],
      [no(202), '新202', null, 'vip', '个人客户'],
      [no(204), '新204', '南京', null, '团体客户'],
    ]);
    const res = await upload(t.api, '/api/v1/customers/import?key=customerNo', file);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 3, created: 1, updated: 2, key: 'customerNo' });
    expect(await byNo(no(201))).toMatchObject({ name: '新201', city: '杭州', level: 'a', version: 2, kind: 'person' });
    const updated = await byNo(no(202));
    expect(updated).toMatchObject({ id: before.id, name: '新202', city: null, level: 'vip', version: before.version + 1 });
    expect(await byNo(no(203))).toMatchObject({ name: '旧203', version: 1 });
    // A new row still needs what a create needs.
    const created = await byNo(no(204));
    expect(created).toMatchObject({ name: '新204', city: '南京', kind: 'organisation', level: null, status: 'prospect', version: 1 });
    const history = await t.api.get(`/api/v1/customers/${before.id}/history`);
    expect(history.body.data[0]).toMatchObject({ action: 'update', changes: { name: { before: '旧202', after: '新202' }, city: { before: '上海', after: null } } });
    // emptyCells=keep leaves values of empty cells alone.
    const keep = await xlsxOf([['客户编号', '城市', '客户等级'], [no(201), null, 'c']]);
    expect((await upload(t.api, '/api/v1/customers/import?key=customerNo&emptyCells=keep', keep)).status).toBe(200);
    expect(await byNo(no(201))).toMatchObject({ city: '杭州', level: 'c' });
  });

  it('announces every written record to the event listeners once the import has committed, in both modes', async () => {
    const seen: { event: string; customerNo: unknown }[] = [];
    t.platform.store.events.subscribe((e) => {
      if (e.entity === 'customer') seen.push({ event: e.event, customerNo: e.record.customerNo });
    });
    const file = await xlsxOf([['客户编号', '客户名称', '客户类别'], [no(251), '甲', 'person'], [no(252), '乙', 'person']]);
    expect((await upload(t.api, '/api/v1/customers/import', file)).status).toBe(200);
    expect((await upload(t.api, '/api/v1/customers/import?key=customerNo&skipBadRows=true', file)).status).toBe(200);
    await t.platform.store.events.idle();
    expect(seen).toEqual([
      { event: 'customer.created', customerNo: no(251) },
      { event: 'customer.created', customerNo: no(252) },
      { event: 'customer.updated', customerNo: no(251) },
      { event: 'customer.updated', customerNo: no(252) },
    ]);
    const failing = await upload(t.api, '/api/v1/customers/import', await xlsxOf([['客户编号', '客户名称', '客户类别'], [no(253), '丙', 'person'], [no(254), null, 'person']]));
    expect(failing.status).toBe(422);
    await t.platform.store.events.idle();
    expect(seen.length).toBe(4);
  });

  describe('bad rows', () => {
    const file = () =>
      xlsxOf([
        ['客户编号', '客户名称', '客户类别', '客户状态', '出生日期'],
        [no(301), '好1', 'person', 'active', '1990-01-01'],
        ['X301', '坏1', 'person', 'active', '1990-01-01'],
        [no(302), null, 'alien', 'active', '1990-02-30'],
        [no(303), '好2', 'person', 'active', null],
        [no(301), '重复', 'person', 'active', null],
      ]);

    it('all or nothing: every bad row reported by row, column and rule; nothing written', async () => {
      const before = await count();
      const res = await upload(t.api, '/api/v1/customers/import', await file());
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'import-invalid', rows: 5, valid: 2, invalid: 3, created: 0, written: false, errorCount: 5 });
      expect(res.body.detail).toBe('3 of 5 rows cannot be imported; nothing was written');
      expect(res.body.errors.map((e: any) => [e.row, e.column, e.field, e.rule])).toEqual([
        [3, 'A', 'customerNo', 'pattern'],
        [4, 'C', 'kind', 'enum'],
        [4, 'E', 'birthDate', 'format'],
        [4, 'B', 'name', 'required'],
        [6, 'A', 'customerNo', 'duplicate'],
      ].sort((a, b) => (a[0] as number) - (b[0] as number)));
      expect(res.body.errors[0].message).toMatch(/^客户编号: /);
      expect(await count()).toBe(before);
    });

    it('dry run: the same report, nothing written, 200', async () => {
      const before = await count();
      const res = await upload(t.api, '/api/v1/customers/import?dryRun=true&skipBadRows=true', await file());
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ dryRun: true, rows: 5, valid: 2, invalid: 3, created: 2, skipped: 3, written: false, errorCount: 5 });
      expect(await count()).toBe(before);
    });

    it('skip bad rows: the good ones are written, the bad ones reported', async () => {
      const res = await upload(t.api, '/api/v1/customers/import?skipBadRows=true', await file());
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ rows: 5, created: 2, skipped: 3, written: true, errorCount: 5 });
      expect((await byNo(no(301))).name).toBe('好1');
      expect((await byNo(no(303))).name).toBe('好2');
      expect(await byNo(no(302))).toBeUndefined();
    });

    it('unique values: taken by a record (even in the recycle bin) or repeated in the file', async () => {
      const gone = (await t.api.post('/api/v1/customers', { customerNo: no(350), name: '删', kind: 'person', status: 'active' })).body;
      expect((await t.api.delete(`/api/v1/customers/${gone.id}`)).status).toBe(204);
      const f = await xlsxOf([['客户编号', '客户名称', '客户类别'], [no(301), 'again', 'person'], [no(350), 'again', 'person']]);
      const res = await upload(t.api, '/api/v1/customers/import', f);
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: any) => [e.row, e.field, e.rule])).toEqual([[2, 'customerNo', 'unique'], [3, 'customerNo', 'unique']]);
      const upsert = await upload(t.api, '/api/v1/customers/import?key=customerNo', f);
      expect(upsert.body.errors.map((e: any) => [e.row, e.field, e.rule])).toEqual([[3, 'customerNo', 'unique']]);
      expect(upsert.body.errors[0].message).toMatch(/recycle bin/);
    });
  });

  describe('files', () => {
    it('CSV in GB18030 with semicolons, quoted line breaks and escaped formula text', async () => {
      const text = '客户编号;客户名称;客户类别;备注\r\nC00000401;"=1+2";个人客户;"第一行\r\n第二行"\r\nC00000402;\'+86 1380;团体客户;\'@cmd\r\n';
      const res = await upload(t.api, '/api/v1/customers/import', iconv.encode(text, 'gb18030'), 'text/csv');
      expect(res.status).toBe(200);
      expect(res.body.created).toBe(2);
      expect(await byNo('C00000401')).toMatchObject({ name: '=1+2', kind: 'person', remarks: '第一行\r\n第二行' });
      expect(await byNo('C00000402')).toMatchObject({ name: '+86 1380', kind: 'organisation', remarks: '@cmd' });
      // and UTF-8 with a BOM, comma-separated
      const utf8 = '\uFEFFcustomerNo,name,kind\nC00000403,"Smith, J",person\n';
      expect((await upload(t.api, '/api/v1/customers/import', utf8, 'text/csv')).body.created).toBe(1);
      expect((await byNo('C00000403')).name).toBe('Smith, J');
    });

    it('formula cells: the computed value counts; a formula without one is refused', async () => {
      const ok = await xlsxOf([['客户编号', '客户名称', '客户类别', '有效保单数'], [no(411), { formula: 'CONCAT("客户","411")', result: '客户411' }, 'person', { formula: '1+2', result: 3 }]]);
      const res = await upload(t.api, '/api/v1/customers/import', ok);
      expect(res.status).toBe(200);
      expect(await byNo(no(411))).toMatchObject({ name: '客户411', policiesInForce: 3 });
      const bad = await xlsxOf([['客户编号', '客户名称', '客户类别'], [no(412), { formula: 'A1&"x"' }, 'person']]);
      const refused = await upload(t.api, '/api/v1/customers/import', bad);
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ row: 2, column: 'B', field: 'name', rule: 'formula' })]);
    });

    it('4xx for what is not a spreadsheet or not a valid request, naming the problem', async () => {
      const good = await xlsxOf([['客户编号', '客户名称', '客户类别'], [no(499), 'x', 'person']]);
      const cases: [string, Buffer | string, string, number, string][] = [
        ['/api/v1/customers/import', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]), 'application/octet-stream', 415, 'unsupported-file'],
        ['/api/v1/customers/import', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'application/vnd.ms-excel', 415, 'unsupported-file'],
        ['/api/v1/customers/import', Buffer.from('PK\x03\x04garbage-not-a-zip', 'latin1'), XLSX, 400, 'bad-file'],
        ['/api/v1/customers/import', '{"a":1}', 'application/json', 415, 'unsupported-media-type'],
        ['/api/v1/customers/import', Buffer.alloc(0), XLSX, 400, 'empty-file'],
        ['/api/v1/customers/import', Buffer.alloc(3 * 1024 * 1024, 0x41), 'text/csv', 413, 'too-large'],
        [`/api/v1/customers/import${q({ mapping: { 客户编号: 'customerNo', 客户名称: 'nope' } })}`, good, XLSX, 400, 'validation'],
        [`/api/v1/customers/import${q({ mapping: { Missing: 'customerNo' } })}`, good, XLSX, 400, 'validation'],
        ['/api/v1/customers/import?mapping=not-json', good, XLSX, 400, 'validation'],
        [`/api/v1/customers/import${q({ mapping: { 客户编号: 'createdAt' } })}`, good, XLSX, 400, 'validation'],
        ['/api/v1/customers/import?key=city', good, XLSX, 400, 'validation'],
        ['/api/v1/customers/import?key=nothing', good, XLSX, 400, 'validation'],
        ['/api/v1/customers/import?key=name', good, XLSX, 400, 'validation'],
        ['/api/v1/customers/import?dryRun=perhaps', good, XLSX, 400, 'validation'],
        ['/api/v1/customers/import?sheet=Other', good, XLSX, 400, 'bad-file'],
        ['/api/v1/customers/import?headerRow=5', good, XLSX, 400, 'no-header'],
        ['/api/v1/customers/import?foo=1', good, XLSX, 400, 'validation'],
        // Only an entity's import takes a file: elsewhere a spreadsheet body is refused like any non-JSON body.
        ['/api/v1/nothings/import', good, XLSX, 415, 'unsupported-media-type'],
      ];
      for (const [url, body, type, status, code] of cases) {
        const res = await upload(t.api, url, body, type);
        expect([url, type, res.status, res.body.code]).toEqual([url, type, status, code]);
      }
      const notWorkbook = await upload(t.api, '/api/v1/customers/import', await zipOf('hello.txt', 'hi'), XLSX);
      expect([notWorkbook.status, notWorkbook.body.code]).toEqual([415, 'unsupported-file']);
      const keyField = await upload(t.api, '/api/v1/customers/import?key=city', good);
      expect(keyField.body.errors[0]).toMatchObject({ field: 'key', rule: 'not-unique' });
      expect(await byNo(no(499))).toBeUndefined();
    });
  });

  describe('references and round trips', () => {
    beforeAll(async () => {
      await t.api.post('/api/v1/customers/bulk', {
        create: [
          { customerNo: no(501), name: '同名', kind: 'person', status: 'active' },
          { customerNo: no(502), name: '同名', kind: 'person', status: 'active' },
          { customerNo: no(503), name: '唯一客户', kind: 'person', status: 'active' },
        ],
      });
    });

    it('contacts name their customer by id, by customer number or by a unique title; ambiguous and unknown ones are errors', async () => {
      const c503 = await byNo(no(503));
      const file = await xlsxOf([
        ['所属客户', '姓名', '与客户关系'],
        [no(501), '甲', '配偶'],
        ['唯一客户', '乙', 'child'],
        [c503.id, '丙', null],
        ['同名', '丁', null],
        ['没有这个客户', '戊', null],
      ]);
      const res = await upload(t.api, '/api/v1/contacts/import', file);
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: any) => [e.row, e.field, e.rule])).toEqual([[5, 'customer', 'ambiguous'], [6, 'customer', 'reference']]);
      expect(res.body.errors[0].message).toMatch(/2 customers are called "同名"; give the id or the customerNo/);
      const skip = await upload(t.api, '/api/v1/contacts/import?skipBadRows=true', file);
      expect(skip.body.created).toBe(3);
      const contacts = (await t.api.get('/api/v1/contacts?sort=id&fields=name,customer,relationship')).body.data;
      expect(contacts.map((c: any) => [c.name, c.customer, c.relationship])).toEqual([
        ['甲', (await byNo(no(501))).id, 'spouse'],
        ['乙', c503.id, 'child'],
        ['丙', c503.id, null],
      ]);
    });

    it('an exported file imports back unchanged (customers by number, contacts by id with their 部门 columns told apart)', async () => {
      const exported = await download(t.api, '/api/v1/customers/export?filter[customerNo][in]=C00000101,C00000102,C00000201,C00000503&sort=customerNo');
      const before = (await t.api.get('/api/v1/customers?filter[customerNo][in]=C00000101,C00000102,C00000201,C00000503&sort=customerNo&limit=10')).body.data;
      const res = await upload(t.api, '/api/v1/customers/import?key=customerNo', exported.body);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ rows: 4, updated: 4, created: 0, errorCount: 0 });
      const after = (await t.api.get('/api/v1/customers?filter[customerNo][in]=C00000101,C00000102,C00000201,C00000503&sort=customerNo&limit=10')).body.data;
      const strip = (r: any) => ({ ...r, version: 0, updatedAt: null });
      expect(after.map(strip)).toEqual(before.map(strip));

      await t.api.patch(`/api/v1/contacts/${(await t.api.get('/api/v1/contacts?limit=1&sort=id')).body.data[0].id}`, { departmentName: '财务部', version: 1 });
      const contacts = await download(t.api, '/api/v1/contacts/export?sort=id');
      // A title two customers share is written with the id, so the import finds the same one.
      const sheet = (await readXlsx(contacts.body)).rows;
      expect(sheet.slice(1).map((r) => r[sheet[0].indexOf('所属客户')])).toEqual([`同名 (#${(await byNo(no(501))).id})`, '唯一客户', '唯一客户']);
      const preview = await upload(t.api, '/api/v1/contacts/import/preview?key=id', contacts.body);
      expect(preview.body.mapping).toMatchObject({ 编号: 'id', '部门 (departmentName)': 'departmentName', '部门 (department)': 'department', 所属客户: 'customer' });
      const back = await upload(t.api, '/api/v1/contacts/import?key=id', contacts.body);
      expect(back.body.errors).toEqual([]);
      expect(back.body).toMatchObject({ rows: 3, updated: 3, errorCount: 0 });
      expect((await t.api.get('/api/v1/contacts?sort=id&limit=1')).body.data[0].departmentName).toBe('财务部');
    });
  });

  describe('permissions and concurrency', () => {
    let importer: { id: number; api: Api };
    let other: number;

    beforeAll(async () => {
      const u = await t.api.post('/api/v1/users', { username: 'importer', displayName: '导入员' });
      await t.platform.sessions.setPassword(u.body.id, 'Import-Test-Pass-1');
      other = (await t.api.post('/api/v1/users', { username: 'other', displayName: '别人' })).body.id;
      const role = await t.api.post('/api/v1/roles', { code: 'importerRole', name: 'importer' });
      await t.api.post('/api/v1/roleGrants', { role: role.body.id, entity: 'customer', actions: ['read', 'create', 'update', 'import'], scope: 'own', readonlyFields: ['level'], hiddenFields: ['idNumber'] });
      await t.api.post('/api/v1/roleGrants', { role: role.body.id, entity: 'user', actions: ['read'], scope: 'all' });
      await t.api.post('/api/v1/userRoles', { user: u.body.id, role: role.body.id });
      importer = { id: u.body.id, api: new Api(t.platform.url) };
      await importer.api.login('importer', 'Import-Test-Pass-1');
    });

    it('the import right is needed; read-only and hidden fields cannot be mapped', async () => {
      const u = await t.api.post('/api/v1/users', { username: 'reader', displayName: 'reader' });
      await t.platform.sessions.setPassword(u.body.id, 'Import-Test-Pass-1');
      const role = await t.api.post('/api/v1/roles', { code: 'readerRole', name: 'reader' });
      await t.api.post('/api/v1/roleGrants', { role: role.body.id, entity: 'customer', actions: ['read', 'create', 'update'], scope: 'all' });
      await t.api.post('/api/v1/userRoles', { user: u.body.id, role: role.body.id });
      const reader = new Api(t.platform.url);
      await reader.login('reader', 'Import-Test-Pass-1');
      const file = await xlsxOf([['客户编号', '客户名称', '客户类别'], [no(601), 'x', 'person']]);
      expect((await upload(reader, '/api/v1/customers/import', file)).status).toBe(403);
      expect((await upload(reader, '/api/v1/customers/import/preview', file)).status).toBe(403);
      const level = await xlsxOf([['客户编号', '客户名称', '客户类别', '客户等级'], [no(601), 'x', 'person', 'A']]);
      const ro = await upload(importer.api, `/api/v1/customers/import${q({ mapping: { 客户编号: 'customerNo', 客户名称: 'name', 客户类别: 'kind', 客户等级: 'level' } })}`, level);
      expect([ro.status, ro.body.errors?.[0]?.rule]).toEqual([403, 'forbidden']);
      const auto = await upload(importer.api, '/api/v1/customers/import/preview', level);
      expect(auto.body.mapping['客户等级']).toBeNull();
      const hidden = await upload(importer.api, `/api/v1/customers/import${q({ mapping: { 客户编号: 'idNumber' } })}`, level);
      expect([hidden.status, hidden.body.errors[0].rule]).toEqual([400, 'unknown-field']);
    });

    it('rows outside the caller’s scope: refused when they update, reported per row when the write is refused', async () => {
      const theirs = (await t.api.post('/api/v1/customers', { customerNo: no(610), name: '别人的', kind: 'person', status: 'active', owner: other })).body;
      const file = await xlsxOf([
        ['客户编号', '客户名称', '客户类别', '负责人'],
        [no(611), '我的', 'person', null],
        [no(610), '改别人的', 'person', null],
        [no(612), '给别人', 'person', '别人'],
      ]);
      const all = await upload(importer.api, '/api/v1/customers/import?key=customerNo', file);
      expect(all.status).toBe(422);
      expect(all.body.errors.map((e: any) => [e.row, e.field, e.rule])).toEqual([[3, 'customerNo', 'forbidden']]);
      const skip = await upload(importer.api, '/api/v1/customers/import?key=customerNo&skipBadRows=true', file);
      expect(skip.status).toBe(200);
      // Row 4 passes the checks but the service refuses the record it would create (owner outside "own").
      expect(skip.body).toMatchObject({ created: 1, updated: 0, skipped: 2 });
      expect(skip.body.errors.map((e: any) => [e.row, e.rule])).toEqual([[3, 'forbidden'], [4, 'forbidden']]);
      expect((await byNo(no(611))).owner).toBe(importer.id);
      expect(await byNo(no(612))).toBeUndefined();
      expect((await t.api.get(`/api/v1/customers/${theirs.id}`)).body.name).toBe('别人的');
      const allAgain = await upload(importer.api, '/api/v1/customers/import?key=customerNo', await xlsxOf([['客户编号', '客户名称', '客户类别', '负责人'], [no(613), 'ok', 'person', null], [no(612), '给别人', 'person', '别人']]));
      expect(allAgain.status).toBe(422);
      expect(allAgain.body.errors.map((e: any) => [e.row, e.rule])).toEqual([[3, 'forbidden']]);
      expect(await byNo(no(613))).toBeUndefined();
    });

    it('concurrent imports with overlapping keys do not corrupt each other', async () => {
      const rows = (from: number, to: number, tag: string) => [['客户编号', '客户名称', '客户类别'], ...Array.from({ length: to - from }, (_, i) => [no(from + i), `${tag}${from + i}`, 'person'])];
      const [a, b] = await Promise.all([
        upload(t.api, '/api/v1/customers/import?key=customerNo', await xlsxOf(rows(700, 1300, 'A'))),
        upload(t.api, '/api/v1/customers/import?key=customerNo', await xlsxOf(rows(1000, 1600, 'B'))),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body.created + a.body.updated).toBe(600);
      expect(b.body.created + b.body.updated).toBe(600);
      expect(a.body.created + b.body.created).toBe(900);
      expect(await count({ customerNo: { gte: no(700), lt: no(1600) } })).toBe(900);
      const overlap = (await t.api.get(`/api/v1/customers?filter[customerNo][gte]=${no(1000)}&filter[customerNo][lt]=${no(1300)}&limit=500&fields=name,version`)).body.data;
      expect(overlap.length).toBe(300);
      // Whichever came second updated what the first created: one record per key, version 2, one name for all.
      expect(new Set(overlap.map((r: any) => r.version))).toEqual(new Set([2]));
      expect(new Set(overlap.map((r: any) => r.name[0])).size).toBe(1);
    });
  });
});

/** A zip (stored, no compression) with one file that is not a workbook. */
async function zipOf(name: string, content: string): Promise<Buffer> {
  const data = Buffer.from(content);
  const file = Buffer.from(name);
  const crc = zlib.crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(file.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(file.length, 28);
  const offset = local.length + file.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + file.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([local, file, data, central, file, end]);
}
