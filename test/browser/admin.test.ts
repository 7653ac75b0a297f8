import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { TestPlatform } from '../support/platform';
import { buildOrg, type OrgFixture } from '../support/org';
import { screenshot, showsText } from './browser';
import { browserSuite } from './suite';

describe('admin screens in a browser', () => {
  let t: TestPlatform;
  let org: OrgFixture;
  // Confirmations are part of the flows under test: accept them.
  const { openAs, asAdmin } = browserSuite(async (platform) => {
    t = platform;
    org = await buildOrg(t, 20, []);
  }, { acceptDialogs: true });
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
    // At phone width the tree and the unit stack.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`/admin/org?unit=${org.departments.shSales}`);
    await screenshot(page, 'admin-org-phone');
    expect(errors).toEqual([]);
  });

  it('roles: a new role is granted reading customers; a user given the role then sees the menu entry and the list', async () => {
    // Before: "nobody" has no role, so no customers.
    const user = await openAs('nobody', '/');
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

  it('custom fields: one is added through the screen and moved up; a refused change lists the records in the way; a rep sees the field at once', async () => {
    const { page, errors } = await asAdmin('/admin/fields');
    await Promise.all([page.waitForURL('**/admin/fields/customer'), page.click('[data-testid=entities] tr[data-entity=customer] a')]);
    await page.click('[data-testid=new-field]');
    await page.fill('[data-testid=field-name]', 'referral');
    await page.selectOption('[data-testid=field-type]', 'choice');
    await page.fill('[data-testid=field-label-zh]', '来源渠道');
    await page.fill('[data-testid=field-label-en]', 'Referral');
    await page.fill('#field-dialog textarea[name=options]', 'web | 网站 | Web\nfair | 展会 | Trade fair');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=field-save]')]);
    await showsText(page, '[data-testid=fields] tr[data-field=referral]', '来源渠道');
    // A required field without a default cannot be added while customers exist: the records are listed.
    await page.click('[data-testid=new-field]');
    await page.fill('[data-testid=field-name]', 'mustHave');
    await page.fill('[data-testid=field-label-zh]', '必填项');
    await page.fill('[data-testid=field-label-en]', 'Must have');
    await page.check('#field-dialog input[name=required]');
    await page.click('[data-testid=field-save]');
    await showsText(page, '#field-dialog .admin-problem', `${org.customers.length} existing records`);
    expect(await page.locator(`#field-dialog .admin-problem a[href="/app/customers/${org.customers[0].id}"]`).count()).toBe(1);
    await screenshot(page, 'admin-custom-field-refused');
    await page.click('#field-dialog button[value=cancel]');
    // Move the new field up one place: one change, the order follows.
    const names = async () => page.locator('[data-testid=fields] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-field")));
    const before = await names();
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=fields] tr[data-field=referral] [data-action=move-up]')]);
    const after = await names();
    expect(after.indexOf('referral')).toBe(before.indexOf('referral') - 1);
    await screenshot(page, 'admin-custom-fields');
    // A sales rep's form has it, with its options, without a restart.
    const rep = await openAs('rep1', '/app/customers/new');
    await showsText(rep.page, '[data-field=referral] label', '来源渠道');
    expect(await rep.page.locator('[data-field=referral] option').allTextContents()).toEqual(expect.arrayContaining(['网站', '展会']));
    expect(errors).toEqual([]);
    expect(rep.errors).toEqual([]);
  });

  it('plugins: disabling one takes its menu away at once, a plugin others need cannot be disabled (the reason shown), enabling brings it back', async () => {
    const { page, errors } = await asAdmin('/admin/plugins');
    expect(await page.locator('#nav a[href="/app/contacts"]').count()).toBe(1);
    // customers is needed by contacts: refused, with the API's reason.
    await page.click('[data-testid=plugins] [data-op=disable][data-name=customers]');
    await showsText(page, '#plugins-error', 'contacts');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=plugins] [data-op=disable][data-name=contacts]')]);
    await showsText(page, 'tr[data-plugin=contacts] [data-testid=plugin-status]', '已停用');
    expect(await page.locator('#nav a[href="/app/contacts"]').count()).toBe(0);
    await screenshot(page, 'admin-plugins');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=plugins] [data-op=enable][data-name=contacts]')]);
    await showsText(page, 'tr[data-plugin=contacts] [data-testid=plugin-status]', '已启用');
    expect(await page.locator('#nav a[href="/app/contacts"]').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('packages: the export downloads; an import shows its dry-run differences first, then applies', async () => {
    const { page, errors } = await asAdmin('/admin/packages');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=package-download]')]);
    const exported = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
    expect(exported.format).toBe('plinth.package');
    const gender = exported.sections.dictionaries.find((d: { key: string }) => d.key === 'gender');
    expect(gender).toBeDefined();
    // Another instance's package: gender relabelled, a new dictionary with an item.
    const pkg = {
      ...exported,
      name: 'from-test',
      sections: {
        dictionaries: [
          { ...gender, data: { ...gender.data, label: { ...gender.data.label, 'zh-CN': '性别（新）' } } },
          { key: 'hobbyKind', data: { code: 'hobbyKind', label: { 'zh-CN': '爱好类别', en: 'Hobby kind' }, description: null, enabled: true } },
        ],
        dictionaryItems: [{ key: 'hobbyKind/golf', data: { dictionary: 'hobbyKind', code: 'golf', label: { 'zh-CN': '高尔夫', en: 'Golf' }, sortOrder: 10, enabled: true, parent: null, color: null } }],
      },
    };
    const file = path.join(os.tmpdir(), `plinth-package-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify(pkg));
    await page.setInputFiles('[data-testid=package-file]', file);
    await showsText(page, '[data-testid=package-summary]', '新建 2 项，修改 1 项');
    await showsText(page, '[data-testid=package-plan] tr[data-key="dictionaries:gender"]', '性别（新）');
    expect(await page.locator('[data-testid=package-plan] tr[data-key="dictionaries:gender"] .before').first().textContent()).toContain('性别');
    await screenshot(page, 'admin-package-dry-run');
    // Nothing changed yet.
    expect((await t.api.get('/api/v1/dictionaries?filter[code]=hobbyKind')).body.data).toEqual([]);
    await page.click('[data-testid=package-apply]');
    await showsText(page, '[data-testid=package-done]', '已应用');
    expect((await t.api.get('/api/v1/dictionaries?filter[code]=hobbyKind')).body.data.length).toBe(1);
    expect((await t.api.get('/api/v1/dictionaries?filter[code]=gender')).body.data[0].label['zh-CN']).toBe('性别（新）');
    fs.rmSync(file, { force: true });
    expect(errors).toEqual([]);
  });

  it('the operation log: filtered by action and entity, then by user and time', async () => {
    const { page, errors } = await asAdmin('/admin');
    await Promise.all([page.waitForURL('**/admin/audit'), page.click('[data-screen=audit]')]);
    await page.fill('[data-testid=audit-action]', 'create');
    await page.selectOption('[data-testid=audit-entity]', 'department');
    await Promise.all([page.waitForURL(/action=create/), page.click('[data-testid=audit-apply]')]);
    expect(page.url()).toContain('entity=department');
    expect(page.url()).not.toContain('recordId=');
    const rows = page.locator('[data-testid=audit] tbody tr[data-id]');
    expect(await rows.count()).toBeGreaterThan(0);
    for (const row of await rows.all()) expect([await row.getAttribute('data-action'), await row.getAttribute('data-entity')]).toEqual(['create', 'department']);
    // By user: the roles the test gave nobody were made by the administrator; nobody's own login is theirs.
    await page.goto('/admin/audit');
    await pick(page, '[data-testid=audit-user]', 'nobody');
    await page.fill('[data-testid=audit-from]', '2000-01-01T00:00:00');
    await Promise.all([page.waitForURL(/userId=\d+/), page.click('[data-testid=audit-apply]')]);
    expect(page.url()).toMatch(/from=2000-01-01T/);
    const mine = page.locator('[data-testid=audit] tbody tr[data-id]');
    expect(await mine.count()).toBeGreaterThan(0);
    for (const row of await mine.all()) expect(await row.locator('td').nth(1).textContent()).toBe('nobody');
    await screenshot(page, 'admin-audit');
    // A range in the future: nothing.
    await page.fill('[data-testid=audit-from]', '2999-01-01T00:00:00');
    await Promise.all([page.waitForURL(/from=2999/), page.click('[data-testid=audit-apply]')]);
    await showsText(page, '[data-testid=audit] tbody', '没有符合条件的日志');
    expect(errors).toEqual([]);
  });

  it('forms: a data form is created, given fields, a section and a rule; a bad formula is refused naming its place', async () => {
    const { page, errors } = await asAdmin('/admin/forms');
    await page.click('[data-testid=new-form]');
    await page.fill('[data-testid=form-code]', 'visitLog');
    await page.fill('[data-testid=form-label]', '拜访记录');
    await page.fill('#form-dialog input[name="label.en"]', 'Visit log');
    await Promise.all([page.waitForURL('**/admin/forms/visitLog'), page.click('#form-dialog .dialog-actions .primary')]);
    const addField = async (name: string, type: string, label: string, extra: (p: Page) => Promise<void> = async () => undefined) => {
      await page.click('[data-testid=form-add-field]');
      await page.fill('[data-testid=ff-name]', name);
      await page.selectOption('[data-testid=ff-type]', type);
      await page.fill('[data-testid=ff-label]', label);
      await page.fill('#form-field-dialog input[name="label.en"]', name);
      await extra(page);
      await page.click('[data-testid=ff-ok]');
    };
    await addField('hours', 'decimal', '时长');
    await addField('fee', 'money', '费用', (p) => p.fill('[data-testid=ff-formula]', 'hours * 200'));
    // Layout: one section with the title spanning both columns, then hours and fee.
    await page.click('[data-testid=form-add-section]');
    for (const name of ['title', 'hours', 'fee']) await page.selectOption('[data-testid=section-0-add]', name);
    await page.selectOption('.layout-item[data-item=title] select', '2');
    await page.click('[data-action=add-rule]');
    await page.fill('.rule input.code', 'hours <= 12');
    await page.fill('.rule input[placeholder$="(zh-CN)"]', '不超过 12 小时');
    await page.fill('.rule input[placeholder$="(en)"]', 'At most 12 hours');
    await page.click('[data-testid=form-check]');
    await showsText(page, '#form-ok', '没有问题');
    await screenshot(page, 'admin-form-editor');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=form-save]')]);
    const saved = (await t.api.get('/api/v1/forms/visitLog')).body;
    expect(saved.version).toBe(2);
    expect(saved.definition.fields.map((f: { name: string }) => f.name)).toEqual(['title', 'hours', 'fee']);
    expect(saved.definition.layout.sections[0]).toEqual({ columns: 2, fields: [{ field: 'title', span: 2 }, 'hours', 'fee'] });
    expect(saved.definition.rules).toEqual([{ check: 'hours <= 12', message: { 'zh-CN': '不超过 12 小时', en: 'At most 12 hours' } }]);
    // A formula naming a field that is not there: refused, the error names the field's place.
    await page.click('[data-testid=form-fields] tr[data-field=fee] [data-action=edit]');
    await page.fill('[data-testid=ff-formula]', 'hourz * 200');
    await page.click('[data-testid=ff-ok]');
    await page.click('[data-testid=form-save]');
    await showsText(page, '#form-error', 'fields[2].formula');
    expect((await t.api.get('/api/v1/forms/visitLog')).body.version).toBe(2);
    expect(errors).toEqual([]);
  });

  it('dictionaries and categories: an item is added and moved, one in use cannot go; a category tree gets a subcategory with an attribute', async () => {
    const { page, errors } = await asAdmin('/admin/dictionaries');
    await Promise.all([page.waitForURL(/\/admin\/dictionaries\/\d+$/), page.click('[data-testid=dictionaries] tr[data-code=currency] a')]);
    await page.click('[data-testid=new-item]');
    await page.fill('[data-testid=item-code]', 'SGD');
    await page.fill('[data-testid=item-label]', '新加坡元');
    await page.fill('#item-dialog input[name="label.en"]', 'Singapore dollar');
    await Promise.all([page.waitForEvent('load'), page.click('#item-dialog .dialog-actions .primary')]);
    const codes = () => page.locator('[data-testid=items] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')));
    expect((await codes()).at(-1)).toBe('SGD');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=items] tr[data-code=SGD] [data-action=item-up]')]);
    expect((await codes()).at(-2)).toBe('SGD');
    // CNY is the default currency parameter's value: in use, the API says where.
    await page.click('[data-testid=items] tr[data-code=CNY] [data-action=delete-item]');
    await showsText(page, '#dictionary-error', 'finance.defaultCurrency');
    await page.goto('/admin/categories');
    await page.click('[data-testid=new-tree]');
    await page.fill('[data-testid=category-kind]', 'product');
    await page.fill('[data-testid=category-code]', 'insurance');
    await page.fill('[data-testid=category-label]', '保险产品');
    await page.fill('#category-dialog input[name="label.en"]', 'Insurance');
    await Promise.all([page.waitForURL(/category=\d+/), page.click('#category-dialog .dialog-actions .primary')]);
    await page.click('[data-action=new-attribute]');
    await page.fill('#attribute-dialog input[name=name]', 'term');
    await page.fill('#attribute-dialog input[name="label.zh-CN"]', '保障期限');
    await page.fill('#attribute-dialog input[name="label.en"]', 'Term');
    await page.selectOption('#attribute-dialog select[name=type]', 'integer');
    await Promise.all([page.waitForEvent('load'), page.click('#attribute-dialog .dialog-actions .primary')]);
    await page.click('[data-testid=category-form] [data-action=new-category]');
    await page.fill('[data-testid=category-code]', 'life');
    await page.fill('[data-testid=category-label]', '寿险');
    await page.fill('#category-dialog input[name="label.en"]', 'Life');
    await Promise.all([page.waitForURL(/category=\d+/), page.click('#category-dialog .dialog-actions .primary')]);
    // The subcategory inherits the attribute.
    await showsText(page, '[data-testid=attributes]', '保障期限');
    await showsText(page, '[data-testid=category-tree] a.active', '寿险');
    await screenshot(page, 'admin-categories');
    expect(errors).toEqual([]);
  });
});
