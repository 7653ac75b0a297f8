import crypto from 'node:crypto';
import fs from 'node:fs';
import Handlebars from 'handlebars';
import type { I18nText } from '@plinth/sdk';
import { isLanguage, textIn, type Language } from './i18n';
import type { Theme } from './themes';

type HelperOptions = Handlebars.HelperOptions;
type Helper = (...args: unknown[]) => unknown;

/** What every page context carries for the helpers. */
export interface ViewRoot {
  lang: Language;
  theme: string;
}

const langOf = (options: HelperOptions): Language => {
  const lang = (options.data as { root?: Partial<ViewRoot> } | undefined)?.root?.lang;
  return isLanguage(lang) ? lang : 'zh-CN';
};

/** JSON safe inside a <script type="application/json"> element: no `<`, `>`, `&` or line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The registered helpers — the only ones templates may call (templates compile with
 * knownHelpersOnly). Each returns plain text, which Handlebars escapes, except `json`,
 * whose output is made safe by `scriptJson`.
 */
function helpers(theme: Theme, assetUrl: (file: string) => string): Record<string, Helper> {
  const last = (args: unknown[]) => args[args.length - 1] as HelperOptions;
  return {
    t: (...args) => {
      const options = last(args);
      return theme.messages.text(langOf(options), String(args[0]), options.hash as Record<string, unknown>);
    },
    i18nText: (...args) => textIn(args[0] as I18nText | undefined, langOf(last(args))),
    eq: (a, b) => a === b,
    ne: (a, b) => a !== b,
    not: (a) => !a,
    and: (...args) => args.slice(0, -1).every(Boolean),
    or: (...args) => args.slice(0, -1).find(Boolean) ?? false,
    includes: (list, v) => Array.isArray(list) && list.includes(v),
    concat: (...args) => args.slice(0, -1).map((a) => (a === undefined || a === null ? '' : String(a))).join(''),
    json: (value) => new Handlebars.SafeString(scriptJson(value)),
    asset: (file) => assetUrl(String(file)),
  };
}

interface CompiledTheme {
  pages: Map<string, Handlebars.TemplateDelegate>;
  layouts: Map<string, Handlebars.TemplateDelegate>;
}

/**
 * Handlebars views of every theme. Each theme gets its own Handlebars environment with
 * only our helpers and its partials; output is escaped, prototype access stays off
 * (Handlebars ≥ 4.6 default), and templates cannot call helpers we did not register.
 */
export class Views {
  private readonly compiled = new Map<string, CompiledTheme>();
  private readonly versions = new Map<string, string>();

  constructor(readonly themes: ReadonlyMap<string, Theme>) {
    for (const theme of themes.values()) this.compiled.set(theme.name, this.compile(theme));
  }

  theme(name: string | null | undefined): Theme {
    return this.themes.get(name ?? '') ?? this.themes.get('default')!;
  }

  /** Render `page` of `theme` inside `layout` (null: the page alone). */
  render(themeName: string, page: string, context: ViewRoot & Record<string, unknown>, layout: string | null = 'main'): string {
    const theme = this.theme(themeName);
    const compiled = this.compiled.get(theme.name)!;
    const template = compiled.pages.get(page);
    if (!template) throw new Error(`Theme "${theme.name}" has no page "${page}"`);
    const body = template(context);
    if (!layout) return body;
    const wrap = compiled.layouts.get(layout);
    if (!wrap) throw new Error(`Theme "${theme.name}" has no layout "${layout}"`);
    return wrap({ ...context, body: new Handlebars.SafeString(body) });
  }

  /** A versioned URL of an asset: the version is a hash of the file, so it can be cached for ever. */
  assetUrl(theme: Theme, file: string): string {
    const key = `${theme.name}/${file}`;
    let version = this.versions.get(key);
    if (version === undefined) {
      const found = theme.file(`assets/${file}`);
      version = found ? crypto.createHash('sha256').update(fs.readFileSync(found)).digest('hex').slice(0, 12) : 'missing';
      this.versions.set(key, version);
    }
    return `/assets/${theme.name}/${version}/${file}`;
  }

  private compile(theme: Theme): CompiledTheme {
    const hb = Handlebars.create();
    const registered = helpers(theme, (file) => this.assetUrl(theme, file));
    hb.registerHelper(registered);
    const knownHelpers = Object.fromEntries(Object.keys(registered).map((k) => [k, true]));
    const options = { knownHelpers, knownHelpersOnly: true, strict: false } as const;
    // Handlebars compiles lazily; precompiling parses now, so a template error shows at start.
    const compile = (kind: string, name: string, source: string) => {
      try {
        hb.precompile(source, options);
        checkHelperUse(hb.parse(source), new Set(Object.keys(registered)));
      } catch (err) {
        throw new Error(`Theme "${theme.name}", ${kind}/${name}.hbs: ${(err as Error).message}`);
      }
      return hb.compile(source, options);
    };
    for (const [name, source] of theme.templates('partials')) hb.registerPartial(name, compile('partials', name, source));
    const build = (kind: 'pages' | 'layouts') => new Map([...theme.templates(kind)].map(([name, source]) => [name, compile(kind, name, source)]));
    return { pages: build('pages'), layouts: build('layouts') };
  }
}


/**
 * Every helper of ours takes an argument, so `{{json}}` or `{{label}}` without one is a data
 * property shadowed by a helper of that name — it would render the helper, not the data.
 * Refuse such templates at start instead of rendering them wrong.
 */
function checkHelperUse(ast: hbs.AST.Program, helpers: ReadonlySet<string>): void {
  class Check extends Handlebars.Visitor {
    override MustacheStatement(node: hbs.AST.MustacheStatement): void {
      const path = node.path as hbs.AST.PathExpression;
      if (path.type === 'PathExpression' && path.parts.length === 1 && !path.data && helpers.has(path.original) && node.params.length === 0 && !node.hash) {
        throw new Error(`line ${node.loc.start.line}: {{${path.original}}} names a helper; a data property of that name cannot be read this way (rename it)`);
      }
      super.MustacheStatement(node);
    }
  }
  new Check().accept(ast);
}
