// The form editor: properties, fields (and the detail table's columns), layout sections, rules.
// The definition is edited here and saved whole with its version; the server checks it.
import { api, el, page, t } from './lib.js';
import { clearProblem, dialog, fillI18n, formatOptions, formValues, i18nOrNull, parseOptions, showForType, showProblem } from './admin-lib.js';

const def = JSON.parse(JSON.stringify(page.definition));
def.layout = def.layout || { sections: [] };
def.rules = def.rules || [];
const error = document.getElementById('form-error');
const ok = document.getElementById('form-ok');
const saveButton = document.querySelector('[data-action="save-form"]');
let dirty = false;

const lang = document.documentElement.lang;
const labelOf = (v) => (v && (v[lang] || (lang === 'zh-TW' && v['zh-CN']) || v.en || v['zh-CN'])) || '';
const typeLabel = (type) => (type === 'detail' ? t('admin.forms.detail') : ['user', 'department'].includes(type) ? t(`admin.fields.type.${type}`) : t(`admin.fields.ptype.${type}`));
const detail = () => def.fields.find((f) => f.type === 'detail');
const fieldNames = () => def.fields.map((f) => f.name);

/** A value typed into an input: kept, nothing redrawn (the next input keeps its focus). */
function touched() {
  dirty = true;
  saveButton.disabled = false;
  ok.hidden = true;
  json.value = JSON.stringify(definition(), null, 2);
}

/** A change of structure (added, removed, moved): everything is drawn again. */
function changed() {
  touched();
  render();
}
window.addEventListener('beforeunload', (e) => {
  if (dirty) e.preventDefault();
});

const button = (text, action, attrs = {}) => el('button', { type: 'button', class: `secondary small ${attrs.danger ? 'danger' : ''}`, 'data-action': action, ...attrs, danger: undefined, text });
const move = (list, at, by) => {
  const to = at + by;
  if (to < 0 || to >= list.length) return;
  [list[at], list[to]] = [list[to], list[at]];
  changed();
};

// ---- properties ----
function renderProps() {
  const box = document.querySelector('.form-props');
  box.replaceChildren();
  const text = (labelText, value, onInput, attrs = {}) => {
    const input = el('input', { value: value ?? '', maxlength: 200, ...attrs });
    input.addEventListener('change', () => onInput(input.value.trim()));
    return el('div', { class: 'form-field' }, el('label', {}, labelText, input));
  };
  for (const [k, caption] of [['zh-CN', '简体'], ['en', 'English'], ['zh-TW', '繁體']]) {
    box.append(text(`${t('admin.roles.name')} (${caption})`, def.label[k], (v) => {
      if (v) def.label[k] = v;
      else delete def.label[k];
      touched();
    }, { 'data-testid': `form-label-${k}` }));
  }
  for (const [k, caption] of [['zh-CN', '简体'], ['en', 'English']]) {
    box.append(text(`${t('admin.roles.description')} (${caption})`, def.description?.[k], (v) => {
      const d = { ...(def.description || {}) };
      if (v) d[k] = v;
      else delete d[k];
      if (d['zh-CN'] || d.en) def.description = d;
      else delete def.description;
      touched();
    }));
  }
  const presentation = el('select', {}, el('option', { value: 'form', text: t('admin.forms.presentation.form') }), el('option', { value: 'grid', text: t('admin.forms.presentation.grid') }));
  presentation.value = def.presentation || 'form';
  presentation.addEventListener('change', () => {
    if (presentation.value === 'form') delete def.presentation;
    else def.presentation = presentation.value;
    touched();
  });
  box.append(el('div', { class: 'form-field' }, el('label', {}, t('admin.forms.presentation'), presentation)));
  if (def.kind === 'data') {
    const title = el('select', {}, el('option', { value: '', text: t('admin.forms.titleDefault') }), ...def.fields.filter((f) => f.type === 'string').map((f) => el('option', { value: f.name, text: `${labelOf(f.label)} (${f.name})` })));
    title.value = def.titleField || '';
    title.addEventListener('change', () => {
      if (title.value) def.titleField = title.value;
      else delete def.titleField;
      touched();
    });
    box.append(el('div', { class: 'form-field' }, el('label', {}, t('admin.forms.titleField'), title)));
  }
}

