import type { Context } from 'koa';
import type { AnyRecord, I18nText } from '@plinth/sdk';
import { textIn, type Language } from '../../i18n';
import type { DictionaryItems } from '../../fields';
import { enter, enumOptions, readAll, sendAdmin, type AdminDeps } from './common';

/** How the page edits a parameter's value, by its type. */
const EDITORS: Record<string, string> = { string: 'text', integer: 'integer', number: 'number', boolean: 'boolean', date: 'date', json: 'json', enum: 'enum' };

/** The choices of an enum parameter: its own options, or its dictionary's enabled items. */
function choicesOf(p: AnyRecord, lang: Language, dictionaries: DictionaryItems): { value: string; label: string }[] {
  if (Array.isArray(p.options)) return (p.options as { value: string; label: I18nText }[]).map((o) => ({ value: o.value, label: textIn(o.label, lang) }));
  if (typeof p.dictionary === 'string') return (dictionaries(p.dictionary) ?? []).filter((i) => i.enabled).map((i) => ({ value: i.code, label: textIn(i.label, lang) }));
  return [];
}

/** A value as the editor's text: JSON pretty-printed, numbers and dates as they are. */
function editorText(type: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (type === 'json') return JSON.stringify(value, null, 2);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * /admin/parameters — the system parameters (参数设置) by group, each with an editor for
 * its type. Saving is `PATCH /api/v1/parameters/{id}` with the version, so the server
 * checks the value against the type and refuses a stale save (409) like a record form.
 */
export async function parametersPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'parameters');
  const { ws } = deps;
  const store = ws.deps.store();
  const lang = (await ws.viewer(ctx)).lang;
  const service = store.service('parameter', actor);
  const rows = (await readAll(service, { fields: ['id', 'version', 'code', 'group', 'label', 'description', 'type', 'options', 'dictionary', 'value', 'secret'] })).sort(
    (a, b) => String(a.group).localeCompare(String(b.group)) || String(a.code).localeCompare(String(b.code)),
  );
  const typeLabels = new Map(enumOptions(service, 'type', lang).map((o) => [o.value, o.label]));
  const canUpdate = await service.can('update');
  const groups = new Map<string, AnyRecord[]>();
  for (const p of rows) groups.set(String(p.group), [...(groups.get(String(p.group)) ?? []), p]);
  const title = await ws.t(ctx, 'admin.parameters.title');
  await sendAdmin(ctx, deps, {
    page: 'parameters',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/admin-parameters.js'],
    client: { parameters: rows.map((p) => ({ id: p.id, version: p.version, code: p.code, type: p.type, secret: p.secret === true, value: p.secret === true ? null : (p.value ?? null) })) },
    data: {
      groups: [...groups].map(([group, list]) => ({
        group,
        parameters: list.map((p) => {
          const type = String(p.type);
          const secret = p.secret === true;
          return {
            id: p.id,
            code: p.code,
            name: textIn(p.label as I18nText, lang) || p.code,
            description: p.description ?? '',
            type,
            typeLabel: typeLabels.get(type) ?? type,
            editor: secret ? 'secret' : (EDITORS[type] ?? 'text'),
            secret,
            text: secret ? '' : editorText(type, p.value),
            isTrue: p.value === true,
            isFalse: p.value === false,
            choices: type === 'enum' ? choicesOf(p, lang, ws.deps.dictionaries).map((c) => ({ ...c, selected: c.value === p.value })) : [],
          };
        }),
      })),
      canUpdate,
    },
  });
}
