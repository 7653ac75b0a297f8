import type { TestPlatform } from '../support/platform';
import { buildOrg, type OrgFixture } from '../support/org';
import { holdsValue, screenshot, showsText } from './browser';
import { browserSuite } from './suite';

const label = (zh: string, en: string) => ({ 'zh-CN': zh, en });

const PURCHASE = {
  code: 'purchaseReq',
  kind: 'data',
  label: label('采购申请', 'Purchase request'),
  fields: [
    { name: 'title', type: 'string', label: label('采购事由', 'Purpose'), required: true },
    { name: 'urgent', type: 'boolean', label: label('紧急采购', 'Urgent'), default: false },
    { name: 'urgentReason', type: 'text', label: label('紧急原因', 'Why urgent'), visibleWhen: 'urgent', requiredWhen: 'urgent' },
    {
      name: 'items', type: 'detail', label: label('采购明细', 'Items'), required: true,
      fields: [
        { name: 'itemName', type: 'string', label: label('物品名称', 'Item'), required: true },
        { name: 'quantity', type: 'decimal', label: label('数量', 'Quantity'), required: true, min: 0.01 },
        { name: 'unitPrice', type: 'money', label: label('单价', 'Unit price'), required: true },
        { name: 'amount', type: 'money', label: label('金额', 'Amount'), formula: 'quantity * unitPrice', total: 'sum' },
      ],
    },
    { name: 'total', type: 'money', label: label('合计金额', 'Total'), formula: 'SUM(items.amount)' },
  ],
  layout: { sections: [
    { title: label('申请', 'Request'), columns: 2, fields: [{ field: 'title', span: 2 }, 'urgent', 'urgentReason'] },
    { columns: 1, fields: ['items'] },
    { columns: 2, fields: ['total'] },
  ] },
};

describe('forms in a browser', () => {
  let t: TestPlatform;
  let org: OrgFixture;
  const { openAs, asAdmin } = browserSuite(async (platform) => {
    t = platform;
    org = await buildOrg(t, 10, []);
    const created = await t.api.post('/api/v1/forms', PURCHASE);
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  });

  it('a data form: sections, a condition, detail rows added and removed, formulas and totals computed while typing, saved and edited', async () => {
    const { page, errors } = await asAdmin('/app/formPurchaseReqRecords');
    await Promise.all([page.waitForURL('**/app/forms/purchaseReq/new'), page.click('[data-testid=new-record]')]);
    expect(await page.locator('.form-section legend').first().textContent()).toBe('申请');
    const reason = page.locator('[data-field=urgentReason]');
    await reason.waitFor({ state: 'hidden' });
    await page.check('[data-field=urgent] input');
    await reason.waitFor({ state: 'visible' });
    await page.uncheck('[data-field=urgent] input');
    await reason.waitFor({ state: 'hidden' });
    await page.fill('[data-field=title] input', '办公用品');
    const row = (i: number) => page.locator('table.detail-table tbody tr').nth(i);
    await row(0).locator('[data-name=itemName]').fill('打印纸');
    await row(0).locator('[data-name=quantity]').fill('2');
    await row(0).locator('[data-name=unitPrice]').fill('10.5');
    await page.click('[data-testid=add-row]');
    await row(1).locator('[data-name=itemName]').fill('墨盒');
    await row(1).locator('[data-name=quantity]').fill('1');
    await row(1).locator('[data-name=unitPrice]').fill('100');
    await holdsValue(page, '[data-field=total] input', '121');
    await holdsValue(page, 'table.detail-table tbody tr:nth-child(2) [data-name=amount]', '100');
    await showsText(page, '[data-total=amount]', '121');
    await screenshot(page, 'data-form');
    await row(1).locator('[data-action=remove-row]').click();
    await holdsValue(page, '[data-field=total] input', '21');
    await Promise.all([page.waitForURL(/\/app\/formPurchaseReqRecords\/\d+$/), page.click('[data-testid=save]')]);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const saved = await t.api.get(`/api/v1/forms/purchaseReq/records/${id}`);
    expect(saved.body).toMatchObject({ title: '办公用品', total: 21 });
    expect(saved.body.items).toHaveLength(1);
    // Edit: the stored rows come back; a change recomputes and saves.
    await Promise.all([page.waitForURL(`**/app/forms/purchaseReq/${id}/edit`), page.click('[data-testid=edit-record]')]);
    await row(0).locator('[data-name=quantity]').fill('3');
    await holdsValue(page, '[data-field=total] input', '31.5');
    await Promise.all([page.waitForURL(`**/app/formPurchaseReqRecords/${id}`), page.click('[data-testid=save]')]);
    expect((await t.api.get(`/api/v1/forms/purchaseReq/records/${id}`)).body).toMatchObject({ total: 31.5, version: 2 });
    // A row the server refuses is marked in its cell, with the reason under the table.
    await page.goto('/app/forms/purchaseReq/new');
    await page.fill('[data-field=title] input', '坏数据');
    await row(0).locator('[data-name=itemName]').fill('x');
    await row(0).locator('[data-name=quantity]').fill('-1');
    await row(0).locator('[data-name=unitPrice]').fill('1');
    await page.click('[data-testid=save]');
    await page.locator('#err-items').waitFor({ state: 'visible' });
    expect(await row(0).locator('td[data-col=quantity]').getAttribute('class')).toContain('invalid');
    expect(errors).toEqual([]);
  });

  it('an edit that lost a race shows the other change and can reload or save over it; leaving with unsaved changes asks first', async () => {
    const customer = org.customers.find((c) => c.owner === org.users.rep1.id)!;
    const { page, errors } = await openAs('rep1', `/app/customers/${customer.id}/edit`);
    const before = await t.api.get(`/api/v1/customers/${customer.id}`);
    // Someone else saves first.
    expect((await t.api.patch(`/api/v1/customers/${customer.id}`, { city: '成都', version: before.body.version })).status).toBe(200);
    await page.fill('#f-occupation', '教师');
    await page.click('[data-testid=save]');
    await showsText(page, '#conflict', '成都');
    await screenshot(page, 'form-conflict');
    await Promise.all([page.waitForURL(`**/app/customers/${customer.id}`), page.click('[data-action=conflict-overwrite]')]);
    const after = (await t.api.get(`/api/v1/customers/${customer.id}`)).body;
    expect(after).toMatchObject({ occupation: '教师', city: '成都', version: before.body.version + 2 });
    // Unsaved changes: navigating away asks; dismissing stays on the form.
    await page.goto(`/app/customers/${customer.id}/edit`);
    await page.click('#f-occupation');
    await page.keyboard.type('x');
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.type();
      void d.dismiss();
    });
    await page.goto('/').catch(() => undefined);
    expect(asked).toBe('beforeunload');
    expect(new URL(page.url()).pathname).toBe(`/app/customers/${customer.id}/edit`);
    expect(errors).toEqual([]);
  });
});
