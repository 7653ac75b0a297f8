import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { upload, xlsxOf } from '../io/helpers';

const person = (n: number, extra: Record<string, unknown> = {}) => ({ customerNo: `C${String(n + 70000000).padStart(8, '0')}`, name: `客户${n}`, kind: 'person', ...extra });
const label = (en: string) => ({ 'zh-CN': en, en });
const CF = '/api/v1/meta/entities/customer/custom-fields';

describeEachDatabase('validation and computed-field scripts on record writes', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db);
  });
  afterAll(async () => t?.stop());

  const save = async (def: Record<string, unknown>) => {
    const res = await t.api.post('/api/v1/scripts', { language: 'ts', ...def });
    expect(res.status).toBe(201);
    return res.body;
  };
  const disable = (name: string) => t.api.patch(`/api/v1/scripts/${name}`, { enabled: false });
  const count = async (filter = '') => (await t.api.get(`/api/v1/customers?count=true&limit=1${filter}`)).body.meta.total as number;

  it('an entity validation rejects a create with field errors naming the rule script:<name>, and nothing is written', async () => {
    await save({
      name: 'customer-city-rules',
      kind: 'validation',
      target: 'customer',
      capabilities: ['records:read'],
      source: `export default async function (input: ValidationInput, ctx: ScriptContext): Promise<ValidationResult> {
  const r = input.record as { name: string; city?: string | null; remarks?: string | null };
  const errors: ValidationIssue[] = [];
  if (r.city === '禁止城') errors.push({ field: 'city', message: 'We do not serve this city' });
  if (r.remarks === 'duplicate-name' && (await ctx.records('customer').count({ filter: { name: r.name } })) > 0) errors.push({ field: 'name', rule: 'unique', message: 'Name taken' });
  return { errors };
}`,
    });
    const before = await count();
    const bad = await t.api.post('/api/v1/customers', person(1, { city: '禁止城' }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'city', rule: 'script:customer-city-rules', message: 'We do not serve this city' }]);
    expect(await count()).toBe(before);

    // It runs inside the write's transaction, as the user, with host calls: both errors at once.
    expect((await t.api.post('/api/v1/customers', person(2, { name: '重名' }))).status).toBe(201);
    const two = await t.api.post('/api/v1/customers', person(3, { name: '重名', city: '禁止城', remarks: 'duplicate-name' }));
    expect(two.status).toBe(400);
    expect(two.body.errors).toEqual([
      { field: 'city', rule: 'script:customer-city-rules', message: 'We do not serve this city' },
      { field: 'name', rule: 'script:customer-city-rules:unique', message: 'Name taken' },
    ]);
    expect(await count()).toBe(before + 1);

    // Updates too: the record as it will be, the stored one unchanged after a refusal.
    const ok = (await t.api.post('/api/v1/customers', person(4, { city: '上海' }))).body;
    const refused = await t.api.patch(`/api/v1/customers/${ok.id}`, { city: '禁止城', version: ok.version });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'city', rule: 'script:customer-city-rules' });
    expect((await t.api.get(`/api/v1/customers/${ok.id}`)).body).toMatchObject({ city: '上海', version: ok.version });

    // A bulk write is all or nothing, and the error names the record's place.
    const bulk = await t.api.post('/api/v1/customers/bulk', { create: [person(5), person(6, { city: '禁止城' })] });
    expect(bulk.status).toBe(400);
    expect(bulk.body.errors).toEqual([expect.objectContaining({ field: 'create[1].city', rule: 'script:customer-city-rules' })]);
    expect(await count(`&filter[customerNo]=${person(5).customerNo}`)).toBe(0);

    // So is an import: the row and column are named, nothing is written.
    const file = await xlsxOf([['客户编号', '客户名称', '客户类别', '城市'], [person(9).customerNo, '导入一', 'person', '上海'], [person(10).customerNo, '导入二', 'person', '禁止城']]);
    const imported = await upload(t.api, '/api/v1/customers/import', file);
    expect(imported.status).toBe(422);
    expect(imported.body.errors).toEqual([{ row: 3, column: 'D', header: '城市', field: 'city', rule: 'script:customer-city-rules', message: 'We do not serve this city' }]);
    expect(await count(`&filter[customerNo]=${person(9).customerNo}`)).toBe(0);

    // Writes a script makes are validated as well.
    await save({
      name: 'make-customer',
      kind: 'endpoint',
      target: 'make-customer',
      capabilities: ['records:write'],
      source: `export default async function (input: EndpointInput, ctx: ScriptContext) {
  return ctx.records('customer').create(input.body as Record<string, unknown>);
}`,
    });
    const viaScript = await t.api.post('/api/v1/x/make-customer', person(7, { city: '禁止城' }));
    expect(viaScript.status).toBe(422);
    expect(JSON.stringify(viaScript.body)).toContain('We do not serve this city');
    expect(await count(`&filter[customerNo]=${person(7).customerNo}`)).toBe(0);
    await disable('make-customer');

    // Disabled: no longer runs.
    await disable('customer-city-rules');
    expect((await t.api.post('/api/v1/customers', person(8, { city: '禁止城' }))).status).toBe(201);
  });

  it('a field validation gets value, record and previous; on updates it runs only when the field is written; ctx.fail counts as a rejection', async () => {
    await save({
      name: 'remarks-not-shorter',
      kind: 'validation',
      target: 'customer.remarks',
      source: `export default function (input: ValidationInput, ctx: ScriptContext): ValidationResult {
  const value = input.value as string | null;
  if (value === 'fail-me') ctx.fail('Not that one');
  const before = (input.previous?.remarks as string | null | undefined) ?? '';
  if (input.operation === 'update' && (value ?? '').length < before.length) return { errors: [{ message: 'remarks may only grow (was ' + before.length + ', ' + (input.record as { name: string }).name + ')' }] };
}`,
    });
    const rec = (await t.api.post('/api/v1/customers', person(20, { remarks: 'long remarks' }))).body;
    const shorter = await t.api.patch(`/api/v1/customers/${rec.id}`, { remarks: 'short', version: rec.version });
    expect(shorter.status).toBe(400);
    expect(shorter.body.errors).toEqual([{ field: 'remarks', rule: 'script:remarks-not-shorter', message: `remarks may only grow (was 12, ${rec.name})` }]);
    // Not written: the validation does not run (the stored value is shorter than nothing else).
    const other = await t.api.patch(`/api/v1/customers/${rec.id}`, { city: '北京', version: rec.version });
    expect(other.status).toBe(200);
    const failed = await t.api.post('/api/v1/customers', person(21, { remarks: 'fail-me' }));
    expect(failed.status).toBe(400);
    expect(failed.body.errors).toEqual([{ field: 'remarks', rule: 'script:remarks-not-shorter', message: 'Not that one' }]);
    await disable('remarks-not-shorter');
  });

  it('a validation that crashes fails the write with 422 naming the script; nothing is written', async () => {
    await save({ name: 'crashing-check', kind: 'validation', target: 'customer', source: `export default function (input: ValidationInput) { if ((input.record as { city?: string }).city === 'boom') throw new RangeError('bad'); }` });
    const before = await count();
    const res = await t.api.post('/api/v1/customers', person(30, { city: 'boom' }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'script-error', detail: expect.stringContaining('crashing-check') });
    expect(await count()).toBe(before);
    await disable('crashing-check');
  });

  it('a custom field computed by a script: stored on create and update, refused from clients, checked against the field', async () => {
    await save({
      name: 'customer-name-score',
      kind: 'computed',
      target: 'customer.nameScore',
      capabilities: ['records:read'],
      source: `export default async function (input: ComputedInput, ctx: ScriptContext) {
  const r = input.record as { name: string; city?: string | null };
  if (r.city === 'overflow') return 10_000_000;
  if (r.city === 'text') return 'not a number';
  return r.name.length * 10 + (input.previous ? 1 : 0);
}`,
    });
    const field = await t.api.post(CF, { name: 'nameScore', type: 'integer', label: label('Name score'), max: 1_000_000, computedBy: 'customer-name-score' });
    expect(field.status).toBe(201);
    expect((await t.api.post(CF, { name: 'badComputed', type: 'integer', label: label('x'), required: true, computedBy: 'customer-name-score' })).body.errors[0]).toMatchObject({ field: 'computedBy', rule: 'not-applicable' });

    const created = await t.api.post('/api/v1/customers', person(40, { name: 'ABCD' }));
    expect(created.status).toBe(201);
    expect(created.body.nameScore).toBe(40);
    const updated = await t.api.patch(`/api/v1/customers/${created.body.id}`, { name: 'ABCDEF', version: created.body.version });
    expect(updated.body.nameScore).toBe(61);

    const sent = await t.api.post('/api/v1/customers', person(41, { nameScore: 5 }));
    expect(sent.status).toBe(400);
    expect(sent.body.errors).toEqual([expect.objectContaining({ field: 'nameScore', rule: 'readonly' })]);

    const before = await count();
    for (const city of ['overflow', 'text']) {
      const res = await t.api.post('/api/v1/customers', person(42, { city }));
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'script-result', detail: expect.stringContaining('customer-name-score') });
    }
    expect(await count()).toBe(before);

    // Validations see computed values.
    await save({ name: 'score-cap', kind: 'validation', target: 'customer.nameScore', source: `export default (input: ValidationInput): ValidationResult => ((input.value as number) > 100 ? { errors: [{ message: 'name too long' }] } : undefined);` });
    const long = await t.api.post('/api/v1/customers', person(43, { name: '这是一个非常非常长的客户名字' }));
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual([{ field: 'nameScore', rule: 'script:score-cap', message: 'name too long' }]);
    await disable('score-cap');

    // A disabled computing script leaves the field as it is.
    await disable('customer-name-score');
    const plain = await t.api.post('/api/v1/customers', person(44));
    expect(plain.status).toBe(201);
    expect(plain.body.nameScore).toBeNull();
  });

  it('validations run as the user who writes: a record they may not read is not found by the script', async () => {
    const roles = Object.fromEntries((await t.api.get('/api/v1/roles?limit=50')).body.data.map((r: { code: string; id: number }) => [r.code, r.id]));
    const rep = await t.api.post('/api/v1/users', { username: 'checkrep', displayName: 'rep' });
    await t.platform.sessions.setPassword(rep.body.id, 'Check-Rep-Pass-1');
    await t.api.post('/api/v1/userRoles', { user: rep.body.id, role: roles.salesRep });
    const api = new Api(t.platform.url);
    await api.login('checkrep', 'Check-Rep-Pass-1');
    const foreign = (await t.api.post('/api/v1/customers', person(50))).body;
    await save({
      name: 'sees-foreign',
      kind: 'validation',
      target: 'customer',
      capabilities: ['records:read'],
      source: `export default async function (input: ValidationInput, ctx: ScriptContext): Promise<ValidationResult> {
  if ((input.record as { remarks?: string }).remarks !== 'probe') return;
  const n = await ctx.records('customer').count({ filter: { id: ${foreign.id} } });
  return { errors: [{ field: 'remarks', message: 'sees ' + n }] };
}`,
    });
    expect((await api.post('/api/v1/customers', person(51, { remarks: 'probe' }))).body.errors[0].message).toBe('sees 0');
    expect((await t.api.post('/api/v1/customers', person(52, { remarks: 'probe' }))).body.errors[0].message).toBe('sees 1');
    await disable('sees-foreign');
  });
});
