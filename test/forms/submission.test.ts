import type { FormDefinition } from '@plinth/sdk';
import { processSubmission, formTemplate, listFormTemplates, validateFormDefinition, submissionSchema } from '../../core/src/forms';
import { purchaseForm } from './fixtures';

const t = (en: string) => ({ 'zh-CN': en, en });
const fields = (errors: { field: string; rule: string }[]) => errors.map((e) => ({ field: e.field, rule: e.rule }));

const line = (item: string, qty: number, price: number, extra: Record<string, unknown> = {}) => ({ item, qty, price, ...extra });

describe('processSubmission', () => {
  const def = purchaseForm();

  it('computes row and header formulas on the server and totals the detail table', () => {
    const r = processSubmission(def, { title: 'Paper', lines: [line('A4', 3, 19.99), line('Pens', 10, 0.1), line('Ink', 0.5, 0.05)] });
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({
      title: 'Paper',
      urgent: false,
      approvalNote: null,
      total: 61.0, // 59.97 + 1.00 + 0.03 (0.025 rounded half-up per line)
      lines: [
        { item: 'A4', qty: 3, price: 19.99, amount: 59.97 },
        { item: 'Pens', qty: 10, price: 0.1, amount: 1 },
        { item: 'Ink', qty: 0.5, price: 0.05, amount: 0.03 },
      ],
    });
    expect(r.totals).toEqual({ amount: 61 });
  });

  it('ignores values a client sends for computed fields', () => {
    const r = processSubmission(def, { title: 'x', total: 1, lines: [line('a', 2, 5, { amount: 999 })] });
    expect(r.errors).toEqual([]);
    expect(r.data.total).toBe(10);
    expect((r.data.lines as any[])[0].amount).toBe(10);
  });

  it('drops hidden fields and requires conditional ones only when their condition holds', () => {
    const hidden = processSubmission(def, { title: 'x', urgentReason: 'ignored', lines: [line('a', 1, 1)] });
    expect(hidden.errors).toEqual([]);
    expect(hidden.data).not.toHaveProperty('urgentReason');

    const missing = processSubmission(def, { title: 'x', urgent: true, lines: [line('a', 1, 1)] });
    expect(fields(missing.errors)).toEqual([{ field: 'urgentReason', rule: 'required' }]);

    const big = processSubmission(def, { title: 'x', lines: [line('server', 2, 6000)] });
    expect(fields(big.errors)).toEqual([{ field: 'approvalNote', rule: 'required' }]);
    expect(processSubmission(def, { title: 'x', approvalNote: 'budgeted', lines: [line('server', 2, 6000)] }).errors).toEqual([]);
  });

  it('reports errors of detail rows by row and column', () => {
    const r = processSubmission(def, {
      title: 'x',
      lines: [line('ok', 1, 1), { item: 'bad', qty: 'two', price: 1 }, { qty: 1, price: -5 }, { item: 'x', qty: 1, price: 1.234, colour: 'red' }],
    });
    expect(fields(r.errors)).toEqual(
      expect.arrayContaining([
        { field: 'lines[1].qty', rule: 'type' },
        { field: 'lines[2].price', rule: 'min' },
        { field: 'lines[3].price', rule: 'decimalScale' },
        { field: 'lines[3].colour', rule: 'unknown' },
        { field: 'lines[2].item', rule: 'required' },
      ]),
    );
    // a refused value is not reported again as missing
    expect(r.errors.filter((e) => e.field === 'lines[1].qty')).toHaveLength(1);
  });

  it('requires rows, refuses unknown fields and wrong types in the header', () => {
    const r = processSubmission(def, { title: 5, colour: 'red' });
    expect(fields(r.errors)).toEqual(
      expect.arrayContaining([
        { field: 'title', rule: 'type' },
        { field: 'colour', rule: 'unknown' },
        { field: 'lines', rule: 'minItems' },
      ]),
    );
    expect(fields(processSubmission(def, 'nope').errors)).toEqual([{ field: '(body)', rule: 'type' }]);
    expect(fields(processSubmission(def, { title: 'x', lines: 'nope' }).errors)).toEqual(
      expect.arrayContaining([
        { field: 'lines', rule: 'type' },
        { field: 'lines', rule: 'minItems' },
      ]),
    );
  });

  it('checks rules and computed values against their field', () => {
    const many = Array.from({ length: 51 }, (_, i) => line(`i${i}`, 1, 1));
    expect(fields(processSubmission(def, { title: 'x', lines: many }).errors)).toEqual([{ field: 'lines', rule: 'rule' }]);
    const huge = processSubmission(def, { title: 'x', approvalNote: 'y', lines: [line('a', 99999, 9999999999)] });
    expect(fields(huge.errors)).toEqual(expect.arrayContaining([{ field: 'lines[0].amount', rule: 'max' }]));
  });

  it('reports a formula that fails at run time on its field', () => {
    const d: FormDefinition = {
      code: 'ratio',
      kind: 'workflow',
      label: t('Ratio'),
      fields: [
        { name: 'a', type: 'decimal', label: t('A') },
        { name: 'b', type: 'decimal', label: t('B') },
        { name: 'ratio', type: 'decimal', label: t('Ratio'), scale: 4, formula: 'a / b' },
      ],
    };
    const r = processSubmission(d, { a: 1, b: 0 });
    expect(r.errors).toEqual([{ field: 'ratio', rule: 'formula', message: 'ratio: Division by zero (at 5)' }]);
    expect(processSubmission(d, { a: 1, b: 3 }).data.ratio).toBe(0.3333);
  });

  it('applies defaults, normalises date-times and checks dictionary codes', () => {
    const d: FormDefinition = {
      code: 'visit',
      kind: 'workflow',
      label: t('Visit'),
      fields: [
        { name: 'day', type: 'date', label: t('Day'), default: 'today' },
        { name: 'at', type: 'datetime', label: t('At') },
        { name: 'region', type: 'enum', label: t('Region'), dictionary: 'regions', multiple: true },
      ],
    };
    const options = { now: new Date('2026-01-31T17:00:00Z'), timeZone: 'Asia/Shanghai', dictionaries: (code: string) => (code === 'regions' ? ['east', 'north'] : undefined) };
    const r = processSubmission(d, { at: '2026-02-01T08:00:00+08:00', region: ['east'] }, options);
    expect(r).toMatchObject({ errors: [], data: { day: '2026-02-01', at: '2026-02-01T00:00:00.000Z', region: ['east'] } });
    expect(fields(processSubmission(d, { region: ['west'] }, options).errors)).toEqual([{ field: 'region', rule: 'enum' }]);
  });

  it('hides a whole detail table by condition', () => {
    const d: FormDefinition = {
      code: 'trip',
      kind: 'workflow',
      label: t('Trip'),
      fields: [
        { name: 'withCosts', type: 'boolean', label: t('With costs'), default: false },
        { name: 'costs', type: 'detail', label: t('Costs'), required: true, visibleWhen: 'withCosts', fields: [{ name: 'amount', type: 'money', label: t('Amount'), required: true }] },
        { name: 'total', type: 'money', label: t('Total'), formula: 'SUM(costs.amount)' },
      ],
    };
    expect(processSubmission(d, { costs: [{ amount: 5 }] })).toMatchObject({ errors: [], data: { withCosts: false, total: 0 } });
    expect(processSubmission(d, { costs: [{ amount: 5 }] }).data).not.toHaveProperty('costs');
    expect(processSubmission(d, { withCosts: true, costs: [{ amount: 5 }, { amount: 2.5 }] }).data).toEqual({ withCosts: true, costs: [{ amount: 5 }, { amount: 2.5 }], total: 7.5 });
    expect(fields(processSubmission(d, { withCosts: true }).errors)).toEqual([{ field: 'costs', rule: 'minItems' }]);
  });

  it('prefixes errors for grid entry and keeps row ids when asked', () => {
    const r = processSubmission(def, { title: 'x', lines: [{ id: 4, item: 'a', qty: 1, price: 1 }] }, { prefix: 'records[3]', rowIds: true });
    expect(r.errors).toEqual([]);
    expect((r.data.lines as any[])[0]).toEqual({ id: 4, item: 'a', qty: 1, price: 1, amount: 1 });
    const bad = processSubmission(def, { lines: [{ item: 'a', qty: 1 }] }, { prefix: 'records[3]' });
    expect(fields(bad.errors)).toEqual([
      { field: 'records[3].title', rule: 'required' },
      { field: 'records[3].lines[0].price', rule: 'required' },
    ]);
    expect(fields(processSubmission(def, { lines: [{ id: 4, item: 'a', qty: 1, price: 1 }] }).errors)).toEqual(expect.arrayContaining([{ field: 'lines[0].id', rule: 'unknown' }]));
  });

  it('treats a "__proto__" key as data, never as a prototype', () => {
    const input = JSON.parse('{"title": "x", "lines": [{"item": "a", "qty": 1, "price": 1, "__proto__": {"amount": 5}}]}');
    const r = processSubmission(def, input);
    expect(fields(r.errors)).toEqual([{ field: 'lines[0].__proto__', rule: 'unknown' }]);
    expect((r.data.lines as any[])[0].amount).toBe(1);
    expect(({} as any).amount).toBeUndefined();
  });

  it('derives a JSON schema with computed fields accepted and ignored', () => {
    const schema = submissionSchema(def) as any;
    expect(schema.properties.total).toEqual({});
    expect(schema.properties.lines.items.properties.qty).toMatchObject({ type: ['number', 'null'] });
  });
});

