/**
 * First path segments under /api/v1 that the platform serves itself. An entity's records
 * are served at /api/v1/{plural}, so no entity may take one of these as its plural (the
 * router matches case-insensitively). test/plugins/reserved.test.ts checks this list against
 * the routes the platform actually registers.
 */
export const KERNEL_ROUTES: ReadonlySet<string> = new Set([
  'audit', 'auth', 'ext', 'files', 'flows', 'forms', 'me', 'menus', 'meta', 'openapi.json', 'packages', 'plugins', 'related-tabs', 'scripts', 'views', 'x',
]);

/** Why `plural` cannot be an entity's plural, or null when it can. */
export function reservedPluralProblem(entity: string, plural: string): string | null {
  if (!KERNEL_ROUTES.has(plural.toLowerCase())) return null;
  return `Entity "${entity}" would be served at /api/v1/${plural}, which is a route of the platform itself (${[...KERNEL_ROUTES].join(', ')}); declare another plural for it (plural: "…")`;
}
