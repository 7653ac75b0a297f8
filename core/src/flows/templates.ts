import type { FormDefinition } from '@plinth/sdk';
import { formTemplate } from '../forms/templates';
import { TEMPLATE_FORMS } from './template-forms';
import type { FlowDefinition, FlowEdge, FlowNode, HandlerSpec } from './types';

const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const start = (name = '申请'): FlowNode => ({ key: 'start', kind: 'start', name });
const end: FlowNode = { key: 'end', kind: 'end', name: '结束' };
const approval = (key: string, name: string, handlers: HandlerSpec[], extra: Partial<FlowNode> = {}): FlowNode => ({ key, kind: 'approval', name, handlers, onNobody: 'admin', ...extra });
const handle = (key: string, name: string, handlers: HandlerSpec[], extra: Partial<FlowNode> = {}): FlowNode => ({ key, kind: 'handle', name, handlers, onNobody: 'admin', ...extra });
const notify = (key: string, name: string, handlers: HandlerSpec[]): FlowNode => ({ key, kind: 'notify', name, handlers, onNobody: 'skip' });
const role = (...codes: string[]): HandlerSpec[] => [{ type: 'roles', codes }];
const superior: HandlerSpec[] = [{ type: 'superior' }];
const head: HandlerSpec[] = [{ type: 'departmentHead' }];
const initiator: HandlerSpec[] = [{ type: 'initiator' }];
/** A day's limit with a warning line at 16 hours and automatic urging when overdue. */
const day = { timeLimit: { minutes: 1440, warnMinutes: 960, onOverdue: 'urge' as const } };
const chain = (...keys: string[]): FlowEdge[] => keys.slice(1).map((k, i) => ({ from: keys[i], to: k }));

export interface FlowTemplate {
  definition: FlowDefinition;
  /** The form the flow is bound to, when it is not one of the platform's form templates. */
  form?: FormDefinition;
}

