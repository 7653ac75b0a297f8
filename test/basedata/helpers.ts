import { Api, type TestPlatform } from '../support/platform';

/** A signed-in user with no role at all (only what `everyone` grants), or with the given role codes. */
export async function signedInUser(t: TestPlatform, username: string, roles: string[] = []): Promise<{ api: Api; id: number }> {
  const created = await t.api.post('/api/v1/users', { username, displayName: username });
  if (created.status !== 201) throw new Error(`user: ${created.status} ${JSON.stringify(created.body)}`);
  const password = 'Base-Data-Pass-1';
  await t.platform.sessions.setPassword(created.body.id, password);
  if (roles.length) {
    const all = (await t.api.get('/api/v1/roles?limit=100')).body.data as { id: number; code: string }[];
    for (const code of roles) await t.api.post('/api/v1/userRoles', { user: created.body.id, role: all.find((r) => r.code === code)!.id });
  }
  const api = new Api(t.platform.url);
  await api.login(username, password);
  return { api, id: created.body.id };
}

export const label = (zh: string, en: string, tw?: string) => ({ 'zh-CN': zh, en, ...(tw ? { 'zh-TW': tw } : {}) });
