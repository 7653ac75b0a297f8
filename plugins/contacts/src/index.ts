import { definePlugin } from '@plinth/sdk';
import { contactGrants } from './grants';
import { contact } from './entities/contact';
import { text } from './i18n';
import { seedContacts } from './seed';

export { contact } from './entities/contact';
export { demoContacts, type ContactInput, type CustomerSummary } from './demo';

export default definePlugin({
  name: 'contacts',
  version: '1.0.0',
  label: text('联系人', 'Contacts', '聯絡人'),
  description: text('客户通讯录：家庭成员、紧急联系人及企业对接人', "Customers' address book: family, emergency and company contacts", '客戶通訊錄：家庭成員、緊急聯絡人及企業對接人'),
  dependsOn: ['customers'],
  entities: [contact],
  grants: contactGrants,
  seed: seedContacts,
});
