import { defineEntity } from '@plinth/sdk';
import { option, text } from '../i18n';

/** Groups (群组) and project teams (项目组): sets of users that scopes and shares can name. */
export const group = defineEntity({
  name: 'group',
  table: 'org_groups',
  label: text('群组', 'Group', '群組'),
  titleField: 'name',
  fields: {
    name: { type: 'string', label: text('名称', 'Name', '名稱'), required: true, length: 100 },
    kind: {
      type: 'enum',
      label: text('类型', 'Kind', '類型'),
      required: true,
      default: 'group',
      values: [option('group', '群组', 'Group', '群組'), option('projectTeam', '项目组', 'Project team', '專案組')],
    },
    description: { type: 'text', label: text('说明', 'Description', '說明'), maxLength: 2000 },
    members: { type: 'collection', entity: 'groupMember', foreignKey: 'group', label: text('成员', 'Members', '成員') },
  },
});

export const groupMember = defineEntity({
  name: 'groupMember',
  table: 'org_group_members',
  label: text('群组成员', 'Group member', '群組成員'),
  fields: {
    group: { type: 'reference', entity: 'group', label: text('群组', 'Group', '群組'), required: true, onDelete: 'cascade' },
    user: { type: 'reference', entity: 'user', label: text('用户', 'User', '使用者'), required: true, onDelete: 'cascade' },
    role: { type: 'enum', label: text('角色', 'Role', '角色'), default: 'member', values: [option('leader', '负责人', 'Leader', '負責人'), option('member', '成员', 'Member', '成員')] },
  },
  indexes: [{ fields: ['group', 'user'], unique: true }],
});
