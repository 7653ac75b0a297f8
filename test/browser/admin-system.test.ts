import type { TestPlatform } from '../support/platform';
import { buildOrg } from '../support/org';
import { screenshot, showsText } from './browser';
import { browserSuite } from './suite';

// The pages' server side is tested on both databases in test/render/admin-system.test.ts.
describe('admin screens in a browser: parameters, menus, related tabs, scripts; the desktop layout', () => {
  let t: TestPlatform;
  const { openAs, asAdmin } = browserSuite(async (platform) => {
    t = platform;
    await buildOrg(t, 3, []);
  }, { acceptDialogs: true });
  const param = async (code: string) => (await t.api.get(`/api/v1/parameters?filter[code]=${code}`)).body.data[0];

  it('parameters: a value is saved; the server\'s refusal shows next to the field; a stale save offers reload or overwrite', async () => {
    expect((await t.api.post('/api/v1/parameters', { code: 'crm.followUpDays', group: 'crm', type: 'integer', label: { 'zh-CN': '跟进天数', en: 'Follow-up days' }, value: 7 })).status).toBe(201);
    const { page, errors } = await asAdmin('/admin');
    await Promise.all([page.waitForURL('**/admin/parameters'), page.click('[data-screen=parameters]')]);
    const zone = page.locator('form[data-code="system.timeZone"]');
    await zone.locator('[name=value]').fill('Asia/Taipei');
    await zone.locator('[data-action=save-param]').click();
    await page.locator('.toast', { hasText: '已保存' }).waitFor();
    expect((await param('system.timeZone')).value).toBe('Asia/Taipei');
    // Not an integer: the server says so next to the field, nothing is saved.
    const days = page.locator('form[data-code="crm.followUpDays"]');
    await days.locator('[name=value]').fill('1.5');
    await days.locator('[data-action=save-param]').click();
    await showsText(page, 'form[data-code="crm.followUpDays"] .field-error', 'must be an integer');
    expect((await param('crm.followUpDays')).value).toBe(7);
    await screenshot(page, 'admin-parameters');
    // Someone else saves in between: the page shows their value; "overwrite" saves mine over it.
    const current = await param('crm.followUpDays');
    expect((await t.api.patch(`/api/v1/parameters/${current.id}`, { value: 10, version: current.version })).status).toBe(200);
    await days.locator('[name=value]').fill('14');
    await days.locator('[data-action=save-param]').click();
    await showsText(page, 'form[data-code="crm.followUpDays"] .param-conflict', '10');
    await days.locator('[data-action=conflict-overwrite]').click();
    await page.locator('form[data-code="crm.followUpDays"] .param-conflict').waitFor({ state: 'hidden' });
    await page.locator('form[data-code="crm.followUpDays"] [data-action=save-param][disabled]').waitFor();
    expect(await param('crm.followUpDays')).toMatchObject({ value: 14, version: current.version + 2 });
    expect(errors).toEqual([]);
  });

  it('menus: an entry renamed on the screen shows in the navigation; moved, hidden, and reset to the plugin\'s', async () => {
    const { page, errors } = await asAdmin('/admin/menus');
    const row = page.locator('tr[data-key="customers.list"]');
    await row.locator('[data-action=menu-rename]').click();
    await page.fill('[data-testid=menu-label-zh]', '客户名录');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=menu-save]')]);
    await showsText(page, '#nav', '客户名录');
    await showsText(page, 'tr[data-key="customers.list"] .menu-name', '客户名录');
    // Down one place among its siblings.
    const keys = async () => page.locator('[data-testid=menu-tree] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    const before = await keys();
    await Promise.all([page.waitForEvent('load'), row.locator('[data-action=menu-down]').click()]);
    const after = await keys();
    expect(after.indexOf('customers.list')).toBeGreaterThan(before.indexOf('customers.list'));
    await screenshot(page, 'admin-menus');
    // Hidden: gone from the navigation.
    await Promise.all([page.waitForEvent('load'), row.locator('[data-action=menu-hide]').click()]);
    expect(await page.locator('#nav a[href="/app/customers"]').count()).toBe(0);
    // Reset: the plugin's label, order and visibility again.
    await Promise.all([page.waitForEvent('load'), row.locator('[data-action=menu-reset]').click()]);
    await showsText(page, '#nav', '客户档案');
    expect(await page.locator('tr[data-key="customers.list"] [data-action=menu-reset]').count()).toBe(0);
    // Its sibling was renumbered by the move: reset that too and the plugins' order is back.
    await Promise.all([page.waitForEvent('load'), page.click('tr[data-key="contacts.list"] [data-action=menu-reset]')]);
    expect(await keys()).toEqual(before);
    expect((await t.api.get('/api/v1/menus/admin')).body.orphans).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('related tabs: an administrator adds a tab of users by their superior, sees it on a user\'s page, and removes it', async () => {
    const { page, errors } = await asAdmin('/admin/related');
    await Promise.all([page.waitForURL('**/admin/related?entity=user'), page.selectOption('[data-action=pick-entity]', 'user')]);
    await page.click('[data-testid=new-tab]');
    await page.selectOption('[data-testid=tab-pair]', 'user|superior');
    await page.fill('[data-testid=tab-key]', 'reports');
    await page.fill('[data-testid=tab-label]', '直接下属');
    await page.fill('#tab-dialog input[name="label.en"]', 'Direct reports');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=tab-save]')]);
    await showsText(page, 'tr[data-tab=reports]', '直接下属');
    // The same key again: the refusal names the field.
    await page.click('[data-testid=new-tab]');
    await page.selectOption('[data-testid=tab-pair]', 'user|superior');
    await page.fill('[data-testid=tab-key]', 'reports');
    await page.fill('[data-testid=tab-label]', '又一个');
    await page.fill('#tab-dialog input[name="label.en"]', 'Again');
    await page.click('[data-testid=tab-save]');
    await page.locator('#tab-dialog .admin-problem').waitFor();
    await screenshot(page, 'admin-related-tabs');
    await page.click('#tab-dialog button[value=cancel]');
    const tabs = (await t.api.get('/api/v1/related-tabs/user')).body.data;
    expect(tabs.find((x: { key: string }) => x.key === 'reports')).toMatchObject({ source: 'admin', target: 'user', foreignKey: 'superior', label: { 'zh-CN': '直接下属', en: 'Direct reports' } });
    await Promise.all([page.waitForEvent('load'), page.click('tr[data-tab=reports] [data-action=delete-tab]')]);
    expect(await page.locator('tr[data-tab=reports]').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('scripts: "check" shows a type error with its line and column; the fixed script is saved, dry-run (writes rolled back), disabled', async () => {
    const { page, errors } = await asAdmin('/admin/scripts');
    await Promise.all([page.waitForURL('**/admin/new-script'), page.click('[data-testid=new-script]')]);
    await page.fill('[data-testid=script-name]', 'make-customer');
    await page.selectOption('[data-testid=script-kind]', 'endpoint');
    await page.fill('[data-testid=script-target]', 'make-customer');
    await page.check('input[name=cap][value="records:write"]');
    const broken = `export default async function (input: EndpointInput, ctx: ScriptContext) {\n  ctx.log.info('making one');\n  const made = await ctx.records('customer').create({ customerNo: 'C99999999', name: 'Dry run Co', kind: 'person' });\n  return made.nope.id + 1;\n}\n`;
    await page.fill('[data-testid=script-source]', broken);
    await page.click('[data-testid=script-check]');
    await showsText(page, '[data-testid=script-diagnostics]', '4:');
    const place = await page.locator('[data-testid=script-diagnostics] a.diagnostic').first().getAttribute('data-line');
    expect(place).toBe('4');
    // Saving a source that does not compile is refused the same way, nothing stored.
    await page.click('[data-testid=script-save]');
    await showsText(page, '[data-testid=script-diagnostics]', '4:');
    expect((await t.api.get('/api/v1/scripts')).body.data.map((s: { name: string }) => s.name)).not.toContain('make-customer');
    // A click on the problem selects its place in the editor.
    await page.click('[data-testid=script-diagnostics] a.diagnostic');
    const selected = await page.locator('[data-testid=script-source]').evaluate((el) => {
      const area = el as unknown as { value: string; selectionStart: number };
      return area.value.slice(0, area.selectionStart).split('\n').length;
    });
    expect(selected).toBe(4);
    await screenshot(page, 'admin-script-check');
    await page.fill('[data-testid=script-source]', broken.replace('made.nope.id + 1', "{ id: made.id, name: made.name, echo: (input.body as { n?: number } | null)?.n ?? null }"));
    await page.click('[data-testid=script-check]');
    await showsText(page, '[data-testid=script-ok]', '没有发现问题');
    await Promise.all([page.waitForURL('**/admin/scripts/make-customer'), page.click('[data-testid=script-save]')]);
    await showsText(page, '[data-testid=script-versions]', 'v1');
    // Dry run with an input: the result, the log line, the write — rolled back.
    const customers = (await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total;
    await page.fill('[data-testid=dry-run-input]', '{"method":"POST","path":"/x/make-customer","params":{},"query":{},"body":{"n":7}}');
    await page.click('[data-testid=dry-run-go]');
    await showsText(page, '[data-testid=dry-run-value]', '"echo": 7');
    await showsText(page, '[data-testid=dry-run-logs]', 'making one');
    await showsText(page, '[data-testid=dry-run-writes]', 'create customer');
    expect(await page.locator('[data-testid=dry-run-stats]').textContent()).toMatch(/\d+ ms/);
    expect((await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total).toBe(customers);
    await screenshot(page, 'admin-script-dry-run');
    // A second version, then disabled: the list says so.
    await page.fill('[data-testid=script-source]', (await page.inputValue('[data-testid=script-source]')).replace("'making one'", "'making one (v2)'"));
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=script-save]')]);
    expect(await page.locator('[data-testid=script-versions] tr[data-version]').count()).toBe(2);
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=script-disable]')]);
    await page.goto('/admin/scripts');
    await showsText(page, 'tr[data-script=make-customer]', 'v2');
    await showsText(page, 'tr[data-script=make-customer]', '停用');
    expect(errors).toEqual([]);
  });

  it('the desktop: two columns with widgets placed in them, kept across visits; one column at a phone\'s width', async () => {
    const { page, errors } = await openAs('rep1', '/');
    const columns = async () =>
      page.locator('[data-testid=desktop-columns] .desktop-column').evaluateAll((cols) => cols.map((c) => [...c.querySelectorAll('[data-widget]')].map((w) => w.getAttribute('data-widget'))));
    expect(await columns()).toEqual([['recent', 'todo', 'messages', 'links']]);
    await page.click('[data-testid=desktop-arrange]');
    await page.check('[data-testid=layout-columns] input[value="2"]');
    await page.selectOption('[data-testid=widget-column-recent]', '2');
    await page.selectOption('[data-testid=widget-column-todo]', '1');
    await page.selectOption('[data-testid=widget-column-messages]', '0');
    await page.selectOption('[data-testid=widget-column-links]', '1');
    // Links above the to-do count in the first column.
    await page.click('[data-testid=layout-widgets] tr[data-widget=links] [data-action=widget-up]');
    await page.click('[data-testid=layout-widgets] tr[data-widget=links] [data-action=widget-up]');
    await page.fill('[data-testid=layout-links]', '客户 /app/customers');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=layout-save]')]);
    expect(await columns()).toEqual([['links', 'todo'], ['recent']]);
    await showsText(page, '[data-widget=links]', '客户');
    const boxes = await page.locator('[data-testid=desktop-columns] .desktop-column').evaluateAll((cols) => cols.map((c) => c.getBoundingClientRect().left));
    expect(boxes[1]).toBeGreaterThan(boxes[0]);
    await screenshot(page, 'desktop-two-columns');
    // Kept: another visit, the same layout; the API holds it.
    await page.goto('/');
    expect(await columns()).toEqual([['links', 'todo'], ['recent']]);
    const prefs = (await page.evaluate(async () => (await fetch('/api/v1/me/preferences', { headers: { Accept: 'application/json' } })).json())) as Record<string, unknown>;
    expect(prefs['desktop.layout']).toEqual({ columns: [['links', 'todo'], ['recent']] });
    // At a phone's width the columns stack.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto('/');
    const stacked = await page.locator('[data-testid=desktop-columns] .desktop-column').evaluateAll((cols) => cols.map((c) => Math.round(c.getBoundingClientRect().left)));
    expect(new Set(stacked).size).toBe(1);
    await screenshot(page, 'desktop-phone');
    expect(errors).toEqual([]);
  });
});
