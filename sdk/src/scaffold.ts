import fs from 'node:fs';
import path from 'node:path';

const PLUGIN_NAME = /^[a-z][a-z0-9-]{1,40}$/;
const ENTITY_NAME = /^[a-z][a-zA-Z0-9]*$/;

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

export interface ScaffoldResult {
  dir: string;
  files: string[];
}

/**
 * Create `plugins/<name>` under `root`: package.json, plugin.json (the manifest),
 * tsconfig.json and a typed `src/index.ts` with one entity, and add it to the root
 * tsconfig references.
 */
export function scaffoldPlugin(root: string, name: string, entity = `${camel(name)}Item`): ScaffoldResult {
  if (!PLUGIN_NAME.test(name)) throw new Error(`Plugin name "${name}" must be lower-case letters, digits or "-"`);
  if (!ENTITY_NAME.test(entity)) throw new Error(`Entity name "${entity}" must be camelCase letters and digits`);
  const dir = path.join(root, 'plugins', name);
  if (fs.existsSync(dir)) throw new Error(`${dir} already exists`);
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(
      {
        name: `@plinth/plugin-${name}`,
        version: '0.1.0',
        main: 'dist/index.js',
        types: 'dist/index.d.ts',
        plinth: { source: 'src/index.ts' },
        dependencies: { '@plinth/sdk': '0.1.0' },
      },
      null,
      2,
    )}\n`,
    'plugin.json': `${JSON.stringify(
      {
        $schema: '../../sdk/plugin.schema.json',
        name,
        version: '0.1.0',
        label: { 'zh-CN': name, en: name },
        engines: { plinth: '^0.1.0' },
        dependencies: {},
        contributes: {
          entities: [entity],
          menus: [{ key: `${name}.${entity.toLowerCase()}`, label: { 'zh-CN': entity, en: entity }, entity, path: `/${entity}s` }],
        },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      { extends: '../../tsconfig.base.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'], references: [{ path: '../../sdk' }] },
      null,
      2,
    )}\n`,
    'src/index.ts': `import { defineEntity, definePlugin } from '@plinth/sdk';

export const ${entity} = defineEntity({
  name: '${entity}',
  label: { 'zh-CN': '${entity}', en: '${entity}' },
  fields: {
    name: { type: 'string', label: { 'zh-CN': '名称', en: 'Name' }, required: true, length: 100 },
    amount: { type: 'money', label: { 'zh-CN': '金额', en: 'Amount' }, min: 0 },
    dueDate: { type: 'date', label: { 'zh-CN': '到期日', en: 'Due date' } },
  },
  indexes: [{ fields: ['dueDate'] }],
});

/** Name, version, dependencies and entities must agree with plugin.json (label, menus and the rest live there). */
export default definePlugin({
  name: '${name}',
  version: '0.1.0',
  entities: [${entity}],
});
`,
  };
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  const tsconfigFile = path.join(root, 'tsconfig.json');
  if (fs.existsSync(tsconfigFile)) {
    const tsconfig = JSON.parse(fs.readFileSync(tsconfigFile, 'utf8')) as { references?: { path: string }[] };
    const refs = tsconfig.references ?? [];
    const ref = `plugins/${name}`;
    if (!refs.some((r) => r.path === ref)) {
      const testIndex = refs.findIndex((r) => r.path === 'test');
      refs.splice(testIndex < 0 ? refs.length : testIndex, 0, { path: ref });
      tsconfig.references = refs;
      fs.writeFileSync(tsconfigFile, `${JSON.stringify(tsconfig, null, 2)}\n`);
    }
  }
  return { dir, files: Object.keys(files) };
}
