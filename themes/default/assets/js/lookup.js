// Type-ahead for reference fields: <span class="lookup" data-target="customers"> holding a
// hidden input (the id) and a text input; suggestions from GET /api/v1/{plural}/lookup?q=.
import { api, el, t } from './lib.js';

function attach(box) {
  if (box.dataset.ready) return;
  box.dataset.ready = '1';
  const target = box.dataset.target;
  const hidden = box.querySelector('input[type=hidden]');
  const text = box.querySelector('.lookup-text');
  if (!target || !hidden || !text || text.readOnly) return;
  let list = null;
  let timer = 0;
  let active = -1;
  const close = () => {
    list?.remove();
    list = null;
    active = -1;
    text.setAttribute('aria-expanded', 'false');
  };
  const choose = (item) => {
    hidden.value = String(item.id);
    text.value = item.title;
    hidden.dispatchEvent(new Event('change', { bubbles: true }));
    close();
  };
  const show = (items) => {
    close();
    list = el('ul', { class: 'lookup-list', role: 'listbox' });
    if (!items.length) list.append(el('li', { class: 'muted', text: t('lookup.none') }));
    for (const item of items) {
      const li = el('li', { role: 'option', 'data-id': item.id, text: item.title || `#${item.id}` });
      li.addEventListener('mousedown', (e) => {
        e.preventDefault();
        choose(item);
      });
      list.append(li);
    }
    list.items = items;
    box.append(list);
    text.setAttribute('aria-expanded', 'true');
  };
  text.setAttribute('role', 'combobox');
  text.setAttribute('aria-autocomplete', 'list');
  text.addEventListener('input', () => {
    clearTimeout(timer);
    if (text.value.trim() === '') {
      hidden.value = '';
      hidden.dispatchEvent(new Event('change', { bubbles: true }));
      close();
      return;
    }
    timer = setTimeout(async () => {
      const res = await api('GET', `/api/v1/${target}/lookup?q=${encodeURIComponent(text.value.trim())}&limit=10`);
      if (res.ok) show(res.body.data || []);
    }, 200);
  });
  text.addEventListener('keydown', (e) => {
    if (!list || !list.items) return;
    const options = [...list.querySelectorAll('[role=option]')];
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = Math.max(0, Math.min(options.length - 1, active + (e.key === 'ArrowDown' ? 1 : -1)));
      options.forEach((o, i) => o.setAttribute('aria-selected', String(i === active)));
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      choose(list.items[active]);
    } else if (e.key === 'Escape') close();
  });
  text.addEventListener('blur', () => setTimeout(close, 150));
}

export function enhanceLookups(root) {
  root.querySelectorAll('.lookup').forEach(attach);
}
