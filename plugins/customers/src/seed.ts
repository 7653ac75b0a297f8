import type { SeedContext } from '@plinth/sdk';
import { demoCustomers } from './demo';

export const DEMO_CUSTOMER_COUNT = 300;
const BATCH_SIZE = 100;

export async function seedCustomers(ctx: SeedContext): Promise<void> {
  if (!ctx.demo) return;
  const rows = demoCustomers(DEMO_CUSTOMER_COUNT);
  for (let start = 0; start < rows.length; start += BATCH_SIZE) {
    await ctx.records('customer').createMany(rows.slice(start, start + BATCH_SIZE));
  }
  ctx.log.info('Demo customers created', { count: rows.length });
}
