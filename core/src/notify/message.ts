import { ValidationError, type FieldError, type NotificationMessage, type NotificationRecipients } from '@plinth/sdk';

export const MAX_TITLE = 200;
export const MAX_BODY = 4_000;
export const MAX_LINK = 500;
/** At most this many ids or codes in one list of recipients. */
export const MAX_TARGETS = 1_000;
/** `flow.task`, `script:nightly-check`, `system` … */
export const KIND = /^[a-z][a-zA-Z0-9]*(?:[.:][a-zA-Z0-9_.-]+)*$/;
export const MAX_KIND = 120;

/** A checked notification: trimmed text, a safe relative link, recipients as lists. */
export interface CheckedMessage {
  recipients: { users: number[]; roles: string[]; departments: number[] };
  title: string;
  body: string | null;
  link: string | null;
}

/**
 * A link a notification may carry: a path on this site (`/app/…`), never a scheme
 * (`javascript:`, `https:`), a protocol-relative `//host` or a backslash trick.
 */
export function isSafeLink(link: string): boolean {
  // eslint-disable-next-line no-control-regex
  return link.length <= MAX_LINK && /^\/(?![/\\])/.test(link) && !/[\\\u0000-\u001f\u007f\s]/.test(link);
}

const positiveIds = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x > 0);
const codes = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(x));

/** Check what a sender gave; every problem is named with its field and rule. */
export function checkMessage(input: unknown): CheckedMessage {
  const errors: FieldError[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'A notification is an object { to, title, body?, link? }' }]);
  const m = input as Partial<Record<keyof NotificationMessage, unknown>>;
  for (const k of Object.keys(m)) if (!['to', 'title', 'body', 'link'].includes(k)) errors.push({ field: k, rule: 'unknown', message: `Unknown field ${k}` });
  const recipients = { users: [] as number[], roles: [] as string[], departments: [] as number[] };
  const to = m.to;
  if (typeof to === 'number' || Array.isArray(to)) {
    const ids = typeof to === 'number' ? [to] : to;
    if (!positiveIds(ids)) errors.push({ field: 'to', rule: 'type', message: 'to is a user id, a list of user ids, or { users, roles, departments }' });
    else recipients.users = ids;
  } else if (typeof to === 'object' && to !== null) {
    const t = to as Partial<Record<keyof NotificationRecipients, unknown>>;
    for (const k of Object.keys(t)) if (!['users', 'roles', 'departments'].includes(k)) errors.push({ field: `to.${k}`, rule: 'unknown', message: `Unknown recipient kind ${k}` });
    if (t.users !== undefined) {
      if (positiveIds(t.users)) recipients.users = t.users;
      else errors.push({ field: 'to.users', rule: 'type', message: 'users is a list of user ids' });
    }
    if (t.departments !== undefined) {
      if (positiveIds(t.departments)) recipients.departments = t.departments;
      else errors.push({ field: 'to.departments', rule: 'type', message: 'departments is a list of department ids' });
    }
    if (t.roles !== undefined) {
      if (codes(t.roles)) recipients.roles = t.roles;
      else errors.push({ field: 'to.roles', rule: 'type', message: 'roles is a list of role codes' });
    }
  } else if (to === undefined || to === null) errors.push({ field: 'to', rule: 'required', message: 'Say who receives it: to' });
  else errors.push({ field: 'to', rule: 'type', message: 'to is a user id, a list of user ids, or { users, roles, departments }' });
  for (const [k, list] of Object.entries(recipients)) if (list.length > MAX_TARGETS) errors.push({ field: k === 'users' && typeof to !== 'object' ? 'to' : `to.${k}`, rule: 'maxItems', message: `At most ${MAX_TARGETS} ${k} at once` });
  const title = typeof m.title === 'string' ? m.title.trim() : '';
  if (typeof m.title !== 'string' || !title) errors.push({ field: 'title', rule: 'required', message: 'title is required' });
  else if (title.length > MAX_TITLE) errors.push({ field: 'title', rule: 'maxLength', message: `title has at most ${MAX_TITLE} characters` });
  if (m.body !== undefined && m.body !== null && typeof m.body !== 'string') errors.push({ field: 'body', rule: 'type', message: 'body is plain text' });
  else if (typeof m.body === 'string' && m.body.length > MAX_BODY) errors.push({ field: 'body', rule: 'maxLength', message: `body has at most ${MAX_BODY} characters` });
  if (m.link !== undefined && m.link !== null && (typeof m.link !== 'string' || !isSafeLink(m.link))) errors.push({ field: 'link', rule: 'relativeUrl', message: 'link is a path on this site starting with a single "/" (e.g. /app/customers/12)' });
  if (errors.length) throw new ValidationError(errors, 'The notification is invalid');
  return { recipients, title, body: typeof m.body === 'string' && m.body ? m.body : null, link: typeof m.link === 'string' ? m.link : null };
}
