import { definePlugin } from '@plinth/sdk';
import { department } from './entities/department';
import { position } from './entities/position';
import { group, groupMember } from './entities/group';
import { userExtension } from './entities/user-extension';
import { departmentHooks } from './hooks';
import { organisationDirectory } from './directory';
import { orgGrants } from './grants';
import { seedOrganisation } from './seed';

export { listAll } from './all';

/** Name, version, dependencies and entities agree with plugin.json, which also holds the label and menus. */
export default definePlugin({
  name: 'org',
  version: '1.0.0',
  entities: [department, position, group, groupMember],
  extend: [userExtension],
  hooks: { department: departmentHooks },
  grants: orgGrants,
  directory: organisationDirectory,
  seed: seedOrganisation,
});