// ---- fields ----
function fieldRow(f, list, at, parent) {
  const flags = [];
  if (f.required) flags.push(t('admin.fields.required'));
  if (f.formula) flags.push(`= ${f.formula}`);
  if (f.visibleWhen) flags.push(`${t('admin.forms.shownIf')} ${f.visibleWhen}`);
  if (f.requiredWhen) flags.push(`${t('admin.forms.requiredIf')} ${f.requiredWhen}`);
  if (f.total) flags.push(`Σ ${f.total}`);
  const row = el(
    'tr',
    { 'data-field': parent ? `${parent.name}.${f.name}` : f.name, class: parent ? 'detail-column' : '' },
    el('td', { class: 'row-actions start' }, button('↑', 'up', { disabled: at === 0, 'aria-label': t('admin.fields.up') }), button('↓', 'down', { disabled: at === list.length - 1, 'aria-label': t('admin.fields.down') })),
    el('td', {}, parent ? el('span', { class: 'muted', text: '└ ' }) : '', labelOf(f.label)),
    el('td', {}, el('code', { text: f.name })),
    el('td', { text: typeLabel(f.type) + (f.multiple ? ' ×n' : '') }),
    el('td', { class: 'code', text: flags.join(' · ') }),
    el('td', { class: 'row-actions' }, ...(f.type === 'detail' ? [button(t('admin.forms.addColumn'), 'add-column')] : []), button(t('common.edit'), 'edit'), button(t('admin.remove'), 'remove', { danger: true })),
  );
  row.querySelector('[data-action="up"]').addEventListener('click', () => move(list, at, -1));
  row.querySelector('[data-action="down"]').addEventListener('click', () => move(list, at, 1));
  row.querySelector('[data-action="edit"]').addEventListener('click', () => openField(f, parent));
  row.querySelector('[data-action="add-column"]')?.addEventListener('click', () => openField(null, f));
  row.querySelector('[data-action="remove"]').addEventListener('click', () => {
    list.splice(at, 1);
    if (!parent) forget(f.name);
    changed();
  });
  return row;
}

function renderFields() {
  const body = document.querySelector('[data-testid="form-fields"] tbody');
  body.replaceChildren();
  def.fields.forEach((f, at) => {
    body.append(fieldRow(f, def.fields, at, null));
    if (f.type === 'detail') (f.fields || []).forEach((c, i) => body.append(fieldRow(c, f.fields, i, f)));
  });
}

/** A field gone (removed or renamed): out of the layout, the rules' targets and the title field. */
function forget(name, renamedTo) {
  for (const s of def.layout.sections) {
    s.fields = s.fields.flatMap((item) => {
      const n = typeof item === 'string' ? item : item.field;
      if (n !== name) return [item];
      if (!renamedTo) return [];
      return [typeof item === 'string' ? renamedTo : { ...item, field: renamedTo }];
    });
  }
  for (const r of def.rules) if (r.field === name) r.field = renamedTo || undefined;
  if (def.titleField === name) def.titleField = renamedTo || undefined;
}

// The field dialog: what applies to which type.
const APPLIES = {
  default: ['string', 'text', 'integer', 'decimal', 'money', 'boolean', 'date', 'datetime', 'enum'],
  length: ['string'], pattern: ['string'], format: ['string'], maxLength: ['text'],
  min: ['integer', 'decimal', 'money', 'date'], max: ['integer', 'decimal', 'money', 'date'], scale: ['decimal', 'money'],
  dictionary: ['enum'], values: ['enum'], multiple: ['enum', 'file'], entity: ['reference'],
  formula: ['string', 'text', 'integer', 'decimal', 'money', 'boolean', 'date', 'datetime', 'enum'],
  requiredWhen: ['string', 'text', 'integer', 'decimal', 'money', 'boolean', 'date', 'datetime', 'enum', 'reference', 'user', 'department', 'file'],
  minRows: ['detail'], maxRows: ['detail'],
};
const NUMERIC = ['integer', 'decimal', 'money'];

