import type { FormDefinition } from '@plinth/sdk';
import { formToEntities, formEntityNames } from '../../core/src/forms/entities';
import { formTemplate } from '../../core/src/forms';
import { MetaRegistry } from '../../core/src/meta/registry';
import { purchaseForm } from './fixtures';

const t = (en: string) => ({ 'zh-CN': en, en });

describe('formToEntities', () => {
  it('turns a data form into a header entity and a detail entity', () => {
    const [header, rows] = formToEntities(purchaseForm());
    expect(formEntityNames('purchaseTest')).toEqual({ header: 'formPurchaseTest', detail: 'formPurchaseTestDetail' });
    expect(header).toMatchObject({ name: 'formPurchaseTest', plural: 'formPurchaseTestRecords', table: 'form_purchase_test', customizable: false, titleField: 'title' });
    expect(header.fields).toEqual({
      title: { type: 'string', label: t('Title'), length: 100 },
      urgent: { type: 'boolean', label: t('Urgent') },
      urgentReason: { type: 'text', label: t('Why urgent') },
      lines: { type: 'collection', label: t('Lines'), entity: 'formPurchaseTestDetail', foreignKey: 'header' },
      total: { type: 'money', label: t('Total'), precision: 15, scale: 2, readonly: true },
      approvalNote: { type: 'string', label: t('Note'), length: 255 },
    });
    expect(rows).toMatchObject({ name: 'formPurchaseTestDetail', plural: 'formPurchaseTestDetailRecords', table: 'form_purchase_test_detail', indexes: [{ fields: ['header', 'rowNo'] }] });
    expect(rows.fields).toMatchObject({
      header: { type: 'reference', entity: 'formPurchaseTest', required: true, onDelete: 'cascade' },
      rowNo: { type: 'integer', required: true, min: 1 },
      item: { type: 'string' },
      qty: { type: 'decimal', precision: 15, scale: 2, min: 0.01 },
      price: { type: 'money', min: 0 },
      amount: { type: 'money', readonly: true },
    });
    // required-ness is the form's (conditional), never the column's
    expect(Object.entries(rows.fields).filter(([, f]) => (f as { required?: boolean }).required).map(([n]) => n)).toEqual(['header', 'rowNo']);
  });

  it('maps every field type to a stored field', () => {
    const def: FormDefinition = {
      code: 'allTypes',
      kind: 'data',
      label: t('All'),
      fields: [
        { name: 's', type: 'string', label: t('S'), pattern: '^[a-z]+$', format: 'email', unique: true },
        { name: 'x', type: 'text', label: t('X'), maxLength: 100 },
        { name: 'i', type: 'integer', label: t('I'), min: 1, max: 9, index: true },
        { name: 'd', type: 'decimal', label: t('D'), precision: 10, scale: 4 },
        { name: 'b', type: 'boolean', label: t('B') },
        { name: 'dt', type: 'date', label: t('Dt'), min: '2020-01-01' },
        { name: 'ts', type: 'datetime', label: t('Ts') },
        { name: 'e', type: 'enum', label: t('E'), values: [{ value: 'a', label: t('A') }], multiple: true },
        { name: 'dict', type: 'enum', label: t('Dict'), dictionary: 'regions' },
        { name: 'r', type: 'reference', label: t('R'), entity: 'customer' },
        { name: 'u', type: 'user', label: t('U') },
        { name: 'dep', type: 'department', label: t('Dep'), sensitive: true },
        { name: 'f', type: 'file', label: t('F'), multiple: true },
      ],
    };
    const [e] = formToEntities(def);
    expect(e.fields).toEqual({
      s: { type: 'string', label: t('S'), length: 255, pattern: '^[a-z]+$', format: 'email', unique: true },
      x: { type: 'text', label: t('X'), maxLength: 100 },
      i: { type: 'integer', label: t('I'), min: 1, max: 9, index: true },
      d: { type: 'decimal', label: t('D'), precision: 10, scale: 4 },
      b: { type: 'boolean', label: t('B') },
      dt: { type: 'date', label: t('Dt'), min: '2020-01-01' },
      ts: { type: 'datetime', label: t('Ts') },
      e: { type: 'enum', label: t('E'), values: [{ value: 'a', label: t('A') }], multiple: true },
      dict: { type: 'enum', label: t('Dict'), dictionary: 'regions' },
      r: { type: 'reference', label: t('R'), entity: 'customer', onDelete: 'restrict' },
      u: { type: 'reference', label: t('U'), entity: 'user', onDelete: 'restrict' },
      dep: { type: 'reference', label: t('Dep'), entity: 'department', onDelete: 'restrict', sensitive: true },
      f: { type: 'file', label: t('F'), multiple: true },
    });
    expect(formToEntities(def)).toHaveLength(1);
  });

  it('gives entities the metadata registry accepts, templates included', () => {
    const meta = new MetaRegistry();
    meta.add('test', { name: 'user', label: t('User'), fields: { name: { type: 'string', label: t('Name') } } });
    meta.add('test', { name: 'department', label: t('Dept'), fields: { name: { type: 'string', label: t('Name') } } });
    for (const code of ['expense', 'purchase', 'leave', 'assetBorrow']) {
      for (const e of formToEntities({ ...formTemplate(code)!, kind: 'data' })) meta.add('forms', e);
    }
    for (const e of formToEntities(purchaseForm())) meta.add('forms', e);
    expect(() => meta.validate()).not.toThrow();
    const expense = meta.get('formExpense')!;
    expect(expense.fields.get('lines')?.def).toMatchObject({ type: 'collection', entity: 'formExpenseDetail' });
    expect(meta.get('formExpenseDetail')!.fields.get('header')!.column).toBe('header_id');
    expect(meta.get('formLeave')!.fields.get('medicalCertificate')!.multiple).toBe(true);
  });
});
