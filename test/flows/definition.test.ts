import { checkFlowDefinition } from '../../core/src/flows/definition';
import { flowTemplate, listFlowTemplates } from '../../core/src/flows/templates';
import { flowSvg } from '../../core/src/flows/svg';
import type { FlowDefinition } from '../../core/src/flows/types';

const label = { 'zh-CN': '测试', en: 'Test' };
const base = (nodes: unknown[], edges: unknown[], extra: Record<string, unknown> = {}) => ({ code: 'test', label, model: 'fixed', nodes, edges, ...extra });
const users = [{ type: 'users', ids: [1] }];
const errorsOf = (def: unknown) => checkFlowDefinition(def).errors.map((e) => [e.field, e.rule]);

describe('flow definition checks', () => {
  it('accepts a linear approval flow', () => {
    expect(checkFlowDefinition(base([{ key: 's', kind: 'start', name: 'S' }, { key: 'a', kind: 'approval', name: 'A', handlers: users }, { key: 'e', kind: 'end', name: 'E' }], [{ from: 's', to: 'a' }, { from: 'a', to: 'e' }])).errors).toEqual([]);
  });

  it('names the node that cannot be reached', () => {
    const res = checkFlowDefinition(base([{ key: 's', kind: 'start', name: 'S' }, { key: 'a', kind: 'approval', name: 'A', handlers: users }, { key: 'lost', kind: 'handle', name: 'L', handlers: users }, { key: 'e', kind: 'end', name: 'E' }], [{ from: 's', to: 'a' }, { from: 'a', to: 'e' }, { from: 'lost', to: 'e' }]));
    expect(res.errors).toEqual([{ field: 'nodes[2]', rule: 'unreachable', message: 'Node "lost" cannot be reached from the start' }]);
  });

  it('finds a cycle without exit and a dead end', () => {
    const res = errorsOf(base(
      [{ key: 's', kind: 'start', name: 'S' }, { key: 'c', kind: 'condition', name: 'C' }, { key: 'x', kind: 'handle', name: 'X', handlers: users }, { key: 'y', kind: 'handle', name: 'Y', handlers: users }, { key: 'e', kind: 'end', name: 'E' }],
      [{ from: 's', to: 'c' }, { from: 'c', to: 'x', when: 'true' }, { from: 'c', to: 'e', default: true }, { from: 'x', to: 'y' }, { from: 'y', to: 'x' }],
    ));
    expect(res).toEqual([['nodes[2]', 'no-exit'], ['nodes[3]', 'no-exit']]);
  });

  it('refuses a join without a split, and a split with one branch', () => {
    expect(errorsOf(base(
      [{ key: 's', kind: 'start', name: 'S' }, { key: 'c', kind: 'condition', name: 'C' }, { key: 'a', kind: 'handle', name: 'A', handlers: users }, { key: 'b', kind: 'handle', name: 'B', handlers: users }, { key: 'j', kind: 'join', name: 'J' }, { key: 'e', kind: 'end', name: 'E' }],
      [{ from: 's', to: 'c' }, { from: 'c', to: 'a', when: 'true' }, { from: 'c', to: 'b', default: true }, { from: 'a', to: 'j' }, { from: 'b', to: 'j' }, { from: 'j', to: 'e' }],
    ))).toEqual([['nodes[4]', 'join']]);
  });

  it('refuses people nodes without handlers, unknown edges, two starts, bad expressions and bad shapes', () => {
    expect(errorsOf(base([{ key: 's', kind: 'start', name: 'S' }, { key: 'a', kind: 'approval', name: 'A' }, { key: 'e', kind: 'end', name: 'E' }], [{ from: 's', to: 'a' }, { from: 'a', to: 'e' }]))).toEqual([['nodes[1].handlers', 'required']]);
    expect(errorsOf(base([{ key: 's', kind: 'start', name: 'S' }, { key: 'e', kind: 'end', name: 'E' }], [{ from: 's', to: 'nowhere' }]))).toEqual([['edges[0].to', 'reference']]);
    expect(errorsOf(base([{ key: 's', kind: 'start', name: 'S' }, { key: 't', kind: 'start', name: 'T' }, { key: 'e', kind: 'end', name: 'E' }], []))).toEqual([['nodes', 'start']]);
    const bad = checkFlowDefinition(base(
      [{ key: 's', kind: 'start', name: 'S' }, { key: 'c', kind: 'condition', name: 'C' }, { key: 'e', kind: 'end', name: 'E' }, { key: 'f', kind: 'end', name: 'F' }],
      [{ from: 's', to: 'c' }, { from: 'c', to: 'e', when: 'amount >' }, { from: 'c', to: 'f', default: true }],
    ));
    expect(bad.errors).toEqual([expect.objectContaining({ field: 'edges[1].when', rule: 'expression', message: expect.stringContaining('Node "c"') })]);
    expect(errorsOf({ ...base([], []), colour: 'red' })).toEqual(expect.arrayContaining([['colour', 'unknown']]));
    expect(errorsOf(base([{ key: 's', kind: 'start', name: 'S' }, { key: 'a', kind: 'warp', name: 'A' }], []))).toEqual(expect.arrayContaining([['nodes[1].kind', 'enum']]));
  });

  it('checks names against the bound form', () => {
    const form = { code: 'f', kind: 'workflow' as const, label, fields: [{ name: 'days', type: 'integer' as const, label }, { name: 'boss', type: 'user' as const, label }] };
    const def = base(
      [{ key: 's', kind: 'start', name: 'S' }, { key: 'c', kind: 'condition', name: 'C' }, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'field', field: 'boss' }] }, { key: 'b', kind: 'approval', name: 'B', handlers: [{ type: 'field', field: 'days' }] }, { key: 'e', kind: 'end', name: 'E' }],
      [{ from: 's', to: 'c' }, { from: 'c', to: 'a', when: 'dayz > 3' }, { from: 'c', to: 'b', default: true }, { from: 'a', to: 'e' }, { from: 'b', to: 'e' }],
      { form: 'f' },
    );
    expect(checkFlowDefinition(def, { form: (c) => (c === 'f' ? form : null) }).errors.map((e) => [e.field, e.rule])).toEqual([['edges[1].when', 'expression'], ['nodes[3].handlers[0].field', 'reference']]);
  });

  it('ships valid templates, and draws them', () => {
    expect(listFlowTemplates().map((t) => t.code)).toEqual(['leave', 'travel', 'expense', 'purchase', 'overtime', 'loan', 'assetBorrow', 'contractCountersign', 'projectInitiation', 'delegatedTask', 'documentSend', 'documentReceive']);
    for (const { code } of listFlowTemplates()) {
      const tpl = flowTemplate(code)!;
      expect([code, checkFlowDefinition(tpl.definition, { form: (c) => (c === tpl.form?.code ? tpl.form : null) }).errors]).toEqual([code, []]);
      const svg = flowSvg(tpl.definition as FlowDefinition, { current: new Set([tpl.definition.nodes[1].key]), completed: new Set(['start']) });
      expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg.match(/class="node /g)).toHaveLength(tpl.definition.nodes.length);
      expect(svg).toContain(`class="node current" data-key="${tpl.definition.nodes[1].key}"`);
    }
  });
});
