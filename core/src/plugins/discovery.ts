import fs from 'node:fs';
import path from 'node:path';
import type { PluginDef, PluginManifest } from '@plinth/sdk';
import { MANIFEST_FILE, readManifest, type Problem } from './manifest';
import { reservedPluralProblem } from '../meta/reserved';

/** A plugin cannot be loaded; the message names it and the reason. */
export class PluginError extends Error {
  constructor(
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
    this.name = 'PluginError';
  }
}

/** A plugin folder as found on disk: its manifest (checked) and where its code is. Nothing of it has run. */
export interface PluginPackage {
  /** Folder name under PLUGINS_DIR. */
  folder: string;
  dir: string;
  /** From plugin.json; the folder name when the manifest cannot be read. */
  name: string;
  manifest: PluginManifest | null;
  /** What is wrong with the manifest or the package; a plugin with problems is not loaded. */
  problems: Problem[];
  /** The file `require`d to load the code. */
  entry: string | null;
}

interface PackageJson {
  main?: string;
  plinth?: { source?: string };
}

const NAME = /^[a-z][a-z0-9-]{1,40}$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * Find the plugins in `dir` (one package per folder, with a plugin.json) without running
 * any of their code. `source` loads a plugin's TypeScript entry (`plinth.source` in its
 * package.json) instead of its build; tests use it.
 */
