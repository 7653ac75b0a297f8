/**
 * Scripts are TypeScript or JavaScript modules with a default export. Saving one compiles it
 * to a CommonJS body for the isolate (`transpileModule`) and reports, with line and column:
 * syntax errors, imports (a script has no modules: only `import type` is allowed), and for
 * TypeScript, type errors against the SDK's script typings (`@plinth/sdk` script-api).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { ScriptKind } from '@plinth/sdk';
import { ScriptCompileError, type ScriptDiagnostic } from './errors';

export type ScriptLanguage = 'ts' | 'js';

export interface CompileOptions {
  language: ScriptLanguage;
  /** For messages. */
  name?: string;
  /** Check types too (TypeScript only; default true). Syntax and imports are always checked. */
  typeCheck?: boolean;
  /** When given, the default export is checked against this kind's input type. */
  kind?: ScriptKind;
}

export interface CompiledSource {
  js: string;
}

const TRANSPILE: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  esModuleInterop: false,
  isolatedModules: true,
  // Kept in the compiled code so stack traces can point at source lines (see sourcemap.ts).
  inlineSourceMap: true,
  inlineSources: false,
  removeComments: false,
  newLine: ts.NewLineKind.LineFeed,
};

const CHECK: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  lib: ['lib.es2022.d.ts'],
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  isolatedModules: true,
};

/** Names scripts may use without importing them (the script editor declares the same). */
const GLOBAL_TYPES = [
  'ScriptContext',
  'ScriptRecord',
  'ScriptLog',
  'ScriptConsole',
  'ScriptNotification',
  'ScriptDictionaryItem',
  'HookInput',
  'HookResult',
  'ValidationInput',
  'ValidationResult',
  'ValidationIssue',
  'ComputedInput',
  'FlowScriptInput',
  'FlowScriptResult',
  'JobInput',
  'EndpointInput',
  'EventInput',
  'ScriptInputs',
  'HostCallError',
  'ScriptKind',
  'ScriptCapability',
];

/** Where the SDK's script typings are: built (`dist/scripts.d.ts`) or sources (`src/scripts.ts`). */
export function scriptTypingsPath(): string {
  const roots: string[] = [];
  try {
    roots.push(path.dirname(require.resolve('@plinth/sdk/package.json')));
  } catch {
    /* not resolvable from here */
  }
  roots.push(path.resolve(__dirname, '../../../sdk'));
  for (const root of roots) {
    for (const rel of ['dist/scripts.d.ts', 'src/scripts.ts']) {
      const p = path.join(root, rel);
      if (fs.existsSync(p)) return p;
    }
  }
  throw new Error('The SDK script typings (sdk/dist/scripts.d.ts) were not found; run `npx tsc -b sdk`');
}

/** The ambient declarations the type check (and the script editor) uses: the typings as globals. */
export function scriptGlobalsSource(typingsModule: string): string {
  const lines = [`import type * as P from ${JSON.stringify(typingsModule)};`, 'declare global {'];
  for (const name of GLOBAL_TYPES) lines.push(`  type ${name} = P.${name};`);
  lines.push('  type ScriptRecords<T extends P.ScriptRecord = P.ScriptRecord> = P.ScriptRecords<T>;');
  lines.push('  type ScriptFunction<K extends P.ScriptKind = P.ScriptKind, R = unknown> = P.ScriptFunction<K, R>;');
  lines.push('  var console: P.ScriptConsole;');
  lines.push('}', 'export {};', '');
  return lines.join('\n');
}

function position(file: ts.SourceFile | undefined, start: number | undefined): { line: number; column: number } {
  if (!file || start === undefined) return { line: 1, column: 1 };
  const p = file.getLineAndCharacterOfPosition(start);
  return { line: p.line + 1, column: p.character + 1 };
}

function toDiagnostic(d: ts.Diagnostic, kind: ScriptDiagnostic['kind']): ScriptDiagnostic {
  return { ...position(d.file, d.start), message: ts.flattenDiagnosticMessageText(d.messageText, '\n'), kind, tsCode: d.code };
}

/** Imports a script may not have: anything but types. */
function importDiagnostics(file: ts.SourceFile): ScriptDiagnostic[] {
  const out: ScriptDiagnostic[] = [];
  const refuse = (node: ts.Node, message: string) => out.push({ ...position(file, node.getStart(file)), message, kind: 'import' });
  const typeOnly = (clause: ts.ImportClause | undefined): boolean => {
    if (!clause) return false; // `import 'x'`: a side-effect import
    if (clause.isTypeOnly) return true;
    if (clause.name) return false;
    const b = clause.namedBindings;
    return !!b && ts.isNamedImports(b) && b.elements.every((e) => e.isTypeOnly);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !typeOnly(node.importClause)) refuse(node, 'Scripts cannot import modules; only `import type { … } from \'@plinth/sdk\'` is allowed');
    else if (ts.isImportEqualsDeclaration(node) && !node.isTypeOnly) refuse(node, 'Scripts cannot import modules');
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) refuse(node, 'Scripts cannot re-export modules');
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) refuse(node, 'Scripts cannot import modules');
    else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') refuse(node, 'Scripts cannot require modules');
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

