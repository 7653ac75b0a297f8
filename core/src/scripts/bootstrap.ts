/**
 * The code that runs inside each isolate around a user script. It is compiled together
 * with the script (one V8 Script per isolate and script version) and evaluates to one
 * function, called once per run in a fresh context:
 *
 *   run(log, rpc, inputJson, metaJson, limitsJson, canLog) → Promise<string>
 *
 * - `log` is a synchronous callback into the worker (lines survive a killed run);
 * - `rpc` is a Reference to the worker's host-call function (async, answers JSON text);
 * - the input arrives as JSON text and is parsed here, so the script only ever holds copies;
 * - the answer is JSON text: `o<json>` for a result, `e<json>` for an error or rejection.
 *
 * The script's module body runs in its own function expression, so it cannot see this
 * code's variables. It can still patch built-ins of its own context (a fresh one each run);
 * that only affects its own run: everything the worker and the API process receive is
 * re-checked there (capabilities, sizes, shapes).
 *
 * No `//` comments below: the source is kept as is, but keep it simple to read.
 */

const BOOT = String.raw`(function () {
  'use strict';
  const G = globalThis;
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const apply = Reflect.apply;
  const ErrorC = Error;
  const TypeErrorC = TypeError;
  const StringC = String;
  const isArray = Array.isArray;
  const freeze = Object.freeze;
  const defineProperty = Object.defineProperty;
  const symbolToString = Symbol.prototype.toString;
  const promiseThen = Promise.prototype.then;
  const promiseReject = Promise.reject.bind(Promise);
  const weakAdd = WeakSet.prototype.add;
  const weakHas = WeakSet.prototype.has;
  const strSlice = String.prototype.slice;
  const rejections = new WeakSet();

  for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics']) {
    try { delete G[name]; } catch (_) {}
  }

  function str(v) {
    try {
      if (typeof v === 'string') return v;
      if (typeof v === 'symbol') return apply(symbolToString, v, []);
      return StringC(v);
    } catch (_) {
      return '[unprintable]';
    }
  }

  function preview(v) {
    try {
      if (typeof v === 'string') return v;
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') return str(v);
      const s = stringify(v);
      return s === undefined ? str(v) : s;
    } catch (_) {
      return str(v);
    }
  }

  function clip(s, n) {
    return s.length > n ? apply(strSlice, s, [0, n]) + '…' : s;
  }

  function fieldErrors(list) {
    const out = [];
    if (!isArray(list)) return out;
    for (let i = 0; i < list.length && i < 100; i++) {
      const e = list[i];
      if (e === null || typeof e !== 'object') continue;
      out[out.length] = { field: clip(str(e.field), 200), rule: clip(str(e.rule), 100), message: clip(str(e.message), 1000) };
    }
    return out;
  }

  function describe(e) {
    try {
      if (e !== null && (typeof e === 'object' || typeof e === 'function') && apply(weakHas, rejections, [e])) {
        return stringify({ kind: 'reject', message: clip(str(e.message), 2000), errors: fieldErrors(e.errors) });
      }
      if (e instanceof ErrorC) {
        const out = { kind: 'error', name: clip(str(e.name), 100), message: clip(str(e.message), 2000), stack: clip(str(e.stack), 4000) };
        if (typeof e.code === 'string') out.code = clip(e.code, 100);
        return stringify(out);
      }
      return stringify({ kind: 'error', name: 'non-error', message: 'The script threw a non-Error value: ' + clip(preview(e), 500) });
    } catch (_) {
      return stringify({ kind: 'error', name: 'non-error', message: 'The script threw a value that cannot be read' });
    }
  }

  function hostError(message, code, errors) {
    const e = new ErrorC(message);
    e.name = 'HostCallError';
    e.code = code;
    if (errors) e.errors = fieldErrors(errors);
    e.stack = 'HostCallError: ' + message;
    return e;
  }

  return function boot(user, log, rpc, inputJson, metaJson, limitsJson, canLog) {
    const meta = parse(metaJson);
    const limits = parse(limitsJson);
    const rpcApply = rpc.apply;
    let lines = 0;

    function write(level, args) {
      if (!canLog) throw hostError('This script did not declare the capability "log"', 'capability');
      lines++;
      if (lines > limits.maxLogLines) return;
      let text = '';
      for (let i = 0; i < args.length; i++) text += (i ? ' ' : '') + preview(args[i]);
      log(level, clip(text, 4000));
    }

    function onReply(text) {
      const r = parse(text);
      if (r.ok) return r.value;
      throw hostError(str(r.error && r.error.message), str(r.error && r.error.code), r.error && r.error.errors);
    }

    function call(op, args) {
      let payload;
      try {
        payload = stringify(args);
      } catch (e) {
        return promiseReject(hostError('The arguments of ' + op + ' are not JSON: ' + str(e && e.message), 'invalid'));
      }
      let p;
      try {
        p = apply(rpcApply, rpc, [undefined, [op, payload], { arguments: { copy: true }, result: { promise: true, copy: true } }]);
      } catch (e) {
        return promiseReject(hostError('The host call failed: ' + str(e && e.message), 'internal'));
      }
      return apply(promiseThen, p, [onReply]);
    }

    const opt = (v) => (v === undefined ? null : v);
    const logger = (level) => (message, data) => write(level, data === undefined ? [message] : [message, data]);

    const ctx = freeze({
      actor: freeze(meta.actor),
      script: freeze(meta.script),
      records(entity) {
        const name = str(entity);
        return freeze({
          list: (query) => call('records.list', [name, opt(query)]),
          get: (id, query) => call('records.get', [name, id, opt(query)]),
          count: (query) => call('records.count', [name, opt(query)]),
          create: (data) => call('records.create', [name, data]),
          update: (id, patch, options) => call('records.update', [name, id, patch, opt(options)]),
          delete: (id) => call('records.delete', [name, id]),
        });
      },
      notify: (message) => call('notify.send', [message]),
      params: freeze({
        get: (code) => call('params.get', [code]),
      }),
      dictionaries: freeze({
        items: (code) => call('dictionaries.items', [code]),
      }),
      scripts: freeze({
        call: (name, input) => call('scripts.call', [name, opt(input)]),
      }),
      log: freeze({ debug: logger('debug'), info: logger('info'), warn: logger('warn'), error: logger('error') }),
      fail(message, errors) {
        const e = new ErrorC(str(message));
        e.name = 'ScriptRejection';
        e.errors = fieldErrors(errors);
        apply(weakAdd, rejections, [e]);
        throw e;
      },
    });

    const consoleLevel = (level) => function () { write(level, arguments); };
    defineProperty(G, 'console', {
      value: freeze({ log: consoleLevel('info'), info: consoleLevel('info'), debug: consoleLevel('debug'), warn: consoleLevel('warn'), error: consoleLevel('error') }),
      writable: true,
      configurable: true,
      enumerable: false,
    });

    const dropped = () => {
      if (lines > limits.maxLogLines) log('dropped', StringC(lines - limits.maxLogLines));
    };

    return (async function () {
      try {
        const module = { exports: {} };
        apply(user, undefined, [module.exports, module]);
        const ex = module.exports;
        const fn = typeof ex === 'function' ? ex : ex !== null && typeof ex === 'object' ? ex.default : undefined;
        if (typeof fn !== 'function') throw new TypeErrorC('The script has no default export function; write: export default function (input, ctx) { … }');
        const value = await apply(fn, undefined, [parse(inputJson), ctx]);
        let json = value === undefined ? 'null' : stringify(value);
        if (json === undefined) json = 'null';
        dropped();
        if (json.length > limits.maxOutputBytes) {
          return 'e' + stringify({ kind: 'limit', limit: 'output', message: 'The result is ' + json.length + ' characters of JSON; the limit is ' + limits.maxOutputBytes });
        }
        return 'o' + json;
      } catch (e) {
        try { dropped(); } catch (_) {}
        return 'e' + describe(e);
      }
    })();
  };
})()`;

/** Lines of the wrapper before the user's code (the script's line 1 follows them). */
const PREFIX = `(function (boot, user) { return function (a, b, c, d, e, f) { return boot(user, a, b, c, d, e, f); }; })(${BOOT}, (function (exports, module) {\n`;
export const PREFIX_LINES = PREFIX.split('\n').length - 1;

/** The source compiled in the isolate for one script: wrapper, then the script's CommonJS body. */
export function wrapScript(js: string): string {
  return `${PREFIX}${js}\n}))`;
}
