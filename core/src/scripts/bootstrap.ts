/**
 * The code that runs inside each isolate. An isolate has one V8 context for its whole
 * life, set up once (see Sandbox): SES (`ses`, Agoric's hardened JavaScript) is loaded and
 * `lockdown()` freezes every shared intrinsic (Object.prototype, Array.prototype, the
 * iterator prototypes, Function, JSON, …; RegExp's legacy statics are gone; constructor
 * chains end at a Function constructor that throws); then REALM below runs and hands the
 * worker one function:
 *
 *   load(source, filename) → run(log, rpc, inputJson, metaJson, limitsJson, canLog) → Promise<string>
 *
 * Scripts are evaluated in one SES Compartment whose global object is frozen too (Date,
 * Math, Intl, Float32Array, Float64Array and a `console` that writes to the current run's
 * log, over the frozen intrinsics). `load` evaluates a script's module function once per
 * isolate; each run calls it anew, so module variables are fresh every run. Nothing a run
 * does can be seen by the next one: globals and built-ins are read-only (assigning one is
 * a TypeError), and everything else it creates is its own. This costs a few microseconds
 * a run, where a fresh V8 context per run cost ~0.6 ms of CPU.
 *
 * - `log` is a synchronous callback into the worker (lines survive a killed run);
 * - `rpc` is a Reference to the worker's host-call function (async, answers JSON text);
 * - the input arrives as JSON text and is parsed here, so the script only ever holds copies;
 * - the answer is JSON text: `o<json>` for a result, `e<json>` for an error or rejection.
 *
 * This code runs in the start compartment, which scripts cannot reach (nothing here hands
 * out its global object or its evaluators). Everything the worker and the API process
 * receive is re-checked there (capabilities, sizes, shapes).
 *
 * No `//` comments below: the source is kept as is, but keep it simple to read.
 */

/** The options of `lockdown()`: stacks kept (errors are mapped to script lines), locale methods left alone. */
export const LOCKDOWN = `lockdown({ errorTaming: 'unsafe', stackFiltering: 'verbose', overrideTaming: 'moderate', consoleTaming: 'unsafe', localeTaming: 'unsafe', domainTaming: 'unsafe' });`;

export const REALM = String.raw`(function () {
  'use strict';
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const apply = Reflect.apply;
  const ErrorC = Error;
  const TypeErrorC = TypeError;
  const StringC = String;
  const isArray = Array.isArray;
  const freeze = Object.freeze;
  const symbolToString = Symbol.prototype.toString;
  const promiseThen = Promise.prototype.then;
  const promiseReject = Promise.reject.bind(Promise);
  const promiseResolve = Promise.resolve.bind(Promise);
  const weakAdd = WeakSet.prototype.add;
  const weakHas = WeakSet.prototype.has;
  const strSlice = String.prototype.slice;
  const rejections = new WeakSet();
  const CompartmentC = Compartment;
  const hardenF = harden;
  let writeLine = null;
  const consoleLevel = (level) => function () {
    if (writeLine === null) throw new TypeErrorC('console is only available while a script runs');
    writeLine(level, arguments);
  };
  const console = freeze({ log: consoleLevel('info'), info: consoleLevel('info'), debug: consoleLevel('debug'), warn: consoleLevel('warn'), error: consoleLevel('error') });
  const compartment = new CompartmentC({
    globals: { Date: hardenF(Date), Math: hardenF(Math), Intl: hardenF(Intl), Float32Array: hardenF(Float32Array), Float64Array: hardenF(Float64Array), console },
    __options__: true,
  });
  hardenF(compartment.globalThis);

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
      // What a JavaScript script leaves out gets a default, not the text "undefined".
      const given = (v, fallback, max) => (v === undefined || v === null ? fallback : clip(str(v), max));
      out[out.length] = { field: given(e.field, '(record)', 200), rule: given(e.rule, 'script', 100), message: given(e.message, '', 1000) };
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

  function boot(loaded, log, rpc, inputJson, metaJson, limitsJson, canLog) {
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

    writeLine = write;

    const dropped = () => {
      if (lines > limits.maxLogLines) log('dropped', StringC(lines - limits.maxLogLines));
    };

    if (loaded.failure !== null) {
      return promiseResolve('e' + stringify({ kind: 'error', name: 'SyntaxError', message: clip('The script does not compile: ' + str(loaded.failure && loaded.failure.message), 2000) }));
    }
    const user = loaded.factory;

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
      } finally {
        writeLine = null;
      }
    })();
  }

  return function load(source, filename) {
    const code = '(function (exports, module) {' + source + '\n})\n//# sourceURL=' + filename;
    const loaded = { factory: null, failure: null };
    try {
      loaded.factory = hardenF(compartment.evaluate(code));
    } catch (e) {
      loaded.failure = e;
    }
    return function run(log, rpc, inputJson, metaJson, limitsJson, canLog) {
      return boot(loaded, log, rpc, inputJson, metaJson, limitsJson, canLog);
    };
  };
})()`;
