import { defineEntity, type PluginDef, type RelatedTabDef } from '@plinth/sdk';
import { MetaRegistry } from '../../core/src/meta/registry';
import { declaredTabs } from '../../core/src/related/declared';

const label = { 'zh-CN': '名', en: 'Name' };
const customer = defineEntity({ name: 'customer', label, fields: { name: { type: 'string', label } } });
const contact = defineEntity({ name: 'contact', label, fields: { customer: { type: 'reference', entity: 'customer', label }, buddy: { type: 'reference', entity: 'contact', label } } });
const order = defineEntity({ name: 'order', label, fields: { customer: { type: 'reference', entity: 'customer', label }, note: { type: 'string', label } } });

/** customers ← contacts; orders depends on customers only; tabs go on `plugin`. */
function check(plugin: string, ...related: Partial<RelatedTabDef>[]) {
  const plugins: PluginDef[] = [
    { name: 'customers', version: '1.0.0', entities: [customer] },
    { name: 'contacts', version: '1.0.0', dependsOn: ['customers'], entities: [contact] },
    { name: 'orders', version: '1.0.0', dependsOn: ['customers'], entities: [order] },
  ].map((p) => (p.name === plugin ? { ...p, related: related as RelatedTabDef[] } : p));
  const meta = new MetaRegistry();
  for (const p of plugins) for (const e of p.entities ?? []) meta.add(p.name, e);
  return declaredTabs(plugins, meta);
}

const tab = (extra: Partial<RelatedTabDef> = {}): Partial<RelatedTabDef> => ({ key: 'contacts', entity: 'customer', target: 'contact', foreignKey: 'customer', ...extra });

describe('plugin-declared related tabs', () => {
  it('accepts a tab from the plugin of the target on an entity it depends on, with defaults', () => {
    expect(check('contacts', tab(), tab({ key: 'buddies', entity: 'contact', foreignKey: 'buddy', order: 5, label }))).toEqual([
      { key: 'contacts', entity: 'customer', target: 'contact', foreignKey: 'customer', label: null, order: 100, plugin: 'contacts' },
      { key: 'buddies', entity: 'contact', target: 'contact', foreignKey: 'buddy', label, order: 5, plugin: 'contacts' },
    ]);
  });

  it.each([
    [tab({ key: 'Contacts' }), 'key must be letters'],
    [tab({ key: undefined }), 'key must be letters'],
    [tab({ target: undefined }), 'target is required'],
    [tab({ entity: 'nothing' }), 'No entity "nothing"'],
    [tab({ target: 'nothing' }), 'No entity "nothing"'],
    [tab({ foreignKey: 'nothing' }), '"contact" has no field "nothing"'],
    [tab({ foreignKey: 'buddy' }), '"contact.buddy" is not a reference to "customer"'],
    [tab({ order: -1 }), 'order must be an integer'],
    [tab({ label: { en: 'x' } as never }), 'label needs zh-CN and en'],
  ])('refuses %j: %s', (def, message) => {
    expect(() => check('contacts', def)).toThrow(message);
  });

  it('refuses a tab joining a plugin the declaring plugin does not depend on', () => {
    // customers does not depend on contacts: its tab could outlive contacts
    expect(() => check('customers', tab())).toThrow('Plugin "customers": related tab "contacts": entity "contact" belongs to plugin "contacts", which "customers" does not depend on');
    // orders depends on customers, but lists contacts, which it does not depend on
    expect(() => check('orders', tab())).toThrow('which "orders" does not depend on');
    expect(check('orders', tab({ key: 'orders', target: 'order' }))).toHaveLength(1);
  });

  it('refuses two tabs with one key on one entity', () => {
    expect(() => check('contacts', tab(), tab({ foreignKey: 'customer' }))).toThrow('entity "customer" already has a tab "contacts" (plugin "contacts")');
  });
});
