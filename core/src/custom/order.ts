import { ValidationError, type FieldError } from '@plinth/sdk';

/** Display orders run from 0 to this (the overlay and custom-field schemas' bound). */
const MAX_ORDER = 1_000_000;

/** The indexes of a longest strictly increasing subsequence of `values`. */
function longestIncreasing(values: readonly number[]): Set<number> {
  const tails: number[] = [];
  const before: number[] = new Array(values.length).fill(-1);
  for (let i = 0; i < values.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[tails[mid]] < values[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) before[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const out = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = before[i]) out.add(i);
  return out;
}

/**
 * New display orders that put `wanted` (every field, in the order the administrator wants)
 * in that order, changing as few fields as possible: the longest run already in order
 * keeps its numbers, the others are placed between their neighbours; when two neighbours
 * leave no room, every field is renumbered 10, 20, 30 …. Returns only what changes.
 */
export function reorderedPositions(wanted: readonly string[], current: ReadonlyMap<string, number>): Map<string, number> {
  const values = wanted.map((n) => current.get(n)!);
  const keep = longestIncreasing(values);
  const next = new Map<string, number>();
  let fits = true;
  let i = 0;
  let previous = -1;
  while (i < wanted.length) {
    if (keep.has(i)) {
      previous = values[i];
      i++;
      continue;
    }
    let end = i;
    while (end < wanted.length && !keep.has(end)) end++;
    const count = end - i;
    const upper = end < wanted.length ? values[end] : Math.min(MAX_ORDER + 1, previous + 10 * (count + 1));
    const step = Math.floor((upper - previous) / (count + 1));
    if (step < 1) {
      fits = false;
      break;
    }
    for (let k = 0; k < count; k++) next.set(wanted[i + k], previous + step * (k + 1));
    i = end;
  }
  if (!fits) {
    next.clear();
    wanted.forEach((n, at) => next.set(n, (at + 1) * 10));
  }
  for (const [n, v] of [...next]) if (current.get(n) === v) next.delete(n);
  return next;
}

/** The field list of a reorder request: every name once, exactly the fields `known` lists. */
export function orderRequestErrors(body: unknown, known: readonly string[]): { fields: string[]; errors: FieldError[] } {
  const fields = (body as { fields?: unknown } | null)?.fields;
  if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string')) {
    return { fields: [], errors: [{ field: 'fields', rule: 'type', message: 'fields must be an array of field names' }] };
  }
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  fields.forEach((f: string, i) => {
    if (!known.includes(f)) errors.push({ field: `fields[${i}]`, rule: 'unknown', message: `${f} is not a field that can be ordered (system fields always come first)` });
    else if (seen.has(f)) errors.push({ field: `fields[${i}]`, rule: 'unique', message: `${f} is listed twice` });
    seen.add(f);
  });
  const missing = known.filter((k) => !seen.has(k));
  if (missing.length) errors.push({ field: 'fields', rule: 'required', message: `fields must list every field; missing: ${missing.join(', ')}` });
  return { fields: fields as string[], errors };
}

export function checkOrderRequest(body: unknown, known: readonly string[]): string[] {
  const { fields, errors } = orderRequestErrors(body, known);
  if (errors.length) throw new ValidationError(errors, 'The field order is invalid');
  return fields;
}
