import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { label } from './helpers';

let serial = 0;
const customer = (extra: Record<string, unknown> = {}) => ({ customerNo: `C8${String(++serial).padStart(7, '0')}`, name: `客户${serial}`, kind: 'person', ...extra });

describeEachDatabase('dictionary-backed choice fields', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: ['org', 'customers', 'contacts'] });
  });
  afterAll(async () => t?.stop());

  it('accept exactly the enabled items of the dictionary, following its changes at once', async () => {
    const field = await t.api.post('/api/v1/meta/entities/customer/custom-fields', { name: 'sex', type: 'choice', dictionary: 'gender', label: label('性别', 'Sex') });
    expect(field.status).toBe(201);
    expect((await t.api.post('/api/v1/customers', customer({ sex: 'female' }))).status).toBe(201);
    const bad = await t.api.post('/api/v1/customers', customer({ sex: 'other' }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'sex' })]);

    const gender = (await t.api.get('/api/v1/dictionaries?filter[code]=gender')).body.data[0];
    const other = (await t.api.post('/api/v1/dictionaryItems', { dictionary: gender.id, code: 'other', label: label('其他', 'Other') })).body;
    expect((await t.api.post('/api/v1/customers', customer({ sex: 'other' }))).status).toBe(201);
    await t.api.patch(`/api/v1/dictionaryItems/${other.id}`, { version: other.version, enabled: false });
    expect((await t.api.post('/api/v1/customers', customer({ sex: 'other' }))).status).toBe(400);

    expect((await t.api.post('/api/v1/meta/entities/customer/custom-fields', { name: 'x', type: 'choice', dictionary: 'noSuchList', label: label('x', 'x') })).status).toBe(400);
  });
});
