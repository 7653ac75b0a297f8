import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const person = (n: number, extra: Record<string, unknown> = {}) => ({
  customerNo: `C${String(n).padStart(8, '0')}`,
  name: `客户${n}`,
  kind: 'person',
  status: 'active',
  ...extra,
});

describeEachDatabase('records API', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db);
  });
  afterAll(async () => t?.stop());

  describe('create and read', () => {
    it('creates a record with defaults and system fields, and reads it back', async () => {
      const res = await t.api.post('/api/v1/customers', person(1, {
        city: '上海', birthDate: '1985-03-02', establishedValue: 12345.67, tags: ['vip', '车险'], consentSms: true,
        lastContactAt: '2026-05-01T08:30:00+08:00', occupationClass: 3,
      }));
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`/api/v1/customers/${res.body.id}`);
      expect(res.headers.get('etag')).toBe('"1"');
      const c = res.body;
      expect(c).toMatchObject({
        customerNo: 'C00000001', name: '客户1', kind: 'person', status: 'active', city: '上海', birthDate: '1985-03-02',
        establishedValue: 12345.67, tags: ['vip', '车险'], consentSms: true, consentEmail: false, doNotContact: false,
        policiesInForce: 0, lastContactAt: '2026-05-01T00:30:00.000Z', occupationClass: 3, version: 1, remarks: null,
      });
      expect(typeof c.id).toBe('number');
      expect(c.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(c.owner).toBe(c.createdBy);
      expect(c).not.toHaveProperty('deletedAt');
      const got = await t.api.get(`/api/v1/customers/${c.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(c);
    });

    it('selects fields and expands references and collections', async () => {
      const cust = (await t.api.post('/api/v1/customers', person(2, { city: '杭州' }))).body;
      const a = await t.api.post('/api/v1/contacts', { customer: cust.id, name: '联系人甲', isPrimary: true });
      expect(a.status).toBe(201);
      await t.api.post('/api/v1/contacts', { customer: cust.id, name: '联系人乙' });
      const one = await t.api.get(`/api/v1/contacts/${a.body.id}?fields=name,customer.name,customer.city&expand=customer`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual({ id: a.body.id, name: '联系人甲', customer: { id: cust.id, name: '客户2', city: '杭州' } });
      const withContacts = await t.api.get(`/api/v1/customers/${cust.id}?fields=name,contacts.name&expand=contacts`);
      expect(withContacts.body.contacts.map((x: { name: string }) => x.name).sort()).toEqual(['联系人乙', '联系人甲'].sort());
      const list = await t.api.get(`/api/v1/contacts?filter[customer]=${cust.id}&expand=customer&fields=name,customer.customerNo&sort=name`);
      expect(list.body.data).toEqual([
        { id: expect.any(Number), name: '联系人乙', customer: { id: cust.id, customerNo: 'C00000002' } },
        { id: expect.any(Number), name: '联系人甲', customer: { id: cust.id, customerNo: 'C00000002' } },
      ].sort((x, y) => (x.name < y.name ? -1 : 1)));
    });
  });

  describe('validation errors are 400 problem+json naming field and rule', () => {
    const expectProblem = (res: { status: number; headers: Headers; body: any }, status: number, errors?: { field: string; rule: string }[]) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status, type: expect.stringMatching(/^urn:plinth:problem:/), title: expect.any(String), detail: expect.any(String), requestId: expect.any(String) });
      if (errors) expect(res.body.errors.map((e: { field: string; rule: string }) => ({ field: e.field, rule: e.rule }))).toEqual(expect.arrayContaining(errors));
    };

    it.each([
      ['unknown field', { ...person(10), nickname: 'x' }, [{ field: 'nickname', rule: 'unknown' }]],
      ['system field', { ...person(10), id: 99 }, [{ field: 'id', rule: 'readonly' }]],
      ['missing required', { name: 'x', kind: 'person' }, [{ field: 'customerNo', rule: 'required' }]],
      ['wrong type', { ...person(10), occupationClass: 'three' }, [{ field: 'occupationClass', rule: 'type' }]],
      ['too long', { ...person(10), name: '名'.repeat(101) }, [{ field: 'name', rule: 'maxLength' }]],
      ['out of range', { ...person(10), occupationClass: 7 }, [{ field: 'occupationClass', rule: 'max' }]],
      ['below minimum', { ...person(10), establishedValue: -1 }, [{ field: 'establishedValue', rule: 'min' }]],
      ['too many decimals', { ...person(10), establishedValue: 1.234 }, [{ field: 'establishedValue', rule: 'decimalScale' }]],
      ['bad enum', { ...person(10), level: 'platinum' }, [{ field: 'level', rule: 'enum' }]],
      ['pattern', { ...person(10), customerNo: 'X1' }, [{ field: 'customerNo', rule: 'pattern' }]],
      ['format', { ...person(10), email: 'not-an-email', birthDate: '1990-13-45' }, [{ field: 'email', rule: 'format' }, { field: 'birthDate', rule: 'format' }]],
      ['json schema', { ...person(10), tags: [1, 2] }, [{ field: 'tags.0', rule: 'type' }]],
      ['null for required', { ...person(10), name: null }, [{ field: 'name', rule: 'type' }]],
    ])('%s', async (_label, body, errors) => {
      const res = await t.api.post('/api/v1/customers', body);
      expectProblem(res, 400, errors);
      expect(res.body.code).toBe('validation');
    });

    it('reports a dangling reference', async () => {
      const res = await t.api.post('/api/v1/contacts', { customer: 987654, name: 'x' });
      expectProblem(res, 400, [{ field: 'customer', rule: 'reference' }]);
    });

    it('rejects a body that is not an object', async () => {
      expectProblem(await t.api.post('/api/v1/customers', [1, 2]), 400, [{ field: '(body)', rule: 'type' }]);
      expectProblem(await t.api.post('/api/v1/customers', '{"broken'), 400, [{ field: '(body)', rule: 'json' }]);
      expectProblem(await t.api.post('/api/v1/customers'), 400, [{ field: '(body)', rule: 'required' }]);
    });

    it('answers 415 for a non-JSON body and 413 for an oversized one', async () => {
      expectProblem(await t.api.post('/api/v1/customers', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
      const huge = JSON.stringify({ ...person(11), remarks: 'x'.repeat(t.config.bodyLimit) });
      expectProblem(await t.api.post('/api/v1/customers', huge), 413);
    });

    it('answers 404 for unknown resources and records, 400 for malformed ids', async () => {
      expectProblem(await t.api.get('/api/v1/nothings'), 404);
      expectProblem(await t.api.get('/api/v1/customers/999999'), 404);
      expectProblem(await t.api.get('/api/v1/customers/abc'), 400, [{ field: 'id', rule: 'type' }]);
    });

    it('answers 405 with the allowed methods for a wrong method', async () => {
      const res = await t.api.request('PUT', '/api/v1/customers/1', { name: 'x' });
      expectProblem(res, 405);
      expect(res.headers.get('allow')).toContain('PATCH');
    });

    it('answers 401 without a valid token', async () => {
      const res = await t.api.get('/api/v1/customers', { authorization: 'Bearer not-a-real-token-at-all-xxxxxxxx' });
      expectProblem(res, 401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('writes nothing when a create fails', async () => {
      const before = (await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total;
      await t.api.post('/api/v1/customers', { ...person(12), level: 'bad' });
      await t.api.post('/api/v1/contacts', { customer: 999999, name: 'x' });
      expect((await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total).toBe(before);
    });
  });

  describe('conflicts', () => {
    it('answers 409 naming the field for a duplicate unique value', async () => {
      await t.api.post('/api/v1/customers', person(20));
      const res = await t.api.post('/api/v1/customers', person(20));
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'unique', errors: [{ field: 'customerNo', rule: 'unique', message: expect.any(String) }] });
    });

    it('requires a version to update and refuses a stale one', async () => {
      const c = (await t.api.post('/api/v1/customers', person(21))).body;
      const none = await t.api.patch(`/api/v1/customers/${c.id}`, { city: '北京' });
      expect(none.status).toBe(428);
      expect(none.body.errors).toEqual([{ field: 'version', rule: 'required', message: expect.any(String) }]);
      const ok = await t.api.patch(`/api/v1/customers/${c.id}`, { city: '北京', version: 1 });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ city: '北京', version: 2 });
      expect(ok.body.updatedAt >= c.updatedAt).toBe(true);
      const stale = await t.api.patch(`/api/v1/customers/${c.id}`, { city: '天津', version: 1 });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ code: 'stale-version', errors: [{ field: 'version', rule: 'stale' }] });
      const viaHeader = await t.api.patch(`/api/v1/customers/${c.id}`, { city: '天津' }, { 'if-match': '"2"' });
      expect(viaHeader.body).toMatchObject({ city: '天津', version: 3 });
    });

    it('lets exactly one of two concurrent updates of the same version win', async () => {
      const c = (await t.api.post('/api/v1/customers', person(22))).body;
      const results = await Promise.all(['成都', '重庆', '西安', '武汉'].map((city) => t.api.patch(`/api/v1/customers/${c.id}`, { city, version: 1 })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409]);
      const winner = results.find((r) => r.status === 200)!.body.city;
      expect((await t.api.get(`/api/v1/customers/${c.id}`)).body).toMatchObject({ city: winner, version: 2 });
    });

    it('validates patches like creates', async () => {
      const c = (await t.api.post('/api/v1/customers', person(23))).body;
      const res = await t.api.patch(`/api/v1/customers/${c.id}`, { version: 1, status: 'gone', createdBy: 5 });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'status', rule: 'enum' }), expect.objectContaining({ field: 'createdBy', rule: 'readonly' })]));
      expect((await t.api.get(`/api/v1/customers/${c.id}`)).body.version).toBe(1);
    });
  });

  describe('recycle bin', () => {
    it('soft-deletes, lists the bin, restores and purges', async () => {
      const c = (await t.api.post('/api/v1/customers', person(30))).body;
      expect((await t.api.delete(`/api/v1/customers/${c.id}`)).status).toBe(204);
      expect((await t.api.get(`/api/v1/customers/${c.id}`)).status).toBe(404);
      expect((await t.api.delete(`/api/v1/customers/${c.id}`)).status).toBe(404);
      const bin = await t.api.get(`/api/v1/customers/trash?filter[id]=${c.id}&fields=name,deletedAt,deletedBy`);
      expect(bin.body.data).toEqual([{ id: c.id, name: '客户30', deletedAt: expect.any(String), deletedBy: c.createdBy }]);
      const restored = await t.api.post(`/api/v1/customers/${c.id}/restore`);
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ id: c.id, version: 3 });
      expect((await t.api.delete(`/api/v1/customers/trash/${c.id}`)).status).toBe(404);
      await t.api.delete(`/api/v1/customers/${c.id}`, { 'if-match': '"3"' });
      expect((await t.api.delete(`/api/v1/customers/trash/${c.id}`)).status).toBe(204);
      expect((await t.api.get(`/api/v1/customers/trash?filter[id]=${c.id}`)).body.data).toEqual([]);
    });

    it('refuses a delete with a stale If-Match', async () => {
      const c = (await t.api.post('/api/v1/customers', person(31))).body;
      await t.api.patch(`/api/v1/customers/${c.id}`, { version: 1, city: '南京' });
      const res = await t.api.delete(`/api/v1/customers/${c.id}`, { 'if-match': '"1"' });
      expect(res.status).toBe(409);
      expect((await t.api.get(`/api/v1/customers/${c.id}`)).status).toBe(200);
    });
  });

  describe('bulk', () => {
    it('creates, updates and deletes in one transaction', async () => {
      const a = (await t.api.post('/api/v1/customers', person(40))).body;
      const b = (await t.api.post('/api/v1/customers', person(41))).body;
      const res = await t.api.post('/api/v1/customers/bulk', {
        create: [person(42), person(43)],
        update: [{ id: a.id, version: 1, level: 'vip' }],
        delete: [b.id],
      });
      expect(res.status).toBe(200);
      expect(res.body.created.map((x: { customerNo: string }) => x.customerNo)).toEqual(['C00000042', 'C00000043']);
      expect(res.body.updated[0]).toMatchObject({ id: a.id, level: 'vip', version: 2 });
      expect(res.body.deleted).toEqual([b.id]);
    });

    it('rolls everything back when one row is bad, and names the row', async () => {
      const a = (await t.api.post('/api/v1/customers', person(50))).body;
      const res = await t.api.post('/api/v1/customers/bulk', {
        create: [person(51), person(52, { level: 'bogus' }), person(53)],
        update: [{ id: a.id, version: 1, level: 'vip' }],
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'create[1].level', rule: 'enum' })]);
      const late = await t.api.post('/api/v1/customers/bulk', {
        create: [person(54)],
        update: [{ id: a.id, version: 1, level: 'vip' }, { id: a.id, version: 1, level: 'a' }],
      });
      expect(late.status).toBe(409);
      const seen = await t.api.get('/api/v1/customers?filter={"customerNo":{"in":["C00000051","C00000053","C00000054"]}}&count=true');
      expect(seen.body.meta.total).toBe(0);
      expect((await t.api.get(`/api/v1/customers/${a.id}`)).body).toMatchObject({ version: 1, level: null });
    });

    it('refuses unknown members and oversized batches', async () => {
      const res = await t.api.post('/api/v1/customers/bulk', { insert: [person(70)] });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'insert', rule: 'unknown' })]);
      const big = await t.api.post('/api/v1/customers/bulk', { delete: Array.from({ length: 1001 }, (_, i) => i + 1) });
      expect(big.status).toBe(400);
      expect(big.body.errors).toEqual([expect.objectContaining({ rule: 'maxItems' })]);
    });

    it('rolls back on a unique violation inside the batch', async () => {
      const res = await t.api.post('/api/v1/customers/bulk', { create: [person(60), person(61), person(60)] });
      expect(res.status).toBe(409);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'create[2].customerNo', rule: 'unique' })]);
      expect((await t.api.get('/api/v1/customers?filter[customerNo]=C00000060&count=true')).body.meta.total).toBe(0);
    });
  });
});
