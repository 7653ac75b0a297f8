import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import semver from 'semver';
import { PLUGIN_MANIFEST_SCHEMA, type FieldError, type PluginManifest } from '@plinth/sdk';

export const MANIFEST_FILE = 'plugin.json';

/** What is wrong with a plugin, by manifest field: `{ field: 'engines.plinth', rule, message }`. */
export type Problem = FieldError;

const ajv = new Ajv({ allErrors: true, strict: false });
const validateSchema = ajv.compile<PluginManifest>(PLUGIN_MANIFEST_SCHEMA);

/** `/contributes/menus/0/key` → `contributes.menus[0].key` */
function fieldOf(e: ErrorObject): string {
  const parts = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') parts.push((e.params as { missingProperty: string }).missingProperty);
  if (e.keyword === 'additionalProperties') parts.push((e.params as { additionalProperty: string }).additionalProperty);
  if (e.keyword === 'propertyNames') parts.push((e.params as { propertyName: string }).propertyName);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(manifest)';
}

function schemaProblem(e: ErrorObject): Problem {
  const field = fieldOf(e);
  switch (e.keyword) {
    case 'required':
      return { field, rule: 'required', message: `${field} is required` };
    case 'additionalProperties':
      return { field, rule: 'unknown', message: `${field} is not a manifest field` };
    case 'propertyNames':
      return { field, rule: 'pattern', message: `${field}: plugin names are lower-case letters, digits or "-"` };
    case 'pattern':
      return { field, rule: 'pattern', message: `${field} must match ${(e.params as { pattern: string }).pattern}` };
    default:
      return { field, rule: e.keyword, message: `${field} ${e.message ?? 'is invalid'}` };
  }
}

/**
 * Everything checkable in a manifest alone: its shape (JSON Schema), then what a schema
 * cannot say — semantic versions and ranges, menu keys owned by the plugin, a settings
 * schema that compiles, files that exist.
 */
export function checkManifest(raw: unknown, dir?: string): { manifest: PluginManifest | null; problems: Problem[] } {
  if (!validateSchema(raw)) {
    const seen = new Set<string>();
    const problems = (validateSchema.errors ?? []).map(schemaProblem).filter((p) => !seen.has(`${p.field}|${p.rule}`) && seen.add(`${p.field}|${p.rule}`));
    return { manifest: null, problems };
  }
  const m = raw;
  const problems: Problem[] = [];
  if (!semver.valid(m.version)) problems.push({ field: 'version', rule: 'semver', message: `version must be a semantic version such as 1.2.0 (got "${m.version}")` });
  if (!semver.validRange(m.engines.plinth)) problems.push({ field: 'engines.plinth', rule: 'semver-range', message: `engines.plinth must be a semver range such as ^0.1.0 (got "${m.engines.plinth}")` });
  for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
    if (dep === m.name) problems.push({ field: `dependencies.${dep}`, rule: 'self', message: 'A plugin cannot depend on itself' });
    if (!semver.validRange(range)) problems.push({ field: `dependencies.${dep}`, rule: 'semver-range', message: `dependencies.${dep} must be a semver range such as ^1.0.0 (got "${range}")` });
  }
  const c = m.contributes ?? {};
  const keys = new Set<string>();
  (c.menus ?? []).forEach((menu, i) => {
    if (menu.key !== m.name && !menu.key.startsWith(`${m.name}.`)) {
      problems.push({ field: `contributes.menus[${i}].key`, rule: 'prefix', message: `Menu keys of plugin "${m.name}" are "${m.name}" or start with "${m.name}." (got "${menu.key}")` });
    }
    if (keys.has(menu.key)) problems.push({ field: `contributes.menus[${i}].key`, rule: 'unique', message: `Menu key "${menu.key}" is used twice` });
    keys.add(menu.key);
    if (menu.parent === menu.key) problems.push({ field: `contributes.menus[${i}].parent`, rule: 'self', message: 'A menu entry cannot be its own parent' });
    if (menu.action && !menu.entity) problems.push({ field: `contributes.menus[${i}].action`, rule: 'entity', message: 'action needs entity' });
  });
  const roles = new Set<string>();
  (c.roles ?? []).forEach((r, i) => {
    if (roles.has(r.code)) problems.push({ field: `contributes.roles[${i}].code`, rule: 'unique', message: `Role "${r.code}" is declared twice` });
    roles.add(r.code);
  });
  const actions = new Set<string>();
  (c.permissions ?? []).forEach((p, i) => {
    const key = `${p.entity}:${p.action}`;
    if (actions.has(key)) problems.push({ field: `contributes.permissions[${i}]`, rule: 'unique', message: `Permission ${key} is declared twice` });
    actions.add(key);
  });
  if (c.settings) {
    try {
      new Ajv({ allErrors: true, strict: false }).compile(c.settings);
    } catch (err) {
      problems.push({ field: 'contributes.settings', rule: 'schema', message: `contributes.settings is not a valid JSON Schema: ${(err as Error).message}` });
    }
  }
  if (dir) {
    for (const kind of ['forms', 'flows', 'portalBlocks'] as const) {
      (c[kind] ?? []).forEach((item, i) => {
        if (!item.file) return;
        const file = path.resolve(dir, item.file);
        if (!file.startsWith(path.resolve(dir) + path.sep) || !fs.existsSync(file)) {
          problems.push({ field: `contributes.${kind}[${i}].file`, rule: 'file', message: `${item.file} does not exist in the plugin folder` });
        }
      });
    }
  }
  return { manifest: m, problems };
}

/** Read and check `plugin.json` in `dir`. */
export function readManifest(dir: string): { manifest: PluginManifest | null; problems: Problem[] } {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) return { manifest: null, problems: [{ field: MANIFEST_FILE, rule: 'required', message: `${MANIFEST_FILE} is missing` }] };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return { manifest: null, problems: [{ field: MANIFEST_FILE, rule: 'json', message: `${MANIFEST_FILE} is not valid JSON: ${(err as Error).message}` }] };
  }
  return checkManifest(raw, dir);
}
