import { PASSWORD, people, type Person } from '../notify/helpers';
import { screenshot, showsText } from './browser';
import { browserSuite } from './suite';

describe('notifications in a browser', () => {
  let u: Record<string, Person>;

  const { openAs } = browserSuite(async (t) => {
    ({ users: u } = await people(t, ['amy', 'ben']));
    const def = await t.api.post('/api/v1/flows/definitions', {
      code: 'bellTest', label: { 'zh-CN': '铃铛测试', en: 'Bell test' }, model: 'fixed',
      nodes: [{ key: 'start', kind: 'start', name: '申请' }, { key: 'ok', kind: 'approval', name: '经理审批', handlers: [{ type: 'users', ids: [u.ben.id] }] }, { key: 'end', kind: 'end', name: '结束' }],
      edges: [{ from: 'start', to: 'ok' }, { from: 'ok', to: 'end' }],
    });
    if (def.status !== 201) throw new Error(JSON.stringify(def.body));
  }, { password: PASSWORD });

  it("the bell counts up live when another user's action notifies; the message opens its link and is read", async () => {
    const { page, errors } = await openAs('ben', '/');
    await page.locator('[data-testid=bell-count]').waitFor({ state: 'hidden' });
    await showsText(page, '[data-testid=messages-count]', '0');

    // amy files a request that ben must approve: his open page hears of it
    const inst = (await u.amy.api.post('/api/v1/flows/instances', { flow: 'bellTest', title: 'Amy 的申请' })).body;
    await showsText(page, '[data-testid=bell-count]', '1');
    await showsText(page, '[data-testid=messages-count]', '1');
    await showsText(page, '.toast', 'Amy 的申请');

    await Promise.all([page.waitForURL('**/messages'), page.click('[data-testid=bell]')]);
    await showsText(page, '[data-testid=messages] .message.unread', 'Amy 的申请');
    await showsText(page, '[data-testid=messages] .message.unread', '待办');
    await screenshot(page, 'messages');
    await Promise.all([page.waitForURL(`**/flows/instances/${inst.id}`), page.click('[data-testid=message-open]')]);
    await page.locator('[data-testid=bell-count]').waitFor({ state: 'hidden' });
    expect((await u.ben.api.get('/api/v1/me/notifications')).body.data).toEqual([expect.objectContaining({ title: 'Amy 的申请', readAt: expect.any(String) })]);

    // a second one, marked read from the list without opening it
    await u.amy.api.post(`/api/v1/flows/instances/${inst.id}/urge`, { comment: '请尽快' });
    await showsText(page, '[data-testid=bell-count]', '1');
    await page.goto('/messages?unread=1');
    await showsText(page, '[data-testid=messages] .message.unread', '请尽快');
    await page.click('[data-testid=message-read]');
    await page.locator('[data-testid=messages] .message.unread').waitFor({ state: 'detached' });
    await page.locator('[data-testid=bell-count]').waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
  });
});
