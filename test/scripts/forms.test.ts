import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const t = (en: string, zh = en) => ({ 'zh-CN': zh, en });

/** A data form with detail rows, a formula total, and a field computed by a script. */
const expenseForm = () => ({
  code: 'scriptedExpense',
  kind: 'data',
  label: t('Expense', '报销'),
  fields: [
    { name: 'title', type: 'string', label: t('Title'), required: true, length: 100 },
    { name: 'lines', type: 'detail', label: t('Lines'), fields: [
      { name: 'item', type: 'string', label: t('Item'), required: true },
      { name: 'amount', type: 'money', label: t('Amount'), required: true, min: 0 },
    ] },
    { name: 'total', type: 'money', label: t('Total'), formula: 'SUM(lines.amount)' },
    { name: 'level', type: 'string', label: t('Level'), length: 20, computedBy: 'expense-level' },
  ],
});

describeEachDatabase('validation and computed-field scripts on data form records', (db) => {
  let p: TestPlatform;
  const saveScript = async (def: Record<string, unknown>) => {
    const res = await p.api.post('/api/v1/scripts', { language: 'ts', ...def });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  };
  const counts = async () => [
    (await p.api.get('/api/v1/formScriptedExpenseRecords?count=true&limit=1')).body.meta.total as number,
    (await p.api.get('/api/v1/formScriptedExpenseDetailRecords?count=true&limit=1')).body.meta.total as number,
  ];
  const submit = (body: Record<string, unknown>) => p.api.post('/api/v1/forms/scriptedExpense/records', body);

  beforeAll(async () => {
    p = await startTestPlatform(db);
    await saveScript({
      name: 'expense-level',
      kind: 'computed',
      target: 'form:scriptedExpense.level',
      source: `export default function (input: ComputedInput) {
  const total = (input.record.total as number | null) ?? 0;
  const rows = (input.record.lines as unknown[]).length;
  return (total > 1000 ? 'high' : 'normal') + '/' + rows + (input.previous ? '/edited' : '');
}`,
    });
    await saveScript({
      name: 'expense-rules',
      kind: 'validation',
      target: 'form:scriptedExpense',
      source: `export default function (input: ValidationInput): ValidationResult {
  const lines = input.record.lines as { item: string; amount: number }[];
  const errors: ValidationIssue[] = [];
  lines.forEach((l, i) => { if (l.item === 'alcohol') errors.push({ field: 'lines[' + i + '].item', rule: 'forbidden', message: 'not reimbursed' }); });
  if (input.record.level === 'high/1') errors.push({ field: 'lines', message: 'a high expense needs more than one line' });
  return { errors };
}`,
    });
    await saveScript({
      name: 'expense-title',
      kind: 'validation',
      target: 'form:scriptedExpense.title',
      source: `export default function (input: ValidationInput, ctx: ScriptContext) {
  if (input.value === 'x') ctx.fail('Too short', [{ field: 'title', rule: 'length', message: 'at least two characters' }]);
}`,
    });
    const form = await p.api.post('/api/v1/forms', expenseForm());
    if (form.status !== 201) throw new Error(JSON.stringify(form.body));
  });
  afterAll(async () => p?.stop());

  it('computes the scripted field after the formulas and stores it; a value the client sends is ignored', async () => {
    const res = await submit({ title: 'Trip', level: 'forged', lines: [{ item: 'train', amount: 300 }, { item: 'hotel', amount: 900 }] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ total: 1200, level: 'high/2' });
    const updated = await p.api.patch(`/api/v1/forms/scriptedExpense/records/${res.body.id}`, { version: res.body.version, lines: [{ id: res.body.lines[0].id, item: 'train', amount: 300 }] });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ total: 300, level: 'normal/1/edited' });
    expect((await p.api.get(`/api/v1/formScriptedExpenseRecords/${res.body.id}`)).body.level).toBe('normal/1/edited');
  });

  it('validation scripts see header and rows; a rejection leaves neither header nor rows written', async () => {
    const before = await counts();
    const bad = await submit({ title: 'Party', lines: [{ item: 'food', amount: 10 }, { item: 'alcohol', amount: 20 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'lines[1].item', rule: 'script:expense-rules:forbidden', message: 'not reimbursed' }]);
    const high = await submit({ title: 'Laptop', lines: [{ item: 'laptop', amount: 5000 }] });
    expect(high.status).toBe(400);
    expect(high.body.errors).toEqual([{ field: 'lines', rule: 'script:expense-rules', message: 'a high expense needs more than one line' }]);
    const short = await submit({ title: 'x', lines: [{ item: 'pen', amount: 1 }] });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([{ field: 'title', rule: 'script:expense-title:length', message: 'at least two characters' }]);
    expect(await counts()).toEqual(before);

    // A grid of records is all or nothing; the error names the record.
    const grid = await p.api.post('/api/v1/forms/scriptedExpense/records/grid', { records: [{ title: 'ok', lines: [{ item: 'pen', amount: 1 }] }, { title: 'no', lines: [{ item: 'alcohol', amount: 1 }] }] });
    expect(grid.status).toBe(400);
    expect(grid.body.errors).toEqual([expect.objectContaining({ field: 'records[1].lines[0].item', rule: 'script:expense-rules:forbidden' })]);
    expect(await counts()).toEqual(before);
  });

  it('field validations run on updates only when the field is sent; the stored record stays as it was after a refusal', async () => {
    const rec = (await submit({ title: 'Books', lines: [{ item: 'book', amount: 40 }] })).body;
    const refused = await p.api.patch(`/api/v1/forms/scriptedExpense/records/${rec.id}`, { version: rec.version, title: 'x' });
    expect(refused.status).toBe(400);
    const refusedRows = await p.api.patch(`/api/v1/forms/scriptedExpense/records/${rec.id}`, { version: rec.version, lines: [{ item: 'alcohol', amount: 1 }] });
    expect(refusedRows.status).toBe(400);
    const stored = (await p.api.get(`/api/v1/forms/scriptedExpense/records/${rec.id}`)).body;
    expect(stored).toMatchObject({ title: 'Books', version: rec.version, lines: [expect.objectContaining({ item: 'book' })] });
  });

  it('a form definition may only compute data-form header fields by script', async () => {
    const res = await p.api.post('/api/v1/forms', {
      ...expenseForm(),
      code: 'badScripted',
      fields: [
        { name: 'title', type: 'string', label: t('Title'), computedBy: 'expense-level', formula: "'a'" },
        { name: 'lines', type: 'detail', label: t('Lines'), fields: [{ name: 'item', type: 'string', label: t('Item'), computedBy: 'expense-level' }] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'fields[0].computedBy', rule: 'conflict' }),
        expect.objectContaining({ field: 'fields[1].fields[0].computedBy', rule: 'not-applicable' }),
      ]),
    );
  });
});
