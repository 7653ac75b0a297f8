import fs from 'node:fs';
import path from 'node:path';
import { PLUGIN_MANIFEST_SCHEMA } from '@plinth/sdk';
import { checkManifest, readManifest } from '../../core/src/plugins/manifest';
import { PluginError, discoverPlugins, loadPlugin } from '../../core/src/plugins/discovery';
import { dependencyOrder, graphProblems } from '../../core/src/plugins/graph';
import { ROOT } from '../support/platform';

const valid = () => ({
  name: 'claims',
  version: '1.2.0',
  label: { 'zh-CN': '理赔', en: 'Claims' },
  engines: { plinth: '^0.1.0' },
  dependencies: { customers: '^1.0.0' },
  contributes: {
    entities: ['claim'],
    menus: [
      { key: 'claims', label: { 'zh-CN': '理赔', en: 'Claims' } },
      { key: 'claims.list', parent: 'claims', label: { 'zh-CN': '理赔单', en: 'Claims' }, entity: 'claim' },
    ],
    roles: [{ code: 'adjuster', label: { 'zh-CN': '理赔员', en: 'Adjuster' } }],
    permissions: [{ entity: 'claim', action: 'approve', label: { 'zh-CN': '审批', en: 'Approve' } }],
    settings: { type: 'object', properties: { limit: { type: 'number', minimum: 0 } } },
  },
});

describe('plugin manifest (plugin.json)', () => {
  it('accepts a complete manifest, and the shipped plugins', () => {
    expect(checkManifest(valid()).problems).toEqual([]);
    for (const name of ['customers', 'contacts', 'org']) expect(readManifest(path.join(ROOT, 'plugins', name)).problems).toEqual([]);
  });

  it.each<[string, (m: any) => void, { field: string; rule: string; message?: string }]>([
    ['no engines', (m) => delete m.engines, { field: 'engines', rule: 'required', message: 'engines is required' }],
    ['no engine range', (m) => (m.engines = {}), { field: 'engines.plinth', rule: 'required' }],
    ['a bad engine range', (m) => (m.engines.plinth = 'newest'), { field: 'engines.plinth', rule: 'semver-range', message: 'engines.plinth must be a semver range such as ^0.1.0 (got "newest")' }],
    ['a version that is not semver', (m) => (m.version = '1.2'), { field: 'version', rule: 'semver' }],
    ['a bad name', (m) => (m.name = 'Claims!'), { field: 'name', rule: 'pattern' }],
    ['a label without English', (m) => delete m.label.en, { field: 'label.en', rule: 'required' }],
    ['an unknown field', (m) => (m.licence = 'MIT'), { field: 'licence', rule: 'unknown', message: 'licence is not a manifest field' }],
    ['a bad dependency range', (m) => (m.dependencies.customers = 'latest!!'), { field: 'dependencies.customers', rule: 'semver-range' }],
    ['a dependency on itself', (m) => (m.dependencies.claims = '^1.0.0'), { field: 'dependencies.claims', rule: 'self' }],
    ['a menu key of another plugin', (m) => (m.contributes.menus[1].key = 'customers.claims'), { field: 'contributes.menus[1].key', rule: 'prefix' }],
    ['a duplicate menu key', (m) => (m.contributes.menus[1].key = 'claims'), { field: 'contributes.menus[1].key', rule: 'unique' }],
    ['a menu without a label', (m) => delete m.contributes.menus[0].label, { field: 'contributes.menus[0].label', rule: 'required' }],
    ['an entity name that is not camelCase', (m) => (m.contributes.entities = ['Claim']), { field: 'contributes.entities[0]', rule: 'pattern' }],
    ['a settings schema that does not compile', (m) => (m.contributes.settings = { type: 'object', properties: { limit: { type: 'nonsense' } } }), { field: 'contributes.settings', rule: 'schema' }],
    ['a form file that is not there', (m) => (m.contributes.forms = [{ name: 'claimForm', file: 'forms/claim.json' }]), { field: 'contributes.forms[0].file', rule: 'file' }],
  ])('names the field of %s', (_what, change, expected) => {
    const m = valid();
    change(m);
    const { problems } = checkManifest(m, path.join(ROOT, 'test/fixtures/lifecycle/perks'));
    expect(problems).toContainEqual(expected.message ? expected : expect.objectContaining(expected));
  });

  it('reports a missing or unreadable plugin.json', () => {
    expect(readManifest(path.join(ROOT, 'test/fixtures')).problems).toEqual([{ field: 'plugin.json', rule: 'required', message: 'plugin.json is missing' }]);
  });

  it('ships its JSON Schema as sdk/plugin.schema.json for editors', () => {
    const file = JSON.parse(fs.readFileSync(path.join(ROOT, 'sdk/plugin.schema.json'), 'utf8'));
    const { $schema: _s, title: _t, ...schema } = file;
    expect(schema).toEqual(JSON.parse(JSON.stringify(PLUGIN_MANIFEST_SCHEMA)));
  });
});

