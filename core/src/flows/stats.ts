import type { Executor } from '../data/database';
import { fromDbDateTime } from '../data/codec';

export interface DurationStats {
  count: number;
  /** Milliseconds. */
  avg: number | null;
  p90: number | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function durations(values: number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, avg: sorted.length ? Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length) : null, p90: percentile(sorted, 90) };
}

const ms = (v: unknown) => Date.parse(fromDbDateTime(v) ?? '');

/**
 * Efficiency statistics of a flow (WF-10): instances by status and how long finished ones
 * took; per node: visits, how long a visit took (count, average, p90), and the overdue
 * rate of visits with a time limit (closed after the overdue line, or still open past it).
 */
export async function flowStatistics(db: Executor, code: string, now = Date.now()) {
  const instances = await db.all<Record<string, unknown>>('SELECT status, started_at, ended_at FROM plinth_flow_instances WHERE definition_code = ?', [code]);
  const byStatus: Record<string, number> = {};
  for (const r of instances) byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1;
  const finished = instances.filter((r) => r.ended_at).map((r) => ms(r.ended_at) - ms(r.started_at));
  const rows = await db.all<Record<string, unknown>>("SELECT node_key, name, kind, status, entered_at, left_at, due_at FROM plinth_flow_nodes WHERE definition_code = ? AND kind IN ('approval', 'handle', 'subflow')", [code]);
  const nodes = new Map<string, { key: string; name: string; kind: string; visits: number; open: number; took: number[]; limited: number; overdue: number }>();
  for (const r of rows) {
    const key = String(r.node_key);
    let s = nodes.get(key);
    if (!s) nodes.set(key, (s = { key, name: String(r.name), kind: String(r.kind), visits: 0, open: 0, took: [], limited: 0, overdue: 0 }));
    s.visits++;
    const left = r.left_at ? ms(r.left_at) : null;
    if (left === null) s.open++;
    else if (r.status === 'completed') s.took.push(left - ms(r.entered_at));
    if (r.due_at) {
      s.limited++;
      if ((left ?? now) > ms(r.due_at)) s.overdue++;
    }
  }
  return {
    flow: code,
    instances: { total: instances.length, byStatus, duration: durations(finished) },
    nodes: [...nodes.values()].map((s) => ({ key: s.key, name: s.name, kind: s.kind, visits: s.visits, open: s.open, duration: durations(s.took), overdueRate: s.limited ? s.overdue / s.limited : null })),
  };
}
