import type { FormDefinition, FormKind, I18nText } from '@plinth/sdk';
import leave from './templates/leave.json';
import expense from './templates/expense.json';
import travel from './templates/travel.json';
import purchase from './templates/purchase.json';
import overtime from './templates/overtime.json';
import loan from './templates/loan.json';
import assetBorrow from './templates/assetBorrow.json';

/**
 * The form templates the platform ships (definitions only; their flows come with the flow
 * engine): leave, expense reimbursement, travel, purchase, overtime, loan and asset
 * borrowing. Each is a complete definition an administrator creates a form from.
 */
const TEMPLATES: readonly FormDefinition[] = [leave, expense, travel, purchase, overtime, loan, assetBorrow] as unknown as FormDefinition[];

export interface FormTemplateSummary {
  code: string;
  kind: FormKind;
  label: I18nText;
  description: I18nText | null;
}

export function listFormTemplates(): FormTemplateSummary[] {
  return TEMPLATES.map((t) => ({ code: t.code, kind: t.kind, label: t.label, description: t.description ?? null }));
}

/** A fresh copy of a template's definition, or undefined. */
export function formTemplate(code: string): FormDefinition | undefined {
  const t = TEMPLATES.find((x) => x.code === code);
  return t ? (JSON.parse(JSON.stringify(t)) as FormDefinition) : undefined;
}
