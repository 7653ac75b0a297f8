import semver from 'semver';
import type { PluginManifest } from '@plinth/sdk';
import type { Problem } from './manifest';

export interface GraphNode {
  name: string;
  manifest: PluginManifest | null;
  /** Problems found so far (manifest, package); a node with problems makes its dependents unavailable. */
  problems: readonly Problem[];
}

const satisfies = (version: string, range: string) => semver.satisfies(version, range, { includePrerelease: true });

/**
 * What the plugins present on disk say about each other, before any code runs: the
 * platform version each needs (`engines.plinth`), its dependencies (present, in the
 * version range), cycles, and — transitively — dependencies that cannot be loaded.
 * Returns the problems per plugin name (including the ones it came with).
 */
export function graphProblems(nodes: readonly GraphNode[], platformVersion: string): Map<string, Problem[]> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out = new Map(nodes.map((n) => [n.name, [...n.problems]]));
  for (const n of nodes) {
    const m = n.manifest;
    if (!m || n.problems.length) continue;
    const problems = out.get(n.name)!;
    if (!satisfies(platformVersion, m.engines.plinth)) {
      problems.push({ field: 'engines.plinth', rule: 'engine', message: `Plugin "${n.name}" needs Plinth ${m.engines.plinth}; this is Plinth ${platformVersion}` });
    }
    for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
      const target = byName.get(dep);
      if (!target) problems.push({ field: `dependencies.${dep}`, rule: 'missing', message: `Plugin "${n.name}" depends on "${dep}" (${range}), which is not present` });
      else if (target.manifest && !satisfies(target.manifest.version, range)) {
        problems.push({ field: `dependencies.${dep}`, rule: 'version', message: `Plugin "${n.name}" needs ${dep} ${range}; ${dep} ${target.manifest.version} is present` });
      }
    }
  }
  for (const cycle of cycles(nodes)) {
    const text = `Plugin dependency cycle: ${cycle.join(' → ')}`;
    for (const name of new Set(cycle)) out.get(name)!.push({ field: 'dependencies', rule: 'cycle', message: text });
  }
  // A plugin whose dependency cannot be loaded cannot be loaded either.
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of nodes) {
      const problems = out.get(n.name)!;
      for (const dep of Object.keys(n.manifest?.dependencies ?? {})) {
        const theirs = out.get(dep);
        if (!theirs?.length || problems.some((p) => p.field === `dependencies.${dep}`)) continue;
        problems.push({ field: `dependencies.${dep}`, rule: 'unavailable', message: `Plugin "${n.name}" depends on "${dep}", which cannot be loaded: ${theirs[0].message}` });
        changed = true;
      }
    }
  }
  return out;
}

/** Each dependency cycle once, starting from its alphabetically first member's visit. */
function cycles(nodes: readonly GraphNode[]): string[][] {
  const deps = new Map(nodes.map((n) => [n.name, Object.keys(n.manifest?.dependencies ?? {}).sort()]));
  const state = new Map<string, 'visiting' | 'done'>();
  const found: string[][] = [];
  const visit = (name: string, trail: string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      found.push([...trail.slice(trail.indexOf(name)), name]);
      return;
    }
    state.set(name, 'visiting');
    for (const dep of deps.get(name) ?? []) if (deps.has(dep)) visit(dep, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of [...deps.keys()].sort()) visit(name, []);
  return found;
}

/**
 * Order names so each comes after its dependencies (those among `names`; the rest are
 * ignored), ties by name. The graph must be free of cycles (`graphProblems` finds them).
 */
export function dependencyOrder(names: Iterable<string>, dependenciesOf: (name: string) => readonly string[]): string[] {
  const set = new Set(names);
  const out: string[] = [];
  const done = new Set<string>();
  const visit = (name: string, depth: number) => {
    if (done.has(name) || depth > set.size) return;
    for (const dep of [...dependenciesOf(name)].sort()) if (set.has(dep)) visit(dep, depth + 1);
    if (!done.has(name)) {
      done.add(name);
      out.push(name);
    }
  };
  for (const name of [...set].sort()) visit(name, 0);
  return out;
}
