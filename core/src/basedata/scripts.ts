import { NotFoundError, type I18nText, type ScriptDictionaryItem } from '@plinth/sdk';
import type { ScriptHostServices } from '../scripts/host';
import { byCode, listAll } from './read';
import { storedValue } from './parameters';

/**
 * `ctx.params.get` and `ctx.dictionaries.items` for scripts. Both read through the
 * script's data context: its actor's permissions (a secret parameter is as invisible to
 * a non-administrator's script as to them) and the caller's transaction.
 */
export const baseDataScriptServices: Required<Pick<ScriptHostServices, 'getParam' | 'getDictionaryItems'>> = {
  async getParam(code, data) {
    const parameter = await byCode(data, 'parameter', code);
    if (!parameter) throw new NotFoundError(`No parameter ${code}`);
    return storedValue(parameter);
  },

  async getDictionaryItems(code, data): Promise<ScriptDictionaryItem[]> {
    const dictionary = await byCode(data, 'dictionary', code);
    if (!dictionary) throw new NotFoundError(`No dictionary ${code}`);
    const items = await listAll(data.records('dictionaryItem'), { filter: { dictionary: dictionary.id }, sort: ['sortOrder', 'id'], fields: ['code', 'label', 'enabled', 'parent', 'color'] });
    const codeOf = new Map(items.map((i) => [i.id, String(i.code)]));
    return items
      .filter((i) => i.enabled === true)
      .map((i) => ({ code: String(i.code), label: i.label as I18nText, parent: i.parent === null ? null : (codeOf.get(i.parent as number) ?? null), color: (i.color as string | null) ?? null }));
  },
};
