// The script editor: check (diagnostics with line:column, a click selects the place), save
// as a new version, enable/disable, and a dry run with a JSON input (rolled back on the server).
import { api, el, page, t } from './lib.js';
import { act, clearProblem, showProblem } from './admin-lib.js';

const form = document.getElementById('script-form');
const box = document.getElementById('script-error');
const ok = document.getElementById('script-ok');
const diagnostics = document.querySelector('.script-diagnostics');

/** What the editor holds, as the API takes a script. */
function values() {
  const v = (name) => form.elements.namedItem(name).value;
  return {
    name: v('name').trim(),
    kind: v('kind'),
    target: v('target').trim() || null,
    language: v('language'),
    source: v('source'),
    capabilities: [...form.querySelectorAll('input[name=cap]:checked')].map((c) => c.value),
    description: v('description').trim() || null,
  };
}

/** Select `line`:`column` (1-based) in the source textarea. */
function reveal(line, column) {
  const source = form.elements.namedItem('source');
  const lines = source.value.split('\n');
  let at = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) at += lines[i].length + 1;
  at += Math.max(0, column - 1);
  source.focus();
  source.setSelectionRange(at, Math.min(at + 1, source.value.length));
}

/** List diagnostics ({ line, column, message }) next to the editor; an empty list hides it. */
function showDiagnostics(list) {
  const ul = diagnostics.querySelector('ul');
  ul.replaceChildren();
  for (const d of list) {
    const link = el('a', { href: '#', class: 'diagnostic', 'data-line': d.line, 'data-column': d.column }, el('code', { text: `${d.line}:${d.column}` }), ' ', el('span', { text: d.message }));
    link.addEventListener('click', (e) => {
      e.preventDefault();
      reveal(d.line, d.column);
    });
    ul.append(el('li', {}, link));
  }
  diagnostics.hidden = list.length === 0;
}

/** The compile errors of a refusal (`source:<line>:<column>`), or null when it is something else. */
function compileErrors(res) {
  const errors = (res.body && res.body.errors) || [];
  const found = errors.flatMap((e) => {
    const m = /^source:(\d+):(\d+)$/.exec(e.field || '');
    return m ? [{ line: Number(m[1]), column: Number(m[2]), message: e.message }] : [];
  });
  return found.length ? found : null;
}

function reset() {
  clearProblem(box, form);
  ok.hidden = true;
  showDiagnostics([]);
}

function refused(res) {
  const compile = compileErrors(res);
  if (compile) return showDiagnostics(compile);
  showProblem(box, res, form);
  box.scrollIntoView({ block: 'nearest' });
}

document.querySelector('[data-action="check-script"]').addEventListener('click', async () => {
  reset();
  const v = values();
  const res = await api('POST', '/api/v1/scripts/check', { source: v.source, language: v.language, kind: v.kind });
  if (!res.ok) return refused(res);
  showDiagnostics(res.body.diagnostics);
  if (!res.body.diagnostics.length) {
    ok.textContent = t('admin.scripts.noProblems');
    ok.hidden = false;
  }
});

document.querySelector('[data-action="save-script"]').addEventListener('click', async () => {
  reset();
  if (!form.reportValidity()) return;
  const body = values();
  if (!page.script.isNew) body.enabled = page.script.enabled;
  const res = await api('POST', '/api/v1/scripts', body);
  if (!res.ok) return refused(res);
  location.href = `/admin/scripts/${encodeURIComponent(res.body.name)}`;
});

for (const [action, enabled] of [['enable-script', true], ['disable-script', false]]) {
  document.querySelector(`[data-action="${action}"]`)?.addEventListener('click', () => act(box, () => api('PATCH', `/api/v1/scripts/${encodeURIComponent(page.script.name)}`, { enabled })));
}

// ---- dry run ----
const dry = document.querySelector('[data-testid="dry-run"]');
const input = dry.querySelector('[data-testid="dry-run-input"]');
const inputError = document.getElementById('dry-run-input-error');
const result = dry.querySelector('.dry-run-result');
const part = (name) => result.querySelector(`[data-part="${name}"]`);
const pretty = (v) => JSON.stringify(v, null, 2);

dry.querySelector('[data-action="dry-run"]').addEventListener('click', async () => {
  reset();
  inputError.hidden = true;
  let parsed;
  try {
    parsed = JSON.parse(input.value || 'null');
  } catch (err) {
    inputError.textContent = `${t('admin.parameters.badJson')}: ${err.message}`;
    inputError.hidden = false;
    return;
  }
  const v = values();
  const res = await api('POST', '/api/v1/scripts/dry-run', { ...v, name: v.name || undefined, input: parsed });
  if (!res.ok) {
    result.hidden = true;
    return refused(res);
  }
  const r = res.body;
  part('status').textContent = r.ok ? t('admin.scripts.ranOk') : `${t('admin.scripts.ranError')}: ${r.error.code}`;
  part('status').classList.toggle('danger', !r.ok);
  part('stats').textContent = r.stats ? t('admin.scripts.stats', { ms: r.stats.durationMs, cpu: r.stats.cpuMs, kb: Math.round(r.stats.heapBytes / 1024) }) : '';
  const where = r.error && r.error.location ? ` (${r.error.location.line}:${r.error.location.column})` : '';
  part('value').textContent = r.ok ? pretty(r.value) : `${r.error.message}${where}${r.error.errors ? `\n${pretty(r.error.errors)}` : ''}`;
  part('logs').textContent = r.logs.length ? r.logs.map((l) => `${l.at} ms ${l.level} ${l.message}`).join('\n') : '—';
  part('writes').textContent = r.writes.length ? r.writes.map((w) => `${w.op} ${w.entity} #${w.id}${w.data ? ` ${JSON.stringify(w.data)}` : ''}`).join('\n') : '—';
  result.hidden = false;
});
