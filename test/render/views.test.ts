import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadThemes } from '../../core/src/render/themes';
import { Views, scriptJson } from '../../core/src/render/views';
import { ROOT } from '../support/platform';

function theme(pages: Record<string, string>, extra: Record<string, string> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-themes-'));
  const dir = path.join(root, 'default');
  fs.mkdirSync(path.join(dir, 'pages'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'layouts'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'theme.json'), JSON.stringify({ name: 'default', label: { 'zh-CN': '默认', en: 'Default' } }));
  fs.writeFileSync(path.join(dir, 'layouts', 'main.hbs'), '<main>{{{body}}}</main>');
  for (const [name, source] of Object.entries(pages)) fs.writeFileSync(path.join(dir, 'pages', `${name}.hbs`), source);
  for (const [file, content] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe('theme views', () => {
  it('the shipped themes load; dark extends default and replaces only its colours', () => {
    const views = new Views(loadThemes(path.join(ROOT, 'themes')));
    expect([...views.themes.keys()].sort()).toEqual(['dark', 'default']);
    expect(views.theme('dark').file('assets/css/theme.css')).toContain(path.join('themes', 'dark'));
    expect(views.theme('dark').file('assets/css/app.css')).toContain(path.join('themes', 'default'));
    expect(views.theme('nosuch').name).toBe('default');
  });

  it('escapes data, runs only registered helpers, and refuses a helper name used as a data property', () => {
    const views = new Views(loadThemes(theme({ ok: '<p title="{{x}}">{{x}} {{t "k"}}</p>' })));
    expect(views.render('default', 'ok', { lang: 'en', theme: 'default', x: '"><script>' })).toBe('<main><p title="&quot;&gt;&lt;script&gt;">&quot;&gt;&lt;script&gt; k</p></main>');
    expect(() => new Views(loadThemes(theme({ bad: '<textarea>{{json}}</textarea>' })))).toThrow(/pages\/bad\.hbs: line 1: \{\{json\}\} names a helper/);
    expect(() => new Views(loadThemes(theme({ bad: '{{lookupUser 3}}' })))).toThrow(/pages\/bad\.hbs/);
    expect(() => new Views(loadThemes(theme({ bad: '{{#if x}}' })))).toThrow(/pages\/bad\.hbs/);
  });

  it('a theme that extends a missing one, or loops, is refused at start', () => {
    const root = theme({}, { 'a/theme.json': JSON.stringify({ name: 'a', extends: 'b', label: { 'zh-CN': 'a', en: 'a' } }), 'b/theme.json': JSON.stringify({ name: 'b', extends: 'a', label: { 'zh-CN': 'b', en: 'b' } }) });
    expect(() => loadThemes(root)).toThrow(/loops/);
    const missing = theme({}, { 'c/theme.json': JSON.stringify({ name: 'c', extends: 'nope', label: { 'zh-CN': 'c', en: 'c' } }) });
    expect(() => loadThemes(missing)).toThrow(/extends "nope"/);
  });

  it('page data for scripts cannot close its element', () => {
    expect(scriptJson({ a: '</script><script>alert(1)</script>', b: '\u2028&' })).toBe('{"a":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e","b":"\\u2028\\u0026"}');
  });
});
