import { definePlugin } from '@plinth/sdk';
import { customerGrants } from './grants';
import { customer } from './entities/customer';
import { text } from './i18n';
import { customerRoutes } from './routes';
import { seedCustomers } from './seed';

export { customer } from './entities/customer';
export { demoCustomers, type CustomerInput } from './demo';

export default definePlugin({
  name: 'customers',
  version: '1.0.0',
  label: text('客户管理', 'Customers', '客戶管理'),
  description: text(
    '个人及团体客户档案：身份、联系方式、分级分类与客户价值',
    'Individual and organisation customers: identity, contact points, classification and value',
    '個人及團體客戶檔案：身分、聯絡方式、分級分類與客戶價值',
  ),
  entities: [customer],
  grants: customerGrants,
  seed: seedCustomers,
  routes: customerRoutes,
});
