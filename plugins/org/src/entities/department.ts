import { defineEntity } from '@plinth/sdk';
import { option, text } from '../i18n';

export const UNIT_KINDS = [
  option('headquarters', '总部', 'Head office', '總部'),
  option('branch', '分公司', 'Branch', '分公司'),
  option('subsidiary', '子公司', 'Subsidiary', '子公司'),
  option('department', '部门', 'Department', '部門'),
  option('team', '小组', 'Team', '小組'),
] as const;

/** Units that start a branch: their subtree is the "branch" data scope. */
export const BRANCH_KINDS: readonly string[] = ['headquarters', 'branch', 'subsidiary'];

/**
 * One unit of the organisation tree: head office, branches and subsidiaries, and the
 * departments and teams under them. `path` holds the ids of all ancestors ("/1/4/"),
 * so a subtree is one indexed prefix query; hooks keep it right when units move.
 */
export const department = defineEntity({
  name: 'department',
  table: 'org_departments',
  label: text('部门', 'Department', '部門'),
  titleField: 'name',
  fields: {
    name: { type: 'string', label: text('名称', 'Name', '名稱'), required: true, length: 100 },
    code: { type: 'string', label: text('编码', 'Code', '編碼'), unique: true, length: 32, pattern: '^[A-Za-z0-9_-]+$' },
    kind: { type: 'enum', label: text('类型', 'Kind', '類型'), required: true, values: UNIT_KINDS, default: 'department' },
    parent: { type: 'reference', entity: 'department', label: text('上级部门', 'Parent', '上級部門'), onDelete: 'restrict' },
    path: { type: 'string', label: text('路径', 'Path', '路徑'), length: 500, readonly: true, index: true },
    manager: { type: 'reference', entity: 'user', label: text('负责人', 'Manager', '負責人'), onDelete: 'setNull' },
    sortOrder: { type: 'integer', label: text('排序', 'Order', '排序'), default: 0 },
    phone: { type: 'string', label: text('电话', 'Phone', '電話'), length: 32 },
    address: { type: 'string', label: text('地址', 'Address', '地址'), length: 300 },
    enabled: { type: 'boolean', label: text('启用', 'Enabled', '啟用'), default: true },
    children: { type: 'collection', entity: 'department', foreignKey: 'parent', label: text('下级部门', 'Sub-units', '下級部門') },
  },
});
