// Shared by the page scripts: page data, messages, the API with the CSRF header, a toast.
const dataEl = document.getElementById('page-data');
export const page = dataEl ? JSON.parse(dataEl.textContent || '{}') : {};

export function t(key, vars) {
  const text = (page.messages && page.messages[key]) || key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k]))) : text;
}

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || '';

/** Call the REST API as the signed-in user. Resolves to { status, body }; never throws on 4xx. */
export async function api(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin' };
  if (method !== 'GET' && method !== 'HEAD') init.headers['X-CSRF-Token'] = csrf();
  if (body instanceof Blob || body instanceof ArrayBuffer) init.body = body;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    return new Promise(() => {});
  }
  const type = res.headers.get('content-type') || '';
  const parsed = type.includes('json') ? await res.json().catch(() => null) : null;
  return { status: res.status, ok: res.ok, body: parsed, headers: res.headers };
}

export function toast(text) {
  const el = document.querySelector('.toast');
  if (!el) return;
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), 3000);
}

/** The message of a problem+json answer. */
export const problem = (res) => (res.body && (res.body.detail || res.body.title)) || `HTTP ${res.status}`;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c);
  return node;
}
