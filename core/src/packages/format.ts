import Ajv from 'ajv';
import type { FieldError } from '@plinth/sdk';

export const PACKAGE_FORMAT = 'plinth.package';
export const PACKAGE_FORMAT_VERSION = 1;

/** One admin-made definition in a package, under a key stable across instances. */
export interface PackageItem {
  key: string;
  data: Record<string, unknown>;
}

/** A configuration package: admin-made definitions by section, moved between instances as JSON. */
export interface ConfigPackage {
  format: typeof PACKAGE_FORMAT;
  formatVersion: number;
  platformVersion: string;
  exportedAt: string;
  name?: string;
  sections: Record<string, PackageItem[]>;
}

const validate = new Ajv({ allErrors: true, strict: false }).compile({
  type: 'object',
  required: ['format', 'formatVersion', 'sections'],
  properties: {
    format: { const: PACKAGE_FORMAT },
    formatVersion: { const: PACKAGE_FORMAT_VERSION },
    platformVersion: { type: 'string' },
    exportedAt: { type: 'string' },
    name: { type: 'string', maxLength: 200 },
    sections: {
      type: 'object',
      additionalProperties: {
        type: 'array',
        maxItems: 10_000,
        items: { type: 'object', required: ['key', 'data'], additionalProperties: false, properties: { key: { type: 'string', minLength: 1, maxLength: 300 }, data: { type: 'object' } } },
      },
    },
  },
});

export function packageShapeErrors(body: unknown): FieldError[] {
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => {
    const at = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || (e.params as { missingProperty?: string }).missingProperty || '(body)';
    return { field: at, rule: e.keyword, message: `${at} ${e.message ?? 'is invalid'}` };
  });
}

/** Properties whose values differ (JSON comparison). */
export function differences(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, { before: unknown; after: unknown }> | undefined {
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)) out[key] = { before: before[key] ?? null, after: after[key] ?? null };
  }
  return Object.keys(out).length ? out : undefined;
}
