import type { GrantDef } from '@plinth/sdk';

const ORG_ENTITIES = ['department', 'position', 'group', 'groupMember'];
const EVERYONE = ['branchAdmin', 'departmentManager', 'salesRep', 'serviceRep', 'auditor'];

/**
 * Everyone can read the organisation (it is the company's address book). Branch
 * administrators maintain the units, teams and people of their branch.
 */
export const orgGrants: readonly GrantDef[] = [
  ...EVERYONE.flatMap((role) => ORG_ENTITIES.map((entity): GrantDef => ({ role, entity, actions: ['read'], scope: 'all' }))),
  ...ORG_ENTITIES.map((entity): GrantDef => ({ role: 'branchAdmin', entity, actions: ['create', 'update', 'delete'], scope: 'branch' })),
  { role: 'departmentManager', entity: 'group', actions: ['create', 'update', 'delete'], scope: 'own' },
  { role: 'departmentManager', entity: 'groupMember', actions: ['create', 'update', 'delete'], scope: 'own' },
];
