import { PluginError } from './discovery';

interface Node {
  name: string;
  dependsOn?: readonly string[];
}

/**
 * Order plugins so that each comes after what it depends on. Ties keep name order,
 * so the result is stable. A missing dependency or a cycle stops with a message naming them.
 */
export function orderByDependencies<T extends Node>(plugins: readonly T[]): T[] {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  for (const p of plugins) {
    for (const dep of p.dependsOn ?? []) {
      if (!byName.has(dep)) throw new PluginError(`Plugin "${p.name}" depends on "${dep}", which is not installed`);
    }
  }
  const ordered: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: T, trail: string[]) => {
    const s = state.get(p.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(p.name)), p.name];
      throw new PluginError(`Plugin dependency cycle: ${cycle.join(' → ')}`);
    }
    state.set(p.name, 'visiting');
    for (const dep of [...(p.dependsOn ?? [])].sort()) visit(byName.get(dep)!, [...trail, p.name]);
    state.set(p.name, 'done');
    ordered.push(p);
  };
  for (const p of [...plugins].sort((a, b) => a.name.localeCompare(b.name))) visit(p, []);
  return ordered;
}
