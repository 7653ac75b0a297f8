import { definePlugin, type EntityHooks, type GrantDef, type I18nText, type RoleDef } from '@plinth/sdk';
import { PLATFORM_VERSION } from '../app/version';
import { SYSTEM_ENTITIES } from './entities';

const t = (zh: string, en: string, tw: string): I18nText => ({ 'zh-CN': zh, en, 'zh-TW': tw });

/** The roles every installation has; plugins add their grants to them. */
export const BUILT_IN_ROLE_DEFS: readonly RoleDef[] = [
  { code: 'admin', label: t('系统管理员', 'System administrator', '系統管理員'), description: t('不受限制', 'Unrestricted', '不受限制') },
  { code: 'branchAdmin', label: t('分支机构管理员', 'Branch administrator', '分支機構管理員') },
  { code: 'departmentManager', label: t('部门经理', 'Department manager', '部門經理') },
  { code: 'salesRep', label: t('销售代表', 'Sales representative', '銷售代表') },
  { code: 'serviceRep', label: t('客服代表', 'Service representative', '客服代表') },
  { code: 'auditor', label: t('审计员（只读）', 'Auditor (read-only)', '稽核員（唯讀）') },
];

const EVERYONE = ['branchAdmin', 'departmentManager', 'salesRep', 'serviceRep', 'auditor'];

/**
 * Grants on the platform's own entities. Roles, grants and role assignments are written
 * by system administrators only, so nobody can raise their own rights.
 */
const SYSTEM_GRANTS: readonly GrantDef[] = [
  ...EVERYONE.map((role): GrantDef => ({ role, entity: 'user', actions: ['read'], scope: 'all' })),
  { role: 'branchAdmin', entity: 'user', actions: ['create', 'update', 'delete'], scope: 'branch', readonlyFields: ['isAdmin'] },
  ...['branchAdmin', 'auditor'].flatMap((role): GrantDef[] => [
    { role, entity: 'role', actions: ['read'], scope: 'all' },
    { role, entity: 'roleGrant', actions: ['read'], scope: 'all' },
    { role, entity: 'userRole', actions: ['read'], scope: 'all' },
    { role, entity: 'share', actions: ['read'], scope: 'all' },
    { role, entity: 'auditLog', actions: ['read'], scope: 'all' },
  ]),
];

/** The built-in plugin that declares users, roles, grants and shares. */
export function systemPlugin(onAccessChange: () => void) {
  const invalidate: EntityHooks = { afterCreate: onAccessChange, afterUpdate: onAccessChange, afterDelete: onAccessChange };
  return definePlugin({
    name: 'system',
    version: PLATFORM_VERSION,
    label: t('系统', 'System', '系統'),
    entities: SYSTEM_ENTITIES,
    roles: BUILT_IN_ROLE_DEFS,
    grants: SYSTEM_GRANTS,
    hooks: { user: invalidate, role: invalidate, roleGrant: invalidate, userRole: invalidate, share: invalidate },
  });
}
