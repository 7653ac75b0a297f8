import { defineEntity } from '@plinth/sdk';
import { text } from '../i18n';

/** A position (职务) with the position it reports to. */
export const position = defineEntity({
  name: 'position',
  table: 'org_positions',
  label: text('职务', 'Position', '職務'),
  titleField: 'name',
  fields: {
    name: { type: 'string', label: text('名称', 'Name', '名稱'), required: true, length: 100 },
    code: { type: 'string', label: text('编码', 'Code', '編碼'), unique: true, length: 32 },
    superior: { type: 'reference', entity: 'position', label: text('上级职务', 'Reports to', '上級職務'), onDelete: 'setNull' },
    level: { type: 'integer', label: text('职级', 'Grade', '職級'), min: 0, max: 99 },
    description: { type: 'text', label: text('职责', 'Duties', '職責'), maxLength: 2000 },
  },
});
