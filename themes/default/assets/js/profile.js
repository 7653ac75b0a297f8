// Profile: nickname, signature, avatar, language, theme (PATCH /api/v1/me/profile); password change.
import { api, page, problem, t } from './lib.js';

function showErrors(form, box, res) {
  for (const p of form.querySelectorAll('.field-error')) p.hidden = true;
  let placed = 0;
  for (const e of (res.body && res.body.errors) || []) {
    const p = document.getElementById(`err-${String(e.field).split('.')[0]}`);
    if (p) {
      p.textContent = e.message;
      p.hidden = false;
      placed++;
    }
  }
  box.textContent = placed ? t('form.fix') : problem(res);
  box.hidden = false;
}

const profile = document.getElementById('profile-form');
profile?.querySelector('#p-avatar').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const res = await api('POST', '/api/v1/files', file, { 'X-File-Name': encodeURIComponent(file.name), 'Content-Type': file.type || 'application/octet-stream' });
  if (res.ok) profile.querySelector('input[name=avatar]').value = String(res.body.id);
  else showErrors(profile, document.getElementById('profile-error'), res);
});
profile?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const avatar = profile.avatar.value;
  const body = {
    version: page.version,
    nickname: profile.nickname.value.trim() || null,
    signature: profile.signature.value.trim() || null,
    language: profile.language.value,
    theme: profile.theme.value,
    avatar: avatar ? Number(avatar) : null,
  };
  const res = await api('PATCH', '/api/v1/me/profile', body);
  if (!res.ok) return showErrors(profile, document.getElementById('profile-error'), res);
  location.reload();
});

const password = document.getElementById('password-form');
password.addEventListener('submit', async (e) => {
  e.preventDefault();
  const res = await api('POST', '/api/v1/auth/password', { currentPassword: password.currentPassword.value, newPassword: password.newPassword.value });
  document.getElementById('password-ok').hidden = !res.ok;
  if (!res.ok) return showErrors(password, document.getElementById('password-error'), res);
  document.getElementById('password-error').hidden = true;
  password.reset();
});