const FLOWS: FlowDefinition[] = [
  {
    code: 'leave', label: t('请假审批', 'Leave approval'), model: 'predefined', form: 'leave',
    description: t('申请人填表，主管批准，超过 3 天部门负责人批准，人事部备案（只读通知）', 'Superior approves; over 3 days the department head too; HR is notified'),
    nodes: [start(), approval('superior', '直接上级审批', superior, day), { key: 'long', kind: 'condition', name: '超过 3 天？' }, approval('head', '部门负责人审批', head), notify('hr', '人事部备案', role('hr')), end],
    edges: [...chain('start', 'superior', 'long'), { from: 'long', to: 'head', when: 'days > 3' }, { from: 'long', to: 'hr', default: true }, ...chain('head', 'hr', 'end')],
  },
  {
    code: 'travel', label: t('出差审批', 'Travel approval'), model: 'fixed', form: 'travel',
    nodes: [start(), approval('superior', '直接上级审批', superior, day), { key: 'costly', kind: 'condition', name: '费用超过 5000？' }, approval('head', '部门负责人审批', head), notify('finance', '财务备案', role('finance')), end],
    edges: [...chain('start', 'superior', 'costly'), { from: 'costly', to: 'head', when: 'estimatedCost > 5000' }, { from: 'costly', to: 'finance', default: true }, ...chain('head', 'finance', 'end')],
  },
  {
    code: 'expense', label: t('费用报销', 'Expense reimbursement'), model: 'fixed', form: 'expense',
    description: t('主管审批、财务审核，出纳登记付款', 'Superior, finance review, then the cashier registers the payment'),
    nodes: [start(), approval('superior', '直接上级审批', superior, day), approval('finance', '财务审核', role('finance')), handle('cashier', '出纳登记', role('cashier'), { report: true }), end],
    edges: chain('start', 'superior', 'finance', 'cashier', 'end'),
  },
  {
    code: 'purchase', label: t('采购审批', 'Purchase approval'), model: 'fixed', form: 'purchase', assign: { priority: 100 },
    nodes: [start(), approval('head', '部门负责人审批', head, day), { key: 'large', kind: 'condition', name: '金额超过 1 万？' }, approval('gm', '总经理审批', role('generalManager')), handle('buy', '采购执行', role('purchasing'), { report: true }), end],
    edges: [...chain('start', 'head', 'large'), { from: 'large', to: 'gm', when: 'total > 10000' }, { from: 'large', to: 'buy', default: true }, ...chain('gm', 'buy', 'end')],
  },
  {
    code: 'overtime', label: t('加班审批', 'Overtime approval'), model: 'fixed', form: 'overtime',
    nodes: [start(), approval('superior', '直接上级审批', superior, day), notify('hr', '人事部备案', role('hr')), end],
    edges: chain('start', 'superior', 'hr', 'end'),
  },
  {
    code: 'loan', label: t('借款审批', 'Loan'), model: 'fixed', form: 'loan',
    description: t('借款 → 审批 → 出纳付款 → 借款人归还 → 出纳确认', 'Borrow → approve → pay out → return → confirm'),
    nodes: [start(), approval('superior', '直接上级审批', superior, day), approval('finance', '财务审核', role('finance')), handle('payOut', '出纳付款', role('cashier')), handle('repay', '归还借款', initiator), handle('confirm', '出纳确认还款', role('cashier')), end],
    edges: chain('start', 'superior', 'finance', 'payOut', 'repay', 'confirm', 'end'),
  },
  {
    code: 'assetBorrow', label: t('资产借用', 'Asset borrowing'), model: 'fixed', form: 'assetBorrow',
    nodes: [start(), approval('head', '部门负责人审批', head), handle('handOut', '资产发放', role('assetAdmin')), handle('giveBack', '归还资产', initiator), handle('checkIn', '确认归还', role('assetAdmin')), end],
    edges: chain('start', 'head', 'handOut', 'giveBack', 'checkIn', 'end'),
  },
  {
    code: 'contractCountersign', label: t('合同会签', 'Contract countersign'), model: 'fixed', form: 'contractReview',
    description: t('法务、财务、部门负责人会签（全部同意），总经理签批', 'Legal, finance and the department head all agree; the general manager signs'),
    nodes: [start('起草'), approval('countersign', '会签', [...role('legal', 'finance'), ...head], { countersign: { mode: 'all' }, ...day }), approval('gm', '总经理签批', role('generalManager')), notify('archive', '归档通知', role('documentClerk')), end],
    edges: chain('start', 'countersign', 'gm', 'archive', 'end'),
  },
  {
    code: 'projectInitiation', label: t('立项审批', 'Project initiation'), model: 'fixed', form: 'projectInitiation',
    nodes: [start(), approval('head', '部门负责人审批', head), { key: 'big', kind: 'condition', name: '预算超过 10 万？' }, approval('committee', '立项评审（过半数通过）', role('projectCommittee'), { countersign: { mode: 'ratio', percent: 50 } }), notify('pmo', '项目管理办公室', role('pmo')), end],
    edges: [...chain('start', 'head', 'big'), { from: 'big', to: 'committee', when: 'budget > 100000' }, { from: 'big', to: 'pmo', default: true }, ...chain('committee', 'pmo', 'end')],
  },
  {
    code: 'delegatedTask', label: t('交办任务', 'Delegated task'), model: 'fixed', form: 'delegatedTask',
    description: t('两个节点：承办人办理并报告，交办人（上级）验收', 'Two nodes: the assignee does it and reports; the one who delegated checks it'),
    nodes: [start('交办'), handle('doIt', '承办', [{ type: 'field', field: 'assignee' }], { report: true, onNobody: 'error' }), approval('check', '交办人验收', initiator), end],
    edges: chain('start', 'doIt', 'check', 'end'),
  },
  {
    code: 'documentSend', label: t('发文', 'Outgoing document'), model: 'fixed', form: 'officialDocument', assign: { when: "direction == 'send'" },
    description: t('拟稿 → 审核 → 会签 → 签发 → 编号 → 分发（只读） → 归档，超时自动催办', 'Draft → review → countersign → sign-off → number → distribute → archive; overdue nodes are urged'),
    nodes: [
      start('拟稿'), approval('review', '部门审核', head, day), approval('countersign', '会签', role('documentCountersign'), { countersign: { mode: 'all' }, onNobody: 'skip', ...day }),
      approval('signOff', '签发', role('documentSigner'), day), handle('number', '编号', role('documentClerk')), notify('distribute', '分发', role('documentReaders')), handle('archive', '归档', role('documentClerk')), end,
    ],
    edges: chain('start', 'review', 'countersign', 'signOff', 'number', 'distribute', 'archive', 'end'),
  },
  {
    code: 'documentReceive', label: t('收文', 'Incoming document'), model: 'fixed', form: 'officialDocument', assign: { when: "direction == 'receive'" },
    nodes: [start('登记'), handle('propose', '拟办', role('documentClerk'), day), approval('instruct', '领导批示', role('documentSigner'), day), handle('handleIt', '承办', head, day), notify('distribute', '传阅', role('documentReaders')), handle('archive', '归档', role('documentClerk')), end],
    edges: chain('start', 'propose', 'instruct', 'handleIt', 'distribute', 'archive', 'end'),
  },
];

export function listFlowTemplates() {
  return FLOWS.map((f) => ({ code: f.code, label: f.label, description: f.description ?? null, model: f.model, form: f.form ?? null, entity: f.entity ?? null }));
}

/** A fresh copy of a template and the form it needs (a platform form template or one of the flow templates' own). */
export function flowTemplate(code: string): FlowTemplate | undefined {
  const def = FLOWS.find((f) => f.code === code);
  if (!def) return undefined;
  const copy = structuredClone(def);
  const form = def.form ? (formTemplate(def.form) ?? structuredClone(TEMPLATE_FORMS.find((f) => f.code === def.form))) : undefined;
  return { definition: copy, ...(form ? { form } : {}) };
}
