import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD } from '../support/org';
import { PageClient, pageData } from './client';

/** The widgets of each column of the desktop, in order. */
function columnsOf(html: string): string[][] {
  const area = /<div class="desktop-columns[^"]*"[\s\S]*?<dialog/.exec(html)![0];
  return area.split('<div class="desktop-column"').slice(1).map((col) => [...col.matchAll(/data-widget="([a-z]+)"/g)].map((m) => m[1]));
}

describeEachDatabase('the desktop layout', (db) => {
  let t: TestPlatform;
  let rep: PageClient;

  beforeAll(async () => {
    t = await startTestPlatform(db);
    await buildOrg(t, 0, []);
    rep = new PageClient(t.platform.url);
    await rep.login('rep1', PASSWORD);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('a new user gets every widget in one flowing column; an older widget choice is still honoured', async () => {
    const first = (await rep.get('/')).text;
    expect(first).toContain('class="desktop-columns cols-1 flowing"');
    expect(columnsOf(first)).toEqual([['recent', 'todo', 'messages', 'links']]);
    expect((await rep.api('PUT', '/api/v1/me/preferences/desktop.widgets', { value: ['links', 'recent', 'nonsense'] })).status).toBe(200);
    expect(columnsOf((await rep.get('/')).text)).toEqual([['links', 'recent']]);
  });

  it('the chosen columns and placement are saved in desktop.layout and drawn in that order', async () => {
    const saved = await rep.api('PUT', '/api/v1/me/preferences/desktop.layout', { value: { columns: [['links'], ['todo', 'recent']] } });
    expect(saved.status).toBe(200);
    const html = (await rep.get('/')).text;
    expect(html).toContain('class="desktop-columns cols-2"');
    expect(columnsOf(html)).toEqual([['links'], ['todo', 'recent']]);
    expect(pageData(html)).toMatchObject({ columns: [['links'], ['todo', 'recent']], maxColumns: 3 });
    expect(html).toMatch(/<input type="radio" name="columns" value="2" checked>/);
    // Three columns, one of them empty, is a layout too.
    expect((await rep.api('PUT', '/api/v1/me/preferences/desktop.layout', { value: { columns: [['recent'], [], ['messages', 'todo']] } })).status).toBe(200);
    expect(columnsOf((await rep.get('/')).text)).toEqual([['recent'], [], ['messages', 'todo']]);
  });

  it('a layout that is not one is refused naming the place and the rule, and the saved one stays', async () => {
    const refused = async (value: unknown) => {
      const res = await rep.api('PUT', '/api/v1/me/preferences/desktop.layout', { value });
      expect(res.status).toBe(400);
      return res.body.errors;
    };
    expect(await refused([['recent']])).toEqual([expect.objectContaining({ field: 'value', rule: 'type' })]);
    expect(await refused({ columns: [[], [], [], []] })).toEqual([expect.objectContaining({ field: 'value.columns', rule: 'length' })]);
    expect(await refused({ columns: [] })).toEqual([expect.objectContaining({ field: 'value.columns', rule: 'length' })]);
    expect(await refused({ columns: [['recent', 'weather']] })).toEqual([expect.objectContaining({ field: 'value.columns[0][1]', rule: 'enum' })]);
    expect(await refused({ columns: [['recent'], ['recent']] })).toEqual([expect.objectContaining({ field: 'value.columns[1][0]', rule: 'unique' })]);
    expect(await refused({ columns: ['recent'], width: 3 })).toEqual([expect.objectContaining({ field: 'value.width', rule: 'unknown' }), expect.objectContaining({ field: 'value.columns[0]', rule: 'type' })]);
    expect((await rep.api('GET', '/api/v1/me/preferences')).body['desktop.layout']).toEqual({ columns: [['recent'], [], ['messages', 'todo']] });
    // A key named like an object's property is just a key.
    expect((await rep.api('PUT', '/api/v1/me/preferences/constructor', { value: 1 })).status).toBe(200);
  });

  it('quick links are escaped and only same-site paths are linked', async () => {
    const links = [
      { label: '<script>alert(1)</script>', href: '/app/customers' },
      { label: 'evil', href: '//evil.example' },
      { label: 'js', href: 'javascript:alert(1)' },
    ];
    expect((await rep.api('PUT', '/api/v1/me/preferences/desktop.links', { value: links })).status).toBe(200);
    expect((await rep.api('PUT', '/api/v1/me/preferences/desktop.layout', { value: { columns: [['links']] } })).status).toBe(200);
    const html = (await rep.get('/')).text;
    expect(html).toContain('<a href="/app/customers">&lt;script&gt;alert(1)&lt;/script&gt;</a>');
    expect(html).not.toContain('evil.example');
    expect(html).not.toContain('javascript:');
  });
});
