/**
 * Small generated functions for the per-row hot paths (decoding, unpacking): an object
 * literal with named properties is several times faster than a loop storing under
 * computed keys, which V8 cannot specialise. Only field names go into the code, each
 * checked here and written as a JSON string literal.
 */

const SAFE_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property name as a literal for generated code; refuses anything but a plain identifier. */
export function propertyKey(name: string): string {
  if (!SAFE_NAME.test(name) || name === '__proto__') throw new Error(`Not a field name: ${JSON.stringify(name)}`);
  return JSON.stringify(name);
}

/** `new Function` with one argument `c` (the helpers the body refers to), returning what `body` returns. */
export function generate<C, F>(body: string, helpers: C): F {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return (new Function('c', body) as (c: C) => F)(helpers);
}
