import type { GrantDef } from '@plinth/sdk';

/** Contacts follow the same lines as customers. */
export const contactGrants: readonly GrantDef[] = [
  { role: 'branchAdmin', entity: 'contact', actions: ['read', 'create', 'update', 'delete', 'export', 'import'], scope: 'branch' },
  { role: 'departmentManager', entity: 'contact', actions: ['read', 'create', 'update', 'delete', 'export'], scope: 'departmentTree' },
  { role: 'salesRep', entity: 'contact', actions: ['read', 'create', 'update', 'delete'], scope: 'own' },
  { role: 'serviceRep', entity: 'contact', actions: ['read', 'update'], scope: 'departmentTree' },
  { role: 'auditor', entity: 'contact', actions: ['read', 'export'], scope: 'all' },
];
