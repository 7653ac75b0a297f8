import { FlowGraph } from './graph';
import type { FlowDefinition, FlowNode } from './types';

/** How an instance has gone through the nodes (absent: the bare definition). */
export interface NodeMarks {
  current: ReadonlySet<string>;
  completed: ReadonlySet<string>;
}

const W = 150;
const H = 44;
const GAP_X = 40;
const GAP_Y = 56;
const PAD = 24;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Layers by longest path from the start, ignoring edges that go back (returns, loops). */
function layers(graph: FlowGraph): Map<string, number> {
  const start = graph.start().key;
  const order: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const back = new Set<string>();
  const visit = (k: string) => {
    state.set(k, 'open');
    for (const e of graph.outgoing(k)) {
      if (!graph.nodes.has(e.to)) continue;
      const s = state.get(e.to);
      if (s === 'open') back.add(`${e.from}>${e.to}`);
      else if (!s) visit(e.to);
    }
    state.set(k, 'done');
    order.push(k);
  };
  visit(start);
  for (const k of graph.nodes.keys()) if (!state.has(k)) visit(k);
  const layer = new Map<string, number>();
  for (const k of order.reverse()) {
    if (!layer.has(k)) layer.set(k, 0);
    for (const e of graph.outgoing(k)) if (!back.has(`${e.from}>${e.to}`) && graph.nodes.has(e.to)) layer.set(e.to, Math.max(layer.get(e.to) ?? 0, layer.get(k)! + 1));
  }
  return layer;
}

function shape(n: FlowNode, x: number, y: number, style: string): string {
  const cx = x + W / 2;
  const cy = y + H / 2;
  switch (n.kind) {
    case 'start':
    case 'end':
      return `<ellipse cx="${cx}" cy="${cy}" rx="${W / 2}" ry="${H / 2}" ${style}/>`;
    case 'condition':
      return `<polygon points="${cx},${y} ${x + W},${cy} ${cx},${y + H} ${x},${cy}" ${style}/>`;
    case 'split':
    case 'join':
      return `<rect x="${x}" y="${y + H / 3}" width="${W}" height="${H / 3}" rx="3" ${style}/>`;
    default:
      return `<rect x="${x}" y="${y}" width="${W}" height="${H}" rx="8" ${style}/>`;
  }
}

/**
 * The graphical view of a definition as SVG, top to bottom: nodes by layer (longest path
 * from the start), edges as lines with arrows (edges that go back curve round the side),
 * condition labels on the edges. With marks, the instance's completed nodes are green and
 * its current nodes orange.
 */
export function flowSvg(def: FlowDefinition, marks?: NodeMarks): string {
  const graph = new FlowGraph(def);
  const layer = layers(graph);
  const rows = new Map<number, string[]>();
  for (const n of def.nodes) {
    const l = layer.get(n.key) ?? 0;
    if (!rows.has(l)) rows.set(l, []);
    rows.get(l)!.push(n.key);
  }
  const widest = Math.max(...[...rows.values()].map((r) => r.length));
  const width = PAD * 2 + widest * W + (widest - 1) * GAP_X;
  const height = PAD * 2 + rows.size * H + (rows.size - 1) * GAP_Y;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [l, keys] of rows) {
    const rowWidth = keys.length * W + (keys.length - 1) * GAP_X;
    keys.forEach((k, i) => pos.set(k, { x: (width - rowWidth) / 2 + i * (W + GAP_X), y: PAD + l * (H + GAP_Y) }));
  }
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width + 80}" height="${height}" viewBox="0 0 ${width + 80} ${height}" font-family="sans-serif" font-size="13">`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>');
  parts.push(`<title>${escape(def.label['zh-CN'])}</title>`);
  for (const e of def.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const down = (layer.get(e.to) ?? 0) > (layer.get(e.from) ?? 0);
    const label = e.label ?? e.when ?? (e.default ? 'else' : e.on === 'rejected' ? '驳回 rejected' : '');
    const cls = e.on === 'rejected' ? ' stroke-dasharray="5,4"' : '';
    if (down) {
      const x1 = a.x + W / 2;
      const y1 = a.y + H;
      const x2 = b.x + W / 2;
      const y2 = b.y;
      parts.push(`<line class="edge" data-from="${escape(e.from)}" data-to="${escape(e.to)}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#555"${cls} marker-end="url(#arrow)"/>`);
      if (label) parts.push(`<text x="${(x1 + x2) / 2 + 4}" y="${(y1 + y2) / 2}" fill="#555" font-size="11">${escape(label.slice(0, 40))}</text>`);
    } else {
      const x1 = a.x + W;
      const y1 = a.y + H / 2;
      const x2 = b.x + W;
      const y2 = b.y + H / 2;
      const bend = Math.max(x1, x2) + 40;
      parts.push(`<path class="edge back" data-from="${escape(e.from)}" data-to="${escape(e.to)}" d="M${x1},${y1} C${bend},${y1} ${bend},${y2} ${x2},${y2}" fill="none" stroke="#555"${cls} marker-end="url(#arrow)"/>`);
      if (label) parts.push(`<text x="${bend - 30}" y="${(y1 + y2) / 2}" fill="#555" font-size="11">${escape(label.slice(0, 40))}</text>`);
    }
  }
  for (const n of def.nodes) {
    const p = pos.get(n.key)!;
    const state = marks?.current.has(n.key) ? 'current' : marks?.completed.has(n.key) ? 'completed' : 'pending';
    const fill = state === 'current' ? '#ffe8b3' : state === 'completed' ? '#d4edda' : '#ffffff';
    const stroke = state === 'current' ? '#e08a00' : state === 'completed' ? '#2e7d32' : '#777';
    parts.push(`<g class="node ${state}" data-key="${escape(n.key)}" data-kind="${n.kind}">`);
    parts.push(shape(n, p.x, p.y, `fill="${fill}" stroke="${stroke}" stroke-width="${state === 'current' ? 3 : 1.5}"`));
    parts.push(`<text x="${p.x + W / 2}" y="${p.y + H / 2 + 4}" text-anchor="middle">${escape(n.name.slice(0, 18))}</text>`);
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n');
}
