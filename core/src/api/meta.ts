import type Router from '@koa/router';
import { ForbiddenError, NotFoundError, type Actor } from '@plinth/sdk';
import type { RecordStore } from '../services/records';
import type { EntityModel, FieldModel } from '../meta/model';
import { isCustomizable } from '../meta/model';
import type { AccessProfile } from '../access/profile';

/** A field as clients (forms, lists, the designer) need to know it. */
export function describeField(f: FieldModel, readonly: boolean): Record<string, unknown> {
  const d = f.def as unknown as Record<string, unknown>;
  const pick = (...keys: string[]) => Object.fromEntries(keys.filter((k) => d[k] !== undefined).map((k) => [k, d[k]]));
  return {
    name: f.name,
    type: f.type,
    label: f.label,
    ...pick('help', 'unique', 'default', 'min', 'max', 'length', 'maxLength', 'minLength', 'pattern', 'format', 'precision', 'scale', 'accept'),
    ...(f.type === 'enum' ? (d.dictionary !== undefined ? { dictionary: d.dictionary } : { options: d.values }) : {}),
    ...(f.type === 'reference' || f.type === 'collection' ? { target: d.entity } : {}),
    required: f.required,
    multiple: f.multiple,
    system: f.system,
    custom: f.custom,
    hidden: f.hidden,
    writable: f.writable && !readonly,
    order: f.order,
  };
}

export function describeEntity(e: EntityModel, access: AccessProfile): Record<string, unknown> {
  const hidden = access.hiddenFields(e.name);
  const readonly = access.readonlyFields(e.name);
  return {
    name: e.name,
    plural: e.plural,
    label: e.label,
    plugin: e.plugin,
    titleField: e.titleField,
    customizable: isCustomizable(e),
    fields: [...e.fields.values()].filter((f) => !hidden.has(f.name) && f.name !== 'deletedAt' && f.name !== 'deletedBy').map((f) => describeField(f, readonly.has(f.name))),
  };
}

/**
 * GET /api/v1/meta/entities[/{name}] — the entities the caller may read, with their fields
 * as they are now (custom fields and admin overlays included, the caller's hidden fields
 * left out). Forms and lists are generated from this.
 */
export function metaRoutes(router: Router, store: () => RecordStore): void {
  router.get('/meta/entities', async (ctx) => {
    const s = store();
    const access = await s.access.profile(ctx.state.actor as Actor);
    ctx.body = { data: s.meta.all().filter((e) => access.can(e.name, 'read')).map((e) => describeEntity(e, access)), version: s.meta.version };
  });
  router.get('/meta/entities/:entity', async (ctx) => {
    const s = store();
    const e = s.meta.get(ctx.params.entity);
    if (!e) throw new NotFoundError(`No entity "${ctx.params.entity}"`);
    const access = await s.access.profile(ctx.state.actor as Actor);
    if (!access.can(e.name, 'read')) throw new ForbiddenError(`You may not read ${e.name} records`);
    ctx.body = describeEntity(e, access);
  });
}
