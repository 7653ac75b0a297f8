import { definePlugin, type EntityHooks, type GrantDef, type I18nText, type PluginManifest, type RoleDef } from '@plinth/sdk';
import { PLATFORM_VERSION } from '../app/version';
import { SYSTEM_ENTITIES } from './entities';
import { BASEDATA_ENTITIES } from './basedata';
import { seedBaseData } from '../basedata/seed';

const t = (zh: string, en: string, tw: string): I18nText => ({ 'zh-CN': zh, en, 'zh-TW': tw });

/** The roles every installation has; plugins add their grants to them. */
export const BUILT_IN_ROLE_DEFS: readonly RoleDef[] = [
  { code: 'admin', label: t('系统管理员', 'System administrator', '系統管理員'), description: t('不受限制', 'Unrestricted', '不受限制') },
  { code: 'branchAdmin', label: t('分支机构管理员', 'Branch administrator', '分支機構管理員') },
  { code: 'departmentManager', label: t('部门经理', 'Department manager', '部門經理') },
  { code: 'salesRep', label: t('销售代表', 'Sales representative', '銷售代表') },
  { code: 'serviceRep', label: t('客服代表', 'Service representative', '客服代表') },
  { code: 'auditor', label: t('审计员（只读）', 'Auditor (read-only)', '稽核員（唯讀）') },
  {
    code: 'everyone',
    label: t('所有登录用户', 'Everyone signed in', '所有登入使用者'),
    description: t('每个登录用户都具有，无需分配', 'Held by every signed-in user without being assigned', '每個登入使用者都具有，無需指派'),
  },
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
    { role, entity: 'relatedTab', actions: ['read'], scope: 'all' },
  ]),
  // Base data: everyone signed in reads dictionaries, categories and the parameters that
  // are not secret; only administrators (or roles they grant) write them.
  ...['dictionary', 'dictionaryItem', 'category', 'categoryAttribute'].map((entity): GrantDef => ({ role: 'everyone', entity, actions: ['read'], scope: 'all' })),
  { role: 'everyone', entity: 'parameter', actions: ['read'], scope: { filter: { secret: false } }, hiddenFields: ['secretValue'] },
  // The directory: everyone signed in finds active colleagues by name (to hand a task over,
  // pick a handler, read who did what) — without their contact details or settings.
  { role: 'everyone', entity: 'user', actions: ['read'], scope: { filter: { status: 'active' } }, hiddenFields: ['email', 'mobile', 'isAdmin', 'language', 'theme'] },
];

/**
 * The built-in plugin that declares users, roles, grants and shares, and the base data
 * every plugin uses: dictionaries, category trees and system parameters (their hooks and
 * caches are wired by core/src/basedata).
 */
export function systemPlugin(onAccessChange: () => void) {
  const invalidate: EntityHooks = { afterCreate: onAccessChange, afterUpdate: onAccessChange, afterDelete: onAccessChange };
  return definePlugin({
    name: 'system',
    version: PLATFORM_VERSION,
    label: t('系统', 'System', '系統'),
    entities: [...SYSTEM_ENTITIES, ...BASEDATA_ENTITIES],
    roles: BUILT_IN_ROLE_DEFS,
    grants: SYSTEM_GRANTS,
    hooks: { user: invalidate, role: invalidate, roleGrant: invalidate, userRole: invalidate, share: invalidate },
    seed: seedBaseData,
  });
}

/** The built-in plugin's manifest (it has no plugin.json): what the administration shows, and its menus. */
export const SYSTEM_MANIFEST: PluginManifest = {
  name: 'system',
  version: PLATFORM_VERSION,
  label: t('系统', 'System', '系統'),
  description: t('用户、角色、授权与操作日志', 'Users, roles, grants and the operation log', '使用者、角色、授權與操作日誌'),
  engines: { plinth: PLATFORM_VERSION },
  contributes: {
    entities: [...SYSTEM_ENTITIES, ...BASEDATA_ENTITIES].map((e) => e.name),
    roles: BUILT_IN_ROLE_DEFS,
    menus: [
      { key: 'system', label: t('系统管理', 'Administration', '系統管理'), order: 900, icon: 'settings' },
      // Everyone reads the directory; the menu entry is for those who manage users.
      { key: 'system.users', parent: 'system', label: t('用户', 'Users', '使用者'), order: 10, entity: 'user', action: 'update', path: '/users' },
      { key: 'system.roles', parent: 'system', label: t('角色', 'Roles', '角色'), order: 20, entity: 'role', path: '/roles' },
      { key: 'system.audit', parent: 'system', label: t('操作日志', 'Operation log', '操作日誌'), order: 30, entity: 'auditLog', path: '/audit' },
    ],
  },
};