describe('code against manifest', () => {
  it('refuses code that disagrees with its plugin.json, naming each mismatch', () => {
    const [pkg] = discoverPlugins(path.join(ROOT, 'test/fixtures/mismatch'), { source: true });
    expect(pkg.problems).toEqual([]);
    let error: PluginError | null = null;
    try {
      loadPlugin(pkg);
    } catch (err) {
      error = err as PluginError;
    }
    expect(error).toBeInstanceOf(PluginError);
    expect(error!.problems).toEqual([
      { field: 'version', rule: 'mismatch', message: 'version: the code says 1.0.1, plugin.json 1.0.0' },
      { field: 'dependencies', rule: 'mismatch', message: 'dependencies: the code declares customers, which plugin.json does not list' },
      {
        field: 'contributes.entities',
        rule: 'mismatch',
        message: 'contributes.entities: the code declares draft, which plugin.json does not list; plugin.json lists memo, which the code does not declare',
      },
    ]);
    expect(error!.message).toMatch(/^Plugin "liar" is refused: its code and plugin.json disagree — version: the code says 1.0.1/);
  });

  it('fills in what only the manifest declares', () => {
    const pkg = discoverPlugins(path.join(ROOT, 'test/fixtures/lifecycle'), { source: true }).find((p) => p.name === 'perks')!;
    const def = loadPlugin(pkg);
    expect(def.label).toEqual({ 'zh-CN': '会员权益', en: 'Perks' });
    expect(def.roles).toEqual([{ code: 'vipManager', label: { 'zh-CN': '贵宾经理', en: 'VIP manager' } }]);
  });
});

describe('plugin graph', () => {
  const node = (name: string, version: string, dependencies: Record<string, string> = {}, engine = '^0.1.0') => ({
    name,
    problems: [],
    manifest: { name, version, label: { 'zh-CN': name, en: name }, engines: { plinth: engine }, dependencies },
  });

  it('checks the platform version and the dependency ranges, and passes unavailability on', () => {
    const problems = graphProblems(
      [node('customers', '1.4.0'), node('claims', '2.0.0', { customers: '^2.0.0' }), node('payouts', '1.0.0', { claims: '^2.0.0' }), node('future', '1.0.0', {}, '>=2.0.0'), node('fine', '1.0.0', { customers: '^1.2.0' })],
      '0.1.0',
    );
    expect(problems.get('customers')).toEqual([]);
    expect(problems.get('fine')).toEqual([]);
    expect(problems.get('claims')).toEqual([{ field: 'dependencies.customers', rule: 'version', message: 'Plugin "claims" needs customers ^2.0.0; customers 1.4.0 is present' }]);
    expect(problems.get('payouts')).toEqual([
      { field: 'dependencies.claims', rule: 'unavailable', message: 'Plugin "payouts" depends on "claims", which cannot be loaded: Plugin "claims" needs customers ^2.0.0; customers 1.4.0 is present' },
    ]);
    expect(problems.get('future')).toEqual([{ field: 'engines.plinth', rule: 'engine', message: 'Plugin "future" needs Plinth >=2.0.0; this is Plinth 0.1.0' }]);
  });

  it('orders by dependencies, ties by name', () => {
    const deps: Record<string, string[]> = { contacts: ['customers'], orders: ['customers', 'products'], products: [], customers: ['org'], org: [] };
    expect(dependencyOrder(Object.keys(deps), (n) => deps[n])).toEqual(['org', 'customers', 'contacts', 'products', 'orders']);
  });
});
