import type { Context } from 'koa';
import { listFormTemplates } from '../../../forms/templates';
import { textIn } from '../../i18n';
import type { I18nText } from '@plinth/sdk';
import { fillableForm } from '../data-form';
import { enter, idParam, readAll, sendAdmin, type AdminDeps } from './common';

/** /admin/forms — the form definitions (disabled ones too, for those who manage forms); create, copy, switch on and off, delete. */
export async function formsPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'forms');
  const { ws } = deps;
  const lang = (await ws.viewer(ctx)).lang;
  const forms = await deps.forms.list(actor);
  const title = await ws.t(ctx, 'admin.forms.title');
  await sendAdmin(ctx, deps, {
    page: 'forms',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/admin-forms.js'],
    client: { forms: forms.map((f) => ({ code: f.code, version: f.version, enabled: f.enabled })) },
    data: {
      forms: forms
        .sort((a, b) => a.code.localeCompare(b.code))
        .map((f) => ({ code: f.code, label: textIn(f.label, lang), kind: f.kind, kindKey: `admin.forms.kind.${f.kind}`, version: f.version, enabled: f.enabled, template: f.template, fields: f.fields })),
      templates: listFormTemplates().map((t) => ({ value: t.code, label: `${textIn(t.label, lang)} (${t.code})` })),
    },
  });
}

/**
 * /admin/forms/{code} — a form's editor: properties, the field list (detail table columns
 * under it), the layout in sections and columns, and the rules. The definition is edited
 * in the browser and saved whole with its version (PUT /api/v1/forms/{code}); the
 * server's checks name the place of every error.
 */
export async function formEditorPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'forms');
  const { ws } = deps;
  const store = ws.deps.store();
  const lang = (await ws.viewer(ctx)).lang;
  const form = await deps.forms.get(actor, ctx.params.code);
  const versions = await deps.forms.versions(actor, form.code);
  const title = await ws.t(ctx, 'admin.forms.title');
  const label = textIn(form.definition.label, lang) || form.code;
  await sendAdmin(ctx, deps, {
    page: 'form-editor',
    title: label,
    crumbs: [{ label: title, href: '/admin/forms' }, { label }],
    scripts: ['js/admin-form-editor.js'],
    client: {
      form: { code: form.code, kind: form.kind, version: form.version, enabled: form.enabled },
      definition: form.definition,
      entities: store.meta
        .all()
        .filter((e) => e.plugin !== 'forms')
        .map((e) => ({ value: e.name, label: `${textIn(e.label, lang)} (${e.name})` }))
        .sort((a, b) => a.label.localeCompare(b.label)),
      dictionaries: store.meta.get('dictionary') ? (await readAll(store.service('dictionary', actor), { fields: ['id', 'code', 'label'] })).map((d) => ({ value: String(d.code), label: `${textIn(d.label as I18nText, lang)} (${String(d.code)})` })) : [],
    },
    data: {
      form: { ...form, label },
      kindKey: `admin.forms.kind.${form.kind}`,
      dataForm: form.kind === 'data',
      plural: store.meta.get(`form${form.code[0].toUpperCase()}${form.code.slice(1)}`)?.plural ?? null,
      versions: versions.map((v) => ({ ...v, current: v.version === form.version })),
    },
  });
}

/**
 * /admin/forms/{code}/preview?version= — the form as users will fill it in (the same
 * sections, inputs and detail table as the fill-in page, with the defaults), every input
 * disabled; any saved version, the current one by default.
 */
export async function formPreviewPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'forms');
  const { ws } = deps;
  const lang = (await ws.viewer(ctx)).lang;
  const form = await deps.forms.get(actor, ctx.params.code);
  const version = idParam(ctx.query.version) ?? form.version;
  const def = await deps.forms.definition(form.code, version);
  const { sections, table } = fillableForm(def, null, lang, ws);
  const title = await ws.t(ctx, 'admin.forms.title');
  const label = textIn(def.label, lang) || form.code;
  const preview = await ws.t(ctx, 'admin.forms.preview');
  await sendAdmin(ctx, deps, {
    page: 'form-preview',
    title: `${label} · ${preview}`,
    crumbs: [{ label: title, href: '/admin/forms' }, { label, href: `/admin/forms/${encodeURIComponent(form.code)}` }, { label: `${preview} v${version}` }],
    data: { label, code: form.code, version, current: version === form.version, currentVersion: form.version, description: def.description ? textIn(def.description, lang) : '', sections, table },
  });
}
