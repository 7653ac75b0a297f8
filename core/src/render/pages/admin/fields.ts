import type { Context } from 'koa';
import { CUSTOM_FIELD_TYPES, NotFoundError, type EnumOption, type FieldDef, type I18nText } from '@plinth/sdk';
import { isCustomizable } from '../../../meta/model';
import { textIn } from '../../i18n';
import { enter, readAll, sendAdmin, type AdminDeps } from './common';

/** /admin/fields — the entities, with how many custom fields each has (removed ones apart). */
export async function fieldsIndexPage(ctx: Context, deps: AdminDeps): Promise<void> {
  await enter(ctx, deps, 'fields');
  const { ws } = deps;
  const store = ws.deps.store();
  const lang = (await ws.viewer(ctx)).lang;
  const labels = new Map(deps.plugins.list().map((p) => [p.name, textIn(p.label ?? undefined, lang) || p.name]));
  const allCustom = await deps.customFields.all();
  const allOverlays = await deps.customFields.overlays();
  const entities = [];
  for (const e of store.meta.all()) {
    const custom = isCustomizable(e) ? allCustom.filter((f) => f.entity === e.name) : [];
    const overlays = allOverlays.filter((o) => o.entity === e.name);
    entities.push({
      name: e.name,
      label: textIn(e.label, lang),
      plugin: labels.get(e.plugin) ?? e.plugin,
      customizable: isCustomizable(e),
      active: custom.filter((f) => f.status === 'active').length,
      removed: custom.filter((f) => f.status === 'removed').length,
      overlays: overlays.length,
    });
  }
  entities.sort((a, b) => Number(b.customizable) - Number(a.customizable) || a.plugin.localeCompare(b.plugin) || a.label.localeCompare(b.label));
  const title = await ws.t(ctx, 'admin.fields.title');
  await sendAdmin(ctx, deps, { page: 'fields', title, crumbs: [{ label: title }], data: { entities } });
}

/** How a field was declared by its plugin (before overlays): what an overlay may relabel or restrict. */
function declaredDef(deps: AdminDeps, entity: string, field: string): FieldDef | undefined {
  for (const p of deps.plugins.enabled()) {
    const own = p.entities?.find((e) => e.name === entity)?.fields[field];
    if (own) return own;
    const ext = p.extend?.find((x) => x.entity === entity)?.fields[field];
    if (ext) return ext;
  }
  return undefined;
}

/**
 * /admin/fields/{entity} — every field of an entity in display order: custom fields
 * (add, change, remove, restore, purge) and the plugin's and system fields (an overlay:
 * label, help, required, hidden, options); fields move up and down in one change each.
 */
export async function entityFieldsPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'fields');
  const { ws } = deps;
  const store = ws.deps.store();
  const lang = (await ws.viewer(ctx)).lang;
  const entity = store.meta.get(ctx.params.entity);
  if (!entity) throw new NotFoundError(`No entity "${ctx.params.entity}"`);
  const customizable = isCustomizable(entity);
  const custom = customizable ? await deps.customFields.list(entity.name) : [];
  const overlays = new Map((await deps.customFields.overlays(entity.name)).map((o) => [o.field, o]));
  const pluginLabel = textIn(deps.plugins.list().find((p) => p.name === entity.plugin)?.label ?? undefined, lang) || entity.plugin;
  const shown = [...entity.fields.values()].filter((f) => !['id', 'version', 'deletedAt', 'deletedBy'].includes(f.name));
  const declared = shown.filter((f) => !f.system);
  const rows = shown.map((f) => {
    const spec = custom.find((c) => c.name === f.name);
    return {
      name: f.name,
      label: textIn(f.label, lang),
      type: f.custom && spec ? spec.type : f.type,
      typeKey: f.custom && spec ? `admin.fields.type.${spec.type}` : `admin.fields.ptype.${f.type}`,
      source: f.custom ? 'custom' : f.system ? 'system' : 'plugin',
      required: f.required,
      unique: (f.def as { unique?: boolean }).unique === true,
      hidden: f.hidden,
      overlaid: overlays.has(f.name),
      movable: !f.system,
      first: declared[0] === f,
      last: declared[declared.length - 1] === f,
    };
  });
  const removed = custom.filter((c) => c.status === 'removed').map((c) => ({ name: c.name, label: textIn(c.label, lang), type: c.type, typeKey: `admin.fields.type.${c.type}` }));
  const dictionaries = store.meta.get('dictionary') ? (await readAll(store.service('dictionary', actor), { fields: ['id', 'code', 'label', 'enabled'] })).map((d) => ({ value: String(d.code), label: `${textIn(d.label as I18nText, lang)} (${String(d.code)})`, enabled: d.enabled !== false })) : [];
  const fieldInfo: Record<string, unknown> = {};
  for (const f of shown) {
    if (f.custom) continue;
    const def = f.system ? f.def : (declaredDef(deps, entity.name, f.name) ?? f.def);
    fieldInfo[f.name] = {
      system: f.system,
      label: def.label,
      help: (def as { help?: I18nText }).help ?? null,
      required: f.system ? f.required : (def as { required?: boolean }).required === true,
      values: def.type === 'enum' && def.values ? (def.values as readonly EnumOption[]) : null,
    };
  }
  const title = await ws.t(ctx, 'admin.fields.title');
  const label = textIn(entity.label, lang);
  await sendAdmin(ctx, deps, {
    page: 'entity-fields',
    title: `${label} · ${title}`,
    crumbs: [{ label: title, href: '/admin/fields' }, { label }],
    scripts: ['js/admin-fields.js'],
    client: {
      entity: entity.name,
      plural: entity.plural,
      order: declared.map((f) => f.name),
      custom: Object.fromEntries(custom.map((c) => [c.name, c])),
      overlays: Object.fromEntries([...overlays].map(([k, o]) => [k, { overlay: o.overlay, version: o.version }])),
      fields: fieldInfo,
    },
    data: {
      entity: { name: entity.name, plural: entity.plural, label, plugin: pluginLabel },
      customizable,
      rows,
      removed,
      types: CUSTOM_FIELD_TYPES.map((t) => ({ value: t, labelKey: `admin.fields.type.${t}` })),
      dictionaries,
      targets: store.meta
        .all()
        .filter((e) => !['user', 'department'].includes(e.name))
        .map((e) => ({ value: e.name, label: `${textIn(e.label, lang)} (${e.name})` }))
        .sort((a, b) => a.label.localeCompare(b.label)),
    },
  });
}
