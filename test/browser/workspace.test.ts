import type { Browser, Page } from 'playwright-core';
import { TEST_DATABASES } from '../support/databases';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { collectErrors, launchBrowser, logIn, newContext, screenshot, showsText } from './browser';

// Browser tests run on the embedded database; the pages' server side is tested on both in test/render.
const db = TEST_DATABASES[0];

describe('workspace in a browser', () => {
  let t: TestPlatform;
  let org: OrgFixture;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestPlatform(db, { env: { LOGIN_MAX_FAILURES: '3' } });
    org = await buildOrg(t, 30, []);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const open = async (options: { width?: number; locale?: string } = {}): Promise<{ page: Page; errors: string[] }> => {
    const context = await newContext(browser, t.platform.url, options);
    const page = await context.newPage();
    return { page, errors: collectErrors(page) };
  };

  it('login: a wrong password is shown as such; repeated failures lock the account with a message', async () => {
    const { page, errors } = await open();
    await page.goto('/app/customers');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#username', 'rep2');
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
    const other = await open();
    await logIn(other.page, 'rep1', PASSWORD, '/app/customers');
    expect(new URL(other.page.url()).pathname).toBe('/app/customers');
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
  });

  it('a sales rep creates a customer with a custom field: errors shown by the field, fixed, saved; a contact added from the related tab', async () => {
    const field = await t.api.post('/api/v1/meta/entities/customer/custom-fields', { name: 'referrer', type: 'text', label: { 'zh-CN': '推荐人', en: 'Referrer' }, maxLength: 40 });
    expect(field.status).toBe(201);
    const { page, errors } = await open();
    await logIn(page, 'rep1', PASSWORD, '/app/customers');
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
});