let editing = { field: null, detail: null };
const fieldDialog = dialog('form-field-dialog', async (form) => {
  const v = formValues(form);
  const type = v.type;
  const applies = (k) => !APPLIES[k] || APPLIES[k].includes(type);
  const f = { ...(editing.field || {}) };
  for (const k of Object.keys(APPLIES)) delete f[k];
  for (const k of ['help', 'total', 'unique', 'index', 'required']) delete f[k];
  f.name = v.name;
  f.type = type;
  f.label = i18nOrNull(v.label) || {};
  const help = i18nOrNull(v.help);
  if (help) f.help = help;
  if (applies('default') && v.default !== null) {
    f.default = NUMERIC.includes(type) ? Number(v.default) : type === 'boolean' ? v.default === 'true' : type === 'enum' && v.multiple ? v.default.split(',').map((s) => s.trim()) : v.default;
  }
  for (const k of ['length', 'maxLength', 'scale', 'minRows', 'maxRows']) if (applies(k) && v[k] !== null) f[k] = v[k];
  for (const k of ['min', 'max']) if (applies(k) && v[k] !== null) f[k] = NUMERIC.includes(type) ? Number(v[k]) : v[k];
  for (const k of ['pattern', 'format', 'entity', 'formula', 'visibleWhen', 'requiredWhen']) if (applies(k) && v[k]) f[k] = v[k];
  if (applies('dictionary') && v.dictionary) f.dictionary = v.dictionary;
  else if (applies('values') && type === 'enum') f.values = parseOptions(v.values || '');
  if (applies('multiple') && v.multiple) f.multiple = true;
  if (v.required) f.required = true;
  if (editing.detail && v.total) f.total = v.total;
  if (page.form.kind === 'data' && v.unique) f.unique = true;
  if (page.form.kind === 'data' && v.index) f.index = true;
  if (type === 'detail') f.fields = f.fields && f.fields.length ? f.fields : [{ name: 'item', type: 'string', label: { 'zh-CN': '项目', en: 'Item' } }];
  else delete f.fields;
  const list = editing.detail ? editing.detail.fields : def.fields;
  const clash = list.find((x) => x !== editing.field && x.name === f.name);
  if (clash) return { ok: false, status: 400, body: { detail: t('admin.forms.nameTaken', { name: f.name }), errors: [{ field: 'name', rule: 'unique', message: t('admin.forms.nameTaken', { name: f.name }) }] } };
  if (editing.field) {
    list[list.indexOf(editing.field)] = f;
    if (!editing.detail && editing.field.name !== f.name) forget(editing.field.name, f.name);
  } else list.push(f);
  changed();
  return { ok: true };
});
fieldDialog.form.type.addEventListener('change', () => showForType(fieldDialog.form, fieldDialog.form.type.value));
const dictionarySelect = fieldDialog.form.dictionary;
for (const d of page.dictionaries) dictionarySelect.append(el('option', { value: d.value, text: d.label }));
for (const e of page.entities) fieldDialog.form.entity.append(el('option', { value: e.value, text: e.label }));

function openField(field, detailField, type) {
  editing = { field, detail: detailField };
  fieldDialog.open((form) => {
    form.querySelector('.dialog-title').textContent = field ? `${t('common.edit')}: ${field.name}` : detailField ? `${t('admin.forms.addColumn')}: ${detailField.name}` : t('admin.fields.new');
    const typeSelect = form.type;
    let detailOption = typeSelect.querySelector('option[value="detail"]');
    const wantsDetail = (field && field.type === 'detail') || type === 'detail';
    if (wantsDetail && !detailOption) typeSelect.append((detailOption = el('option', { value: 'detail', text: t('admin.forms.detail') })));
    if (!wantsDetail && detailOption) detailOption.remove();
    typeSelect.disabled = wantsDetail;
    const f = field || { type: type || 'string' };
    form.name.value = f.name || '';
    typeSelect.value = f.type;
    fillI18n(form, 'label', f.label);
    fillI18n(form, 'help', f.help);
    for (const k of ['default', 'length', 'pattern', 'format', 'maxLength', 'min', 'max', 'scale', 'dictionary', 'entity', 'formula', 'visibleWhen', 'requiredWhen', 'total', 'minRows', 'maxRows']) {
      const input = form.elements.namedItem(k);
      if (input) input.value = f[k] === undefined ? '' : Array.isArray(f[k]) ? f[k].join(', ') : String(f[k]);
    }
    form.values.value = formatOptions(f.values);
    for (const k of ['required', 'multiple', 'unique', 'index']) {
      const input = form.elements.namedItem(k);
      if (input) input.checked = f[k] === true;
    }
    showForType(form, f.type);
    // Totals belong to detail columns only.
    form.querySelector('[data-field="total"]').hidden = !detailField;
  });
}
document.querySelector('[data-action="add-field"]').addEventListener('click', () => openField(null, null));
document.querySelector('[data-action="add-detail"]').addEventListener('click', () => {
  if (detail()) return showProblem(error, { status: 400, body: { detail: t('admin.forms.oneDetail') } });
  openField(null, null, 'detail');
});

