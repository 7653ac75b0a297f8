import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './platform';

/**
 * A PLUGINS_DIR made of links to plugin folders (real plugins and fixtures), so a test
 * picks its set and can swap a plugin's code between restarts (a deployment).
 */
export class PluginDir {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-plugins-'));

  /** `links`: folder name → path relative to the repository root. */
  constructor(links: Record<string, string> = {}) {
    for (const [name, target] of Object.entries(links)) this.link(name, target);
  }

  /** Point `name` at `target` (replacing what it pointed at). */
  link(name: string, target: string): this {
    const at = path.join(this.dir, name);
    fs.rmSync(at, { force: true });
    fs.symlinkSync(path.resolve(ROOT, target), at);
    return this;
  }

  remove(name: string): this {
    fs.rmSync(path.join(this.dir, name), { force: true });
    return this;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
