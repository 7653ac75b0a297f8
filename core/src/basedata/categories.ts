import { ConflictError, NotFoundError, ValidationError, type AnyRecord, type DataContext, type EntityHooks, type EnumOption, type FieldError, type Filter, type I18nText } from '@plinth/sdk';
import { CATEGORY_PATH_LENGTH, type AttributeType } from '../system/basedata';
import type { DictionaryLookup } from './dictionaries';
import { checkChoices, listAll } from './read';
import { checkTypedValue, duplicateOption, optionValues } from './values';

const pathBelow = (parent: AnyRecord | null): string => (parent ? `${String(parent.path ?? '/')}${parent.id}/` : '/');
const ancestorIds = (path: unknown): number[] => String(path ?? '/').split('/').filter(Boolean).map(Number);

function tooDeep(path: string): ValidationError {
  return new ValidationError([{ field: 'parent', rule: 'depth', message: `The category tree would be too deep here (ancestor path ${path.length} characters, at most ${CATEGORY_PATH_LENGTH})` }]);
}

async function parentOf(data: DataContext, id: number | null | undefined, kind: unknown): Promise<AnyRecord | null> {
  if (id === null || id === undefined) return null;
  let parent: AnyRecord;
  try {
    parent = await data.records('category').get(id);
  } catch (err) {
    if (err instanceof NotFoundError) throw new ValidationError([{ field: 'parent', rule: 'reference', message: `parent: no category with id ${id}` }]);
    throw err;
  }
  if (parent.kind !== kind) throw new ValidationError([{ field: 'parent', rule: 'kind', message: `The parent belongs to the ${String(parent.kind)} tree, not ${String(kind)}` }]);
  return parent;
}

/**
 * Keep category trees consistent: `path` follows `parent` within one kind, a category
 * cannot move under itself, a move carries its whole subtree, and only categories
 * without subcategories can be deleted.
 */
export const categoryHooks: EntityHooks = {
  async beforeCreate(data, ctx) {
    const parent = await parentOf(ctx, data.parent as number | null | undefined, data.kind);
    const path = pathBelow(parent);
    if (path.length > CATEGORY_PATH_LENGTH) throw tooDeep(path);
    return { ...data, path };
  },

  async beforeUpdate({ before, patch }, ctx) {
    const kindChanges = patch.kind !== undefined && patch.kind !== before.kind;
    const parentChanges = 'parent' in patch && patch.parent !== before.parent;
    if (!kindChanges && !parentChanges) return;
    if (kindChanges && (await ctx.records('category').count({ filter: { parent: before.id } }))) {
      throw new ValidationError([{ field: 'kind', rule: 'has-children', message: 'A category with subcategories cannot change its tree' }]);
    }
    const parent = await parentOf(ctx, ('parent' in patch ? patch.parent : before.parent) as number | null, patch.kind ?? before.kind);
    if (parent && (parent.id === before.id || ancestorIds(parent.path).includes(before.id))) {
      throw new ValidationError([{ field: 'parent', rule: 'cycle', message: 'A category cannot move under itself or one of its subcategories' }]);
    }
    const path = pathBelow(parent);
    if (path.length > CATEGORY_PATH_LENGTH) throw tooDeep(path);
    return { ...patch, path };
  },

  async afterUpdate({ before, after }, ctx) {
    // Only the moved category rewrites its subtree; the rewrites themselves change no parent.
    if (before.path === after.path || before.parent === after.parent) return;
    const oldPrefix = `${String(before.path)}${before.id}/`;
    const newPrefix = `${String(after.path)}${after.id}/`;
    const categories = ctx.records('category');
    const subtree = await listAll(categories, { filter: { path: { startsWith: oldPrefix } }, fields: ['path', 'version'] });
    const moved = subtree.map((c) => ({ c, path: newPrefix + String(c.path).slice(oldPrefix.length) }));
    const longest = moved.reduce((a, m) => (m.path.length > a.length ? m.path : a), '');
    if (longest.length > CATEGORY_PATH_LENGTH) throw tooDeep(longest);
    for (const { c, path } of moved) await categories.update(c.id, { path }, { version: c.version });
  },

  async beforeDelete(record, ctx) {
    const children = await ctx.records('category').count({ filter: { parent: record.id } });
    if (children) throw new ConflictError('in-use', `Category "${String(record.code)}" still has ${children} subcategory(ies); move or remove them first`);
  },
};

/** An attribute's choices come from options or a dictionary (exactly one, for enums only). */
export const categoryAttributeHooks: EntityHooks = {
  async beforeCreate(data, ctx) {
    await checkChoices(ctx, { type: 'string', ...data }, duplicateOption(data.options));
  },
  async beforeUpdate({ before, patch }, ctx) {
    if (!['type', 'options', 'dictionary'].some((k) => k in patch)) return;
    const merged = { ...before, ...patch };
    await checkChoices(ctx, merged, duplicateOption(merged.options));
  },
};

