import { ScriptCompiler } from '../../core/src/scripts/compiler';
import { ScriptCompileError } from '../../core/src/scripts/errors';

const compiler = new ScriptCompiler();
const at = (d: { line: number; column: number; kind: string }) => `${d.kind}@${d.line}:${d.column}`;

describe('compiling scripts', () => {
  test('TypeScript with the script typings as globals, or imported as types, compiles to a CommonJS body', () => {
    const globals = compiler.compile(
      `export default async function (input: HookInput, ctx: ScriptContext): Promise<HookResult> {
  const n = await ctx.records('contact').count({ filter: { customer: 1 } });
  ctx.log.info('contacts', n);
  return { set: { contactCount: n, name: String(input.record.name).trim() } };
}`,
      { language: 'ts', kind: 'hook' },
    );
    expect(globals.js).toMatch(/exports\.default = /);
    expect(globals.js).not.toMatch(/: HookInput|: ScriptContext/);
    const imported = compiler.compile(
      `import type { ValidationInput, ValidationResult, ScriptContext } from '@plinth/sdk';
export default (input: ValidationInput, ctx: ScriptContext): ValidationResult => (input.record.total as number) < 0 ? { errors: [{ field: 'total', rule: 'min', message: 'must not be negative' }] } : undefined;`,
      { language: 'ts', kind: 'validation' },
    );
    expect(imported.js).not.toMatch(/require\(/);
  });

  test('JavaScript compiles too (ES module syntax to CommonJS), without a type check', () => {
    const { js } = compiler.compile('export default function (input, ctx) { return input.a?.b ?? 1; }', { language: 'js' });
    expect(js).toMatch(/exports\.default = /);
  });

  test('syntax errors are reported with line and column', () => {
    expect(compiler.check('export default function (input) {\n  const x = ;\n}', { language: 'ts' }).map(at)).toEqual(['syntax@2:13']);
    expect(compiler.check('export default (input) => {\n  return input.\n}\n', { language: 'js' }).map(at)).toEqual(['syntax@3:1']);
    try {
      compiler.compile('let a = {\n', { language: 'js', name: 'broken' });
      throw new Error('expected a compile error');
    } catch (err) {
      expect(err).toBeInstanceOf(ScriptCompileError);
      const e = err as ScriptCompileError;
      expect(e.status).toBe(400);
      expect(e.message).toMatch(/^Script broken: 1 error: 2:1 /);
      expect(e.diagnostics[0]).toMatchObject({ line: 2, column: 1, kind: 'syntax' });
    }
  });

  test('type errors against the SDK script typings are reported with line and column', () => {
    const d = compiler.check(
      `export default function (input: HookInput, ctx: ScriptContext) {
  const n: number = input.event;
  ctx.records('customer').frobnicate();
  ctx.notify({ to: 'bob', title: 'x' });
  return n;
}`,
      { language: 'ts', kind: 'hook' },
    );
    expect(d.map(at)).toEqual(['type@2:9', 'type@3:27', 'type@4:16']);
    expect(d[1].message).toMatch(/frobnicate/);
  });

  test('no Node globals: process, require, timers are unknown names', () => {
    const d = compiler.check(`export default () => { setTimeout(() => 1, 1); return process.env; }`, { language: 'ts' });
    expect(d.map((x) => x.message).join('\n')).toMatch(/setTimeout[\s\S]*process/);
  });

  test('imports are refused: a script has no modules', () => {
    const ts = compiler.check(`import fs from 'fs';\nimport { helper } from './lib';\nexport * from 'os';\nexport default async () => { await import('net'); return fs; };`, { language: 'ts' });
    expect(ts.filter((x) => x.kind === 'import').map(at)).toEqual(['import@1:1', 'import@2:1', 'import@3:1', 'import@4:36']);
    const js = compiler.check(`const fs = require('fs');\nexport default () => fs;`, { language: 'js' });
    expect(js.map(at)).toEqual(['import@1:12']);
  });

  test('the default export is checked against the kind', () => {
    const wrong = compiler.check(`const x = 1;\nexport default function (input: { foo: number }) {\n  return input.foo;\n}`, { language: 'ts', kind: 'job' });
    expect(wrong.map(at)).toEqual(['type@2:1']);
    expect(wrong[0].message).toMatch(/does not fit a job script/);
    const none = compiler.check(`export const x = 1;`, { language: 'ts', kind: 'hook' });
    expect(none[0].message).toMatch(/needs a default export/);
  });
});
