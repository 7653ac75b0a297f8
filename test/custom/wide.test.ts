import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const FIELDS = 150;

describeEachDatabase('an entity with 150 custom text fields', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: ['customers', 'contacts'] });
  });
  afterAll(async () => t?.stop());

  it('takes 150 text fields of 255 characters (MySQL row-size limit respected) and stores a record filling all of them', async () => {
    for (let i = 0; i < FIELDS; i++) {
      const res = await t.api.post('/api/v1/meta/entities/contact/custom-fields', { name: `extra${i}`, type: 'text', label: { 'zh-CN': `扩展${i}`, en: `Extra ${i}` } });
      if (res.status !== 201) throw new Error(`field ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const customer = (await t.api.post('/api/v1/customers', { customerNo: 'C00000001', name: 'x', kind: 'person', status: 'active' })).body;
    const values = Object.fromEntries(Array.from({ length: FIELDS }, (_, i) => [`extra${i}`, `${'长'.repeat(250)}${String(i).padStart(5, '0')}`]));
    const created = await t.api.post('/api/v1/contacts', { name: '宽表', customer: customer.id, ...values });
    expect(created.status).toBe(201);
    const got = (await t.api.get(`/api/v1/contacts/${created.body.id}`)).body;
    for (let i = 0; i < FIELDS; i++) expect(got[`extra${i}`]).toBe(values[`extra${i}`]);
    expect((await t.api.get('/api/v1/contacts?filter[extra149][startsWith]=长长&sort=extra3&fields=id')).body.data).toEqual([{ id: created.body.id }]);
    // an indexed one still fits: a VARCHAR beside 150 TEXT columns
    expect((await t.api.post('/api/v1/meta/entities/contact/custom-fields', { name: 'lookupKey', type: 'text', indexed: true, label: { 'zh-CN': '键', en: 'Key' } })).status).toBe(201);
  }, 240_000); // 151 schema changes one after another: ~70 ms each on a quiet machine, several times that on a loaded one
});
