// A flow instance: the viewer's task actions and comments, each one call to the flow API.
import { api, page, problem, t, toast } from './lib.js';

const error = document.getElementById('task-error');
const comment = () => document.getElementById('task-comment')?.value.trim() || undefined;

async function act(path, body) {
  const res = await api('POST', path, body);
  if (res.ok) {
    location.reload();
    return;
  }
  const message = res.status === 409 ? t('flows.alreadyDecided') : problem(res);
  if (error) {
    error.textContent = message;
    error.hidden = false;
  } else toast(message);
}

const task = async (action, body = {}) => {
  const attachments = await taskAttachments();
  if (!attachments) return;
  act(`/api/v1/flows/tasks/${page.task.id}/${action}`, { comment: comment(), ...(attachments.length && !['assist', 'delegate', 'add-handlers'].includes(action) ? { attachments } : {}), ...body });
};
document.querySelector('[data-action="approve"]')?.addEventListener('click', () => task('approve'));
document.querySelector('[data-action="reject"]')?.addEventListener('click', () => {
  if (confirm(t('flows.confirmReject'))) task('reject');
});
// The work report of a handling task: only what was filled in goes with it.
const workReport = () => {
  const report = {};
  for (const [key, id] of [['completion', 'report-completion'], ['effortHours', 'report-effort'], ['cost', 'report-cost']]) {
    const value = document.getElementById(id)?.value;
    if (value !== undefined && value !== '') report[key] = Number(value);
  }
  return Object.keys(report).length ? { report } : {};
};
document.querySelector('[data-action="complete"]')?.addEventListener('click', () => task('complete', workReport()));
document.querySelector('[data-action="read"]')?.addEventListener('click', () => act(`/api/v1/flows/tasks/${page.task.id}/read`, {}));
document.querySelector('[data-action="return"]')?.addEventListener('click', () => {
  const to = document.getElementById('return-to').value;
  task('return', to === 'initiator' ? {} : { to });
});
// Attachments (of a decision or a comment): uploaded when chosen; their ids go with the action.
function uploader(input, names) {
  let pending = Promise.resolve([]);
  input?.addEventListener('change', () => {
    names.textContent = t('flows.uploading');
    pending = (async () => {
      const ids = [];
      for (const file of input.files) {
        const res = await api('POST', '/api/v1/files', file, { 'X-File-Name': encodeURIComponent(file.name), 'Content-Type': file.type || 'application/octet-stream' });
        if (!res.ok) {
          names.textContent = problem(res);
          return null;
        }
        ids.push(res.body.id);
      }
      names.textContent = [...input.files].map((f) => f.name).join(', ');
      return ids;
    })();
  });
  return () => pending;
}
const commentAttachments = uploader(document.getElementById('comment-files'), document.getElementById('comment-file-names'));
const taskAttachments = uploader(document.getElementById('task-files'), document.getElementById('task-file-names'));
document.querySelector('[data-action="comment"]')?.addEventListener('click', async () => {
  const attachments = await commentAttachments();
  if (!attachments) return;
  const text = document.getElementById('flow-comment').value.trim();
  if (text || attachments.length) act(`/api/v1/flows/instances/${page.id}/comments`, { comment: text || undefined, attachments });
});

document.querySelector('[data-action="print"]')?.addEventListener('click', () => window.print());
document.querySelector('[data-action="archive"]')?.addEventListener('click', () => act(`/api/v1/flows/instances/${page.id}/archive`, {}));
document.querySelector('[data-action="destroy"]')?.addEventListener('click', () => {
  if (confirm(t('flows.confirmDestroy', { title: page.title }))) act(`/api/v1/flows/instances/${page.id}/destroy`, {});
});
document.querySelector('[data-action="withdraw"]')?.addEventListener('click', () => act(`/api/v1/flows/instances/${page.id}/withdraw`, {}));
document.querySelector('[data-action="urge"]')?.addEventListener('click', async () => {
  const res = await api('POST', `/api/v1/flows/instances/${page.id}/urge`, {});
  toast(res.ok ? t('flows.urgedDone') : problem(res));
});

// Someone else on the task: ask their opinion (协办), hand it over (委办), add them to the node (加签).
const someone = () => Number(document.getElementById('task-user')?.value) || null;
const withSomeone = (action, body) => () => {
  const user = someone();
  if (!user) return toast(t('flows.chooseSomeone'));
  task(action, body(user));
};
document.querySelector('[data-action="assist"]')?.addEventListener('click', withSomeone('assist', (u) => ({ users: [u] })));
document.querySelector('[data-action="delegate"]')?.addEventListener('click', withSomeone('delegate', (u) => ({ to: u })));
document.querySelector('[data-action="add-handlers"]')?.addEventListener('click', withSomeone('add-handlers', (u) => ({ users: [u] })));
document.querySelector('[data-action="reply"]')?.addEventListener('click', () => task('reply'));
