import { PlinthError, type FieldError } from '@plinth/sdk';
import type { ScriptRuntime, ScriptDefinition } from '../scripts/runtime';
import type { NewScriptVersion, StoredScript } from '../scripts/repository';
import { ScriptCompileError } from '../scripts/errors';
import { differences } from './format';
import type { ItemChange, PackageSection } from './packages';

const definitionOf = (s: StoredScript): Record<string, unknown> => ({
  kind: s.kind,
  target: s.target,
  language: s.language,
  source: s.source,
  capabilities: s.capabilities,
  limits: s.limits,
  serviceRole: s.serviceRole,
  description: s.description,
  enabled: s.enabled,
});

/**
 * Stored scripts in packages, keyed by name: the current version's source and settings.
 * Every incoming script is checked and compiled while planning (errors name the item and
 * carry line and column); applying stores a new version of each changed one.
 */
export function scriptSection(runtime: ScriptRuntime): PackageSection {
  return {
    name: 'scripts',
    // hooks, validations and subscribers name entities and fields: after the metadata and base data
    after: ['customFields', 'dictionaries', 'parameters'],
    async export() {
      return (await runtime.list()).map((s) => ({ key: s.name, data: definitionOf(s) }));
    },
    async plan(items) {
      const errors: FieldError[] = [];
      const changes: ItemChange[] = [];
      const prepared: NewScriptVersion[] = [];
      for (const [i, item] of items.entries()) {
        const at = `sections.scripts[${i}]`;
        let version: NewScriptVersion;
        try {
          version = runtime.prepare({ ...(item.data as unknown as ScriptDefinition), name: item.key });
        } catch (err) {
          if (err instanceof ScriptCompileError) {
            errors.push(...err.diagnostics.map((d) => ({ field: `${at}.data.source`, rule: 'compile', message: `Script ${item.key}, line ${d.line}, column ${d.column}: ${d.message}` })));
            continue;
          }
          if (err instanceof PlinthError) {
            errors.push(...err.errors.map((e) => ({ ...e, field: `${at}.data.${e.field}` })));
            continue;
          }
          throw err;
        }
        const current = await runtime.get(item.key);
        const incoming = definitionOf({ ...(current ?? {}), ...version, enabled: version.enabled ?? current?.enabled ?? true } as StoredScript);
        const diff = current ? differences(definitionOf(current), incoming) : undefined;
        changes.push({ section: 'scripts', key: item.key, action: !current ? 'create' : diff ? 'update' : 'unchanged', ...(diff ? { changes: diff } : {}) });
        if (!current || diff) prepared.push(version);
      }
      return {
        changes,
        errors,
        apply: async (tx) => {
          for (const v of prepared) await runtime.saveIn(tx, v, null);
        },
      };
    },
  };
}
