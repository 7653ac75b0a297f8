// Plugins: install, enable, disable, upgrade, uninstall; what enabling brings along is confirmed first.
import { api, t, toast } from './lib.js';
import { showProblem } from './admin-lib.js';

const error = document.getElementById('plugins-error');
const path = (name, op) => `/api/v1/plugins/${encodeURIComponent(name)}/${op}`;

for (const b of document.querySelectorAll('[data-action="plugin"]')) {
  b.addEventListener('click', async () => {
    const { name, op } = b.dataset;
    if (op === 'install' || op === 'enable') {
      const check = await api('POST', path(name, 'check'));
      if (!check.ok) return showProblem(error, check);
      if (!check.body.ok) return showProblem(error, { status: 422, body: { detail: t('admin.plugins.cannot', { name }), errors: check.body.problems } });
      const plan = check.body.plan || { install: [], enable: [], upgrade: [] };
      const others = [...new Set([...plan.install, ...plan.enable, ...plan.upgrade])].filter((n) => n !== name);
      if (others.length && !confirm(t('admin.plugins.alsoChanges', { names: others.join(', ') }))) return;
    } else if (!confirm(t(`admin.plugins.confirm.${op}`, { name }))) return;
    b.disabled = true;
    const res = await api('POST', path(name, op));
    if (!res.ok) {
      b.disabled = false;
      showProblem(error, res);
      error.scrollIntoView({ block: 'nearest' });
      return;
    }
    if (res.body && res.body.message) toast(res.body.message);
    location.reload();
  });
}
