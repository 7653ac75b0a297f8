import type { Context } from 'koa';
import { LANGUAGES, textIn } from '../i18n';
import { pageUserOf } from '../session';
import type { Profiles } from '../../prefs/profile';
import type { Workspace } from '../workspace';

const LANGUAGE_NAMES: Record<string, string> = { 'zh-CN': '简体中文', 'zh-TW': '繁體中文', en: 'English' };

/** The user's own profile: nickname, signature, avatar, language, theme; and the password form. */
export async function profilePage(ctx: Context, ws: Workspace, profiles: Profiles, passwordOnly: boolean): Promise<void> {
  const { actor, info } = pageUserOf(ctx);
  const viewer = await ws.viewer(ctx);
  const profile = await profiles.get(actor);
  const avatar = Array.isArray(profile.avatar) ? profile.avatar[0] : profile.avatar;
  await ws.send(ctx, {
    page: 'profile',
    title: await ws.t(ctx, 'profile.title'),
    crumbs: [{ label: await ws.t(ctx, 'profile.title') }],
    scripts: ['js/profile.js'],
    messages: ['profile.', 'form.'],
    client: { version: profile.version },
    data: {
      profile,
      avatarId: typeof avatar === 'object' && avatar !== null ? (avatar as { id?: unknown }).id : (avatar ?? null),
      passwordOnly,
      expired: info.passwordExpired,
      languages: LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l], selected: l === viewer.lang })),
      themes: [...ws.deps.views.themes.values()].map((t) => ({ value: t.name, label: textIn(t.manifest.label, viewer.lang), selected: t.name === viewer.theme.name })),
    },
  });
}
