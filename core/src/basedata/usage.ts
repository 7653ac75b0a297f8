import { ConflictError, type DataContext } from '@plinth/sdk';

/** A dictionary, or one item of it, by code. */
export interface DictionaryRef {
  dictionary: string;
  item?: string;
}

/**
 * What uses a dictionary (or one of its items), as short descriptions such as
 * `parameter finance.defaultCurrency` or `customer.level (12 records)`; empty when unused.
 * Runs inside the write's transaction with system rights.
 */
export type DictionaryUseCheck = (ref: DictionaryRef, data: DataContext) => Promise<string[]>;

/**
 * The places that refer to dictionaries by code. Deleting a dictionary or an item, or
 * changing its code, is refused while anything registered here still uses it. The
 * platform registers parameters and category attributes; the field layer registers
 * enum fields and the records holding a value.
 */
export class DictionaryUsage {
  private readonly checks: DictionaryUseCheck[] = [];

  add(check: DictionaryUseCheck): void {
    this.checks.push(check);
  }

  async uses(ref: DictionaryRef, data: DataContext): Promise<string[]> {
    const out: string[] = [];
    for (const check of this.checks) out.push(...(await check(ref, data)));
    return out;
  }

  /** Throw 409 `in-use` naming the uses, when there are any. */
  async refuseIfUsed(ref: DictionaryRef, data: DataContext, doing: string, field = 'code'): Promise<void> {
    const uses = await this.uses(ref, data);
    if (!uses.length) return;
    const what = ref.item === undefined ? `Dictionary "${ref.dictionary}"` : `Item "${ref.item}" of dictionary "${ref.dictionary}"`;
    const listed = uses.slice(0, 20).join('; ') + (uses.length > 20 ? `; and ${uses.length - 20} more` : '');
    throw new ConflictError('in-use', `${what} is in use and cannot be ${doing}: ${listed}`, [{ field, rule: 'in-use', message: `used by ${listed}` }]);
  }
}
