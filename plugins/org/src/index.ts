import { definePlugin } from '@plinth/sdk';
import { department } from './entities/department';
import { position } from './entities/position';
import { group, groupMember } from './entities/group';
import { userExtension } from './entities/user-extension';
import { departmentHooks } from './hooks';
import { organisationDirectory } from './directory';
import { orgGrants } from './grants';
import { seedOrganisation } from './seed';
import { text } from './i18n';

export { listAll } from './all';

export default definePlugin({
  name: 'org',
  version: '1.0.0',
  label: text('组织机构', 'Organisation', '組織機構'),
  description: text('总部、分支机构、部门、职务、群组与项目组', 'Head office, branches, departments, positions, groups and project teams', '總部、分支機構、部門、職務、群組與專案組'),
  entities: [department, position, group, groupMember],
  extend: [userExtension],
  hooks: { department: departmentHooks },
  grants: orgGrants,
  directory: organisationDirectory,
  seed: seedOrganisation,
});
