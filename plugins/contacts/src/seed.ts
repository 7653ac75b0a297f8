import type { AnyRecord, SeedContext } from '@plinth/sdk';
import { demoContacts, type CustomerSummary } from './demo';

const PAGE_SIZE = 500;
const BATCH_SIZE = 100;

/** Demo contacts for every customer the customers plugin seeded (it runs first: dependsOn). */
export async function seedContacts(ctx: SeedContext): Promise<void> {
  if (!ctx.demo) return;
  const customers = await allCustomers(ctx);
  const rows = demoContacts(customers);
  for (let start = 0; start < rows.length; start += BATCH_SIZE) {
    await ctx.records('contact').createMany(rows.slice(start, start + BATCH_SIZE));
  }
  ctx.log.info('Demo contacts created', { count: rows.length, customers: customers.length });
}

async function allCustomers(ctx: SeedContext): Promise<CustomerSummary[]> {
  const out: CustomerSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.records<AnyRecord & CustomerSummary>('customer').list({ limit: PAGE_SIZE, fields: ['id', 'kind', 'name'], sort: ['id'], cursor });
    out.push(...page.data.map(({ id, kind, name }) => ({ id, kind, name })));
    cursor = page.meta.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