export interface EffectiveAttribute {
  name: string;
  type: AttributeType;
  label: I18nText;
  required: boolean;
  options: EnumOption[] | null;
  dictionary: string | null;
  sortOrder: number;
  /** The category that defines it: this one, or the nearest ancestor. */
  category: number;
  inherited: boolean;
}

export interface CategoryNode {
  id: number;
  code: string;
  label: I18nText;
  sortOrder: number;
  enabled: boolean;
  children: CategoryNode[];
}

/**
 * Reading category trees and their attribute sets, as the given data context sees them
 * (a user's permissions, or the system's inside a write).
 */
export class CategoryService {
  constructor(private readonly dictionaries: DictionaryLookup) {}

  /** The categories of one tree, nested, in order; `enabledOnly` drops disabled branches. */
  async tree(data: DataContext, kind: string, options: { enabledOnly?: boolean } = {}): Promise<CategoryNode[]> {
    const filter: Filter = options.enabledOnly ? { kind, enabled: true } : { kind };
    const rows = await listAll(data.records('category'), { filter, sort: ['sortOrder', 'id'], fields: ['code', 'label', 'parent', 'sortOrder', 'enabled'] });
    const nodes = new Map<number, CategoryNode>(rows.map((r) => [r.id, { id: r.id, code: String(r.code), label: r.label as I18nText, sortOrder: Number(r.sortOrder), enabled: r.enabled === true, children: [] }]));
    const roots: CategoryNode[] = [];
    for (const r of rows) {
      const node = nodes.get(r.id)!;
      if (r.parent === null) roots.push(node);
      else nodes.get(r.parent as number)?.children.push(node); // under a disabled (dropped) parent: dropped too
    }
    return roots;
  }

  /** The category's attributes and its ancestors'; a nearer definition of a name wins. Ancestors' first. */
  async effectiveAttributes(data: DataContext, categoryId: number): Promise<EffectiveAttribute[]> {
    const category = await data.records('category').get(categoryId, { fields: ['path'] });
    const chain = [...ancestorIds(category.path), category.id];
    const rows = await listAll(data.records('categoryAttribute'), { filter: { category: { in: chain } } });
    const depth = new Map(chain.map((id, i) => [id, i]));
    const byName = new Map<string, AnyRecord>();
    for (const r of rows) {
      const current = byName.get(String(r.name));
      if (!current || depth.get(r.category as number)! > depth.get(current.category as number)!) byName.set(String(r.name), r);
    }
    return [...byName.values()]
      .sort((a, b) => depth.get(a.category as number)! - depth.get(b.category as number)! || Number(a.sortOrder) - Number(b.sortOrder) || a.id - b.id)
      .map((r) => ({
        name: String(r.name),
        type: r.type as AttributeType,
        label: r.label as I18nText,
        required: r.required === true,
        options: (r.options as EnumOption[] | null) ?? null,
        dictionary: (r.dictionary as string | null) ?? null,
        sortOrder: Number(r.sortOrder),
        category: r.category as number,
        inherited: r.category !== category.id,
      }));
  }

  /**
   * Field errors of a record's attribute values against a category's effective
   * attributes (empty when valid): unknown names, missing required ones, wrong types,
   * choices outside the options or the dictionary's enabled items. Errors are named
   * `<prefix>.<attribute>`.
   */
  async validate(data: DataContext, categoryId: number, values: unknown, prefix = 'attributes'): Promise<FieldError[]> {
    if (values !== null && values !== undefined && (typeof values !== 'object' || Array.isArray(values))) {
      return [{ field: prefix, rule: 'type', message: `${prefix} must be an object of attribute values` }];
    }
    const given = (values ?? {}) as Record<string, unknown>;
    const attributes = await this.effectiveAttributes(data, categoryId);
    const known = new Map(attributes.map((a) => [a.name, a]));
    const errors: FieldError[] = [];
    for (const name of Object.keys(given)) {
      if (!known.has(name)) errors.push({ field: `${prefix}.${name}`, rule: 'unknown', message: `The category has no attribute ${name}` });
    }
    for (const a of attributes) {
      const v = given[a.name];
      if (v === null || v === undefined) {
        if (a.required) errors.push({ field: `${prefix}.${a.name}`, rule: 'required', message: `${a.name} is required` });
        continue;
      }
      const choices = a.type !== 'enum' ? [] : a.dictionary ? (this.dictionaries.values(a.dictionary) ?? []) : optionValues(a.options);
      const problem = checkTypedValue(a.type, v, choices);
      if (problem) errors.push({ field: `${prefix}.${a.name}`, rule: problem.rule, message: `${a.name} ${problem.message}` });
    }
    return errors;
  }
}
