import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const PASSWORD = 'Forms-Test-Pass-1';
const t = (en: string, zh = en) => ({ 'zh-CN': zh, en });

/** A data form: order lines with a unique sku and a customer reference per row, formulas both ways. */
const orderForm = () => ({
  code: 'orderSheet',
  kind: 'data',
  label: t('Order sheet', '订货单'),
  fields: [
    { name: 'title', type: 'string', label: t('Title'), required: true, length: 100 },
    { name: 'customer', type: 'reference', entity: 'customer', label: t('Customer') },
    { name: 'discount', type: 'decimal', label: t('Discount'), scale: 2, min: 0, max: 1, default: 0 },
    {
      name: 'lines',
      type: 'detail',
      label: t('Lines', '明细'),
      required: true,
      fields: [
        { name: 'sku', type: 'string', label: t('SKU'), length: 20, unique: true },
        { name: 'item', type: 'string', label: t('Item'), required: true },
        { name: 'qty', type: 'decimal', label: t('Qty'), required: true, min: 0.01 },
        { name: 'price', type: 'money', label: t('Price'), required: true, min: 0 },
        { name: 'partner', type: 'reference', entity: 'customer', label: t('Partner') },
        { name: 'amount', type: 'money', label: t('Amount'), formula: 'qty * price * (1 - COALESCE(discount, 0))', total: 'sum' },
      ],
    },
    { name: 'total', type: 'money', label: t('Total'), formula: 'SUM(lines.amount)' },
    { name: 'bigOrderNote', type: 'string', label: t('Why so big'), requiredWhen: 'total > 1000' },
  ],
});

const line = (item: string, qty: number, price: number, extra: Record<string, unknown> = {}) => ({ item, qty, price, ...extra });

