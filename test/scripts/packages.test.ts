import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const label = (s: string) => ({ 'zh-CN': s, en: s });
const CF = '/api/v1/meta/entities/customer/custom-fields';
const customer = (n: number, extra: Record<string, unknown> = {}) => ({ customerNo: `C${String(80000000 + n)}`, name: `包${n}`, kind: 'person', ...extra });

describeEachDatabase('scripts in configuration packages', (db) => {
  let source: TestPlatform;
  let target: TestPlatform;
  beforeAll(async () => {
    [source, target] = await Promise.all([startTestPlatform(db), startTestPlatform(db)]);
  });
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  const settings = async (t: TestPlatform) =>
    (await t.api.get('/api/v1/scripts')).body.data.map((s: Record<string, unknown>) => ({
      name: s.name, kind: s.kind, target: s.target, language: s.language, source: s.source, enabled: s.enabled,
      capabilities: s.capabilities, limits: s.limits, serviceRole: s.serviceRole, description: s.description,
    }));

  it('round trip: validations, computed fields, flow scripts with their settings; a compile error refuses the whole package naming script and line', async () => {
    const save = async (def: Record<string, unknown>) => expect((await source.api.post('/api/v1/scripts', { language: 'ts', ...def })).status).toBe(201);
    await save({ name: 'no-closed-city', kind: 'validation', target: 'customer.city', description: 'no closed city', source: `export default (input: ValidationInput): ValidationResult => (input.value === '关闭城' ? { errors: [{ message: 'closed' }] } : undefined);` });
    await save({ name: 'name-size', kind: 'computed', target: 'customer.nameSize', limits: { cpuMs: 50 }, source: `export default (input: ComputedInput) => (input.record.name as string).length;` });
    await save({ name: 'route-by-score', kind: 'flow', capabilities: ['records:read', 'log'], serviceRole: 'salesRep', language: 'js', source: `export default function (input) { return { set: { routed: true } }; }` });
    await save({ name: 'old-check', kind: 'validation', target: 'customer', source: `export default () => ({ errors: [{ message: 'always' }] });` });
    expect((await source.api.patch('/api/v1/scripts/old-check', { enabled: false })).status).toBe(200);
    expect((await source.api.post(CF, { name: 'nameSize', type: 'integer', label: label('Name size'), computedBy: 'name-size' })).status).toBe(201);

    const pkg = (await source.api.get('/api/v1/packages/export?sections=customFields,scripts')).body;
    expect(pkg.sections.scripts.map((i: { key: string }) => i.key).sort()).toEqual(['name-size', 'no-closed-city', 'old-check', 'route-by-score']);

    const broken = structuredClone(pkg);
    const at = broken.sections.scripts.findIndex((i: { key: string }) => i.key === 'name-size');
    broken.sections.scripts[at].data.source = 'export default (input: ComputedInput) =>\n  input.record.name.length +;';
    const refused = await target.api.post('/api/v1/packages/import', broken);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: `sections.scripts[${at}].data.source`, rule: 'compile', message: expect.stringMatching(/^Script name-size, line 2, column \d+: /) })]);
    expect((await target.api.get('/api/v1/scripts')).body.data).toEqual([]);
    expect((await target.api.get(CF)).body.data).toEqual([]);

    const dry = await target.api.post('/api/v1/packages/import?dryRun=true', pkg);
    expect(dry.body.items.filter((c: { section: string }) => c.section === 'scripts').map((c: { action: string }) => c.action)).toEqual(['create', 'create', 'create', 'create']);
    const applied = await target.api.post('/api/v1/packages/import', pkg);
    expect(applied.status).toBe(200);
    expect(await settings(target)).toEqual(await settings(source));

    // They work on the target: the computed field, the validation; the disabled one stays off.
    const created = await target.api.post('/api/v1/customers', customer(1, { name: '四个字的' }));
    expect(created.status).toBe(201);
    expect(created.body.nameSize).toBe(4);
    const refusedRecord = await target.api.post('/api/v1/customers', customer(2, { city: '关闭城' }));
    expect(refusedRecord.body.errors).toEqual([{ field: 'city', rule: 'script:no-closed-city', message: 'closed' }]);

    // Importing again changes nothing; a changed source is an update (a new version).
    expect((await target.api.post('/api/v1/packages/import?dryRun=true', pkg)).body.summary).toMatchObject({ create: 0, update: 0 });
    const changed = structuredClone(pkg);
    changed.sections.scripts.find((i: { key: string }) => i.key === 'no-closed-city').data.enabled = false;
    const diff = await target.api.post('/api/v1/packages/import?dryRun=true', changed);
    expect(diff.body.items.find((c: { key: string }) => c.key === 'no-closed-city')).toMatchObject({ action: 'update', changes: { enabled: { before: true, after: false } } });
  });
});
