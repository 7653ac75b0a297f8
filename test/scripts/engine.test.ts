import { readFileSync } from 'node:fs';
import { ScriptError, ScriptLimitError, ScriptRejection, ScriptUnavailableError } from '../../core/src/scripts/errors';
import type { ScriptEngine } from '../../core/src/scripts/engine';
import { FakeHost, script, testEngine } from './helpers';

let engine: ScriptEngine;
let stderr: () => string;

beforeAll(async () => {
  ({ engine, stderr } = testEngine());
  await engine.start();
});

afterAll(async () => {
  await engine?.close();
});

/** The pool still answers: run after every hostile script. */
async function stillServing(): Promise<void> {
  const s = script(engine, 'export default (input) => ({ twice: input.n * 2 })');
  await expect(engine.run(s, { n: 21 })).resolves.toMatchObject({ value: { twice: 42 } });
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the run to fail');
}

describe('running scripts', () => {
  test('a TypeScript script gets a copy of its input and returns JSON', async () => {
    const s = script(
      engine,
      `interface In { a: number; items: string[] }
       export default async function (input: In, ctx: ScriptContext) {
         ctx.log.info('got', input.items.length);
         console.warn('careful');
         return { sum: input.a + 1, upper: input.items.map((s) => s.toUpperCase()), who: ctx.actor.username, script: ctx.script.name, when: new Date(0) };
       }`,
      { language: 'ts', capabilities: ['log'], name: 'typed' },
    );
    const input = { a: 41, items: ['x', 'y'] };
    const host = new FakeHost();
    const r = await engine.run(s, input, { host });
    expect(r.value).toEqual({ sum: 42, upper: ['X', 'Y'], who: 'alice', script: 'typed', when: '1970-01-01T00:00:00.000Z' });
    expect(r.logs.map((l) => [l.level, l.message])).toEqual([
      ['info', 'got 2'],
      ['warn', 'careful'],
    ]);
    expect(r.stats.durationMs).toBeGreaterThan(0);
    expect(r.stats.heapBytes).toBeGreaterThan(0);
    expect(input).toEqual({ a: 41, items: ['x', 'y'] });
  });

  test('undefined and functions come back as null; a module without a default export fails clearly', async () => {
    expect((await engine.run(script(engine, 'export default () => undefined'), {})).value).toBeNull();
    expect((await engine.run(script(engine, 'export default () => () => 1'), {})).value).toBeNull();
    const err = await failure(engine.run(script(engine, 'export const x = 1'), {}));
    expect(err).toBeInstanceOf(ScriptError);
    expect(err.message).toMatch(/no default export/);
  });

  test('host calls: records through the host, results are copies', async () => {
    const host = new FakeHost([{ name: 'Acme' }, { name: 'Globex' }]);
    const s = script(
      engine,
      `export default async function (input, ctx) {
         const list = await ctx.records('customer').list({ limit: 10 });
         const one = await ctx.records('customer').get(1);
         one.name = 'changed in script';
         const created = await ctx.records('customer').create({ name: input.name });
         const updated = await ctx.records('customer').update(created.id, { name: 'Initech 2' }, { version: created.version });
         const n = await ctx.records('customer').count();
         const currency = await ctx.params.get('currency');
         await ctx.notify({ to: [1, 2], title: 'New customer ' + created.id });
         return { names: list.data.map((r) => r.name), created: created.id, updated: updated.version, n, currency };
       }`,
      { capabilities: ['records:read', 'records:write', 'params:read', 'notify'] },
    );
    const r = await engine.run(s, { name: 'Initech' }, { host });
    expect(r.value).toEqual({ names: ['Acme', 'Globex'], created: 3, updated: 2, n: 3, currency: 'CNY' });
    expect(r.stats.hostCalls).toBe(7);
    expect(host.records.get(1)!.name).toBe('Acme');
    expect(host.records.get(3)!.name).toBe('Initech 2');
    expect(host.notifications).toEqual([{ to: [1, 2], title: 'New customer 3' }]);
  });

  test('an undeclared capability is refused inside the script as an error value', async () => {
    const host = new FakeHost([{ name: 'Acme' }]);
    const s = script(
      engine,
      `export default async function (input, ctx) {
         const out = {};
         try { await ctx.records('customer').create({ name: 'x' }); out.create = 'allowed'; } catch (e) { out.create = e.code + ': ' + e.message; }
         try { await ctx.notify({ to: 1, title: 'x' }); } catch (e) { out.notify = e.code; }
         try { await ctx.scripts.call('other'); } catch (e) { out.call = e.code; }
         try { console.log('x'); } catch (e) { out.log = e.code; }
         out.read = (await ctx.records('customer').get(1)).name;
         return out;
       }`,
      { capabilities: ['records:read'] },
    );
    const r = await engine.run(s, {}, { host });
    expect(r.value).toEqual({
      create: 'capability: This script did not declare the capability "records:write" (needed by records.create)',
      notify: 'capability',
      call: 'capability',
      log: 'capability',
      read: 'Acme',
    });
    expect(host.calls).toEqual(['get']);
    expect(r.logs).toEqual([]);
  });

  test('host errors reach the script as { message, code } it can catch, without host stack traces', async () => {
    const host = new FakeHost();
    host.getParam = async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.5:3306 (secret internal detail)');
    };
    const s = script(
      engine,
      `export default async function (input, ctx) {
         const out = {};
         try { await ctx.records('customer').get(99); } catch (e) { out.missing = { name: e.name, code: e.code, message: e.message, stack: e.stack, isError: e instanceof Error }; }
         try { await ctx.params.get('x'); } catch (e) { out.internal = { code: e.code, message: e.message }; }
         try { await ctx.records('no such entity!').list(); } catch (e) { out.invalid = e.code; }
         try { await ctx.records('customer').update(1, { a: 1 }); } catch (e) { out.noVersion = e.code; }
         try { await ctx.records('customer').create({ big: 1n }); } catch (e) { out.bigint = e.code; }
         return out;
       }`,
      { capabilities: ['records:read', 'records:write', 'params:read'] },
    );
    const r = await engine.run(s, {}, { host });
    const v = r.value as Record<string, any>;
    expect(v.missing).toMatchObject({ name: 'HostCallError', code: 'not-found', message: 'customer 99 not found', isError: true });
    expect(v.missing.stack).not.toMatch(/\/|node_modules|\.ts|engine|pool/);
    expect(v.internal).toEqual({ code: 'internal', message: 'params.get failed on the server' });
    expect(JSON.stringify(r.value)).not.toMatch(/ECONNREFUSED|secret/);
    expect(v.invalid).toBe('invalid');
    expect(v.noVersion).toBe('invalid');
    expect(v.bigint).toBe('invalid');
  });

  test('ctx.fail rejects with the message and field errors for the user', async () => {
    const s = script(engine, `export default (input, ctx) => { if (!input.email) ctx.fail('An email is required', [{ field: 'email', rule: 'required', message: 'required' }]); }`);
    const err = await failure(engine.run(s, {}));
    expect(err).toBeInstanceOf(ScriptRejection);
    expect(err).toMatchObject({ status: 400, message: 'An email is required', errors: [{ field: 'email', rule: 'required', message: 'required' }] });
    // A JavaScript script may leave parts of an error out: they get defaults, not "undefined".
    const loose = script(engine, `export default (input, ctx) => ctx.fail('No', [{ message: 'not like this' }, { field: 'email' }])`);
    expect(await failure(engine.run(loose, {}))).toMatchObject({ errors: [{ field: '(record)', rule: 'script', message: 'not like this' }, { field: 'email', rule: 'script', message: '' }] });
  });

  test('an uncaught error names the TypeScript source line', async () => {
    const s = script(
      engine,
      `type R = { total: number };
function sum(rows: R[]): number {
  let t = 0;
  for (const r of rows) t += r.total;
  if (t > 10) throw new RangeError('total too high: ' + t);
  return t;
}
export default (input: { rows: R[] }) => sum(input.rows);`,
      { language: 'ts' },
    );
    const err = (await failure(engine.run(s, { rows: [{ total: 8 }, { total: 5 }] }))) as ScriptError;
    expect(err).toBeInstanceOf(ScriptError);
    expect(err.errorName).toBe('RangeError');
    expect(err.message).toMatch(/RangeError: total too high: 13 \(line 5, column \d+\)/);
    expect(err.location?.line).toBe(5);
    expect(err.scriptStack).toMatch(/:5:\d+/);
    expect(err.scriptStack).not.toMatch(/-\d+:\d+|isolated|boot/);
  });

  test('log lines are kept per run, capped, and survive a run that is stopped', async () => {
    const many = await engine.run(script(engine, `export default (i, ctx) => { for (let n = 0; n < 500; n++) ctx.log.debug('line ' + n, { n }); return 1; }`, { capabilities: ['log'] }), {});
    expect(many.logs).toHaveLength(201);
    expect(many.logs[0]).toMatchObject({ level: 'debug', message: 'line 0 {"n":0}' });
    expect(many.logs[200].message).toMatch(/300 more log lines were dropped/);
    const err = (await failure(engine.run(script(engine, `export default (i, ctx) => { ctx.log.info('starting'); for (;;) {} }`, { capabilities: ['log'] }), {}))) as ScriptLimitError;
    expect(err).toBeInstanceOf(ScriptLimitError);
    expect(err.logs.map((l) => l.message)).toEqual(['starting']);
  });

  test('a script with a larger memory limit runs in an isolate of that size', async () => {
    const s = { ...script(engine, `export default () => { const a = []; for (let i = 0; i < 600; i++) a.push(new Array(10000).fill(i + 0.5)); return a.length; }`), limits: { memoryMb: 96, cpuMs: 5000 } };
    expect((await engine.run(s, {})).value).toBe(600);
    const small = { ...s, limits: { memoryMb: 32, cpuMs: 5000 } };
    expect(await failure(engine.run(small, {}))).toMatchObject({ kind: 'memory' });
    await stillServing();
  });
});

