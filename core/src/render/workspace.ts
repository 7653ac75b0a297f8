import type { Context } from 'koa';
import type { Actor } from '@plinth/sdk';
import type { MenuNode, Menus } from '../menus/menus';
import type { Executor } from '../data/database';
import type { RecordStore } from '../services/records';
import { DEFAULT_LANGUAGE, isLanguage, textIn, type Language } from './i18n';
import { pageUserOf } from './session';
import type { DictionaryItems } from './fields';
import type { Views } from './views';
import type { Theme } from './themes';
import { DirectoryNames } from './display';

export interface WorkspaceDeps {
  views: Views;
  store: () => RecordStore;
  menus: Menus;
  dictionaries: DictionaryItems;
  timeZone: () => string;
  /** The admin screens a user may open (the layout links the admin console when there is one). */
  adminScreens?: (actor: Actor) => Promise<ReadonlySet<string>>;
  /** The viewer's unread notifications (the bell in the header). */
  unread?: (actor: Actor) => Promise<number>;
}

/** The signed-in user's settings that shape every page. */
export interface Viewer {
  id: number;
  name: string;
  lang: Language;
  theme: Theme;
  isAdmin: boolean;
}

interface NavItem {
  key: string;
  label: string;
  href: string | null;
  icon: string | null;
  active: boolean;
  children: NavItem[];
}

export interface Crumb {
  label: string;
  href?: string;
}

/** A page to render: its template, title, breadcrumb, the client scripts it loads and its data. */
export interface PageSpec {
  page: string;
  title: string;
  crumbs?: Crumb[];
  /** Client modules under the theme's assets/js, loaded by this page only. */
  scripts?: string[];
  /** Handed to the client scripts as JSON (never executed). */
  client?: Record<string, unknown>;
  /** Message keys (by prefix) the client scripts need. */
  messages?: string[];
  data?: Record<string, unknown>;
  status?: number;
  layout?: 'main' | 'bare';
}

/** Renders workspace pages: the viewer's language and theme, the menu, the layout. */
export class Workspace {
  readonly names: DirectoryNames;

  constructor(readonly deps: WorkspaceDeps) {
    this.names = new DirectoryNames(deps.store().db, deps.store().meta);
  }

  get db(): Executor {
    return this.deps.store().db;
  }

  async viewer(ctx: Context): Promise<Viewer> {
    if (ctx.state.viewer) return ctx.state.viewer as Viewer;
    const { actor } = pageUserOf(ctx);
    const [row] = await this.db.all('SELECT display_name, nickname, language, theme FROM plinth_users WHERE id = ?', [actor.userId]);
    const lang = isLanguage(row?.language) ? row.language : DEFAULT_LANGUAGE;
    const viewer: Viewer = {
      id: actor.userId!,
      name: String(row?.nickname || row?.display_name || actor.username || ''),
      lang,
      theme: this.deps.views.theme(typeof row?.theme === 'string' ? row.theme : null),
      isAdmin: actor.isAdmin === true,
    };
    ctx.state.viewer = viewer;
    return viewer;
  }

  /** Language and theme for a page seen without a session (login): the browser's language. */
  anonymous(ctx: Context): { lang: Language; theme: Theme } {
    const asked = ctx.query.lang;
    if (isLanguage(asked)) return { lang: asked, theme: this.deps.views.theme(null) };
    const accepted = ctx.acceptsLanguages('zh-CN', 'zh-TW', 'zh-HK', 'en', 'zh');
    const lang: Language = accepted === 'en' ? 'en' : accepted === 'zh-TW' || accepted === 'zh-HK' ? 'zh-TW' : DEFAULT_LANGUAGE;
    return { lang, theme: this.deps.views.theme(null) };
  }

  private nav(nodes: readonly MenuNode[], lang: Language, current: string): NavItem[] {
    return nodes.map((n) => {
      const href = n.path ? `/app${n.path}` : null;
      const children = this.nav(n.children, lang, current);
      return {
        key: n.key,
        label: textIn(n.label, lang),
        href,
        icon: n.icon ?? null,
        active: (href !== null && (current === href || current.startsWith(href + '/'))) || children.some((c) => c.active),
        children,
      };
    });
  }

  /** Render a page for the signed-in viewer. */
  async send(ctx: Context, spec: PageSpec): Promise<void> {
    const viewer = await this.viewer(ctx);
    const { actor, csrf } = pageUserOf(ctx);
    const menus = this.nav(await this.deps.menus.treeFor(actor), viewer.lang, ctx.path);
    const theme = viewer.theme;
    const context = {
      lang: viewer.lang,
      theme: theme.name,
      title: spec.title,
      viewer: { id: viewer.id, name: viewer.name, isAdmin: viewer.isAdmin, admin: this.deps.adminScreens ? (await this.deps.adminScreens(actor)).size > 0 : viewer.isAdmin },
      csrf,
      unread: this.deps.unread && actor.userId ? await this.deps.unread(actor) : 0,
      menus,
      crumbs: spec.crumbs ?? [],
      scripts: ['js/app.js', ...(spec.scripts ?? [])],
      client: { lang: viewer.lang, messages: theme.messages.subset(viewer.lang, ['common.', ...(spec.messages ?? [])]), ...(spec.client ?? {}) },
      ...(spec.data ?? {}),
    };
    ctx.status = spec.status ?? 200;
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = this.deps.views.render(theme.name, spec.page, context, spec.layout ?? 'main');
  }

  /** Render a page without a session (login). */
  sendAnonymous(ctx: Context, spec: PageSpec): void {
    const { lang, theme } = this.anonymous(ctx);
    const context = {
      lang,
      theme: theme.name,
      title: spec.title,
      scripts: spec.scripts ?? [],
      client: { lang, messages: theme.messages.subset(lang, ['common.', ...(spec.messages ?? [])]), ...(spec.client ?? {}) },
      ...(spec.data ?? {}),
    };
    ctx.status = spec.status ?? 200;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = this.deps.views.render(theme.name, spec.page, context, spec.layout ?? 'bare');
  }

  /** A message in the viewer's language. */
  async t(ctx: Context, key: string, vars?: Record<string, unknown>): Promise<string> {
    const viewer = await this.viewer(ctx);
    return viewer.theme.messages.text(viewer.lang, key, vars);
  }
}
