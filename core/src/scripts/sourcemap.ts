/**
 * Stack positions of a compiled script back to its source: the compiled JavaScript carries
 * TypeScript's inline source map; this decodes it (only on the error path) and rewrites the
 * `script:<name>.js:<line>:<column>` frames.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Per generated line: [generatedColumn, sourceLine, sourceColumn] segments, 0-based. */
export type LineMap = [number, number, number][][];

function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64_INDEX.get(ch);
    if (digit === undefined) return out;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** The line map of compiled JS with an inline source map, or null. */
export function lineMapOf(js: string): LineMap | null {
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(js);
  if (!m) return null;
  let mappings: string;
  try {
    mappings = (JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) as { mappings: string }).mappings;
  } catch {
    return null;
  }
  const lines: LineMap = [];
  let srcLine = 0;
  let srcCol = 0;
  for (const line of mappings.split(';')) {
    const segs: [number, number, number][] = [];
    let genCol = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const v = decodeVlq(seg);
      genCol += v[0] ?? 0;
      if (v.length >= 4) {
        srcLine += v[2];
        srcCol += v[3];
        segs.push([genCol, srcLine, srcCol]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

/** Source position (1-based) of a generated one (1-based), or null when unmapped. */
export function sourcePosition(map: LineMap, line: number, column: number): { line: number; column: number } | null {
  const segs = map[line - 1];
  if (!segs || !segs.length) return null;
  let best = segs[0];
  for (const s of segs) if (s[0] <= column - 1) best = s;
  return { line: best[1] + 1, column: best[2] + 1 + Math.max(0, column - 1 - best[0]) };
}

/** Rewrite the positions of `filename` frames in a stack to source positions. */
export function mapStack(stack: string, filename: string, map: LineMap): { stack: string; top: { line: number; column: number } | null } {
  let top: { line: number; column: number } | null = null;
  const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g');
  const out = stack.replace(re, (all, l: string, c: string) => {
    const p = sourcePosition(map, Number(l), Number(c));
    if (!p) return all;
    top ??= p;
    return `${filename.replace(/\.js$/, '')}:${p.line}:${p.column}`;
  });
  return { stack: out, top };
}