describe('hostile scripts are stopped without harming the host', () => {
  test('infinite loop: CPU limit', async () => {
    const err = await failure(engine.run(script(engine, 'export default () => { for (;;) {} }'), {}));
    expect(err).toBeInstanceOf(ScriptLimitError);
    expect(err).toMatchObject({ kind: 'cpu', code: 'script-limit-cpu' });
    await stillServing();
  });

  test('infinite async loop (microtasks): CPU limit', async () => {
    const err = await failure(engine.run(script(engine, 'export default async () => { for (;;) await null; }'), {}));
    expect(err).toMatchObject({ kind: 'cpu' });
    await stillServing();
  });

  test('a promise that never settles: wall-clock deadline', async () => {
    const s = script(engine, 'export default () => new Promise(() => {})');
    const err = await failure(engine.run(s, {}, { limits: { wallMs: 300 } }));
    expect(err).toBeInstanceOf(ScriptLimitError);
    expect(err).toMatchObject({ kind: 'wall' });
    await stillServing();
  });

  test('a slow host call past the deadline: wall-clock deadline', async () => {
    const host = new FakeHost();
    host.delay = 600;
    const s = script(engine, `export default (i, ctx) => ctx.records('x').count()`, { capabilities: ['records:read'] });
    expect(await failure(engine.run(s, {}, { host, limits: { wallMs: 200 } }))).toMatchObject({ kind: 'wall' });
    // The run settles after its host call did: nothing of it is still running in the host.
    expect(host.inFlight).toBe(0);
    await stillServing();
  });

  test('deep recursion: a stack overflow is an ordinary, catchable error', async () => {
    const err = await failure(engine.run(script(engine, 'function f(n) { return f(n + 1) + 1; } export default () => f(0)'), {}));
    expect(err).toBeInstanceOf(ScriptError);
    expect(err.message).toMatch(/RangeError: Maximum call stack size exceeded/);
    const caught = await engine.run(script(engine, 'function f(n) { return f(n + 1) + 1; } export default () => { try { return f(0); } catch (e) { return e.name; } }'), {});
    expect(caught.value).toBe('RangeError');
    await stillServing();
  });

  test('memory bomb, arrays: memory limit', async () => {
    const err = await failure(engine.run(script(engine, 'export default () => { const a = []; for (;;) a.push(new Array(100000).fill(Math.random())); }'), {}, { limits: { cpuMs: 5000 } }));
    expect(err).toBeInstanceOf(ScriptLimitError);
    expect(err).toMatchObject({ kind: 'memory' });
    await stillServing();
  });

  test('memory bomb, one giant array (isolated-vm aborts its process): the worker is replaced', async () => {
    const before = engine.pool.stats().restarts;
    const err = await failure(engine.run(script(engine, 'export default () => new Array(1e9).fill(0).length'), {}, { limits: { cpuMs: 5000 } }));
    expect(err).toBeInstanceOf(ScriptLimitError);
    expect(['memory', 'crash']).toContain((err as ScriptLimitError).kind);
    expect(engine.pool.stats().restarts).toBe(before + 1);
    expect(stderr()).toMatch(/out[ -]of[ -]memory|heap/i);
    await stillServing();
  });

  test('memory bomb, strings: memory limit or a catchable RangeError', async () => {
    const many = await failure(engine.run(script(engine, "export default () => { const a = []; for (let i = 0; ; i++) a.push('x'.repeat(1 << 20) + i); }"), {}, { limits: { cpuMs: 5000 } }));
    expect(many).toMatchObject({ kind: 'memory' });
    const doubling = await failure(engine.run(script(engine, "export default () => { let s = 'x'; for (;;) s += s; }"), {}));
    expect(doubling).toBeInstanceOf(ScriptError);
    expect(doubling.message).toMatch(/Invalid string length|memory/);
    await stillServing();
  });

  test('huge return value: refused', async () => {
    // Generous CPU time: what is tested is the size check, not how fast the machine builds 5 MB.
    const cpu = { limits: { cpuMs: 5000 } };
    const err = await failure(engine.run(script(engine, "export default () => 'x'.repeat(5 * 1024 * 1024)"), {}, cpu));
    expect(err).toBeInstanceOf(ScriptLimitError);
    expect(err).toMatchObject({ kind: 'output' });
    const rows = await failure(engine.run(script(engine, "export default () => Array.from({ length: 200000 }, (_, i) => ({ i, s: 'abcdef' }))"), {}, cpu));
    expect(rows).toMatchObject({ kind: 'output' });
    await stillServing();
  });

  test('no process, require, timers or host objects, whatever the route', async () => {
    const s = {
      ...script(engine, 'export default 1'),
      // Hand-written JS: the compiler would refuse dynamic import() and require() at save time.
      js: `exports.default = async function (input, ctx) {
        const probe = (f) => { try { const v = f(); return v === undefined ? 'undefined' : typeof v === 'object' || typeof v === 'function' ? Object.getOwnPropertyNames(v).filter((k) => /^(process|require|module|Buffer|ivm|_ivm|fs|global)$/i.test(k)).join(',') || typeof v : String(v); } catch (e) { return 'threw ' + e.name; } };
        const out = {
          process: typeof process,
          require: typeof require,
          moduleShim: Object.getOwnPropertyNames(module).join(','),
          global: typeof global,
          Buffer: typeof Buffer,
          setTimeout: typeof setTimeout,
          setInterval: typeof setInterval,
          queueMicrotask: typeof queueMicrotask,
          fetch: typeof fetch,
          WebAssembly: typeof WebAssembly,
          SharedArrayBuffer: typeof SharedArrayBuffer,
          viaConstructor: probe(() => globalThis.constructor.constructor('return typeof process')()),
          viaFunction: probe(() => Function('return typeof require')()),
          viaCtx: probe(() => ctx.records.constructor.constructor('return this')()),
          viaCtxRecords: probe(() => ctx.records('x').list.constructor('return typeof process')()),
          viaInputProto: probe(() => input.__proto__.constructor.constructor('return typeof process')()),
          viaSloppyThis: probe(() => (function () { return this; }).call(undefined)),
          globals: Object.getOwnPropertyNames(globalThis).sort().join(','),
        };
        const frames = [];
        const old = Error.prepareStackTrace;
        Error.prepareStackTrace = (e, cs) => cs.map((c) => typeof c.getThis === 'function' ? typeof c.getThis() : 'none');
        try { await ctx.records('x').get(-1); } catch (e) { frames.push(String(e.stack)); }
        Error.prepareStackTrace = old;
        out.frames = frames.join('|');
        return out;
      };`,
    };
    const r = await engine.run(s, { a: 1 }, { host: new FakeHost() });
    const v = r.value as Record<string, string>;
    // \`module\` and \`exports\` are the script's own CommonJS shim: { exports } and nothing else.
    expect(v.moduleShim).toBe('exports');
    for (const k of ['process', 'require', 'global', 'Buffer', 'setTimeout', 'setInterval', 'fetch', 'WebAssembly', 'SharedArrayBuffer']) expect([k, v[k]]).toEqual([k, 'undefined']);
    // Constructor chains end at SES's tamed Function.prototype.constructor, which throws;
    // the compartment's own Function evaluates in the compartment (no process there either).
    expect(v.viaConstructor).toBe('threw TypeError');
    expect(v.viaFunction).toBe('undefined');
    expect(v.viaCtx).toBe('threw TypeError');
    expect(v.viaCtxRecords).toBe('threw TypeError');
    expect(v.viaInputProto).toBe('threw TypeError');
    // Compartments evaluate strict code: no sloppy `this` to reach a global object through.
    expect(v.viaSloppyThis).toBe('undefined');
    for (const name of ['process', 'require', 'module', 'Buffer', 'ivm', '_ivm', 'global', 'setTimeout', 'setImmediate', 'WebAssembly']) expect(v.globals.split(',')).not.toContain(name);
    expect(v.frames).not.toMatch(/function/);
    // Dynamic import is refused before anything runs (SES rejects the source).
    const importing = { ...script(engine, 'export default 1'), js: "exports.default = async function () { try { await import('fs'); return 'imported'; } catch (e) { return 'caught'; } };" };
    const refused = await failure(engine.run(importing, {}));
    expect(refused).toBeInstanceOf(ScriptError);
    expect(refused.message).toMatch(/does not compile: Possible import expression rejected/);
    await stillServing();
  });

  test('prototype pollution of objects passed in leaves the host objects (and the next run) unchanged', async () => {
    const host = new FakeHost([{ name: 'Acme', tags: ['a'] }]);
    const input = { record: { name: 'n', nested: { x: 1 } }, list: [1, 2] };
    const s = script(
      engine,
      `export default async function (input, ctx) {
         const refused = [];
         const attempt = (what, f) => { try { f(); } catch (e) { refused.push(what + ': ' + e.name); } };
         input.record.name = 'changed';
         input.record.nested.x = 99;
         attempt('input proto', () => { input.record.__proto__.polluted = 'yes'; });
         attempt('Object.prototype', () => { Object.prototype.polluted2 = 'yes'; });
         attempt('Array.prototype', () => { Array.prototype.includes = () => true; });
         attempt('JSON.parse', () => { JSON.parse = () => ({ hijacked: true }); });
         const rec = await ctx.records('customer').get(1);
         rec.name = 'hacked';
         rec.tags.push('b');
         attempt('record proto', () => { rec.__proto__.evil = true; });
         attempt('then', () => Object.defineProperty(Object.prototype, 'then', { get() { return undefined; }, configurable: true }));
         attempt('iterator', () => { Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true }); });
         attempt('globalThis', () => { globalThis.mine = 1; });
         // The script's own objects are its to change.
         const own = { toString: () => 'own' };
         return { seen: input.record.name, polluted: ({}).polluted, refused, own: String(own), mine: typeof globalThis.mine };
       }`,
      { capabilities: ['records:read'] },
    );
    const r = await engine.run(s, input, { host });
    // Shared built-ins and globals are frozen (SES lockdown): every attempt on them is refused.
    expect(r.value).toEqual({
      seen: 'changed',
      own: 'own',
      mine: 'undefined',
      refused: ['input proto: TypeError', 'Object.prototype: TypeError', 'Array.prototype: TypeError', 'JSON.parse: TypeError', 'record proto: TypeError', 'then: TypeError', 'iterator: TypeError', 'globalThis: TypeError'],
    });
    expect(input).toEqual({ record: { name: 'n', nested: { x: 1 } }, list: [1, 2] });
    expect(host.records.get(1)).toEqual({ id: 1, version: 1, name: 'Acme', tags: ['a'] });
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect((probe as { polluted2?: unknown }).polluted2).toBeUndefined();
    expect([1].includes(2)).toBe(false);
    // The next runs (same script or another) see nothing left over: fresh globals, untouched built-ins.
    for (let i = 0; i < 4; i++) {
      const clean = await engine.run(script(engine, `export default (input) => ({ p: ({}).polluted, p2: ({}).polluted2, inc: [1].includes(2), mine: typeof globalThis.mine, parsed: input })`), { ok: i });
      expect(clean.value).toEqual({ parsed: { ok: i }, inc: false, mine: 'undefined' });
    }
    // Module variables are fresh every run of the same script.
    const counter = script(engine, 'let n = 0; export default () => ++n;');
    for (let i = 0; i < 3; i++) expect((await engine.run(counter, {})).value).toBe(1);
  });

  test('the usual built-ins work under the frozen intrinsics: dates, random numbers, Intl, errors with names, own overrides', async () => {
    const r = await engine.run(
      script(
        engine,
        `class Refused extends Error { constructor(m: string) { super(m); this.name = 'Refused'; } }
         export default () => {
           const e = new Refused('no');
           const point = { x: 1, toString() { return 'p'; } };
           point.toString = () => 'q';
           return {
             now: Date.now() > 1.7e12, year: new Date('2026-03-01T00:00:00Z').getUTCFullYear(), random: Math.random() < 1,
             money: new Intl.NumberFormat('en-US', { minimumFractionDigits: 2 }).format(1234.5), floats: Array.from(new Float64Array([0.5, 1.5])),
             error: e.name + ':' + e.message + ':' + (e instanceof Error), own: String(point), sorted: [3, 1, 2].sort(), json: JSON.parse('{"a":[1]}'),
           };
         }`,
        { language: 'ts' },
      ),
      {},
    );
    expect(r.value).toEqual({ now: true, year: 2026, random: true, money: '1,234.50', floats: [0.5, 1.5], error: 'Refused:no:true', own: 'q', sorted: [1, 2, 3], json: { a: [1] } });
  });

  test('an async host call flood is capped: limited calls, limited concurrency, the run ends', async () => {
    const host = new FakeHost([{ name: 'Acme' }]);
    host.delay = 1;
    const s = script(
      engine,
      `export default async function (input, ctx) {
         const results = await Promise.allSettled(Array.from({ length: 5000 }, () => ctx.records('customer').count()));
         const refused = results.filter((r) => r.status === 'rejected');
         return { ok: results.length - refused.length, refused: refused.length, code: refused[0] && refused[0].reason.code };
       }`,
      { capabilities: ['records:read'] },
    );
    const r = await engine.run(s, {}, { host, limits: { cpuMs: 5000, wallMs: 20000 } });
    expect(r.value).toEqual({ ok: 1000, refused: 4000, code: 'limit' });
    expect(host.calls.length).toBe(1000);
    expect(host.maxInFlight).toBeLessThanOrEqual(8);
    // Fire-and-forget calls do not outlive the run: it settles after them, later ones are refused.
    const host2 = new FakeHost();
    host2.delay = 5;
    const r2 = await engine.run(script(engine, `export default (input, ctx) => { for (let i = 0; i < 50; i++) ctx.records('x').count().catch(() => {}); return 'left'; }`, { capabilities: ['records:read'] }), {}, { host: host2 });
    expect(r2.value).toBe('left');
    expect(host2.inFlight).toBe(0);
    expect(host2.calls.length).toBeLessThanOrEqual(50);
    await stillServing();
  });

  test('work left running after the run returns (a promise chain through host calls) is stopped with its isolate', async () => {
    const host = new FakeHost();
    const s = script(engine, `export default (input, ctx) => { const spin = () => { ctx.records('x').count().then(spin, spin); }; spin(); return 'returned'; }`, { capabilities: ['records:read'] });
    expect((await engine.run(s, {}, { host })).value).toBe('returned');
    // The next runs are not charged for it (they would fail on CPU time if it kept running).
    for (let i = 0; i < 6; i++) await stillServing();
    // And no worker keeps burning CPU (Linux: utime + stime from /proc, in clock ticks of 10 ms).
    const cpu = () => engine.pool.stats().workers.reduce((sum, w) => {
      const f = readFileSync(`/proc/${w.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return sum + (Number(f[11]) + Number(f[12])) * 10;
    }, 0);
    const before = cpu();
    await new Promise((r) => setTimeout(r, 500));
    expect(cpu() - before).toBeLessThan(150);
  });

  test('throwing non-Error values', async () => {
    const cases: [string, RegExp][] = [
      ['throw 42', /non-Error value: 42/],
      ['throw null', /non-Error value: null/],
      ['throw undefined', /non-Error value: undefined/],
      ["throw 'plain string'", /non-Error value: plain string/],
      ["throw { message: 'an object' }", /non-Error value: \{"message":"an object"\}/],
      ["throw Symbol('sym')", /non-Error value: Symbol\(sym\)/],
      ['throw Object.create(null)', /non-Error value: \{\}/],
      ["throw new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } })", /cannot be read|non-Error value/],
      ["const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw new Error('getter'); } }); throw e", /cannot be read|getter|Error/],
      ['const o = {}; o.self = o; throw o', /non-Error value/],
      ['throw 10n', /non-Error value: 10/],
      ['return Promise.reject(7)', /non-Error value: 7/],
    ];
    for (const [body, message] of cases) {
      const err = await failure(engine.run(script(engine, `export default () => { ${body}; }`), {}));
      expect([body, err instanceof ScriptError]).toEqual([body, true]);
      expect([body, err.message]).toEqual([body, expect.stringMatching(message)]);
    }
    await stillServing();
  });

  test('a result that is not JSON (cycle, BigInt) fails as a script error', async () => {
    expect((await failure(engine.run(script(engine, 'export default () => { const o = {}; o.o = o; return o; }'), {}))).message).toMatch(/circular/i);
    expect((await failure(engine.run(script(engine, 'export default () => 1n'), {}))).message).toMatch(/BigInt/);
  });
});

describe('the pool', () => {
  test('sends a script\'s code to a worker once; a run whose code the worker lacks is sent again with it', async () => {
    const s = script(engine, 'export default (input) => input.n * 2');
    const sent: { code?: string }[] = [];
    const workers = (engine.pool as unknown as { workers: Set<{ proc: { send: (m: unknown, cb?: unknown) => unknown }; sent: Map<string, true> }> }).workers;
    const restore = [...workers].map((w) => {
      const original = w.proc.send.bind(w.proc);
      w.proc.send = (m: unknown, cb?: unknown) => {
        if ((m as { t?: string }).t === 'run') sent.push(m as { code?: string });
        return original(m, cb);
      };
      return () => (w.proc.send = original);
    });
    try {
      for (let i = 0; i < 6; i++) expect((await engine.run(s, { n: i })).value).toBe(i * 2);
      // At most once per worker with its code; the other runs without.
      expect(sent.filter((m) => m.code !== undefined).length).toBeLessThanOrEqual(workers.size);
      expect(sent.filter((m) => m.code === undefined).length).toBeGreaterThanOrEqual(6 - workers.size);
      // A worker that does not have the code (the pool believes it does) asks for it again.
      const fresh = script(engine, 'export default () => "resent"');
      const key = (engine as unknown as { codeKey(x: unknown): string }).codeKey(fresh);
      for (const w of workers) w.sent.set(key, true);
      sent.length = 0;
      expect((await engine.run(fresh, {})).value).toBe('resent');
      expect(sent.map((m) => m.code !== undefined)).toEqual([false, true]);
    } finally {
      for (const r of restore) r();
    }
  });

  test('a worker killed with SIGKILL mid-call is replaced; the call fails cleanly and the next succeeds', async () => {
    const before = engine.pool.stats().restarts;
    const spin = engine.run(script(engine, 'export default () => { for (;;) {} }'), {}, { limits: { cpuMs: 20000, wallMs: 20000 } });
    const settled = spin.catch((e: unknown) => e);
    let busy: { pid: number } | undefined;
    for (let i = 0; i < 200 && !busy; i++) {
      busy = engine.pool.stats().workers.find((w) => w.running > 0);
      if (!busy) await new Promise((r) => setTimeout(r, 10));
    }
    expect(busy).toBeDefined();
    process.kill(busy!.pid, 'SIGKILL');
    const err = (await settled) as ScriptLimitError;
    expect(err).toBeInstanceOf(ScriptLimitError);
    expect(err.kind).toBe('crash');
    expect(err.message).toMatch(/SIGKILL/);
    await stillServing();
    expect(engine.pool.stats().restarts).toBe(before + 1);
    for (let i = 0; i < 100 && engine.pool.stats().workers.filter((w) => w.ready).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(engine.pool.stats().workers.filter((w) => w.ready)).toHaveLength(2);
  });

  test('when a worker running several calls dies, those without side effects get one more try; the others fail', async () => {
    const busy = (withHost: boolean) =>
      script(engine, `export default async (input, ctx) => { ${withHost ? "await ctx.records('x').count();" : ''} const end = Date.now() + 400; while (Date.now() < end) {} return input.i; }`, {
        capabilities: ['records:read'],
      });
    for (const withHost of [false, true]) {
      const s = busy(withHost);
      const calls = [0, 1, 2, 3].map((i) => engine.run(s, { i }, { host: new FakeHost(), limits: { cpuMs: 10000, wallMs: 15000 } }).then((r) => r.value, (e: ScriptLimitError) => e.kind));
      let victim: { pid: number } | undefined;
      for (let i = 0; i < 200 && !victim; i++) {
        victim = engine.pool.stats().workers.find((w) => w.running === 2);
        if (!victim) await new Promise((r) => setTimeout(r, 10));
      }
      expect(victim).toBeDefined();
      await new Promise((r) => setTimeout(r, 50));
      process.kill(victim!.pid, 'SIGKILL');
      const outcomes = await Promise.all(calls);
      if (withHost) expect(outcomes.filter((o) => o === 'crash')).toHaveLength(2);
      else expect(outcomes).toEqual([0, 1, 2, 3]);
    }
    await stillServing();
  });

  test('while hostile scripts spin, other calls keep being served', async () => {
    // Two scripts hold two of the four slots, burning CPU until told to stop (they look at a
    // parameter every 50 ms), so the outcome does not depend on how fast the machine is.
    const host = new FakeHost();
    host.params.stop = false;
    const hog = script(engine, `export default async (input, ctx) => { for (;;) { const end = Date.now() + 50; while (Date.now() < end) {} if (await ctx.params.get('stop')) return 'stopped'; } }`, { capabilities: ['params:read'] });
    const hogs = [1, 2].map(() => engine.run(hog, {}, { host, limits: { cpuMs: 60000, wallMs: 60000 } }).then((r) => r.value, (e: Error) => e.message));
    // And a plain infinite loop, stopped at its CPU limit meanwhile.
    const spinner = engine.run(script(engine, 'export default () => { for (;;) {} }'), {}).then(() => 'finished', (e: ScriptLimitError) => e.kind);
    const s = script(engine, 'export default (input) => input.i + 1');
    const results: number[] = [];
    for (let round = 0; round < 10; round++) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, j) => engine.run(s, { i: round * 10 + j })));
      results.push(...batch.map((b) => b.value as number));
    }
    expect(results).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    host.params.stop = true;
    expect(await Promise.all(hogs)).toEqual(['stopped', 'stopped']);
    expect(await spinner).toBe('cpu');
  });

  test('scripts calling scripts: nested calls do not wait for a slot, and depth is bounded', async () => {
    const inner = script(engine, 'export default (input) => input.n * 10');
    const host = new FakeHost();
    host.onCallScript = async (name, input, caller) => (await engine.run(name === 'self' ? outer : inner, input, { host, depth: caller.depth + 1 })).value;
    const outer = script(engine, `export default async (input, ctx) => input.n > 0 ? ctx.scripts.call(input.self ? 'self' : 'inner', { n: input.n, self: input.self }) : 0`, { capabilities: ['scripts:call'] });
    // More outer calls than slots: each holds a slot while its inner call runs.
    const r = await Promise.all(Array.from({ length: 8 }, (_, i) => engine.run(outer, { n: i + 1 }, { host })));
    expect(r.map((x) => x.value)).toEqual([10, 20, 30, 40, 50, 60, 70, 80]);
    const err = await failure(engine.run(outer, { n: 1, self: true }, { host }));
    expect(err).toBeInstanceOf(ScriptError);
    expect(err.message).toMatch(/more than 4 deep/);
  });
});

describe('a small pool', () => {
  test('a full queue refuses calls, and closing fails waiting and running calls cleanly', async () => {
    const { engine: small } = testEngine({ workers: 1, isolatesPerWorker: 1, maxQueue: 1 });
    await small.start();
    const spin = script(small, 'export default () => { for (;;) {} }');
    const running = small.run(spin, {}, { limits: { cpuMs: 20000, wallMs: 20000 } }).catch((e: Error) => e);
    const waiting = small.run(spin, {}).catch((e: Error) => e);
    const refused = await small.run(spin, {}).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(ScriptUnavailableError);
    expect(refused).toMatchObject({ status: 503, message: expect.stringMatching(/overloaded/) });
    await small.close();
    expect(await running).toBeInstanceOf(ScriptUnavailableError);
    expect(await waiting).toBeInstanceOf(ScriptUnavailableError);
    expect(await small.run(spin, {}).catch((e: Error) => e)).toBeInstanceOf(ScriptUnavailableError);
    expect(small.pool.stats().workers).toEqual([]);
  });
});
