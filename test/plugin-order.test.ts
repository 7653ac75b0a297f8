import { orderByDependencies } from '../core/src/plugins/order';
import { PluginError, checkDefinition } from '../core/src/plugins/discovery';

const p = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });

describe('plugin dependency order', () => {
  it('puts every plugin after what it depends on, ties by name', () => {
    const order = orderByDependencies([p('contacts', 'customers'), p('orders', 'customers', 'products'), p('products'), p('customers', 'org'), p('org')]);
    expect(order.map((x) => x.name)).toEqual(['org', 'customers', 'contacts', 'products', 'orders']);
  });

  it('names a missing dependency', () => {
    expect(() => orderByDependencies([p('contacts', 'customers')])).toThrow(new PluginError('Plugin "contacts" depends on "customers", which is not installed'));
  });

  it('names the plugins of a cycle', () => {
    expect(() => orderByDependencies([p('a', 'b'), p('b', 'c'), p('c', 'a')])).toThrow('Plugin dependency cycle: a → b → c → a');
    expect(() => orderByDependencies([p('self', 'self')])).toThrow('Plugin dependency cycle: self → self');
  });
});

describe('plugin manifest check', () => {
  it('accepts a well-formed plugin', () => {
    expect(checkDefinition({ name: 'crm-x', version: '1.2.3', dependsOn: ['customers'] }, 'x').name).toBe('crm-x');
  });
  it.each([
    [null, 'does not export a plugin'],
    [{ name: 'Bad Name', version: '1.0.0' }, 'name must be lower-case'],
    [{ name: 'ok', version: 'one' }, 'version must be a semantic version'],
    [{ name: 'ok', version: '1.0.0', dependsOn: 'customers' }, 'dependsOn must be a list'],
    [{ name: 'ok', version: '1.0.0', seed: 'yes' }, 'seed must be a function'],
  ])('refuses %j', (def, message) => {
    expect(() => checkDefinition(def, '/plugins/x')).toThrow(message);
  });
});
