import type { SeedContext } from '@plinth/sdk';

/** A head office with two branches and their departments, when demo data is asked for. */
export async function seedOrganisation(ctx: SeedContext): Promise<void> {
  if (!ctx.demo) return;
  const departments = ctx.records('department');
  const hq = await departments.create({ name: '总公司', code: 'HQ', kind: 'headquarters' });
  for (const [name, code] of [['人力资源部', 'HQ-HR'], ['信息技术部', 'HQ-IT'], ['财务部', 'HQ-FIN']]) {
    await departments.create({ name, code, kind: 'department', parent: hq.id });
  }
  for (const [city, code] of [['上海', 'SH'], ['广州', 'GZ']]) {
    const branch = await departments.create({ name: `${city}分公司`, code, kind: 'branch', parent: hq.id });
    const sales = await departments.create({ name: '个险销售部', code: `${code}-SALES`, kind: 'department', parent: branch.id });
    await departments.create({ name: '销售一组', code: `${code}-SALES-1`, kind: 'team', parent: sales.id });
    await departments.create({ name: '销售二组', code: `${code}-SALES-2`, kind: 'team', parent: sales.id });
    await departments.create({ name: '客户服务部', code: `${code}-SVC`, kind: 'department', parent: branch.id });
  }
  const positions = ctx.records('position');
  const gm = await positions.create({ name: '总经理', code: 'GM', level: 10 });
  const manager = await positions.create({ name: '部门经理', code: 'MGR', level: 7, superior: gm.id });
  await positions.create({ name: '业务员', code: 'AGENT', level: 3, superior: manager.id });
  await positions.create({ name: '客服专员', code: 'CSR', level: 3, superior: manager.id });
  ctx.log.info('Demo organisation created');
}
