import { definePlugin } from '@plinth/sdk';
import { contactGrants } from './grants';
import { contact, customerContacts } from './entities/contact';
import { seedContacts } from './seed';
import { text } from './i18n';

export { contact } from './entities/contact';
export { demoContacts, type ContactInput, type CustomerSummary } from './demo';

/** Name, version, dependencies and entities agree with plugin.json, which also holds the label and menus. */
export default definePlugin({
  name: 'contacts',
  version: '1.0.0',
  dependsOn: ['customers'],
  entities: [contact],
  // 关联菜单: a customer's page lists its contacts. Declared by the plugin of the listed
  // entity, which depends on customers: each plugin adds its own tab to the customer page.
  related: [{ key: 'contacts', entity: 'customer', target: 'contact', foreignKey: 'customer', label: text('联系人', 'Contacts', '聯絡人'), order: 10 }],
  extend: [customerContacts],
  grants: contactGrants,
  seed: seedContacts,
});
