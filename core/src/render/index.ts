import type Router from '@koa/router';
import type { Actor } from '@plinth/sdk';
import type { Sessions } from '../auth/sessions';
import type { Logger } from '../app/logger';
import type { Menus } from '../menus/menus';
import type { RelatedTabs } from '../related';
import type { RecordStore } from '../services/records';
import { Preferences } from '../prefs/preferences';
import { SavedViews } from '../prefs/saved-views';
import { Profiles } from '../prefs/profile';
import { prefsRoutes, profileRoutes } from '../api/prefs';
import type { DictionaryItems } from './fields';
import type { FormService } from '../forms/service';
import type { FormRecords } from '../forms/records';
import type { Flows } from '../flows';
import type { NotificationCentre } from '../notify';
import { loadThemes } from './themes';
import { Views } from './views';
import { Workspace } from './workspace';
import { workspaceRouter } from './routes';
import type { AdminServices } from './admin';
import { allowedScreens } from './pages/admin/screens';

export { prefsSchemas } from '../prefs/schema';

export interface WebSetup {
  themesDir: string;
  store: () => RecordStore;
  sessions: Sessions;
  menus: Menus;
  related: RelatedTabs;
  dictionaries: DictionaryItems;
  timeZone: () => string;
  log: Logger;
  forms: FormService;
  formRecords: FormRecords;
  flows: Flows;
  /** The user's notifications (the messages widget and page, the bell). */
  notifications?: NotificationCentre;
  /** Open tasks of a user, when a flow engine counts them. */
  todoCount?: (actor: Actor) => Promise<number | null>;
  /** The services behind the admin screens. */
  admin: AdminServices;
}

/** The browser side of the platform: workspace pages and theme assets, and the API they use for per-user state. */
export interface Web {
  pages: Router;
  api(router: Router): void;
}

export function setupWeb(setup: WebSetup): Web {
  const views = new Views(loadThemes(setup.themesDir));
  const ws = new Workspace({
    views, store: setup.store, menus: setup.menus, dictionaries: setup.dictionaries, timeZone: setup.timeZone,
    adminScreens: (actor) => allowedScreens(actor, setup.store(), setup.admin.forms),
    unread: setup.notifications ? (actor) => setup.notifications!.service.unreadCount(actor.userId!) : undefined,
  });
  const db = setup.store().db;
  const preferences = new Preferences(db);
  const savedViews = new SavedViews(setup.store);
  const profiles = new Profiles(setup.store, () => [...views.themes.keys()]);
  const pages = workspaceRouter({
    ws,
    sessions: setup.sessions,
    related: setup.related,
    preferences,
    views: savedViews,
    profiles,
    log: setup.log,
    counters: {
      todo: setup.todoCount ?? (async () => null),
      messages: async (actor) => (setup.notifications && actor.userId ? setup.notifications.service.unreadCount(actor.userId) : null),
      newestMessages: async (actor) => (setup.notifications && actor.userId ? (await setup.notifications.service.list(actor.userId, { unread: true, limit: 5 })).data : []),
    },
    notifications: setup.notifications?.service ?? null,
    forms: setup.forms,
    formRecords: setup.formRecords,
    admin: setup.admin,
    flows: setup.flows,
  });
  return {
    pages,
    api: (router) => {
      prefsRoutes(router, preferences, savedViews);
      profileRoutes(router, profiles);
    },
  };
}
