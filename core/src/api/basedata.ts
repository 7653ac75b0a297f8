import type Router from '@koa/router';
import type { Context } from 'koa';
import { ForbiddenError, NotFoundError, ValidationError, type Actor, type I18nText } from '@plinth/sdk';
import type { RecordStore } from '../services/records';
import { ServiceDataContext } from '../services/context';
import type { BaseData, DictionaryEntry } from '../basedata';
import { listAll } from '../basedata/read';
import { parseId } from './params';

const CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

function flag(ctx: Context, name: string): boolean {
  const raw = ctx.query[name];
  if (raw === undefined) return false;
  if (raw !== 'true' && raw !== 'false') throw new ValidationError([{ field: name, rule: 'type', message: `${name} must be true or false` }]);
  return raw === 'true';
}

function code(raw: string, what: string): string {
  if (!CODE.test(raw)) throw new NotFoundError(`No ${what} "${raw}"`);
  return raw;
}

/**
 * Base data reads beyond the generic record API: a dictionary's items in order (from
 * memory), a category tree, a category's effective attributes, and a check of attribute
 * values against them.
 */
export function baseDataRoutes(router: Router, store: () => RecordStore, basedata: BaseData): void {
  const data = (ctx: Context) => new ServiceDataContext(store(), ctx.state.actor as Actor);

  router.get('/dictionaries/:code/items', async (ctx) => {
    const dictionaryCode = code(ctx.params.code, 'dictionary');
    const all = flag(ctx, 'all');
    const s = store();
    const access = await s.access.profile(ctx.state.actor as Actor);
    const scopes = access.scopesFor('dictionaryItem', 'read');
    if (!scopes.length || !access.can('dictionary', 'read')) throw new ForbiddenError('You may not read dictionaries');
    const info = basedata.dictionaries.dictionary(dictionaryCode);
    if (!info) throw new NotFoundError(`No dictionary "${dictionaryCode}"`);
    let items: readonly DictionaryEntry[];
    if (scopes.includes('all') && access.hiddenFields('dictionaryItem').size === 0) {
      items = basedata.dictionaries.items(dictionaryCode, { all }) ?? [];
    } else {
      // Rows restricted for this user: read through the permission layer instead of memory.
      const rows = await listAll(s.service('dictionaryItem', ctx.state.actor as Actor), { filter: { dictionary: info.id, ...(all ? {} : { enabled: true }) }, sort: ['sortOrder', 'id'] });
      const codeOf = new Map(rows.map((r) => [r.id, String(r.code)]));
      items = rows.map((r) => ({
        id: r.id,
        code: String(r.code),
        label: r.label as I18nText,
        sortOrder: Number(r.sortOrder ?? 0),
        enabled: r.enabled === true,
        parent: r.parent == null ? null : (codeOf.get(r.parent as number) ?? null),
        color: (r.color as string | null) ?? null,
      }));
    }
    ctx.body = { dictionary: { id: info.id, code: info.code, label: info.label, enabled: info.enabled }, data: items };
  });

  router.get('/categories/tree/:kind', async (ctx) => {
    ctx.body = { kind: ctx.params.kind, data: await basedata.categories.tree(data(ctx), code(ctx.params.kind, 'category tree'), { enabledOnly: flag(ctx, 'enabled') }) };
  });

  router.get('/categories/:id/attributes', async (ctx) => {
    ctx.body = { data: await basedata.categories.effectiveAttributes(data(ctx), parseId(ctx.params.id)) };
  });

  router.post('/categories/:id/attributes/check', async (ctx) => {
    const body = ctx.request.body as { values?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'The body is { "values": { … } }' }]);
    const errors = await basedata.categories.validate(data(ctx), parseId(ctx.params.id), body.values, 'values');
    ctx.body = { valid: errors.length === 0, errors };
  });
}
