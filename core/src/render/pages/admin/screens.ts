import { ForbiddenError, type Actor } from '@plinth/sdk';
import type { RecordStore } from '../../../services/records';
import type { FormService } from '../../../forms/service';
import { FORM_ADMIN_RESOURCE } from '../../../forms/service';
import { AUDIT_LOG_RESOURCE } from '../../../api/audit';

/** The admin screens, in the order the admin index lists them. */
export const ADMIN_SCREENS = [
  { key: 'org', href: '/admin/org', icon: 'users' },
  { key: 'roles', href: '/admin/roles', icon: 'user' },
  { key: 'fields', href: '/admin/fields', icon: 'columns' },
  { key: 'dictionaries', href: '/admin/dictionaries', icon: 'filter' },
  { key: 'categories', href: '/admin/categories', icon: 'menu' },
  { key: 'parameters', href: '/admin/parameters', icon: 'settings' },
  { key: 'menus', href: '/admin/menus', icon: 'menu' },
  { key: 'related', href: '/admin/related', icon: 'sitemap' },
  { key: 'forms', href: '/admin/forms', icon: 'edit' },
  { key: 'scripts', href: '/admin/scripts', icon: 'file' },
  { key: 'plugins', href: '/admin/plugins', icon: 'settings' },
  { key: 'packages', href: '/admin/packages', icon: 'download' },
  { key: 'audit', href: '/admin/audit', icon: 'save' },
] as const;

export type AdminScreen = (typeof ADMIN_SCREENS)[number]['key'];

const WRITES = ['create', 'update', 'delete'];

/**
 * Which admin screens a user may open. Each follows the rule of the API the screen works
 * on, so a screen never shows what its API would refuse: custom fields, plugins and
 * packages, menus and scripts are for system administrators; the organisation,
 * dictionaries, categories, parameters and related tabs for whoever may change their records; roles for whoever may read them (administrators
 * change them); forms for those who manage form definitions; the log for readers of it.
 */
export async function allowedScreens(actor: Actor, store: RecordStore, forms: FormService): Promise<Set<AdminScreen>> {
  if (actor.isAdmin) return new Set(ADMIN_SCREENS.map((s) => s.key));
  const profile = await store.access.profile(actor);
  const writes = (entities: string[]) => entities.some((e) => store.meta.get(e) !== undefined && WRITES.some((a) => profile.can(e, a)));
  const out = new Set<AdminScreen>();
  if (store.meta.get('department') && writes(['department', 'position', 'user'])) out.add('org');
  if (profile.can('role', 'read')) out.add('roles');
  if (writes(['dictionary', 'dictionaryItem'])) out.add('dictionaries');
  if (writes(['category', 'categoryAttribute'])) out.add('categories');
  if (writes(['parameter'])) out.add('parameters');
  if (writes(['relatedTab']) && profile.can('relatedTab', 'read')) out.add('related');
  if (WRITES.some((a) => profile.can(FORM_ADMIN_RESOURCE, a)) || (await forms.manages(actor))) out.add('forms');
  if (profile.can(AUDIT_LOG_RESOURCE, 'read')) out.add('audit');
  return out;
}

/** Refuse the page (403) unless the viewer may use `screen`. */
export async function requireScreen(actor: Actor, store: RecordStore, forms: FormService, screen: AdminScreen): Promise<void> {
  if (!(await allowedScreens(actor, store, forms)).has(screen)) throw new ForbiddenError('You may not use this administration screen');
}
