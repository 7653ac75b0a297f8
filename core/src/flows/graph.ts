import type { FlowDefinition, FlowEdge, FlowNode } from './types';

/** A definition's graph, indexed for the engine, the checks and the drawing. */
export class FlowGraph {
  readonly nodes = new Map<string, FlowNode>();
  private readonly out = new Map<string, FlowEdge[]>();
  private readonly into = new Map<string, FlowEdge[]>();

  constructor(readonly def: FlowDefinition) {
    for (const n of def.nodes) this.nodes.set(n.key, n);
    for (const e of def.edges) {
      if (!this.out.has(e.from)) this.out.set(e.from, []);
      if (!this.into.has(e.to)) this.into.set(e.to, []);
      this.out.get(e.from)!.push(e);
      this.into.get(e.to)!.push(e);
    }
  }

  node(key: string): FlowNode {
    const n = this.nodes.get(key);
    if (!n) throw new Error(`The flow ${this.def.code} has no node "${key}"`);
    return n;
  }

  start(): FlowNode {
    return this.def.nodes.find((n) => n.kind === 'start')!;
  }

  outgoing(key: string): FlowEdge[] {
    return this.out.get(key) ?? [];
  }

  incoming(key: string): FlowEdge[] {
    return this.into.get(key) ?? [];
  }

  /** Keys reachable from `from` (itself included) following edges forward (or backward). */
  reachable(from: string, backward = false, stopAt?: string): Set<string> {
    const seen = new Set<string>([from]);
    const queue = [from];
    while (queue.length) {
      const k = queue.shift()!;
      if (k === stopAt && k !== from) continue;
      for (const e of backward ? this.incoming(k) : this.outgoing(k)) {
        const next = backward ? e.from : e.to;
        if (!seen.has(next) && this.nodes.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return seen;
  }

  /** Whether `to` can be reached from `from` without passing through `stop`. */
  leadsTo(from: string, to: string): boolean {
    return this.reachable(from, false, to).has(to);
  }
}
