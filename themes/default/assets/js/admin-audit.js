// The operation log's filters: the time range is picked in the browser's time zone and sent as ISO instants.
import { page } from './lib.js';

const form = document.querySelector('[data-testid="audit-filters"]');
const pad = (n) => String(n).padStart(2, '0');
const local = (iso) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};
for (const input of form.querySelectorAll('input[data-iso]')) {
  const iso = page[input.dataset.iso];
  if (iso) input.value = local(iso);
}
form.addEventListener('submit', () => {
  for (const input of form.querySelectorAll('input[data-iso]')) {
    const hidden = form.querySelector(`input[name="${input.dataset.iso}"]`);
    hidden.value = input.value ? new Date(input.value).toISOString() : '';
  }
  // Empty filters stay out of the URL.
  for (const input of form.querySelectorAll('input[name], select[name]')) if (input.value === '') input.disabled = true;
});
