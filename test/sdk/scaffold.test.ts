import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scaffoldPlugin } from '../../sdk/src/scaffold';
import { checkManifest } from '../../core/src/plugins/manifest';
import { describeEachDatabase, startTestPlatform } from '../support/platform';

describe('plugin scaffolding', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-scaffold-'));
    fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ files: [], references: [{ path: 'sdk' }, { path: 'test' }] }));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes a plugin package and registers it with the build', () => {
    const result = scaffoldPlugin(root, 'claims', 'claim');
    expect(result.files.sort()).toEqual(['package.json', 'plugin.json', 'src/index.ts', 'tsconfig.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'plugins/claims/plugin.json'), 'utf8'));
    expect(checkManifest(manifest).problems).toEqual([]);
    expect(manifest).toMatchObject({ name: 'claims', version: '0.1.0', contributes: { entities: ['claim'], menus: [{ key: 'claims.claim', entity: 'claim' }] } });
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'plugins/claims/package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: '@plinth/plugin-claims', plinth: { source: 'src/index.ts' }, dependencies: { '@plinth/sdk': expect.any(String) } });
    expect(fs.readFileSync(path.join(root, 'plugins/claims/src/index.ts'), 'utf8')).toContain("from '@plinth/sdk'");
    const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.references.map((r: { path: string }) => r.path)).toEqual(['sdk', 'plugins/claims', 'test']);
  });

  it('refuses bad names and existing folders', () => {
    expect(() => scaffoldPlugin(root, 'Bad Name')).toThrow('must be lower-case');
    expect(() => scaffoldPlugin(root, 'ok', 'Bad-Entity')).toThrow('must be camelCase');
    scaffoldPlugin(root, 'twice');
    expect(() => scaffoldPlugin(root, 'twice')).toThrow('already exists');
  });

  describeEachDatabase('a scaffolded plugin', (db) => {
    it('is discovered by the kernel and served at once', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-scaffold-run-'));
      scaffoldPlugin(dir, 'renewals', 'renewal');
      const t = await startTestPlatform(db, { env: { PLUGINS_DIR: path.join(dir, 'plugins') } });
      try {
        const created = await t.api.post('/api/v1/renewals', { name: '续保任务', amount: 1999.5, dueDate: '2027-01-31' });
        expect(created.status).toBe(201);
        expect((await t.api.get('/api/v1/renewals?filter[dueDate][lt]=2027-02-01')).body.data).toHaveLength(1);
        expect((await t.api.get('/api/v1/plugins/renewals')).body).toMatchObject({ status: 'enabled', installedVersion: '0.1.0' });
      } finally {
        await t.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