const SCRIPT_FILE = '/__plinth/script';
const GLOBALS_FILE = '/__plinth/globals.d.ts';
const KIND_FILE = '/__plinth/kind-check.ts';

export class ScriptCompiler {
  /** Parsed lib and SDK files, shared by every check. */
  private readonly files = new Map<string, ts.SourceFile>();
  private typings: string | null = null;
  private oldProgram: ts.Program | undefined;

  /** Compile to JavaScript for the isolate; throws ScriptCompileError with every error found. */
  compile(source: string, options: CompileOptions): CompiledSource {
    const diagnostics = this.check(source, options);
    if (diagnostics.length) throw new ScriptCompileError(diagnostics, options.name);
    return { js: this.transpile(source, options.language).js };
  }

  /** Syntax, import and (TypeScript) type errors, in source order. */
  check(source: string, options: CompileOptions): ScriptDiagnostic[] {
    const { diagnostics } = this.transpile(source, options.language);
    const file = ts.createSourceFile(`script.${options.language}`, source, ts.ScriptTarget.ES2022, true, options.language === 'ts' ? ts.ScriptKind.TS : ts.ScriptKind.JS);
    const out = [...diagnostics, ...importDiagnostics(file)];
    if (!diagnostics.length && options.language === 'ts' && options.typeCheck !== false) out.push(...this.typeCheck(source, options.kind));
    return out.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  private transpile(source: string, language: ScriptLanguage): { js: string; diagnostics: ScriptDiagnostic[] } {
    const r = ts.transpileModule(source, { compilerOptions: { ...TRANSPILE, allowJs: language === 'js' }, fileName: `script.${language}`, reportDiagnostics: true });
    return { js: r.outputText, diagnostics: (r.diagnostics ?? []).map((d) => toDiagnostic(d, 'syntax')) };
  }

  private typeCheck(source: string, kind: ScriptKind | undefined): ScriptDiagnostic[] {
    this.typings ??= scriptTypingsPath().replace(/\.d\.ts$|\.ts$/, '');
    const typings = this.typings;
    const scriptPath = `${SCRIPT_FILE}.ts`;
    const virtual = new Map<string, string>([
      [scriptPath, source],
      [GLOBALS_FILE, scriptGlobalsSource(typings)],
    ]);
    if (kind) virtual.set(KIND_FILE, `import fn from ${JSON.stringify(SCRIPT_FILE)};\nconst check: ScriptFunction<${JSON.stringify(kind)}> = fn;\nexport { check };\n`);
    const base = ts.createCompilerHost(CHECK, true);
    const host: ts.CompilerHost = {
      ...base,
      fileExists: (f) => virtual.has(f) || base.fileExists(f),
      readFile: (f) => virtual.get(f) ?? base.readFile(f),
      getSourceFile: (f, lang) => {
        const text = virtual.get(f);
        if (text !== undefined) return ts.createSourceFile(f, text, lang, true);
        let sf = this.files.get(f);
        if (!sf) {
          sf = base.getSourceFile(f, lang);
          if (sf) this.files.set(f, sf);
        }
        return sf;
      },
      resolveModuleNameLiterals: (literals, containingFile) =>
        literals.map((lit) => {
          const name = lit.text;
          if (name === '@plinth/sdk' || name === typings) {
            const file = fs.existsSync(`${typings}.d.ts`) ? `${typings}.d.ts` : `${typings}.ts`;
            return { resolvedModule: { resolvedFileName: file, extension: file.endsWith('.d.ts') ? ts.Extension.Dts : ts.Extension.Ts, isExternalLibraryImport: false } };
          }
          if (name === SCRIPT_FILE) return { resolvedModule: { resolvedFileName: scriptPath, extension: ts.Extension.Ts } };
          return ts.resolveModuleName(name, containingFile, CHECK, host);
        }),
    };
    const roots = [...virtual.keys()];
    const program = ts.createProgram({ rootNames: roots, options: CHECK, host, oldProgram: this.oldProgram });
    this.oldProgram = program;
    const out: ScriptDiagnostic[] = [];
    const scriptFile = program.getSourceFile(scriptPath);
    for (const d of [...program.getSyntacticDiagnostics(scriptFile), ...program.getSemanticDiagnostics(scriptFile)]) {
      // Imports are reported (better) by importDiagnostics.
      if (d.code === 2307 || d.code === 2792) continue;
      out.push(toDiagnostic(d, 'type'));
    }
    if (kind) {
      const kindFile = program.getSourceFile(KIND_FILE);
      for (const d of program.getSemanticDiagnostics(kindFile)) {
        const where = defaultExportPosition(scriptFile);
        const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        out.push({
          ...where,
          kind: 'type',
          tsCode: d.code,
          message: d.code === 1192 ? `${article(kind)} ${kind} script needs a default export: export default function (input, ctx) { … }` : `The default export does not fit ${article(kind).toLowerCase()} ${kind} script: ${text}`,
        });
      }
    }
    return out;
  }
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'An' : 'A');

function defaultExportPosition(file: ts.SourceFile | undefined): { line: number; column: number } {
  if (!file) return { line: 1, column: 1 };
  for (const s of file.statements) {
    const isDefault =
      ts.isExportAssignment(s) || ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword));
    if (isDefault) return position(file, s.getStart(file));
  }
  return { line: 1, column: 1 };
}