// ---- layout ----
function renderLayout() {
  const box = document.querySelector('.layout-sections');
  box.replaceChildren();
  const placed = new Set(def.layout.sections.flatMap((s) => s.fields.map((i) => (typeof i === 'string' ? i : i.field))));
  def.layout.sections.forEach((s, at) => {
    const columns = s.columns || 2;
    const title = (k) => {
      const input = el('input', { value: s.title?.[k] ?? '', maxlength: 200, 'aria-label': `${t('admin.forms.sectionTitle')} ${k}`, placeholder: `${t('admin.forms.sectionTitle')} (${k})` });
      input.addEventListener('change', () => {
        const v = { ...(s.title || {}) };
        if (input.value.trim()) v[k] = input.value.trim();
        else delete v[k];
        if (v['zh-CN'] || v.en) s.title = v;
        else delete s.title;
        touched();
      });
      return input;
    };
    const columnSelect = el('select', { 'aria-label': t('admin.forms.columns') }, ...[1, 2, 3, 4].map((n) => el('option', { value: n, text: t('admin.forms.columnsN', { n }) })));
    columnSelect.value = String(columns);
    columnSelect.addEventListener('change', () => {
      s.columns = Number(columnSelect.value);
      changed();
    });
    const collapsed = el('input', { type: 'checkbox', checked: s.collapsed === true });
    collapsed.addEventListener('change', () => {
      if (collapsed.checked) s.collapsed = true;
      else delete s.collapsed;
      touched();
    });
    const items = el('ul', { class: 'plain layout-items' });
    s.fields.forEach((item, i) => {
      const name = typeof item === 'string' ? item : item.field;
      const span = typeof item === 'string' ? 1 : item.span || 1;
      const field = def.fields.find((f) => f.name === name);
      const spanSelect = el('select', { 'aria-label': t('admin.forms.span') }, ...Array.from({ length: columns }, (_, n) => el('option', { value: n + 1, text: t('admin.forms.spanN', { n: n + 1 }) })));
      spanSelect.value = String(Math.min(span, columns));
      spanSelect.addEventListener('change', () => {
        const n = Number(spanSelect.value);
        s.fields[i] = n > 1 ? { field: name, span: n } : name;
        touched();
      });
      const li = el('li', { class: 'layout-item', 'data-item': name }, el('span', { class: 'grow', text: `${field ? labelOf(field.label) : '?'} (${name})` }), spanSelect, button('↑', 'up', { disabled: i === 0 }), button('↓', 'down', { disabled: i === s.fields.length - 1 }), button('×', 'remove', { 'aria-label': t('admin.remove') }));
      li.querySelector('[data-action="up"]').addEventListener('click', () => move(s.fields, i, -1));
      li.querySelector('[data-action="down"]').addEventListener('click', () => move(s.fields, i, 1));
      li.querySelector('[data-action="remove"]').addEventListener('click', () => {
        s.fields.splice(i, 1);
        changed();
      });
      items.append(li);
    });
    const unplaced = def.fields.filter((f) => !placed.has(f.name));
    const add = el('select', { 'aria-label': t('admin.forms.placeField'), 'data-testid': `section-${at}-add` }, el('option', { value: '', text: t('admin.forms.placeField') }), ...unplaced.map((f) => el('option', { value: f.name, text: `${labelOf(f.label)} (${f.name})` })));
    add.addEventListener('change', () => {
      if (!add.value) return;
      s.fields.push(add.value);
      changed();
    });
    const section = el(
      'fieldset',
      { class: 'layout-section', 'data-section': at },
      el('legend', { text: t('admin.forms.section', { n: at + 1 }) }),
      el('div', { class: 'admin-toolbar' }, title('zh-CN'), title('en'), columnSelect, el('label', { class: 'inline' }, collapsed, t('admin.forms.collapsed')), button('↑', 'up', { disabled: at === 0 }), button('↓', 'down', { disabled: at === def.layout.sections.length - 1 }), button(t('admin.remove'), 'remove', { danger: true })),
      items,
      add,
    );
    section.querySelector('.admin-toolbar [data-action="up"]').addEventListener('click', () => move(def.layout.sections, at, -1));
    section.querySelector('.admin-toolbar [data-action="down"]').addEventListener('click', () => move(def.layout.sections, at, 1));
    section.querySelector('.admin-toolbar [data-action="remove"]').addEventListener('click', () => {
      def.layout.sections.splice(at, 1);
      changed();
    });
    box.append(section);
  });
  const rest = def.fields.filter((f) => !placed.has(f.name));
  if (rest.length && def.layout.sections.length) box.append(el('p', { class: 'muted', text: `${t('admin.forms.unplaced')} ${rest.map((f) => f.name).join(', ')}` }));
}
document.querySelector('[data-action="add-section"]').addEventListener('click', () => {
  def.layout.sections.push({ columns: 2, fields: [] });
  changed();
});

