import { defineEntity, definePlugin, type CreateInput, type RecordOf } from '@plinth/sdk';

// These declarations are checked by `tsc -b` (part of `npm test`): the @ts-expect-error
// lines fail the build if the SDK stops catching the mistake below them.
const policy = defineEntity({
  name: 'policy',
  plural: 'policies',
  label: { 'zh-CN': '保单', en: 'Policy' },
  titleField: 'policyNo',
  fields: {
    policyNo: { type: 'string', label: { 'zh-CN': '保单号', en: 'Policy no.' }, required: true },
    premium: { type: 'money', label: { 'zh-CN': '保费', en: 'Premium' } },
    status: {
      type: 'enum',
      label: { 'zh-CN': '状态', en: 'Status' },
      values: [
        { value: 'applied', label: { 'zh-CN': '已投保', en: 'Applied' } },
        { value: 'inForce', label: { 'zh-CN': '有效', en: 'In force' } },
      ],
    },
    holder: { type: 'reference', entity: 'customer', label: { 'zh-CN': '投保人', en: 'Holder' }, required: true },
  },
  indexes: [{ fields: ['status', 'createdAt'] }],
});

defineEntity({
  name: 'broken',
  label: { 'zh-CN': 'x', en: 'x' },
  fields: { a: { type: 'string', label: { 'zh-CN': 'a', en: 'a' } } },
  // @ts-expect-error: index on a field the entity does not have
  indexes: [{ fields: ['nope'] }],
});

defineEntity({
  name: 'broken2',
  label: { 'zh-CN': 'x', en: 'x' },
  // @ts-expect-error: titleField must be one of the fields
  titleField: 'missing',
  fields: { a: { type: 'string', label: { 'zh-CN': 'a', en: 'a' } } },
});

defineEntity({
  name: 'broken3',
  label: { 'zh-CN': 'x', en: 'x' },
  // @ts-expect-error: unknown field type
  fields: { a: { type: 'strng', label: { 'zh-CN': 'a', en: 'a' } } },
});

const plugin = definePlugin({ name: 'policies', version: '1.0.0', entities: [policy] });

describe('SDK typings', () => {
  it('infer the record and create types of an entity', () => {
    const record: RecordOf<typeof policy> = { id: 1, version: 1, createdAt: '', createdBy: 1, updatedAt: '', updatedBy: 1, owner: null, department: null, policyNo: 'P1', premium: 10.5, status: 'inForce', holder: 3 };
    const input: CreateInput<typeof policy> = { policyNo: 'P2', holder: 1 };
    // @ts-expect-error: status only takes the declared values
    const bad: CreateInput<typeof policy> = { policyNo: 'P3', holder: 1, status: 'lapsed' };
    // @ts-expect-error: a required field is missing
    const missing: CreateInput<typeof policy> = { policyNo: 'P4' };
    expect([record.status, input.policyNo, bad.policyNo, missing.policyNo]).toEqual(['inForce', 'P2', 'P3', 'P4']);
    expect(plugin.entities[0].name).toBe('policy');
  });
});
