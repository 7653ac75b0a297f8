import type { TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { launchEngine, until, waitForLocation, waitForText, type Engine, type EngineBrowser, type EnginePage } from './engines';
import { platformSuite } from './suite';

// The main pages in Firefox (Gecko) and WebKit (Safari's engine); test/browser/workspace.test.ts
// covers the same ground, and more, in Chromium.
const ENGINES: { engine: Engine; user: string; customerNo: string }[] = [
  { engine: 'firefox', user: 'rep1', customerNo: 'C88880001' },
  { engine: 'webkit', user: 'rep2', customerNo: 'C88880002' },
];

describe.each(ENGINES)('the workspace in $engine', ({ engine, user, customerNo }) => {
  let t: TestPlatform;
  let org: OrgFixture;
  let browser: EngineBrowser;
  let page: EnginePage;

  platformSuite(async (platform) => {
    t = platform;
    org = await buildOrg(t, 30, []);
    browser = await launchEngine(engine);
    page = await browser.open(t.platform.url);
  }, { teardown: async () => browser?.close() });

  it('logs in after showing a wrong password as such, and lands on the page asked for', async () => {
    await page.goto('/app/customers');
    await waitForLocation(page, /^\/login/);
    await page.fill('#username', user);
    await page.fill('#password', 'wrong-password');
    await page.click('#login-form button[type=submit]');
    await waitForText(page, '#login-error', '用户名或密码错误');
    await page.fill('#password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await waitForLocation(page, /^\/app\/customers$/);
    expect(await page.count('table.records tbody tr')).toBeGreaterThan(0);
    await page.screenshot('list');
  }, 60_000);

  it('creates a customer: the browser hint, then the server error next to the field, then saved; the record page with its tabs', async () => {
    await page.click('[data-testid=new-record]');
    await waitForLocation(page, /^\/app\/customers\/new/);
    await page.fill('#f-customerNo', org.customers.length ? 'C00000001' : 'C99999999'); // taken
    await page.select('#f-kind', 'person');
    await page.click('[data-testid=save]');
    await waitForText(page, '#err-name', '必填');
    await page.fill('#f-name', `${engine} 客户 <b>甲</b>`);
    await page.click('[data-testid=save]');
    await until('the server error on customerNo', async () => ((await page.attribute('.form-field[data-field=customerNo]', 'class'))?.includes('invalid') && (await page.visible('#err-customerNo')) ? true : undefined));
    await page.screenshot('form-errors');
    await page.fill('#f-customerNo', customerNo);
    await page.click('[data-testid=save]');
    const at = await waitForLocation(page, /^\/app\/customers\/\d+$/);
    // The name went through as text, not markup.
    await waitForText(page, '[data-testid=record-title]', `${engine} 客户 <b>甲</b>`);
    expect(await page.count('[data-testid=record-title] b')).toBe(0);
    await waitForText(page, '[data-testid=count-contacts]', '0');
    await page.click('[data-tab=history]');
    await waitForText(page, '[data-panel=other]', user);
    await page.screenshot('record');
    const id = Number(at.split('/').pop());
    expect((await t.api.get(`/api/v1/customers/${id}`)).body).toMatchObject({ customerNo, name: `${engine} 客户 <b>甲</b>` });
  }, 60_000);

  it('works at phone width: rows become cards, the menu opens from its button', async () => {
    await page.resize(390, 800);
    await page.goto('/app/customers');
    await until('the table head to hide at phone width', async () => ((await page.visible('table.records thead')) ? undefined : true));
    expect(await page.count('table.records tbody tr')).toBeGreaterThan(0);
    await page.click('[data-action=toggle-nav]');
    await until('the menu to open', async () => ((await page.count('#nav.open')) === 1 ? true : undefined));
    await page.screenshot('list-phone');
    await page.resize(1280, 800);
  }, 60_000);

  it('switches language and theme in the profile', async () => {
    await page.goto('/profile');
    await page.select('[data-testid=language]', 'en');
    await page.select('[data-testid=theme]', 'dark');
    await page.click('[data-testid=profile-save]');
    await until('the page in English, dark', async () => ((await page.attribute('html', 'lang')) === 'en' && (await page.attribute('html', 'data-theme')) === 'dark' ? true : undefined));
    await page.goto('/app/customers/new');
    await waitForText(page, '.form-field[data-field=name] label', 'Name');
    await page.screenshot('form-dark-en');
    expect(page.errors).toEqual([]);
  }, 60_000);
});
