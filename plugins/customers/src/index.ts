import { definePlugin } from '@plinth/sdk';
import { customerGrants } from './grants';
import { customer } from './entities/customer';
import { customerRoutes } from './routes';
import { seedCustomers } from './seed';

export { customer } from './entities/customer';
export { demoCustomers, type CustomerInput } from './demo';

/** Name, version, dependencies and entities agree with plugin.json, which also holds the label and menus. */
export default definePlugin({
  name: 'customers',
  version: '1.0.0',
  entities: [customer],
  grants: customerGrants,
  seed: seedCustomers,
  routes: customerRoutes,
});
