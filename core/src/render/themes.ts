import fs from 'node:fs';
import path from 'node:path';
import type { I18nText } from '@plinth/sdk';
import { LANGUAGES, Messages, type Catalogue, type Language } from './i18n';

/** theme.json */
export interface ThemeManifest {
  name: string;
  label: I18nText;
  /** The theme whose templates, assets and messages this one falls back to. */
  extends?: string;
}

/**
 * A theme on disk: `layouts/`, `partials/`, `pages/` (Handlebars), `assets/` (CSS, client
 * scripts, images) and `locales/<lang>.json`. A theme that extends another only holds
 * what it changes; every lookup falls back along the chain.
 */
export class Theme {
  readonly messages: Messages;

  constructor(
    readonly manifest: ThemeManifest,
    /** Folders from this theme to its furthest ancestor. */
    readonly chain: readonly string[],
  ) {
    this.messages = new Messages(loadCatalogues([...chain].reverse()));
  }

  get name(): string {
    return this.manifest.name;
  }

  /** The first file at `relative` along the chain. */
  file(relative: string): string | null {
    for (const dir of this.chain) {
      const file = path.join(dir, relative);
      if (!file.startsWith(dir + path.sep)) return null;
      if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
    }
    return null;
  }

  /** Templates in `kind` (layouts, partials, pages) by name, the nearest theme's winning. */
  templates(kind: 'layouts' | 'partials' | 'pages'): Map<string, string> {
    const out = new Map<string, string>();
    for (const dir of [...this.chain].reverse()) {
      const base = path.join(dir, kind);
      for (const file of walk(base)) {
        if (!file.endsWith('.hbs')) continue;
        out.set(path.relative(base, file).slice(0, -'.hbs'.length).split(path.sep).join('/'), fs.readFileSync(file, 'utf8'));
      }
    }
    return out;
  }
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Catalogues merged from the furthest ancestor to the theme itself. */
function loadCatalogues(dirs: readonly string[]): Map<Language, Catalogue> {
  const out = new Map<Language, Catalogue>();
  for (const lang of LANGUAGES) {
    const merged: Record<string, string> = {};
    for (const dir of dirs) {
      const file = path.join(dir, 'locales', `${lang}.json`);
      if (fs.existsSync(file)) Object.assign(merged, JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>);
    }
    out.set(lang, merged);
  }
  return out;
}

const THEME_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Every theme under `root` (one folder each, with a theme.json). */
export function loadThemes(root: string): Map<string, Theme> {
  const manifests = new Map<string, { manifest: ThemeManifest; dir: string }>();
  for (const entry of fs.existsSync(root) ? fs.readdirSync(root, { withFileTypes: true }) : []) {
    const dir = path.join(root, entry.name);
    const file = path.join(dir, 'theme.json');
    if (!fs.statSync(dir).isDirectory() || !fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as ThemeManifest;
    if (!THEME_NAME.test(manifest.name)) throw new Error(`Theme in ${dir}: name "${manifest.name}" must match ${THEME_NAME}`);
    manifests.set(manifest.name, { manifest, dir: fs.realpathSync(dir) });
  }
  const themes = new Map<string, Theme>();
  for (const [name, { manifest }] of manifests) {
    const chain: string[] = [];
    for (let at: string | undefined = name; at; at = manifests.get(at)?.manifest.extends) {
      const found = manifests.get(at);
      if (!found) throw new Error(`Theme "${name}" extends "${at}", which is not in ${root}`);
      if (chain.includes(found.dir)) throw new Error(`Theme "${name}": its "extends" chain loops`);
      chain.push(found.dir);
    }
    themes.set(name, new Theme(manifest, chain));
  }
  if (!themes.has('default')) throw new Error(`No "default" theme in ${root} (THEMES_DIR)`);
  return themes;
}
