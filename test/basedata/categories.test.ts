import { describeEachDatabase, startTestPlatform, type TestPlatform, type Api } from '../support/platform';
import { ServiceDataContext } from '../../core/src/services/context';
import { label, signedInUser } from './helpers';

const SYSTEM = { userId: null, username: 'system', isAdmin: true };

interface Node {
  id: number;
  code: string;
  children: Node[];
}

const shape = (nodes: Node[]): unknown => nodes.map((n) => (n.children.length ? { [n.code]: shape(n.children) } : n.code));

describeEachDatabase('category trees', (db) => {
  let t: TestPlatform;
  let reader: Api;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: [] });
    reader = (await signedInUser(t, 'catreader')).api;
    // product: electronics > computers > laptops > gaming; electronics > phones; books
    for (const [code, parent, sortOrder] of [
      ['electronics', null, 10],
      ['computers', 'electronics', 20],
      ['laptops', 'computers', 10],
      ['gaming', 'laptops', 10],
      ['phones', 'electronics', 10],
      ['books', null, 20],
    ] as const) {
      const res = await t.api.post('/api/v1/categories', { kind: 'product', code, label: label(code, code), parent: parent ? ids[parent] : null, sortOrder });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
      ids[code] = res.body.id;
    }
  });
  afterAll(async () => t?.stop());

  const tree = async (kind = 'product', api = t.api) => shape((await api.get(`/api/v1/categories/tree/${kind}`)).body.data);
  const get = async (code: string) => (await t.api.get(`/api/v1/categories/${ids[code]}`)).body;
  const move = async (code: string, parent: string | null) => t.api.patch(`/api/v1/categories/${ids[code]}`, { version: (await get(code)).version, parent: parent ? ids[parent] : null });

  it('keeps the ancestor path and answers the tree of a kind, in order, to every signed-in user', async () => {
    expect(await get('gaming')).toMatchObject({ path: `/${ids.electronics}/${ids.computers}/${ids.laptops}/` });
    expect(await tree('product', reader)).toEqual([{ electronics: ['phones', { computers: [{ laptops: ['gaming'] }] }] }, 'books']);
    expect(await tree('document')).toEqual([]);
    expect((await reader.post('/api/v1/categories', { kind: 'product', code: 'toys', label: label('玩具', 'Toys') })).status).toBe(403);
  });

  it('moves a category with its whole subtree', async () => {
    const res = await move('computers', 'books');
    expect(res.status).toBe(200);
    expect(res.body.path).toBe(`/${ids.books}/`);
    expect(await get('laptops')).toMatchObject({ path: `/${ids.books}/${ids.computers}/` });
    expect(await get('gaming')).toMatchObject({ path: `/${ids.books}/${ids.computers}/${ids.laptops}/` });
    expect(await tree()).toEqual([{ electronics: ['phones'] }, { books: [{ computers: [{ laptops: ['gaming'] }] }] }]);
    expect((await move('computers', 'electronics')).status).toBe(200);
    expect(await get('gaming')).toMatchObject({ path: `/${ids.electronics}/${ids.computers}/${ids.laptops}/` });
  });

  it('refuses cycles, parents of another tree and deleting a category that has subcategories, changing nothing', async () => {
    const before = await tree();
    const cycle = await move('electronics', 'gaming');
    expect(cycle.status).toBe(400);
    expect(cycle.body.errors).toEqual([expect.objectContaining({ field: 'parent', rule: 'cycle' })]);
    expect((await move('laptops', 'laptops')).body.errors).toEqual([expect.objectContaining({ field: 'parent', rule: 'cycle' })]);
    const doc = (await t.api.post('/api/v1/categories', { kind: 'document', code: 'contracts', label: label('合同', 'Contracts') })).body;
    const crossCreate = await t.api.post('/api/v1/categories', { kind: 'document', code: 'x', label: label('x', 'x'), parent: ids.electronics });
    expect(crossCreate.status).toBe(400);
    expect(crossCreate.body.errors).toEqual([expect.objectContaining({ field: 'parent', rule: 'kind' })]);
    const crossMove = await t.api.patch(`/api/v1/categories/${doc.id}`, { version: doc.version, parent: ids.books });
    expect(crossMove.body.errors).toEqual([expect.objectContaining({ field: 'parent', rule: 'kind' })]);
    const retree = await t.api.patch(`/api/v1/categories/${ids.electronics}`, { version: (await get('electronics')).version, kind: 'document' });
    expect(retree.body.errors).toEqual([expect.objectContaining({ field: 'kind', rule: 'has-children' })]);
    const missing = await t.api.post('/api/v1/categories', { kind: 'product', code: 'orphan', label: label('x', 'x'), parent: 999999 });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'parent', rule: 'reference' })]);
    const del = await t.api.delete(`/api/v1/categories/${ids.laptops}`);
    expect(del.status).toBe(409);
    expect(del.body.code).toBe('in-use');
    expect(await tree()).toEqual(before);
    expect(await tree('document')).toEqual(['contracts']);
    // Codes are unique within a tree, not across trees.
    expect((await t.api.post('/api/v1/categories', { kind: 'document', code: 'books', label: label('书', 'Books') })).status).toBe(201);
    expect((await t.api.post('/api/v1/categories', { kind: 'product', code: 'books', label: label('书', 'Books') })).status).toBe(409);
  });

  it('answers a category’s effective attributes: its own and its ancestors’, the nearest definition winning', async () => {
    const attr = (category: string, name: string, def: Record<string, unknown>) => t.api.post('/api/v1/categoryAttributes', { category: ids[category], name, label: label(name, name), ...def });
    expect((await attr('electronics', 'brand', { type: 'string', required: true, sortOrder: 1 })).status).toBe(201);
    expect((await attr('electronics', 'warrantyMonths', { type: 'integer', sortOrder: 2 })).status).toBe(201);
    expect((await attr('computers', 'cpu', { type: 'enum', options: [{ value: 'x86', label: label('x86', 'x86') }, { value: 'arm', label: label('ARM', 'ARM') }] })).status).toBe(201);
    expect((await attr('laptops', 'screenInches', { type: 'number', required: true })).status).toBe(201);
    expect((await attr('laptops', 'warrantyMonths', { type: 'enum', dictionary: 'currency' })).status).toBe(201);
    const res = await reader.get(`/api/v1/categories/${ids.gaming}/attributes`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((a: { name: string; type: string; inherited: boolean; category: number }) => [a.name, a.type, a.category])).toEqual([
      ['brand', 'string', ids.electronics],
      ['cpu', 'enum', ids.computers],
      ['screenInches', 'number', ids.laptops],
      ['warrantyMonths', 'enum', ids.laptops],
    ]);
    expect((await t.api.get(`/api/v1/categories/${ids.phones}/attributes`)).body.data.map((a: { name: string }) => a.name)).toEqual(['brand', 'warrantyMonths']);
    expect((await t.api.get(`/api/v1/categories/${ids.books}/attributes`)).body.data).toEqual([]);
  });

  it('validates a record’s attribute values against the category', async () => {
    const check = (code: string, values: unknown) => reader.post(`/api/v1/categories/${ids[code]}/attributes/check`, { values });
    expect((await check('gaming', { brand: 'Lenovo', cpu: 'x86', screenInches: 15.6, warrantyMonths: 'CNY' })).body).toEqual({ valid: true, errors: [] });
    const bad = await check('gaming', { cpu: 'risc-v', screenInches: '15', colour: 'red', warrantyMonths: 'XXX' });
    expect(bad.body.valid).toBe(false);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'values.colour', rule: 'unknown' }),
        expect.objectContaining({ field: 'values.brand', rule: 'required' }),
        expect.objectContaining({ field: 'values.cpu', rule: 'enum' }),
        expect.objectContaining({ field: 'values.screenInches', rule: 'type' }),
        expect.objectContaining({ field: 'values.warrantyMonths', rule: 'enum' }),
      ]),
    );
    expect(bad.body.errors).toHaveLength(5);
    // The same function, for other modules.
    const errors = await t.platform.basedata.categories.validate(new ServiceDataContext(t.platform.store, SYSTEM), ids.phones, { brand: 'Huawei', warrantyMonths: 24 });
    expect(errors).toEqual([]);
    expect((await check('phones', 'not an object')).body.errors).toEqual([expect.objectContaining({ field: 'values', rule: 'type' })]);
    // Moving a category changes what it inherits.
    expect((await move('laptops', 'books')).status).toBe(200);
    expect((await t.api.get(`/api/v1/categories/${ids.gaming}/attributes`)).body.data.map((a: { name: string }) => a.name)).toEqual(['screenInches', 'warrantyMonths']);
    expect((await move('laptops', 'computers')).status).toBe(200);
  });

  it('checks attribute definitions: choices only for enums, exactly one source, a known dictionary', async () => {
    const attr = (name: string, def: Record<string, unknown>) => t.api.post('/api/v1/categoryAttributes', { category: ids.books, name, label: label(name, name), ...def });
    expect((await attr('format', { type: 'enum' })).body.errors).toEqual([expect.objectContaining({ field: 'options', rule: 'required' })]);
    expect((await attr('isbn', { type: 'string', dictionary: 'currency' })).body.errors).toEqual([expect.objectContaining({ field: 'dictionary', rule: 'unexpected' })]);
    expect((await attr('lang', { type: 'enum', dictionary: 'languages' })).body.errors).toEqual([expect.objectContaining({ field: 'dictionary', rule: 'reference' })]);
    expect((await attr('Bad Name', { type: 'string' })).body.errors).toEqual([expect.objectContaining({ field: 'name', rule: 'pattern' })]);
    const ok = (await attr('pages', { type: 'integer' })).body;
    expect((await attr('pages', { type: 'integer' })).status).toBe(409);
    const retype = await t.api.patch(`/api/v1/categoryAttributes/${ok.id}`, { version: ok.version, type: 'enum' });
    expect(retype.body.errors).toEqual([expect.objectContaining({ field: 'options', rule: 'required' })]);
  });
});
