/** Typings of sandboxed scripts (see script-api.ts). Re-exported from the SDK's index. */
export * from './script-api';
