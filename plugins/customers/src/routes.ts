import type { PluginRouter, RecordService } from '@plinth/sdk';
import { LEVELS, STATUSES } from './options';

/** Record counts per option value of one enum field. */
async function countBy(customers: RecordService, field: string, values: readonly { value: string }[]): Promise<Record<string, number>> {
  const counts = await Promise.all(values.map(({ value }) => customers.count({ filter: { [field]: value } })));
  return Object.fromEntries(values.map(({ value }, i) => [value, counts[i]]));
}

/** Mounted by the kernel under /api/v1/ext/customers. */
export function customerRoutes(r: PluginRouter): void {
  r.get('/stats', async (ctx) => {
    const customers = ctx.records('customer');
    const [total, byStatus, byLevel] = await Promise.all([
      customers.count(),
      countBy(customers, 'status', STATUSES),
      countBy(customers, 'level', LEVELS),
    ]);
    return { total, byStatus, byLevel };
  });
}
