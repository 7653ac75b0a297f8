import type { Browser, Page } from 'playwright-core';
import { TEST_DATABASES } from '../support/databases';
import { ADMIN, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { collectErrors, launchBrowser, logIn, newContext, screenshot, showsText } from './browser';

// Browser tests run on the embedded database; the admin pages' server side is tested on both in test/render.
const db = TEST_DATABASES[0];

describe('admin screens in a browser', () => {
  let t: TestPlatform;
  let org: OrgFixture;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 20, []);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const open = async (): Promise<{ page: Page; errors: string[] }> => {
    const context = await newContext(browser, t.platform.url);
    const page = await context.newPage();
    // Confirmations are part of the flows under test: accept them.
    page.on('dialog', (d) => void d.accept());
    return { page, errors: collectErrors(page) };
  };
  const asAdmin = async (path: string) => {
    const o = await open();
    await logIn(o.page, ADMIN.username, ADMIN.password, path);
    return o;
  };
  /** Type into a type-ahead and pick the suggestion showing `text`. */
  const pick = async (page: Page, input: string, text: string) => {
    await page.fill(input, text);
    await page.locator('.lookup-list [role=option]', { hasText: text }).first().click();
  };

  it('organisation: a unit is added, renamed and moved in the tree; a member joins; a unit with members cannot be deleted', async () => {
    const { page, errors } = await asAdmin('/admin');
    await Promise.all([page.waitForURL('**/admin/org'), page.click('[data-screen=org]')]);
    await page.click(`[data-testid=org-tree] a[data-node="${org.departments.shSales}"]`);
    await page.waitForURL(`**/admin/org?unit=${org.departments.shSales}`);
    await page.click('[data-testid=new-subunit]');
    await page.fill('[data-testid=new-unit-name]', '销售三组');
    await Promise.all([page.waitForURL(/unit=\d+/), page.click('#unit-dialog [data-action=unit-create]')]);
    await showsText(page, '[data-testid=org-tree] a.active', '销售三组');
    const unitId = Number(new URL(page.url()).searchParams.get('unit'));
    expect(unitId).not.toBe(org.departments.shSales);
    // Rename and move it under the Guangzhou sales department.
    await page.fill('#u-name', '华南销售组');
    await page.selectOption('[data-testid=unit-parent]', String(org.departments.gzSales));
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=unit-save]')]);
    await showsText(page, `[data-testid=org-tree] li:has(> a[data-node="${org.departments.gzSales}"]) a[data-node="${unitId}"]`, '华南销售组');
    const moved = await t.api.get(`/api/v1/departments/${unitId}`);
    expect(moved.body).toMatchObject({ name: '华南销售组', parent: org.departments.gzSales, path: `/${org.departments.hq}/${org.departments.gz}/${org.departments.gzSales}/` });
    // A member joins the unit.
    await pick(page, '[data-testid=member-lookup]', 'gzRep2');
    await Promise.all([page.waitForEvent('load'), page.click('[data-action=add-member]')]);
    await showsText(page, '[data-testid=members] tbody', 'gzRep2');
    expect((await t.api.get(`/api/v1/users/${org.users.gzRep2.id}`)).body.department).toBe(unitId);
    // The API refuses to delete a unit with members; the page says why.
    await page.click('[data-testid=unit-delete]');
    await showsText(page, '#unit-error', '1 member');
    await screenshot(page, 'admin-org');
    // Once empty it goes.
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=members] [data-action=remove-member]')]);
    await Promise.all([page.waitForURL('**/admin/org'), page.click('[data-testid=unit-delete]')]);
    expect((await t.api.get(`/api/v1/departments/${unitId}`)).status).toBe(404);
    expect(errors).toEqual([]);
  });

  it('roles: a new role is granted reading customers; a user given the role then sees the menu entry and the list', async () => {
    // Before: "nobody" has no role, so no customers.
    const user = await open();
    await logIn(user.page, 'nobody', PASSWORD, '/');
    expect(await user.page.locator('#nav a[href="/app/customers"]').count()).toBe(0);

    const { page, errors } = await asAdmin('/admin/roles');
    await page.click('[data-testid=new-role]');
    await page.fill('[data-testid=role-code]', 'customerViewer');
    await page.fill('[data-testid=role-name]', '客户查看');
    await Promise.all([page.waitForURL(/\/admin\/roles\/\d+$/), page.click('#role-dialog .dialog-actions .primary')]);
    const roleId = Number(new URL(page.url()).pathname.split('/').pop());
    await page.selectOption('tr[data-entity=customer] select[data-action-name=read]', 'all');
    await page.selectOption('tr[data-entity=customer] select[data-action-name=export]', 'own');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=save-grants]')]);
    expect(await page.inputValue('tr[data-entity=customer] select[data-action-name=read]')).toBe('all');
    const grants = (await t.api.get(`/api/v1/roleGrants?filter[role]=${roleId}`)).body.data;
    expect(grants.map((g: { actions: string[]; scope: string }) => [g.actions, g.scope]).sort()).toEqual([[['export'], 'own'], [['read'], 'all']]);
    // Field rules of the saved read grant: the customer's address is hidden.
    await page.click('tr[data-entity=customer] [data-action=field-rules]');
    await page.locator('#rules-dialog fieldset').first().waitFor();
    const readSet = page.locator('#rules-dialog fieldset', { hasText: '全部' });
    await readSet.locator('select[name=hiddenFields]').selectOption(['address']);
    await Promise.all([page.waitForEvent('load'), page.click('#rules-dialog .dialog-actions .primary')]);
    // The role goes to "nobody".
    await pick(page, '[data-testid=role-member-lookup]', 'nobody');
    await Promise.all([page.waitForEvent('load'), page.click('[data-action=add-role-member]')]);
    await showsText(page, '[data-testid=role-members]', 'nobody');
    await screenshot(page, 'admin-role-matrix');

    await user.page.reload();
    await user.page.locator('#nav a[href="/app/customers"]').waitFor();
    await user.page.click('#nav a[href="/app/customers"]');
    await showsText(user.page, '[data-testid=total]', `共 ${org.customers.length} 条`);
    expect(await user.page.locator('th[data-column=address]').count()).toBe(0);
    expect(errors).toEqual([]);
    expect(user.errors).toEqual([]);
  });
});
