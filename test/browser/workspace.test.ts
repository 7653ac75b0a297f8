import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { screenshot, showsText } from './browser';
import { browserSuite } from './suite';

describe('workspace in a browser', () => {
  let t: TestPlatform;
  let org: OrgFixture;
  const { open, openAs } = browserSuite(async (platform) => {
    t = platform;
    org = await buildOrg(t, 30, []);
  }, { env: { LOGIN_MAX_FAILURES: '3' } });

  it('login: a wrong password is shown as such; repeated failures lock the account with a message', async () => {
    const { page, errors } = await open();
    await page.goto('/app/customers');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#username', 'rep4');
    await page.fill('#password', 'wrong-password');
    await page.click('#login-form button[type=submit]');
    await showsText(page, '#login-error', '用户名或密码错误');
    await page.click('#login-form button[type=submit]');
    await page.click('#login-form button[type=submit]');
    await showsText(page, '#login-error', '锁定');
    // Locked: even the right password is refused now.
    await page.fill('#password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForTimeout(300);
    expect(await page.textContent('#login-error')).toContain('锁定');
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'login-locked');
    // A good login lands on the page asked for.
    const other = await openAs('rep1', '/app/customers');
    expect(new URL(other.page.url()).pathname).toBe('/app/customers');
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
  });

  it('a sales rep creates a customer with a custom field: errors shown by the field, fixed, saved; a contact added from the related tab', async () => {
    const field = await t.api.post('/api/v1/meta/entities/customer/custom-fields', { name: 'referrer', type: 'text', label: { 'zh-CN': '推荐人', en: 'Referrer' }, maxLength: 40 });
    expect(field.status).toBe(201);
    const { page, errors } = await openAs('rep1', '/app/customers');
    await page.click('[data-testid=new-record]');
    await page.waitForURL('**/app/customers/new');
    // The custom field is on the form, marked as such.
    await expect(page.locator('.form-field[data-field=cf_referrer], .form-field[data-field=referrer]').count()).resolves.toBe(1);
    await page.fill('#f-customerNo', org.customers.length ? 'C00000001' : 'C99999999'); // taken by a customer of someone else
    await page.selectOption('#f-kind', 'person');
    await page.fill('[data-field$=referrer] input', '王经理');
    await page.click('[data-testid=save]');
    // The browser's hint first: the name is required.
    await showsText(page, '#err-name', '必填');
    await page.fill('#f-name', '测试客户甲');
    await page.click('[data-testid=save]');
    // Then the server's rule: the customer number is taken (unique), shown next to the field.
    await page.locator('#err-customerNo').waitFor({ state: 'visible' });
    expect(await page.locator('.form-field[data-field=customerNo]').getAttribute('class')).toContain('invalid');
    await screenshot(page, 'form-errors');
    await page.fill('#f-customerNo', 'C77770001');
    await Promise.all([page.waitForURL(/\/app\/customers\/\d+$/), page.click('[data-testid=save]')]);
    await showsText(page, '[data-testid=record-title]', '测试客户甲');
    await showsText(page, 'dd[data-field$=referrer]', '王经理');
    await screenshot(page, 'record');
    // Related tab: contacts, count 0; "new" is prefilled with the customer.
    const customerId = Number(new URL(page.url()).pathname.split('/').pop());
    await showsText(page, '[data-testid=count-contacts]', '0');
    await page.click('[data-testid=tab-contacts]');
    await Promise.all([page.waitForURL('**/app/contacts/new**'), page.click('[data-testid=related-new]')]);
    expect(await page.inputValue('.form-field[data-field=customer] input[type=hidden]')).toBe(String(customerId));
    await page.fill('#f-name', '联系人乙');
    await Promise.all([page.waitForURL(`**/app/customers/${customerId}`), page.click('[data-testid=save]')]);
    await showsText(page, '[data-testid=count-contacts]', '1');
    await page.click('[data-testid=tab-contacts]');
    await showsText(page, '[data-panel=other]', '联系人乙');
    // History tab: the creation by rep1.
    await page.click('[data-tab=history]');
    await showsText(page, '[data-panel=other]', 'rep1');
    expect(errors).toEqual([]);
  });

  it('a sales rep filters the list, saves the view, exports it to xlsx and imports a sheet with one bad row', async () => {
    const { page, errors } = await openAs('rep2', '/app/customers');
    const mine = (await t.api.get(`/api/v1/customers?filter[owner]=${org.users.rep2.id}&limit=100&fields=city,customerNo`)).body.data as { city: string; customerNo: string }[];
    const city = mine[0].city;
    const inCity = mine.filter((c) => c.city === city).length;
    await page.click('.more-filters summary');
    await page.fill('[data-filter=city] input', city);
    await Promise.all([page.waitForURL(/filter%5Bcity%5D%5Bcontains%5D=|filter\[city\]\[contains\]=/), page.click('form.filters button[type=submit]')]);
    // Empty inputs stay out of the URL.
    expect(page.url()).not.toMatch(/filter%5Bname%5D|filter\[name\]/);
    await showsText(page, '[data-testid=total]', `共 ${inCity} 条`);
    expect(await page.locator('table.records tbody tr').count()).toBe(inCity);
    // Sort by clicking a header.
    await Promise.all([page.waitForURL(/sort=customerNo/), page.click('th[data-column=customerNo] a')]);
    const shown = await page.locator('td[data-field=customerNo]').allTextContents();
    expect(shown).toEqual([...shown].sort());
    await screenshot(page, 'list-filtered');
    // Save it as a view; it opens with the same filter.
    await page.click('[data-action=save-view]');
    await page.fill('#view-dialog input[name=name]', `${city}的客户`);
    await Promise.all([page.waitForURL(/view=\d+/), page.click('[data-action=view-save]')]);
    await showsText(page, '.views a.active', `${city}的客户`);
    await showsText(page, '[data-testid=total]', `共 ${inCity} 条`);
    // Export the view to xlsx: the file holds exactly these customers.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.page-head details.drop summary').then(() => page.click('[data-testid=export-xlsx]'))]);
    const file = await download.path();
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.worksheets[0];
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const noColumn = header.indexOf('客户编号') + 1;
    expect(noColumn).toBeGreaterThan(0);
    const numbers = [];
    for (let r = 2; r <= sheet.rowCount; r++) numbers.push(String(sheet.getRow(r).getCell(noColumn).value));
    expect(numbers.sort()).toEqual(mine.filter((c) => c.city === city).map((c) => c.customerNo).sort());
    // Import: one good row and one bad one; the report names the bad row, the good one is in.
    const upload = new ExcelJS.Workbook();
    const ws = upload.addWorksheet('客户');
    ws.addRow(['客户编号', '客户名称', '客户类别', '城市']);
    ws.addRow(['C55500001', '导入客户一', '个人客户', city]);
    ws.addRow(['BAD-NUMBER', '导入客户二', '个人客户', city]);
    const sheetFile = path.join(os.tmpdir(), `plinth-import-${process.pid}.xlsx`);
    await upload.xlsx.writeFile(sheetFile);
    await page.goto('/app/customers');
    await page.click('[data-action=import]');
    await page.setInputFiles('[data-testid=import-file]', sheetFile);
    await page.locator('.import-mapping select').first().waitFor();
    await page.click('[data-action=import-run]');
    await showsText(page, '[data-testid=import-summary]', '新建 1');
    await showsText(page, '[data-testid=import-errors]', '第 3 行');
    await screenshot(page, 'import-report');
    fs.rmSync(sheetFile, { force: true });
    const imported = await t.api.get('/api/v1/customers?filter[customerNo]=C55500001');
    expect(imported.body.data[0]).toMatchObject({ name: '导入客户一', owner: org.users.rep2.id });
    expect((await t.api.get('/api/v1/customers?filter[name]=导入客户二')).body.data).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a manager sees the department\'s customers in the list but not another department\'s; pages work at phone width', async () => {
    const { page, errors } = await openAs('shSalesMgr', '/app/customers?size=100', { width: 390 });
    const ids: number[] = [];
    for (const row of await page.locator('table.records tbody tr').all()) ids.push(Number(await row.getAttribute('data-id')));
    const sh = org.customers.filter((c) => [org.departments.shTeam1, org.departments.shTeam2, org.departments.shSales].includes(c.department)).map((c) => c.id);
    const gz = org.customers.filter((c) => c.department === org.departments.gzSales).map((c) => c.id);
    expect(gz.length).toBeGreaterThan(0);
    for (const id of sh) expect(ids).toContain(id);
    for (const id of gz) expect(ids).not.toContain(id);
    // At phone width the rows are cards with their labels, and the menu opens from a button.
    expect(await page.locator('thead').first().isVisible()).toBe(false);
    await screenshot(page, 'list-phone');
    await page.click('[data-action=toggle-nav]');
    await page.locator('#nav.open').waitFor();
    const gzPage = await page.goto(`/app/customers/${gz[0]}`);
    expect(gzPage?.status()).toBe(404);
    expect(errors).toEqual([]);
  });

  it('an admin adds a custom field and the rep sees it on the form without a restart; language and theme switch in the profile', async () => {
    const { page, errors } = await openAs('rep3', '/app/customers/new');
    expect(await page.locator('[data-field=hobbyNote]').count()).toBe(0);
    const added = await t.api.post('/api/v1/meta/entities/customer/custom-fields', { name: 'hobbyNote', type: 'text', label: { 'zh-CN': '兴趣爱好', en: 'Hobbies' }, required: true, default: '—' });
    expect(added.status).toBe(201);
    await page.reload();
    await showsText(page, '[data-field=hobbyNote] label', '兴趣爱好');
    // Profile: English and the dark theme.
    await page.goto('/profile');
    await page.selectOption('[data-testid=language]', 'en');
    await page.selectOption('[data-testid=theme]', 'dark');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=profile-save]')]);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    await page.goto('/app/customers/new');
    await showsText(page, '[data-field=hobbyNote] label', 'Hobbies');
    const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(20, 23, 28)');
    await screenshot(page, 'form-dark-en');
    await page.goto('/');
    await screenshot(page, 'desktop-dark-en');
    expect(errors).toEqual([]);
  });
});
