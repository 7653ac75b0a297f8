import { describeEachDatabase, startTestPlatform, TEST_KEYS, type TestPlatform } from '../support/platform';
import { Keyring } from '../../core/src/crypto/keyring';
import { rotateEncryptedFields } from '../../core/src/crypto/rotate';

const customer = (n: number, idNumber: string | null) => ({ customerNo: `C${String(n).padStart(8, '0')}`, name: `客户${n}`, kind: 'person', idNumber });

describeEachDatabase('field encryption at rest', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db);
  });
  afterAll(async () => t?.stop());

  it('stores ciphertext and a blind index, never the value, and returns the value through the API', async () => {
    const created = await t.api.post('/api/v1/customers', customer(1, '310101199001011234'));
    expect(created.status).toBe(201);
    expect(created.body.idNumber).toBe('310101199001011234');
    const [row] = await t.platform.db.all<{ id_number: string; id_number_bidx: string }>('SELECT id_number, id_number_bidx FROM customers WHERE id = ?', [created.body.id]);
    expect(row.id_number).toMatch(/^enc:v1:[0-9a-f]{8}:/);
    expect(row.id_number).not.toContain('310101199001011234');
    expect(row.id_number_bidx).toMatch(/^[0-9a-f]{64}$/);
    expect((await t.api.get(`/api/v1/customers/${created.body.id}`)).body.idNumber).toBe('310101199001011234');
    const history = await t.api.get(`/api/v1/customers/${created.body.id}/history`);
    expect(JSON.stringify(history.body)).not.toContain('310101199001011234');
  });

  it('finds records by equality through the blind index, and refuses other operators and sorting', async () => {
    await t.api.post('/api/v1/customers', customer(2, '110101198502023456'));
    await t.api.post('/api/v1/customers', customer(3, null));
    const q = (f: unknown) => t.api.get(`/api/v1/customers?filter=${encodeURIComponent(JSON.stringify(f))}&fields=customerNo&sort=customerNo`);
    expect((await q({ idNumber: '110101198502023456' })).body.data).toEqual([{ id: expect.any(Number), customerNo: 'C00000002' }]);
    expect((await q({ idNumber: { in: ['110101198502023456', '310101199001011234'] } })).body.data.map((c: { customerNo: string }) => c.customerNo)).toEqual(['C00000001', 'C00000002']);
    expect((await q({ idNumber: { null: true } })).body.data.map((c: { customerNo: string }) => c.customerNo)).toEqual(['C00000003']);
    expect((await q({ idNumber: { ne: '110101198502023456' } })).body.data.map((c: { customerNo: string }) => c.customerNo)).toEqual(['C00000001', 'C00000003']);
    const like = await q({ idNumber: { startsWith: '3101' } });
    expect(like.status).toBe(400);
    expect(like.body.errors[0]).toMatchObject({ field: 'filter.idNumber.startsWith', rule: 'not-filterable' });
    expect((await t.api.get('/api/v1/customers?sort=idNumber')).status).toBe(400);
  });

  it('rotates: values under a previous key (or stored in clear) are re-encrypted under the current one', async () => {
    const old = Keyring.load({ ENCRYPTION_KEY: 'c'.repeat(64), ENCRYPTION_INDEX_KEY: TEST_KEYS.ENCRYPTION_INDEX_KEY }, '/nonexistent').keyring;
    const a = (await t.api.post('/api/v1/customers', customer(10, null))).body;
    const b = (await t.api.post('/api/v1/customers', customer(11, null))).body;
    await t.platform.db.run('UPDATE customers SET id_number = ?, id_number_bidx = ? WHERE id = ?', [old.encrypt('440101198801011111'), old.blindIndex('440101198801011111'), a.id]);
    await t.platform.db.run('UPDATE customers SET id_number = ?, id_number_bidx = NULL WHERE id = ?', ['440101198801012222', b.id]);
    const current = Keyring.load({ ...TEST_KEYS, ENCRYPTION_KEYS_PREVIOUS: 'c'.repeat(64) }, '/nonexistent').keyring;
    const report = await rotateEncryptedFields(t.platform.db, t.platform.meta, current);
    expect(report).toEqual([
      { entity: 'parameter', field: 'secretValue', reencrypted: 0 },
      { entity: 'customer', field: 'idNumber', reencrypted: 2 },
    ]);
    const rows = await t.platform.db.all<{ id_number: string }>('SELECT id_number FROM customers WHERE id IN (?, ?) ORDER BY id', [a.id, b.id]);
    expect(rows.map((r) => Keyring.keyOf(r.id_number))).toEqual([current.currentKeyId, current.currentKeyId]);
    expect((await t.api.get(`/api/v1/customers?filter[idNumber]=440101198801012222&fields=id`)).body.data).toEqual([{ id: b.id }]);
    expect(await rotateEncryptedFields(t.platform.db, t.platform.meta, current)).toEqual([
      { entity: 'parameter', field: 'secretValue', reencrypted: 0 },
      { entity: 'customer', field: 'idNumber', reencrypted: 0 },
    ]);
  });

  it('updates re-encrypt and re-index', async () => {
    const c = (await t.api.post('/api/v1/customers', customer(4, '120101197003034567'))).body;
    const updated = await t.api.patch(`/api/v1/customers/${c.id}`, { idNumber: '120101197003034568', version: 1 });
    expect(updated.body.idNumber).toBe('120101197003034568');
    const found = await t.api.get(`/api/v1/customers?filter[idNumber]=120101197003034568`);
    expect(found.body.data.map((x: { id: number }) => x.id)).toEqual([c.id]);
    expect((await t.api.get(`/api/v1/customers?filter[idNumber]=120101197003034567`)).body.data).toEqual([]);
  });
});

describe('keyring', () => {
  it('decrypts values of a previous key after rotation, and refuses tampered ciphertext', () => {
    const old = Keyring.load({ ENCRYPTION_KEY: 'c'.repeat(64), ENCRYPTION_INDEX_KEY: TEST_KEYS.ENCRYPTION_INDEX_KEY }, '/nonexistent').keyring;
    const stored = old.encrypt('身份证 310101199001011234');
    const rotated = Keyring.load({ ...TEST_KEYS, ENCRYPTION_KEYS_PREVIOUS: 'c'.repeat(64) }, '/nonexistent').keyring;
    expect(rotated.decrypt(stored)).toBe('身份证 310101199001011234');
    expect(Keyring.keyOf(rotated.encrypt('x'))).toBe(rotated.currentKeyId);
    expect(Keyring.keyOf(stored)).not.toBe(rotated.currentKeyId);
    expect(rotated.blindIndex('x')).toBe(old.blindIndex('x'));
    const tampered = stored.slice(0, -4) + (stored.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => rotated.decrypt(tampered)).toThrow();
    const fresh = Keyring.load(TEST_KEYS, '/nonexistent').keyring;
    expect(() => fresh.decrypt(stored)).toThrow(/not configured/);
  });

  it('refuses malformed keys with a message naming the variable', () => {
    expect(() => Keyring.load({ ENCRYPTION_KEY: 'short' }, '/nonexistent')).toThrow('ENCRYPTION_KEY must be 32 bytes');
  });
});
