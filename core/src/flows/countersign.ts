import type { CountersignMode } from './types';

/** How the handlers of one node visit have decided so far. */
export interface VoteCounts {
  total: number;
  agreed: number;
  rejected: number;
}

export type NodeVerdict = 'approved' | 'rejected' | 'pending';

/**
 * The countersign (会签) decision: a pure function of the task counts.
 *
 * - `any` (或签): the first decision decides — one agree approves, one reject rejects.
 * - `all`: every handler must agree; the first reject rejects.
 * - `ratio`: approved as soon as `agreed / total ≥ percent %` (reaching the share exactly
 *   counts: 2 of 4 at 50 % approves); rejected as soon as that share can no longer be
 *   reached (`(total − rejected) / total < percent %`). A tie at exactly the share approves.
 * - `sequential`: handlers decide one after another; the first reject rejects, the last
 *   agree approves (the order is the engine's business: it opens one task at a time).
 *
 * With no handlers (`total` 0) the node is approved: nobody objects.
 */
export function decide(mode: CountersignMode, counts: VoteCounts, percent = 100): NodeVerdict {
  const { total, agreed, rejected } = counts;
  if (total <= 0) return 'approved';
  switch (mode) {
    case 'any':
      if (agreed > 0) return 'approved';
      if (rejected > 0) return 'rejected';
      return 'pending';
    case 'all':
    case 'sequential':
      if (rejected > 0) return 'rejected';
      if (agreed >= total) return 'approved';
      return 'pending';
    case 'ratio': {
      // integers only: agreed/total >= percent/100  ⇔  agreed*100 >= percent*total
      if (agreed * 100 >= percent * total) return 'approved';
      if ((total - rejected) * 100 < percent * total) return 'rejected';
      return 'pending';
    }
  }
}
