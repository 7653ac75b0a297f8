import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { auditRows, login } from './helpers';

const NEW = 'Branch-Reset-Pass-2';

describeEachDatabase('credentials managed by a branch administrator', (db) => {
  let t: TestPlatform;
  let org: OrgFixture;
  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 0, ['shAdmin', 'rep1']);
  });
  afterAll(async () => t?.stop());

  it('resets the password of a user in their branch, which ends that user’s sessions', async () => {
    const shAdmin = org.users.shAdmin.api;
    const rep1 = org.users.rep1;
    const res = await shAdmin.post(`/api/v1/users/${rep1.id}/password`, { password: NEW });
    expect(res.status).toBe(200);
    expect((await rep1.api.get('/api/v1/auth/me')).status).toBe(401);
    expect((await login(t, 'rep1', NEW)).body.passwordExpired).toBe(true);
    const row = (await auditRows(t, 'password-reset')).at(-1)!;
    expect(row).toMatchObject({ username: 'shAdmin', record_id: rep1.id });
  });

  it('may not touch users of another branch, administrators, or itself through the admin path', async () => {
    const shAdmin = org.users.shAdmin.api;
    const outside = await shAdmin.post(`/api/v1/users/${org.users.gzRep1.id}/password`, { password: NEW });
    expect(outside.status).toBe(403);
    expect(outside.body.detail).toContain('outside the users you may manage');
    expect((await shAdmin.post(`/api/v1/users/${org.users.gzRep1.id}/unlock`)).status).toBe(403);
    const admin = (await t.api.get('/api/v1/auth/me')).body.userId as number;
    expect((await shAdmin.post(`/api/v1/users/${admin}/password`, { password: NEW })).status).toBe(403);
    expect((await shAdmin.post(`/api/v1/users/${org.users.shAdmin.id}/password`, { password: NEW })).status).toBe(403);
    // a sales rep may not reset anyone's password
    const rep = (await login(t, 'rep2', PASSWORD)).body.token as string;
    const api = new Api(t.platform.url);
    api.token = rep;
    expect((await api.post(`/api/v1/users/${org.users.rep4.id}/password`, { password: NEW })).status).toBe(403);
    expect((await login(t, 'gzRep1', PASSWORD)).status).toBe(200);
  });
});