describeEachDatabase('data form records', (db) => {
  let p: TestPlatform;
  let clerk: Api;
  let other: Api;
  let customer: number;
  const count = async () => (await p.api.get('/api/v1/formOrderSheetRecords?count=true&limit=1')).body.meta.total as number;
  const rowCount = async () => (await p.api.get('/api/v1/formOrderSheetDetailRecords?count=true&limit=1')).body.meta.total as number;

  beforeAll(async () => {
    p = await startTestPlatform(db);
    const created = await p.api.post('/api/v1/forms', orderForm());
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    customer = (await p.api.post('/api/v1/customers', { customerNo: 'C00000001', name: '客户一', kind: 'person', status: 'active' })).body.id;
    const role = (await p.api.post('/api/v1/roles', { code: 'orderClerk', name: 'Order clerk' })).body.id;
    for (const entity of ['formOrderSheet', 'formOrderSheetDetail']) {
      await p.api.post('/api/v1/roleGrants', { role, entity, actions: ['read', 'create', 'update', 'delete'], scope: 'own' });
    }
    await p.api.post('/api/v1/roleGrants', { role, entity: 'customer', actions: ['read'], scope: 'all' });
    const users: Api[] = [];
    for (const name of ['clerk', 'other']) {
      const u = (await p.api.post('/api/v1/users', { username: name, displayName: name })).body;
      await p.platform.sessions.setPassword(u.id, PASSWORD);
      await p.api.post('/api/v1/userRoles', { user: u.id, role });
      const api = new Api(p.platform.url);
      await api.login(name, PASSWORD);
      users.push(api);
    }
    [clerk, other] = users;
  });
  afterAll(async () => p?.stop());

  it('serves the form as an entity at once: generic list, query language, OpenAPI', async () => {
    expect((await p.api.get('/api/v1/formOrderSheetRecords')).body).toEqual({ data: [], meta: { limit: 20, offset: 0, nextCursor: null } });
    const doc = (await p.api.get('/api/v1/openapi.json')).body;
    expect(doc.paths).toHaveProperty(['/api/v1/formOrderSheetRecords']);
  });

  let first: any;
  it('saves header and rows together, computing every formula on the server', async () => {
    const res = await clerk.post('/api/v1/forms/orderSheet/records', {
      title: 'First order',
      customer,
      discount: 0.1,
      total: 1,
      lines: [line('Paper', 3, 19.99, { sku: 'P-1', amount: 999 }), line('Pens', 10, 0.15, { sku: 'P-2', partner: customer })],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/forms/orderSheet/records/${res.body.id}`);
    first = res.body;
    expect(first).toMatchObject({ title: 'First order', customer, discount: 0.1, total: 55.32, bigOrderNote: null, version: 1, _totals: { amount: 55.32 } });
    // 3 × 19.99 × 0.9 = 53.973 → 53.97; 10 × 0.15 × 0.9 = 1.35
    expect(first.lines.map((l: any) => [l.rowNo, l.sku, l.amount])).toEqual([
      [1, 'P-1', 53.97],
      [2, 'P-2', 1.35],
    ]);
    const got = await clerk.get(`/api/v1/forms/orderSheet/records/${first.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(first);
    // the generic API lists, filters and expands the same records
    const listed = await p.api.get(`/api/v1/formOrderSheetRecords?filter[total][gte]=50&expand=lines&fields=title,total,lines.item`);
    expect(listed.body.data).toEqual([{ id: first.id, title: 'First order', total: 55.32, lines: expect.arrayContaining([{ id: expect.any(Number), item: 'Paper' }, { id: expect.any(Number), item: 'Pens' }]) }]);
    const mine = await clerk.get('/api/v1/forms/orderSheet/records?sort=-id');
    expect(mine.body.data.map((r: any) => r.id)).toEqual([first.id]);
  });

  it('refuses a bad detail row by row and column, writing nothing', async () => {
    const before = [await count(), await rowCount()];
    const res = await clerk.post('/api/v1/forms/orderSheet/records', { title: 'Bad', lines: [line('ok', 1, 1), { item: 'bad', qty: 'two', price: 1 }, { qty: 1, price: 1 }] });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => [e.field, e.rule])).toEqual([
      ['lines[1].qty', 'type'],
      ['lines[2].item', 'required'],
    ]);
    expect([await count(), await rowCount()]).toEqual(before);
  });

  it('rolls back the header when a row fails inside the transaction (reference, unique)', async () => {
    const before = [await count(), await rowCount()];
    const badRef = await clerk.post('/api/v1/forms/orderSheet/records', { title: 'Ref', lines: [line('a', 1, 1), line('b', 1, 1, { partner: 999999 })] });
    expect(badRef.status).toBe(400);
    expect(badRef.body.errors).toEqual([{ field: 'lines[1].partner', rule: 'reference', message: 'partner: no customer with id 999999' }]);
    const dup = await clerk.post('/api/v1/forms/orderSheet/records', { title: 'Dup', lines: [line('a', 1, 1, { sku: 'X-1' }), line('b', 1, 1, { sku: 'X-1' })] });
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: 'lines[1].sku', rule: 'unique' })]);
    expect([await count(), await rowCount()]).toEqual(before);
    const log = await p.api.get('/api/v1/audit?entity=formOrderSheet&limit=100');
    expect(log.body.data.filter((e: any) => e.action === 'create')).toHaveLength(1);
  });

  it('applies conditional required-ness from computed values', async () => {
    const res = await clerk.post('/api/v1/forms/orderSheet/records', { title: 'Big', lines: [line('Server', 1, 5000)] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'bigOrderNote', rule: 'required' })]);
  });

  it('keeps data-form records to the form endpoints (no generic writes)', async () => {
    for (const [method, url, body] of [
      ['POST', '/api/v1/formOrderSheetRecords', { title: 'sneaky' }],
      ['PATCH', `/api/v1/formOrderSheetRecords/${first.id}`, { version: 1, title: 'sneaky' }],
      ['DELETE', `/api/v1/formOrderSheetRecords/${first.id}`, undefined],
      ['POST', '/api/v1/formOrderSheetDetailRecords', { header: first.id, rowNo: 9, item: 'x' }],
    ] as const) {
      const res = await p.api.request(method, url, body);
      expect([method, url, res.status]).toEqual([method, url, 403]);
      expect(res.body.detail).toMatch(/\/api\/v1\/forms\/orderSheet\/records/);
    }
  });

  it('updates with the version read: header fields, rows kept by id, added and removed, formulas again', async () => {
    const [paper] = first.lines;
    expect((await clerk.patch(`/api/v1/forms/orderSheet/records/${first.id}`, { discount: 0 })).status).toBe(428);
    const res = await clerk.patch(`/api/v1/forms/orderSheet/records/${first.id}`, {
      version: 1,
      discount: 0,
      lines: [{ id: paper.id, sku: 'P-1', item: 'Paper A4', qty: 3, price: 19.99 }, line('Ink', 2, 30, { sku: 'P-3' })],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 2, discount: 0, total: 119.97, _totals: { amount: 119.97 } });
    expect(res.body.lines.map((l: any) => [l.rowNo, l.item, l.amount])).toEqual([
      [1, 'Paper A4', 59.97],
      [2, 'Ink', 60],
    ]);
    expect(res.body.lines[0].id).toBe(paper.id);
    expect(await rowCount()).toBe(2);
    const stale = await clerk.patch(`/api/v1/forms/orderSheet/records/${first.id}`, { version: 1, title: 'late' });
    expect(stale.status).toBe(409);
    // header-only change: rows stay, formulas see the new discount
    const header = await clerk.patch(`/api/v1/forms/orderSheet/records/${first.id}`, { version: 2, discount: 0.5 });
    expect(header.body).toMatchObject({ version: 3, total: 59.99, title: 'First order' });
    expect(header.body.lines.map((l: any) => l.amount)).toEqual([29.99, 30]);
    const foreignRow = await clerk.patch(`/api/v1/forms/orderSheet/records/${first.id}`, { version: 3, lines: [{ id: 999999, item: 'x', qty: 1, price: 1 }] });
    expect(foreignRow.body.errors).toEqual([expect.objectContaining({ field: 'lines[0].id', rule: 'reference' })]);
    expect((await clerk.get(`/api/v1/forms/orderSheet/records/${first.id}`)).body.version).toBe(3);
  });

  it('enters many records at once in a grid, all or nothing', async () => {
    const before = [await count(), await rowCount()];
    const bad = await clerk.post('/api/v1/forms/orderSheet/records/grid', {
      records: [
        { title: 'G1', lines: [line('a', 1, 1)] },
        { title: 'G2', lines: [{ item: 'b', qty: 1 }] },
        { lines: [line('c', 1, 1)] },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBe('2 of 3 records are invalid; nothing was written');
    expect(bad.body.errors.map((e: any) => [e.field, e.rule])).toEqual([
      ['records[1].lines[0].price', 'required'],
      ['records[2].title', 'required'],
    ]);
    const dup = await clerk.post('/api/v1/forms/orderSheet/records/grid', { records: [{ title: 'G1', lines: [line('a', 1, 1, { sku: 'G-1' })] }, { title: 'G2', lines: [line('b', 1, 1, { sku: 'G-1' })] }] });
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: 'records[1].lines[0].sku', rule: 'unique' })]);
    expect([await count(), await rowCount()]).toEqual(before);
    const ok = await clerk.post('/api/v1/forms/orderSheet/records/grid', {
      records: [
        { title: 'G1', lines: [line('a', 1, 1)] },
        { title: 'G2', lines: [line('b', 2, 2), line('c', 3, 3)] },
        { title: 'G3', discount: 0.5, lines: [line('d', 1, 10)] },
      ],
    });
    expect(ok.status).toBe(201);
    expect(ok.body.data.map((r: any) => [r.title, r.total, r.lines.length])).toEqual([
      ['G1', 1, 1],
      ['G2', 13, 2],
      ['G3', 5, 1],
    ]);
    expect([await count(), await rowCount()]).toEqual([before[0] + 3, before[1] + 4]);
    expect((await clerk.post('/api/v1/forms/orderSheet/records/grid', { records: [] })).status).toBe(400);
  });

  it('applies the form entity\'s permissions: own records only, no grant no write', async () => {
    expect((await other.get(`/api/v1/forms/orderSheet/records/${first.id}`)).status).toBe(404);
    expect((await other.patch(`/api/v1/forms/orderSheet/records/${first.id}`, { version: 3, title: 'mine now' })).status).toBe(404);
    expect((await other.get('/api/v1/forms/orderSheet/records')).body.data).toEqual([]);
    const nobody = new Api(p.platform.url);
    const u = (await p.api.post('/api/v1/users', { username: 'nobody', displayName: 'Nobody' })).body;
    await p.platform.sessions.setPassword(u.id, PASSWORD);
    await nobody.login('nobody', PASSWORD);
    const before = await count();
    expect((await nobody.post('/api/v1/forms/orderSheet/records', { title: 'x', lines: [line('a', 1, 1)] })).status).toBe(403);
    expect(await count()).toBe(before);
  });

  it('deletes a record with its rows', async () => {
    const rows = await rowCount();
    expect((await clerk.delete(`/api/v1/forms/orderSheet/records/${first.id}`, { 'if-match': '"1"' })).status).toBe(409);
    expect((await clerk.delete(`/api/v1/forms/orderSheet/records/${first.id}`)).status).toBe(204);
    expect((await clerk.get(`/api/v1/forms/orderSheet/records/${first.id}`)).status).toBe(404);
    expect(await rowCount()).toBe(rows - 2);
  });

  it('keeps a disabled form\'s records readable but takes no new ones', async () => {
    await p.api.post('/api/v1/forms/orderSheet/disable');
    expect((await p.api.get('/api/v1/forms/orderSheet/records')).status).toBe(200);
    const refused = await p.api.post('/api/v1/forms/orderSheet/records', { title: 'x', lines: [line('a', 1, 1)] });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/disabled/);
    await p.api.post('/api/v1/forms/orderSheet/enable');
  });

  it('lets users attach only their own uploads, in the header and in rows', async () => {
    const form = { code: 'receipts', kind: 'data', label: t('Receipts'), fields: [
      { name: 'cover', type: 'file', label: t('Cover') },
      { name: 'lines', type: 'detail', label: t('Lines'), fields: [{ name: 'scan', type: 'file', label: t('Scan') }, { name: 'note', type: 'string', label: t('Note') }] },
    ] };
    expect((await p.api.post('/api/v1/forms', form)).status).toBe(201);
    const role = (await p.api.get('/api/v1/roles?filter[code]=orderClerk')).body.data[0].id;
    for (const entity of ['formReceipts', 'formReceiptsDetail']) await p.api.post('/api/v1/roleGrants', { role, entity, actions: ['read', 'create', 'update'], scope: 'own' });
    const upload = async (api: Api, name: string) => {
      const res = await fetch(`${p.platform.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'text/plain', 'x-file-name': name }, body: `content of ${name}` });
      return ((await res.json()) as { id: number }).id;
    };
    const mine = await upload(clerk, 'mine.txt');
    const theirs = await upload(other, 'theirs.txt');
    const ok = await clerk.post('/api/v1/forms/receipts/records', { cover: mine, lines: [{ scan: mine, note: 'a' }] });
    expect(ok.status).toBe(201);
    const row = await clerk.post('/api/v1/forms/receipts/records', { cover: mine, lines: [{ scan: theirs }] });
    expect(row.status).toBe(400);
    expect(row.body.errors).toEqual([expect.objectContaining({ field: 'lines[0].scan', rule: 'file' })]);
    const header = await clerk.post('/api/v1/forms/receipts/records', { cover: theirs });
    expect(header.body.errors).toEqual([expect.objectContaining({ field: 'cover', rule: 'file' })]);
    const grid = await clerk.post('/api/v1/forms/receipts/records/grid', { records: [{ cover: mine }, { lines: [{ scan: theirs }] }] });
    expect(grid.body.errors).toEqual([expect.objectContaining({ field: 'records[1].lines[0].scan', rule: 'file' })]);
    // a file the row already holds stays attachable on update
    const kept = await clerk.patch(`/api/v1/forms/receipts/records/${ok.body.id}`, { version: 1, lines: [{ id: ok.body.lines[0].id, scan: mine, note: 'b' }] });
    expect(kept.status).toBe(200);
    const swapped = await clerk.patch(`/api/v1/forms/receipts/records/${ok.body.id}`, { version: 2, lines: [{ id: ok.body.lines[0].id, scan: theirs }] });
    expect(swapped.body.errors).toEqual([expect.objectContaining({ field: 'lines[0].scan', rule: 'file' })]);
  });

  it('follows changes of the form: a new field is a new column at once; workflow forms keep no records', async () => {
    const form = (await p.api.get('/api/v1/forms/orderSheet')).body;
    const def = orderForm();
    def.fields.push({ name: 'deliveryDate', type: 'date', label: t('Delivery') } as any);
    const updated = await p.api.request('PUT', '/api/v1/forms/orderSheet', { version: form.version, definition: def });
    expect(updated.status).toBe(200);
    const res = await clerk.post('/api/v1/forms/orderSheet/records', { title: 'Dated', deliveryDate: '2026-06-01', lines: [line('a', 1, 1)] });
    expect(res.status).toBe(201);
    expect(res.body.deliveryDate).toBe('2026-06-01');
    expect((await p.api.get('/api/v1/formOrderSheetRecords?filter[deliveryDate]=2026-06-01')).body.data).toHaveLength(1);
    await p.api.post('/api/v1/forms/from-template', { template: 'leave' });
    expect((await p.api.post('/api/v1/forms/leave/records', { leaveType: 'annual' })).status).toBe(409);
  });

  it('keeps serving data forms after a restart; a deleted form\'s records leave the API', async () => {
    p = await p.restart();
    const list = await p.api.get('/api/v1/formOrderSheetRecords?count=true');
    expect(list.status).toBe(200);
    expect(list.body.meta.total).toBeGreaterThan(0);
    expect((await p.api.delete('/api/v1/forms/orderSheet')).status).toBe(204);
    expect((await p.api.get('/api/v1/formOrderSheetRecords')).status).toBe(404);
    expect((await p.api.post('/api/v1/forms/orderSheet/records', { title: 'x' })).status).toBe(404);
  });
});
