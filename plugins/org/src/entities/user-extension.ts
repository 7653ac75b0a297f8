import type { EntityExtension } from '@plinth/sdk';
import { text } from '../i18n';

/** What the organisation adds to users. Their department is the user record's own `department`. */
export const userExtension: EntityExtension = {
  entity: 'user',
  fields: {
    employeeNo: { type: 'string', label: text('工号', 'Employee no.', '工號'), length: 32, unique: true },
    position: { type: 'reference', entity: 'position', label: text('职务', 'Position', '職務'), onDelete: 'setNull' },
    superior: { type: 'reference', entity: 'user', label: text('直接上级', 'Reports to', '直屬主管'), onDelete: 'setNull' },
    title: { type: 'string', label: text('职称', 'Title', '職稱'), length: 100 },
  },
};
