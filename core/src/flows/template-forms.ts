import type { FormDefinition } from '@plinth/sdk';

const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/**
 * Workflow forms the flow templates need beyond the platform's form templates: contract
 * review, project initiation, delegated task (交办) and official document (公文). A flow
 * created from a template creates its form too when the form does not exist yet.
 */
export const TEMPLATE_FORMS: readonly FormDefinition[] = [
  {
    code: 'contractReview', kind: 'workflow', label: t('合同会签单', 'Contract countersign'),
    fields: [
      { name: 'contractNo', type: 'string', label: t('合同编号', 'Contract no.'), required: true, length: 64 },
      { name: 'title', type: 'string', label: t('合同名称', 'Title'), required: true },
      { name: 'counterparty', type: 'string', label: t('对方单位', 'Counterparty'), required: true },
      { name: 'amount', type: 'money', label: t('合同金额', 'Amount'), required: true, min: 0 },
      { name: 'summary', type: 'text', label: t('主要条款', 'Key terms'), maxLength: 4000 },
      { name: 'documents', type: 'file', label: t('合同文本', 'Documents'), multiple: true },
    ],
  },
  {
    code: 'projectInitiation', kind: 'workflow', label: t('立项申请', 'Project initiation'),
    fields: [
      { name: 'name', type: 'string', label: t('项目名称', 'Project'), required: true },
      { name: 'goal', type: 'text', label: t('项目目标', 'Goal'), required: true, maxLength: 4000 },
      { name: 'budget', type: 'money', label: t('预算', 'Budget'), required: true, min: 0 },
      { name: 'startDate', type: 'date', label: t('开始日期', 'Start'), required: true },
      { name: 'endDate', type: 'date', label: t('结束日期', 'End'), required: true },
      { name: 'manager', type: 'user', label: t('项目经理', 'Project manager') },
    ],
    rules: [{ check: 'endDate >= startDate', field: 'endDate', message: t('结束日期不能早于开始日期', 'The end cannot be before the start') }],
  },
  {
    code: 'delegatedTask', kind: 'workflow', label: t('交办任务', 'Delegated task'),
    fields: [
      { name: 'subject', type: 'string', label: t('任务', 'Task'), required: true },
      { name: 'detail', type: 'text', label: t('要求', 'Details'), maxLength: 4000 },
      { name: 'assignee', type: 'user', label: t('承办人', 'Assigned to'), required: true },
      { name: 'dueDate', type: 'date', label: t('完成期限', 'Due') },
    ],
  },
  {
    code: 'officialDocument', kind: 'workflow', label: t('公文', 'Official document'),
    fields: [
      { name: 'title', type: 'string', label: t('标题', 'Title'), required: true },
      { name: 'direction', type: 'enum', label: t('收发', 'Direction'), required: true, values: [{ value: 'send', label: t('发文', 'Outgoing') }, { value: 'receive', label: t('收文', 'Incoming') }] },
      { name: 'urgency', type: 'enum', label: t('缓急', 'Urgency'), default: 'normal', values: [{ value: 'normal', label: t('普通', 'Normal') }, { value: 'urgent', label: t('急件', 'Urgent') }] },
      { name: 'issuer', type: 'string', label: t('来文/发文单位', 'Issuer') },
      { name: 'documentNo', type: 'string', label: t('文号', 'Document no.'), length: 64 },
      { name: 'content', type: 'text', label: t('正文摘要', 'Summary'), maxLength: 8000 },
      { name: 'files', type: 'file', label: t('正文与附件', 'Files'), multiple: true },
    ],
  },
];