// ---- rules ----
function renderRules() {
  const box = document.querySelector('.rules');
  box.replaceChildren();
  def.rules.forEach((r, at) => {
    const check = el('input', { class: 'code', value: r.check, maxlength: 2000, 'aria-label': t('admin.forms.check'), placeholder: 'endDate >= startDate' });
    check.addEventListener('change', () => {
      r.check = check.value.trim();
      touched();
    });
    const target = el('select', { 'aria-label': t('admin.forms.ruleField') }, el('option', { value: '', text: t('admin.forms.wholeForm') }), ...def.fields.map((f) => el('option', { value: f.name, text: `${labelOf(f.label)} (${f.name})` })));
    target.value = r.field || '';
    target.addEventListener('change', () => {
      if (target.value) r.field = target.value;
      else delete r.field;
      touched();
    });
    const message = (k) => {
      const input = el('input', { value: r.message?.[k] ?? '', maxlength: 200, 'aria-label': `${t('admin.forms.message')} ${k}`, placeholder: `${t('admin.forms.message')} (${k})` });
      input.addEventListener('change', () => {
        r.message = { ...(r.message || {}), [k]: input.value.trim() };
        touched();
      });
      return input;
    };
    const remove = button(t('admin.remove'), 'remove', { danger: true });
    remove.addEventListener('click', () => {
      def.rules.splice(at, 1);
      changed();
    });
    box.append(el('div', { class: 'admin-toolbar rule', 'data-rule': at }, check, target, message('zh-CN'), message('en'), remove));
  });
}
document.querySelector('[data-action="add-rule"]').addEventListener('click', () => {
  def.rules.push({ check: '', message: { 'zh-CN': '', en: '' } });
  changed();
});

// ---- JSON, check, save ----
const json = document.querySelector('.form-json');
document.querySelector('[data-action="apply-json"]').addEventListener('click', () => {
  let parsed;
  try {
    parsed = JSON.parse(json.value);
  } catch (e) {
    return showProblem(error, { status: 400, body: { detail: `${t('admin.roles.badJson')}: ${e.message}` } });
  }
  for (const k of Object.keys(def)) delete def[k];
  Object.assign(def, parsed, { code: page.form.code, kind: page.form.kind });
  def.layout = def.layout || { sections: [] };
  def.rules = def.rules || [];
  clearProblem(error);
  changed();
});

/** The definition to send: empty layout and rules left out. */
function definition() {
  const out = JSON.parse(JSON.stringify(def));
  if (!out.layout.sections.length) delete out.layout;
  out.rules = out.rules.filter((r) => r.check);
  if (!out.rules.length) delete out.rules;
  return out;
}

document.querySelector('[data-action="check-form"]').addEventListener('click', async () => {
  clearProblem(error);
  const res = await api('POST', '/api/v1/forms/validate', { definition: definition() });
  if (!res.ok) return showProblem(error, res);
  if (res.body.errors.length) return showProblem(error, { status: 400, body: { detail: t('admin.forms.problems', { count: res.body.errors.length }), errors: res.body.errors } });
  ok.textContent = t('admin.forms.valid');
  ok.hidden = false;
});
saveButton.addEventListener('click', async () => {
  clearProblem(error);
  saveButton.disabled = true;
  const res = await api('PUT', `/api/v1/forms/${encodeURIComponent(page.form.code)}`, { version: page.form.version, definition: definition() });
  if (!res.ok) {
    saveButton.disabled = false;
    showProblem(error, res);
    error.scrollIntoView({ block: 'nearest' });
    return;
  }
  dirty = false;
  location.reload();
});

function render() {
  renderProps();
  renderFields();
  renderLayout();
  renderRules();
  json.value = JSON.stringify(definition(), null, 2);
}
render();
