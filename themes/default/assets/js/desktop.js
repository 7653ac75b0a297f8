// The desktop: the user picks which widgets show, in which order, and the quick links.
import { api, page, problem, t, toast } from './lib.js';

document.querySelector('[data-action="arrange"]')?.addEventListener('click', async () => {
  const answer = prompt(t('desktop.widgetsPrompt', { all: page.all.join(', ') }), page.widgets.join(', '));
  if (answer === null) return;
  const widgets = answer.split(',').map((s) => s.trim()).filter((s) => page.all.includes(s));
  const links = prompt(t('desktop.linksPrompt'), page.links.map((l) => `${l.label} ${l.href}`).join('\n'));
  const saves = [api('PUT', '/api/v1/me/preferences/desktop.widgets', { value: widgets })];
  if (links !== null) {
    const parsed = links.split('\n').map((line) => line.trim().match(/^(.+)\s+(\/\S*)$/)).filter(Boolean).map((m) => ({ label: m[1], href: m[2] }));
    saves.push(api('PUT', '/api/v1/me/preferences/desktop.links', { value: parsed }));
  }
  const results = await Promise.all(saves);
  const failed = results.find((r) => !r.ok);
  if (failed) return toast(t('common.failed', { message: problem(failed) }));
  location.reload();
});
