import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverPlugins } from '../core/src/plugins/discovery';

describe('plugin discovery', () => {
  it('follows symlinked plugin folders', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-links-'));
    try {
      fs.symlinkSync(path.resolve(__dirname, 'fixtures/missing/lonely'), path.join(dir, 'lonely'));
      fs.writeFileSync(path.join(dir, 'not-a-plugin.txt'), 'x');
      expect(discoverPlugins(dir, { source: true }).map((p) => p.name)).toEqual(['lonely']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