describe('form templates', () => {
  const samples: Record<string, Record<string, unknown>> = {
    leave: { leaveType: 'sick', startDate: '2026-03-02', endDate: '2026-03-03', medicalCertificate: [12] },
    expense: {
      title: '三月出差报销',
      advanceOffset: 500,
      payee: '张三',
      bankAccount: '6222 0000 1111 2222',
      lines: [
        { expenseDate: '2026-03-02', category: 'transport', amount: 553.5, receipts: 2 },
        { expenseDate: '2026-03-03', category: 'lodging', amount: 680 },
        { expenseDate: '2026-03-03', category: 'other', description: '资料打印', amount: 12.3 },
      ],
    },
    travel: { destination: '上海', purpose: '客户拜访', startDate: '2026-04-01', endDate: '2026-04-03', transport: ['train'], estimatedCost: 3000, needAdvance: true, advanceAmount: 2000 },
    purchase: { title: '办公用品', items: [{ itemName: '打印纸', unit: '箱', quantity: 3, unitPrice: 129.9 }, { itemName: '签字笔', unit: '盒', quantity: 10, unitPrice: 15.5 }] },
    overtime: { overtimeType: 'weekend', startTime: '2026-03-07T09:00:00+08:00', endTime: '2026-03-07T17:30:00+08:00', reason: '系统上线' },
    loan: { purpose: '出差借支', amount: 2000, expectedRepaymentDate: '2026-04-30', payee: '张三', bankAccount: '62220000111122223333' },
    assetBorrow: { purpose: '客户演示', expectedReturnDate: '2026-03-20', items: [{ assetName: '投影仪', assetNo: 'ZC-0012' }, { assetName: '笔记本电脑', quantity: 2 }] },
  };
  const options = { now: new Date('2026-03-10T02:00:00Z'), timeZone: 'Asia/Shanghai' };

  it('ships leave, expense, travel, purchase, overtime, loan and asset borrow', () => {
    expect(listFormTemplates().map((x) => x.code)).toEqual(['leave', 'expense', 'travel', 'purchase', 'overtime', 'loan', 'assetBorrow']);
  });

  it.each(Object.keys(samples))('%s is valid, labelled in zh-CN and en, and accepts a sample', (code) => {
    const def = formTemplate(code)!;
    expect(validateFormDefinition(def)).toEqual([]);
    const labels = [def.label, ...def.fields.flatMap((f) => [f.label, ...(f.type === 'detail' ? f.fields.map((c) => c.label) : [])])];
    for (const l of labels) expect(l['zh-CN'] && l.en).toBeTruthy();
    const r = processSubmission(def, samples[code], options);
    expect(r.errors).toEqual([]);
  });

  it('computes what the templates promise', () => {
    const run = (code: string) => processSubmission(formTemplate(code)!, samples[code], options).data;
    expect(run('leave')).toMatchObject({ days: 2 });
    expect(run('expense')).toMatchObject({ total: 1245.8, receiptCount: 4, payable: 745.8, payableInWords: '柒佰肆拾伍元捌角' });
    expect(run('travel')).toMatchObject({ days: 3 });
    expect(run('purchase')).toMatchObject({ total: 544.7, totalInWords: '伍佰肆拾肆元柒角' });
    expect(run('overtime')).toMatchObject({ hours: 8.5, compensation: 'timeOff', startTime: '2026-03-07T01:00:00.000Z' });
    expect(run('loan')).toMatchObject({ loanDate: '2026-03-10', amountInWords: '贰仟元整' });
    expect(run('assetBorrow')).toMatchObject({ borrowDate: '2026-03-10', days: 11, itemCount: 3 });
  });

  it('enforces the templates\' conditions and rules', () => {
    const leave = formTemplate('leave')!;
    const long = processSubmission(leave, { leaveType: 'annual', startDate: '2026-03-02', endDate: '2026-03-06' }, options);
    expect(fields(long.errors)).toEqual([{ field: 'reason', rule: 'required' }]);
    expect(long.data).not.toHaveProperty('medicalCertificate');
    const backwards = processSubmission(leave, { leaveType: 'personal', startDate: '2026-03-06', endDate: '2026-03-02' }, options);
    expect(backwards.errors).toEqual([{ field: 'endDate', rule: 'rule', message: 'The end date cannot be before the start date' }]);
    const zh = processSubmission(leave, { leaveType: 'personal', startDate: '2026-03-06', endDate: '2026-03-02' }, { ...options, language: 'zh-CN' });
    expect(zh.errors[0].message).toBe('结束日期不能早于开始日期');
    const expense = formTemplate('expense')!;
    const cash = processSubmission(expense, { ...samples.expense, paymentMethod: 'cash', advanceOffset: 2000 }, options);
    expect(fields(cash.errors)).toEqual([{ field: 'advanceOffset', rule: 'rule' }]);
    expect(cash.data).not.toHaveProperty('bankAccount');
  });
});
