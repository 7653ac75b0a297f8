import type { FormDefinition } from '@plinth/sdk';

const t = (en: string) => ({ 'zh-CN': en, en });

/** A purchase form: detail lines qty × price, header total, conditional fields, a rule. */
export function purchaseForm(): FormDefinition {
  return {
    code: 'purchaseTest',
    kind: 'data',
    label: t('Purchase'),
    fields: [
      { name: 'title', type: 'string', label: t('Title'), required: true, length: 100 },
      { name: 'urgent', type: 'boolean', label: t('Urgent'), default: false },
      { name: 'urgentReason', type: 'text', label: t('Why urgent'), visibleWhen: 'urgent', requiredWhen: 'urgent' },
      {
        name: 'lines',
        type: 'detail',
        label: t('Lines'),
        required: true,
        fields: [
          { name: 'item', type: 'string', label: t('Item'), required: true },
          { name: 'qty', type: 'decimal', label: t('Qty'), required: true, min: 0.01, scale: 2 },
          { name: 'price', type: 'money', label: t('Price'), required: true, min: 0 },
          { name: 'amount', type: 'money', label: t('Amount'), formula: 'qty * price', total: 'sum' },
        ],
      },
      { name: 'total', type: 'money', label: t('Total'), formula: 'SUM(lines.amount)' },
      { name: 'approvalNote', type: 'string', label: t('Note'), requiredWhen: 'total > 10000' },
    ],
    rules: [{ check: 'COUNT(lines) <= 50', field: 'lines', message: t('At most 50 lines') }],
  };
}