export function discoverPlugins(dir: string, options: { source?: boolean; only?: readonly string[] } = {}): PluginPackage[] {
  if (!fs.existsSync(dir)) throw new PluginError(`Plugins folder ${dir} does not exist (PLUGINS_DIR)`);
  const found: PluginPackage[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const pluginDir = path.join(dir, entry.name);
    // Follow symlinks: a plugin folder may be linked in from elsewhere.
    if (!fs.statSync(pluginDir).isDirectory()) continue;
    const pkgFile = path.join(pluginDir, 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    if (options.only && !options.only.includes(entry.name)) continue;
    const { manifest, problems } = readManifest(pluginDir);
    let entryFile: string | null = null;
    try {
      const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as PackageJson;
      entryFile = path.join(pluginDir, options.source && pkg.plinth?.source ? pkg.plinth.source : (pkg.main ?? 'index.js'));
      if (!fs.existsSync(entryFile)) problems.push({ field: 'package.json', rule: 'entry', message: `The code's entry ${entryFile} is missing (run "npm run build")` });
      // The real path: a folder linked to another version's code is another module.
      else entryFile = fs.realpathSync(entryFile);
    } catch (err) {
      problems.push({ field: 'package.json', rule: 'json', message: `package.json is not valid JSON: ${(err as Error).message}` });
    }
    found.push({ folder: entry.name, dir: pluginDir, name: manifest?.name ?? entry.name, manifest, problems, entry: entryFile });
  }
  const names = new Map<string, string>();
  for (const p of found) {
    if (p.name === 'system') throw new PluginError(`The plugin name "system" is reserved for the platform (folder ${p.folder})`);
    const other = names.get(p.name);
    if (other) throw new PluginError(`Two plugins are named "${p.name}" (folders ${other} and ${p.folder})`);
    names.set(p.name, p.folder);
  }
  return found;
}

/** The shape checks of the code's definition (its agreement with plugin.json comes after). */
export function checkDefinition(def: unknown, where: string): PluginDef {
  const d = def as Partial<PluginDef> | null;
  if (!d || typeof d !== 'object') throw new PluginError(`Plugin at ${where} does not export a plugin (use "export default definePlugin({...})")`);
  if (typeof d.name !== 'string' || !NAME.test(d.name)) throw new PluginError(`Plugin at ${where}: name must be lower-case letters, digits or "-" (got ${JSON.stringify(d.name)})`);
  if (typeof d.version !== 'string' || !SEMVER.test(d.version)) throw new PluginError(`Plugin "${d.name}": version must be a semantic version such as 1.2.0 (got ${JSON.stringify(d.version)})`);
  if (d.dependsOn !== undefined && (!Array.isArray(d.dependsOn) || !d.dependsOn.every((x) => typeof x === 'string'))) {
    throw new PluginError(`Plugin "${d.name}": dependsOn must be a list of plugin names`);
  }
  if (d.entities !== undefined && !Array.isArray(d.entities)) throw new PluginError(`Plugin "${d.name}": entities must be a list`);
  if (d.migrations !== undefined) {
    if (!Array.isArray(d.migrations)) throw new PluginError(`Plugin "${d.name}": migrations must be a list`);
    const seen = new Set<string>();
    for (const m of d.migrations as unknown[]) {
      const mig = m as { name?: unknown; up?: unknown } | null;
      if (!mig || typeof mig.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(mig.name) || typeof mig.up !== 'function') {
        throw new PluginError(`Plugin "${d.name}": each migration needs a name (letters, digits, _ . -) and an up function`);
      }
      if (seen.has(mig.name)) throw new PluginError(`Plugin "${d.name}": migration "${mig.name}" is declared twice`);
      seen.add(mig.name);
    }
  }
  for (const key of ['seed', 'routes'] as const) {
    if (d[key] !== undefined && typeof d[key] !== 'function') throw new PluginError(`Plugin "${d.name}": ${key} must be a function`);
  }
  return d as PluginDef;
}

function compare(field: string, code: readonly string[], manifest: readonly string[], problems: Problem[]): void {
  const inCode = code.filter((x) => !manifest.includes(x));
  const inManifest = manifest.filter((x) => !code.includes(x));
  const parts: string[] = [];
  if (inCode.length) parts.push(`the code declares ${inCode.join(', ')}, which ${MANIFEST_FILE} does not list`);
  if (inManifest.length) parts.push(`${MANIFEST_FILE} lists ${inManifest.join(', ')}, which the code does not declare`);
  if (parts.length) problems.push({ field, rule: 'mismatch', message: `${field}: ${parts.join('; ')}` });
}

/** Where the code and plugin.json disagree (name, version, dependencies, entities, roles, permissions). */
export function disagreements(def: PluginDef, m: PluginManifest): Problem[] {
  const problems: Problem[] = [];
  if (def.name !== m.name) problems.push({ field: 'name', rule: 'mismatch', message: `name: the code says "${def.name}", ${MANIFEST_FILE} "${m.name}"` });
  if (def.version !== m.version) problems.push({ field: 'version', rule: 'mismatch', message: `version: the code says ${def.version}, ${MANIFEST_FILE} ${m.version}` });
  const c = m.contributes ?? {};
  compare('dependencies', def.dependsOn ?? [], Object.keys(m.dependencies ?? {}), problems);
  compare('contributes.entities', (def.entities ?? []).map((e) => e.name), c.entities ?? [], problems);
  compare('contributes.extends', (def.extend ?? []).map((e) => e.entity), c.extends ?? [], problems);
  if (def.roles) compare('contributes.roles', def.roles.map((r) => r.code), (c.roles ?? []).map((r) => r.code), problems);
  if (def.actions) compare('contributes.permissions', def.actions.map((a) => `${a.entity}:${a.action}`), (c.permissions ?? []).map((p) => `${p.entity}:${p.action}`), problems);
  return problems;
}

/**
 * Run a plugin's code and check it against its manifest. The result is the code's
 * definition with what the manifest declares filled in (label, description, roles,
 * permissions); a disagreement refuses the plugin with a message naming each one.
 */
export function loadPlugin(pkg: PluginPackage): PluginDef {
  if (!pkg.manifest || pkg.problems.length || !pkg.entry) {
    throw new PluginError(`Plugin "${pkg.name}" cannot be loaded: ${pkg.problems.map((p) => p.message).join('; ')}`, pkg.problems);
  }
  let mod: { default?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(pkg.entry) as { default?: unknown };
  } catch (err) {
    const problem = { field: 'code', rule: 'load', message: `Loading ${pkg.entry} failed: ${(err as Error).message}` };
    throw new PluginError(`Plugin "${pkg.name}" cannot be loaded: ${problem.message}`, [problem]);
  }
  let def: PluginDef;
  try {
    def = checkDefinition(mod.default ?? mod, pkg.dir);
  } catch (err) {
    throw new PluginError((err as Error).message, [{ field: 'code', rule: 'definition', message: (err as Error).message }]);
  }
  const m = pkg.manifest;
  const problems = disagreements(def, m);
  if (problems.length) {
    throw new PluginError(`Plugin "${m.name}" is refused: its code and ${MANIFEST_FILE} disagree — ${problems.map((p) => p.message).join('; ')}`, problems);
  }
  const reserved = (def.entities ?? []).flatMap((e) => {
    const message = reservedPluralProblem(e.name, e.plural ?? `${e.name}s`);
    return message ? [{ field: `entities.${e.name}.plural`, rule: 'reserved', message }] : [];
  });
  if (reserved.length) throw new PluginError(`Plugin "${m.name}" is refused: ${reserved.map((p) => p.message).join('; ')}`, reserved);
  const c = m.contributes ?? {};
  return {
    ...def,
    label: m.label,
    description: m.description,
    roles: def.roles ?? c.roles,
    actions: def.actions ?? c.permissions,
  };
}
