import type { FormDefinition } from '@plinth/sdk';
import { validateFormDefinition } from '../../core/src/forms';
import { purchaseForm } from './fixtures';

const t = (en: string) => ({ 'zh-CN': en, en });

const errorsOf = (def: unknown) => validateFormDefinition(def).map((e) => ({ field: e.field, rule: e.rule }));
const mutate = (fn: (d: any) => void): FormDefinition => {
  const d = purchaseForm();
  fn(d);
  return d;
};

describe('form definitions', () => {
  it('accepts a form with a detail table, formulas and conditions', () => {
    expect(validateFormDefinition(purchaseForm())).toEqual([]);
  });

  it.each([
    ['not an object', () => 42, [{ field: '(definition)', rule: 'type' }]],
    ['missing code', mutate((d) => delete d.code), [{ field: 'code', rule: 'required' }]],
    ['bad code', mutate((d) => (d.code = 'Bad-Code')), [{ field: 'code', rule: 'pattern' }]],
    ['unknown kind', mutate((d) => (d.kind = 'report')), [{ field: 'kind', rule: 'enum' }]],
    ['label without en', mutate((d) => (d.label = { 'zh-CN': '采购' })), [{ field: 'label.en', rule: 'required' }]],
    ['unknown field type', mutate((d) => (d.fields[1].type = 'colour')), [{ field: 'fields[1].type', rule: 'enum' }]],
    ['unknown property', mutate((d) => (d.fields[0].colour = 'red')), [{ field: 'fields[0].colour', rule: 'unknown' }]],
    ['property of another type', mutate((d) => (d.fields[1].length = 3)), [{ field: 'fields[1].length', rule: 'unknown' }]],
    ['bad field name', mutate((d) => (d.fields[0].name = 'Title')), [{ field: 'fields[0].name', rule: 'pattern' }]],
    ['reference without entity', mutate((d) => d.fields.push({ name: 'cust', type: 'reference', label: t('C') })), [{ field: 'fields[6].entity', rule: 'required' }]],
    ['detail inside the detail table', mutate((d) => d.fields[3].fields.push({ name: 'sub', type: 'detail', label: t('S'), fields: [] })), [{ field: 'fields[3].fields[4].type', rule: 'enum' }]],
  ])('refuses the structure: %s', (_title, def, expected) => {
    expect(errorsOf(typeof def === 'function' ? def() : def)).toEqual(expect.arrayContaining(expected));
  });

  it.each([
    ['duplicate names', mutate((d) => (d.fields[1].name = 'title')), [{ field: 'fields[1].name', rule: 'unique' }]],
    ['duplicate column names', mutate((d) => (d.fields[3].fields[1].name = 'item')), [{ field: 'fields[3].fields[1].name', rule: 'unique' }]],
    ['a system field name', mutate((d) => (d.fields[1].name = 'owner')), [{ field: 'fields[1].name', rule: 'reserved' }]],
    ['a reserved column name', mutate((d) => (d.fields[3].fields[0].name = 'rowNo')), [{ field: 'fields[3].fields[0].name', rule: 'reserved' }]],
    ['two detail tables', mutate((d) => d.fields.push({ name: 'more', type: 'detail', label: t('More'), fields: [{ name: 'x', type: 'string', label: t('X') }] })), [{ field: 'fields[6]', rule: 'detail' }]],
    ['a formula naming an unknown field', mutate((d) => (d.fields[3].fields[3].formula = 'qty * prise')), [{ field: 'fields[3].fields[3].formula', rule: 'expression' }]],
    ['a formula naming an unknown column', mutate((d) => (d.fields[4].formula = 'SUM(lines.amout)')), [{ field: 'fields[4].formula', rule: 'expression' }]],
    ['a formula of the wrong type', mutate((d) => (d.fields[4].formula = 'CONCAT(title, "!")')), [{ field: 'fields[4].formula', rule: 'expression' }]],
    ['a formula with a syntax error', mutate((d) => (d.fields[4].formula = 'SUM(lines.amount')), [{ field: 'fields[4].formula', rule: 'expression' }]],
    ['a condition that is not true/false', mutate((d) => (d.fields[2].visibleWhen = 'title')), [{ field: 'fields[2].visibleWhen', rule: 'expression' }]],
    ['a condition naming an unknown field', mutate((d) => (d.fields[5].requiredWhen = 'totl > 1')), [{ field: 'fields[5].requiredWhen', rule: 'expression' }]],
    ['a rule that is not a condition', mutate((d) => (d.rules[0].check = 'COUNT(lines)')), [{ field: 'rules[0].check', rule: 'expression' }]],
    ['a rule on an unknown field', mutate((d) => (d.rules[0].field = 'nothing')), [{ field: 'rules[0].field', rule: 'unknown' }]],
    ['a required formula', mutate((d) => (d.fields[4].required = true)), [{ field: 'fields[4].required', rule: 'conflict' }]],
    ['a total on a header field', mutate((d) => (d.fields[4].total = 'sum')), [{ field: 'fields[4].total', rule: 'detail-only' }]],
    ['a sum of text', mutate((d) => (d.fields[3].fields[0].total = 'sum')), [{ field: 'fields[3].fields[0].total', rule: 'type' }]],
    ['choices without options', mutate((d) => d.fields.push({ name: 'kind', type: 'enum', label: t('K') })), [{ field: 'fields[6].values', rule: 'required' }]],
    ['choices from both', mutate((d) => d.fields.push({ name: 'kind', type: 'enum', label: t('K'), dictionary: 'kinds', values: [{ value: 'a', label: t('A') }] })), [{ field: 'fields[6].dictionary', rule: 'conflict' }]],
    ['a repeated option', mutate((d) => d.fields.push({ name: 'kind', type: 'enum', label: t('K'), values: [{ value: 'a', label: t('A') }, { value: 'a', label: t('B') }] })), [{ field: 'fields[6].values[1].value', rule: 'unique' }]],
    ['a default that is not an option', mutate((d) => d.fields.push({ name: 'kind', type: 'enum', label: t('K'), default: 'z', values: [{ value: 'a', label: t('A') }] })), [{ field: 'fields[6].default', rule: 'enum' }]],
    ['min above max', mutate((d) => (d.fields[3].fields[1].max = 0)), [{ field: 'fields[3].fields[1].min', rule: 'range' }]],
    ['scale above precision', mutate((d) => (d.fields[3].fields[1].precision = 1)), [{ field: 'fields[3].fields[1].scale', rule: 'range' }]],
    ['a broken pattern', mutate((d) => (d.fields[0].pattern = '([a-z')), [{ field: 'fields[0].pattern', rule: 'pattern' }]],
    ['minRows above maxRows', mutate((d) => Object.assign(d.fields[3], { minRows: 5, maxRows: 2 })), [{ field: 'fields[3].minRows', rule: 'range' }]],
    ['a layout naming an unknown field', mutate((d) => (d.layout = { sections: [{ fields: ['title', 'nope'] }] })), [{ field: 'layout.sections[0].fields[1]', rule: 'unknown' }]],
    ['a field placed twice', mutate((d) => (d.layout = { sections: [{ fields: ['title'] }, { fields: [{ field: 'title', span: 1 }] }] })), [{ field: 'layout.sections[1].fields[0]', rule: 'unique' }]],
    ['a span wider than the section', mutate((d) => (d.layout = { sections: [{ columns: 2, fields: [{ field: 'title', span: 3 }] }] })), [{ field: 'layout.sections[0].fields[0].span', rule: 'range' }]],
    ['an unknown title field', mutate((d) => (d.titleField = 'nope')), [{ field: 'titleField', rule: 'unknown' }]],
  ])('refuses %s, naming the path', (_title, def, expected) => {
    expect(errorsOf(def)).toEqual(expect.arrayContaining(expected));
  });

  it('explains an expression error with its position and a suggestion', () => {
    const [e] = validateFormDefinition(mutate((d) => (d.fields[3].fields[3].formula = 'qty * prise')));
    expect(e.message).toBe('fields[3].fields[3].formula: Unknown name "prise"; did you mean "price"? (at 7)');
  });

  it.each([
    ['a column that computes from itself', (d: any) => (d.fields[3].fields[3].formula = 'amount * 2'), 'fields[3].fields[3].formula', 'lines.amount → lines.amount'],
    ['two header fields that compute from each other', (d: any) => {
      d.fields.push({ name: 'a', type: 'integer', label: t('A'), formula: 'b + 1' }, { name: 'b', type: 'integer', label: t('B'), formula: 'a + 1' });
    }, 'fields[6].formula', 'a → b → a'],
    ['a column computed from a header total of itself', (d: any) => (d.fields[3].fields[3].formula = 'qty * price + total'), 'fields[4].formula', 'total → lines.amount → total'],
    ['a field visible only when it is filled', (d: any) => (d.fields[5].visibleWhen = "approvalNote != ''"), 'fields[5].visibleWhen', 'approvalNote → approvalNote'],
  ])('refuses a cycle: %s', (_title, fn, field, cycle) => {
    const errors = validateFormDefinition(mutate(fn));
    expect(errors).toEqual([{ field, rule: 'cycle', message: `Circular reference: ${cycle}` }]);
  });

  it('checks references and dictionaries against what exists', () => {
    const def = mutate((d) => {
      d.fields.push({ name: 'customer', type: 'reference', entity: 'customer', label: t('C') });
      d.fields.push({ name: 'region', type: 'enum', dictionary: 'regions', label: t('R') });
    });
    expect(validateFormDefinition(def)).toEqual([]);
    const errors = validateFormDefinition(def, { entityExists: (n) => n === 'user', dictionaryExists: () => false });
    expect(errors.map((e) => [e.field, e.rule])).toEqual([
      ['fields[6].entity', 'reference'],
      ['fields[7].dictionary', 'reference'],
    ]);
  });

  it('lets a detail column read header fields, its own row first', () => {
    const def = mutate((d) => {
      d.fields.push({ name: 'discount', type: 'decimal', label: t('Discount'), scale: 2, default: 0 });
      d.fields[3].fields[3].formula = 'qty * price * (1 - COALESCE(discount, 0))';
    });
    expect(validateFormDefinition(def)).toEqual([]);
  });
});
