import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { label, signedInUser } from './helpers';

describeEachDatabase('parameters and dictionaries in scripts', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: [] });
  });
  afterAll(async () => t?.stop());

  const endpoint = async (name: string, capabilities: string[], body: string) => {
    const saved = await t.api.post('/api/v1/scripts', {
      name,
      kind: 'endpoint',
      target: name,
      language: 'ts',
      capabilities,
      source: `export default async function (input: EndpointInput, ctx: ScriptContext) {\n${body}\n}`,
    });
    expect(saved.status).toBe(201);
    const roles = (await t.api.get('/api/v1/roles?limit=50')).body.data as { id: number; code: string }[];
    const everyone = roles.find((r) => r.code === 'everyone')!.id;
    expect((await t.api.post('/api/v1/roleGrants', { role: everyone, entity: `x:${name}`, actions: ['call'], scope: 'all' })).status).toBe(201);
  };

  it('reads typed parameters and dictionary items, as the calling user', async () => {
    await t.api.post('/api/v1/parameters', { code: 'crm.apiSecret', label: label('密钥', 'Secret'), type: 'json', secret: true, value: { key: 'k-123' } });
    const gender = (await t.api.get('/api/v1/dictionaries?filter[code]=gender')).body.data[0];
    const unknown = (await t.api.get(`/api/v1/dictionaryItems?filter[dictionary]=${gender.id}&filter[code]=unknown`)).body.data[0];
    await t.api.patch(`/api/v1/dictionaryItems/${unknown.id}`, { version: unknown.version, enabled: false });
    await endpoint(
      'config-probe',
      ['params:read'],
      `const attempt = async (fn: () => Promise<unknown>) => { try { return await fn(); } catch (e) { return { code: (e as HostCallError).code }; } };
  const items = await ctx.dictionaries.items('gender');
  return {
    currency: await ctx.params.get<string>('finance.defaultCurrency'),
    fiscal: await ctx.params.get('finance.fiscalYearStart'),
    gender: items.map((i) => i.code + ':' + i.label.en),
    secret: await attempt(() => ctx.params.get('crm.apiSecret')),
    missingParam: await attempt(() => ctx.params.get('no.such')),
    missingDictionary: await attempt(() => ctx.dictionaries.items('noSuch')),
  };`,
    );
    const asAdmin = await t.api.get('/api/v1/x/config-probe');
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body).toEqual({
      currency: 'CNY',
      fiscal: '1',
      gender: ['male:Male', 'female:Female'],
      secret: { key: 'k-123' },
      missingParam: { code: 'not-found' },
      missingDictionary: { code: 'not-found' },
    });
    const user = await signedInUser(t, 'scriptuser');
    const asUser = await user.api.get('/api/v1/x/config-probe');
    expect(asUser.status).toBe(200);
    expect(asUser.body).toMatchObject({ currency: 'CNY', gender: ['male:Male', 'female:Female'], secret: { code: 'not-found' } });
  });

  it('needs the params:read capability', async () => {
    await endpoint(
      'config-undeclared',
      [],
      `const out: Record<string, unknown> = {};
  try { await ctx.params.get('finance.defaultCurrency'); } catch (e) { out.params = (e as HostCallError).code; }
  try { await ctx.dictionaries.items('gender'); } catch (e) { out.dictionaries = (e as HostCallError).code; }
  return out;`,
    );
    expect((await t.api.get('/api/v1/x/config-undeclared')).body).toEqual({ params: 'capability', dictionaries: 'capability' });
  });

  it('sees values written earlier in the same transaction', async () => {
    await endpoint(
      'config-in-transaction',
      ['params:read', 'records:read', 'records:write'],
      `const d = await ctx.records('dictionary').create({ code: 'scriptMade', label: { 'zh-CN': '脚本', en: 'Script' } });
  await ctx.records('dictionaryItem').create({ dictionary: d.id, code: 'one', label: { 'zh-CN': '一', en: 'One' } });
  return (await ctx.dictionaries.items('scriptMade')).map((i) => i.code);`,
    );
    expect((await t.api.post('/api/v1/x/config-in-transaction', {})).body).toEqual(['one']);
    expect(t.platform.dictionaries.values('scriptMade')).toEqual(['one']);
  });
});
