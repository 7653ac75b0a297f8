import fs from 'node:fs';
import path from 'node:path';
import type { PluginDef } from '@plinth/sdk';

/** A plugin cannot be loaded; the message names it and the reason. */
export class PluginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginError';
  }
}

export interface LoadedPlugin {
  def: PluginDef;
  dir: string;
}

interface PackageJson {
  name?: string;
  main?: string;
  plinth?: { source?: string };
}

const NAME = /^[a-z][a-z0-9-]{1,40}$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Check the manifest part of a plugin before anything else uses it. */
export function checkManifest(def: unknown, where: string): PluginDef {
  const d = def as Partial<PluginDef> | null;
  if (!d || typeof d !== 'object') throw new PluginError(`Plugin at ${where} does not export a plugin (use "export default definePlugin({...})")`);
  if (typeof d.name !== 'string' || !NAME.test(d.name)) throw new PluginError(`Plugin at ${where}: name must be lower-case letters, digits or "-" (got ${JSON.stringify(d.name)})`);
  if (typeof d.version !== 'string' || !SEMVER.test(d.version)) throw new PluginError(`Plugin "${d.name}": version must be a semantic version such as 1.2.0 (got ${JSON.stringify(d.version)})`);
  if (d.dependsOn !== undefined && (!Array.isArray(d.dependsOn) || !d.dependsOn.every((x) => typeof x === 'string'))) {
    throw new PluginError(`Plugin "${d.name}": dependsOn must be a list of plugin names`);
  }
  if (d.entities !== undefined && !Array.isArray(d.entities)) throw new PluginError(`Plugin "${d.name}": entities must be a list`);
  for (const key of ['seed', 'routes'] as const) {
    if (d[key] !== undefined && typeof d[key] !== 'function') throw new PluginError(`Plugin "${d.name}": ${key} must be a function`);
  }
  return d as PluginDef;
}

/**
 * Find the plugins in `dir` (one package per folder). `source` loads a plugin's
 * TypeScript entry (`plinth.source` in its package.json) instead of its build; tests use it.
 */
export function discoverPlugins(dir: string, options: { source?: boolean; only?: readonly string[] } = {}): LoadedPlugin[] {
  if (!fs.existsSync(dir)) throw new PluginError(`Plugins folder ${dir} does not exist (PLUGINS_DIR)`);
  const found: LoadedPlugin[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const pluginDir = path.join(dir, entry.name);
    // Follow symlinks: a plugin folder may be linked in from elsewhere.
    if (!fs.statSync(pluginDir).isDirectory()) continue;
    const pkgFile = path.join(pluginDir, 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    if (options.only && !options.only.includes(entry.name)) continue;
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as PackageJson;
    const entryFile = path.join(pluginDir, options.source && pkg.plinth?.source ? pkg.plinth.source : (pkg.main ?? 'index.js'));
    if (!fs.existsSync(entryFile)) throw new PluginError(`Plugin in ${pluginDir}: entry ${entryFile} is missing (run "npm run build")`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(entryFile) as { default?: unknown };
    found.push({ def: checkManifest(mod.default ?? mod, pluginDir), dir: pluginDir });
  }
  const names = new Set<string>();
  for (const p of found) {
    if (names.has(p.def.name)) throw new PluginError(`Two plugins are named "${p.def.name}"`);
    names.add(p.def.name);
  }
  return found;
}
