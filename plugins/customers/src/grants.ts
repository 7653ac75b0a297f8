import type { GrantDef } from '@plinth/sdk';

/** Values only managers and the customer's own representative should see. */
const VALUE_FIELDS = ['annualIncomeBand', 'establishedValue', 'potentialValue'];

/**
 * Who may do what with customers:
 * - branch administrators: everything within their branch;
 * - department managers: their department and the units below it;
 * - sales representatives: their own customers (one-to-one service);
 * - service representatives: read customers of their department tree without the ID
 *   number and value figures, and correct contact details only;
 * - auditors: read and export everything.
 */
export const customerGrants: readonly GrantDef[] = [
  { role: 'branchAdmin', entity: 'customer', actions: ['read', 'create', 'update', 'delete', 'export', 'import'], scope: 'branch' },
  { role: 'departmentManager', entity: 'customer', actions: ['read', 'create', 'update', 'delete', 'export'], scope: 'departmentTree' },
  { role: 'salesRep', entity: 'customer', actions: ['read', 'create', 'update', 'export', 'import'], scope: 'own' },
  { role: 'serviceRep', entity: 'customer', actions: ['read'], scope: 'departmentTree', hiddenFields: ['idNumber', ...VALUE_FIELDS] },
  {
    role: 'serviceRep',
    entity: 'customer',
    actions: ['update'],
    scope: 'departmentTree',
    hiddenFields: ['idNumber', ...VALUE_FIELDS],
    readonlyFields: ['customerNo', 'name', 'kind', 'level', 'status', 'customerType', 'source', 'owner', 'department', 'idType', 'valueScore', 'policiesInForce'],
  },
  { role: 'auditor', entity: 'customer', actions: ['read', 'export'], scope: 'all' },
];
