import { ConflictError, NotFoundError, ValidationError, type Actor, type AnyRecord, type DataContext, type HookContext, type ListQuery, type ListResult, type Notifier, type RecordService } from '@plinth/sdk';
import { Database } from '../../core/src/data/database';
import { scriptSchemas } from '../../core/src/scripts/schema';
import { ScriptRepository } from '../../core/src/scripts/repository';
import { ScriptRuntime } from '../../core/src/scripts/runtime';
import { scriptEntityHooks } from '../../core/src/scripts/entity-hooks';
import { ScriptCompileError, ScriptLimitError, ScriptRejection } from '../../core/src/scripts/errors';
import type { ScriptEngine } from '../../core/src/scripts/engine';
import { TEST_DATABASES } from '../support/databases';
import { testEngine } from './helpers';

/** An in-memory DataContext with real rollback, standing in for the record services. */
class MemoryData implements DataContext {
  constructor(
    readonly actor: Actor,
    readonly tables: Map<string, Map<number, AnyRecord>> = new Map(),
    private readonly ids = { next: 1 },
  ) {}

  readonly notifications: Notifier = { send: () => Promise.reject(new Error('no notifications in this test')) };

  records<T extends AnyRecord = AnyRecord>(entity: string): RecordService<T> {
    if (!this.tables.has(entity)) this.tables.set(entity, new Map());
    const table = this.tables.get(entity)!;
    const actor = this.actor;
    const ids = this.ids;
    const service: RecordService<AnyRecord> = {
      async list(query: ListQuery = {}): Promise<ListResult<AnyRecord>> {
        return { data: [...table.values()].slice(0, query.limit ?? 50), meta: { limit: query.limit ?? 50 } };
      },
      async get(id: number) {
        const r = table.get(id);
        if (!r) throw new NotFoundError(`${entity} ${id} not found`);
        return r;
      },
      async create(data) {
        if (entity === 'secret' && !actor.isAdmin) throw new ValidationError([], 'not allowed');
        const rec = { ...data, id: ids.next++, version: 1, owner: actor.userId };
        table.set(rec.id, rec);
        return rec;
      },
      async createMany(rows) {
        return Promise.all(rows.map((r) => service.create(r)));
      },
      async update(id, patch, options) {
        const r = await service.get(id);
        if (r.version !== options.version) throw new ConflictError('stale-version', 'stale');
        const next = { ...r, ...patch, id, version: r.version + 1 };
        table.set(id, next);
        return next;
      },
      async delete(id) {
        table.delete(id);
      },
      async count() {
        return table.size;
      },
    };
    return service as unknown as RecordService<T>;
  }

  async can(): Promise<boolean> {
    return true;
  }

  async transaction<R>(fn: (ctx: DataContext) => Promise<R>): Promise<R> {
    const snapshot = new Map([...this.tables].map(([k, t]) => [k, new Map([...t].map(([id, r]) => [id, { ...r }]))]));
    const next = this.ids.next;
    try {
      return await fn(this);
    } catch (err) {
      this.tables.clear();
      for (const [k, t] of snapshot) this.tables.set(k, t);
      this.ids.next = next;
      throw err;
    }
  }
}

const ALICE: Actor = { userId: 7, username: 'alice', isAdmin: false };

let engine: ScriptEngine;

beforeAll(async () => {
  ({ engine } = testEngine({ workers: 1, isolatesPerWorker: 2 }));
  await engine.start();
});

afterAll(async () => {
  await engine?.close();
});

describe.each(TEST_DATABASES)('scripts on $name', (testDb) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let repo: ScriptRepository;
  let runtime: ScriptRuntime;

  beforeAll(async () => {
    const fresh = testDb.fresh();
    cleanup = fresh.cleanup;
    db = await Database.open(fresh.config, scriptSchemas(fresh.config.kind));
    await db.syncSchema();
    repo = new ScriptRepository(db);
    runtime = new ScriptRuntime({
      engine,
      repository: repo,
      recordRuns: 'all',
      cacheTtlMs: 60_000,
      contextFor: (script, caller) => (script.serviceRole === 'admin' ? new MemoryData({ userId: null, username: `role:${script.serviceRole}`, isAdmin: true }, (caller as MemoryData).tables) : caller),
    });
  });

  afterAll(async () => {
    if (db) {
      await db.dropDatabase();
      await db.close();
    }
    await cleanup?.();
  });

  test('the schema is in sync after creation (a second sync has nothing to do)', async () => {
    expect(await db.pendingSchemaChanges()).toBe('');
  });

  test('saving versions: the highest is current, enabled carries over, history is kept', async () => {
    const v1 = await runtime.save({ name: 'greet', kind: 'endpoint', target: '/greet', language: 'ts', source: 'export default (input: EndpointInput) => "v1"', capabilities: ['log'] }, 7);
    expect(v1).toMatchObject({ name: 'greet', version: 1, enabled: true, kind: 'endpoint', target: '/greet', language: 'ts', capabilities: ['log'], limits: null, serviceRole: null, createdBy: 7 });
    expect(v1.compiled).toMatch(/exports\.default/);
    expect(v1.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await runtime.setEnabled('greet', false);
    const v2 = await runtime.save({ name: 'greet', kind: 'endpoint', target: '/greet', language: 'js', source: 'export default () => "v2"', limits: { cpuMs: 50 } }, 8);
    expect(v2).toMatchObject({ version: 2, enabled: false, limits: { cpuMs: 50 }, capabilities: [] });
    expect((await repo.history('greet')).map((h) => h.version)).toEqual([2, 1]);
    expect((await repo.version('greet', 1))!.source).toMatch(/v1/);
    await expect(runtime.run('greet', {}, { data: new MemoryData(ALICE) })).rejects.toBeInstanceOf(NotFoundError);
    await runtime.setEnabled('greet', true);
    expect((await runtime.run('greet', {}, { data: new MemoryData(ALICE) })).value).toBe('v2');
    expect((await repo.list({ kind: 'endpoint' })).map((s) => [s.name, s.version])).toEqual([['greet', 2]]);
    await expect(runtime.setEnabled('nope', true)).rejects.toBeInstanceOf(NotFoundError);
  });

  test('a script that does not compile, or an invalid definition, is not saved', async () => {
    await expect(runtime.save({ name: 'bad', kind: 'hook', language: 'ts', source: 'export default (input: HookInput) => {\n  return input.nope.;\n}' })).rejects.toBeInstanceOf(ScriptCompileError);
    await expect(runtime.save({ name: 'Bad Name', kind: 'hook', language: 'ts', source: 'export default () => 1' })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      runtime.save({ name: 'bad2', kind: 'hook', language: 'js', source: 'export default () => 1', capabilities: ['fs:write' as never], limits: { cpuMs: -1 } }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ field: 'capabilities' }), expect.objectContaining({ field: 'limits.cpuMs' })] });
    expect(await repo.current('bad')).toBeNull();
  });

  test('runs are recorded with status, duration, error and logs', async () => {
    await runtime.save({ name: 'runs-ok', kind: 'job', language: 'js', source: "export default (input, ctx) => { ctx.log.info('tick', input.n); return input.n; }", capabilities: ['log'] });
    await runtime.save({ name: 'runs-spin', kind: 'hook', language: 'js', source: "export default (input, ctx) => { ctx.log.warn('about to spin'); for (;;) {} }", capabilities: ['log'] });
    const data = new MemoryData(ALICE);
    expect((await runtime.run('runs-ok', { n: 3 }, { data, trigger: 'job' })).value).toBe(3);
    await expect(runtime.run('runs-spin', {}, { data, trigger: 'hook:x:beforeCreate' })).rejects.toBeInstanceOf(ScriptLimitError);
    await runtime.flush();
    const ok = await runtime.runs({ script: 'runs-ok' });
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ script: 'runs-ok', version: 1, status: 'ok', trigger: 'job', userId: 7, errorCode: null, error: null });
    expect(ok[0].durationMs).toBeGreaterThan(0);
    expect(ok[0].memory).toBeGreaterThan(0);
    expect(ok[0].logs).toEqual([expect.objectContaining({ level: 'info', message: 'tick 3' })]);
    const spin = await runtime.runs({ script: 'runs-spin', status: 'limit' });
    expect(spin).toHaveLength(1);
    expect(spin[0]).toMatchObject({ status: 'limit', errorCode: 'script-limit-cpu', trigger: 'hook:x:beforeCreate' });
    expect(spin[0].error).toMatch(/CPU time/);
    expect(spin[0].logs.map((l) => l.message)).toEqual(['about to spin']);
    // The latest run of each script, in one statement (the admin list shows it).
    expect((await runtime.run('runs-ok', { n: 4 }, { data, trigger: 'job' })).value).toBe(4);
    await runtime.flush();
    const last = await runtime.lastRuns(['runs-ok', 'runs-spin', 'never-ran']);
    expect([...last.keys()].sort()).toEqual(['runs-ok', 'runs-spin']);
    expect(last.get('runs-ok')).toEqual((await runtime.runs({ script: 'runs-ok', limit: 1 }))[0]);
    expect(last.get('runs-spin')).toMatchObject({ status: 'limit' });
    expect((await runtime.lastRuns([])).size).toBe(0);
  });

  test('a script acts as the caller; a service-role script as its role', async () => {
    const data = new MemoryData(ALICE);
    await runtime.save({ name: 'writer', kind: 'endpoint', language: 'js', source: "export default async (input, ctx) => (await ctx.records('secret').create({ x: 1 })).owner ?? 'system'", capabilities: ['records:write'] });
    const err = await runtime.run('writer', {}, { data }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/not allowed|validation/);
    await runtime.save({ name: 'writer', kind: 'endpoint', language: 'js', source: "export default async (input, ctx) => ({ owner: (await ctx.records('secret').create({ x: 1 })).owner, actor: ctx.actor.username })", capabilities: ['records:write'], serviceRole: 'admin' });
    expect((await runtime.run('writer', {}, { data })).value).toEqual({ owner: null, actor: 'role:admin' });
  });

  test('scripts call scripts (scripts:call), one level deeper each time', async () => {
    await runtime.save({ name: 'callee', kind: 'endpoint', language: 'js', source: 'export default (input, ctx) => ({ doubled: input.n * 2, by: ctx.actor.username })' });
    await runtime.save({ name: 'caller', kind: 'endpoint', language: 'js', source: "export default async (input, ctx) => ctx.scripts.call('callee', { n: 21 })", capabilities: ['scripts:call'] });
    expect((await runtime.run('caller', {}, { data: new MemoryData(ALICE) })).value).toEqual({ doubled: 42, by: 'alice' });
    await runtime.save({ name: 'loop', kind: 'endpoint', language: 'js', source: "export default async (input, ctx) => ctx.scripts.call('loop', {})", capabilities: ['scripts:call'] });
    await expect(runtime.run('loop', {}, { data: new MemoryData(ALICE) })).rejects.toThrow(/more than 4 deep/);
  });

  test('a dry run reports result, logs and writes, and rolls the writes back', async () => {
    const data = new MemoryData(ALICE);
    await data.records('customer').create({ name: 'Acme' });
    const source = `export default async (input: EndpointInput, ctx: ScriptContext) => {
  const c = await ctx.records('customer').create({ name: (input.body as { name: string }).name });
  await ctx.records('customer').update(1, { name: 'Acme 2' }, { version: 1 });
  ctx.log.info('created', c.id);
  return c.id;
}`;
    const dry = await runtime.dryRun({ kind: 'endpoint', language: 'ts', source, capabilities: ['records:write', 'log'] }, { body: { name: 'Globex' } }, data);
    expect(dry).toMatchObject({ ok: true, value: 2, writes: [{ op: 'create', entity: 'customer', id: 2, data: { name: 'Globex' } }, { op: 'update', entity: 'customer', id: 1, data: { name: 'Acme 2' } }] });
    expect(dry.logs.map((l) => l.message)).toEqual(['created 2']);
    expect(dry.stats!.durationMs).toBeGreaterThan(0);
    expect([...data.tables.get('customer')!.values()].map((r) => r.name)).toEqual(['Acme']);
    const failing = await runtime.dryRun({ kind: 'endpoint', language: 'ts', source: 'export default (input: EndpointInput) => {\n  return (input.body as any).x.y;\n}' }, {}, data);
    expect(failing).toMatchObject({ ok: false, error: { code: 'script-error', location: { line: 2 } } });
  });

  test('hook scripts as EntityHooks: change the record, reject it, run in name order', async () => {
    await runtime.save({ name: 'deal-b-total', kind: 'hook', target: 'deal:beforeCreate', language: 'ts', source: `export default (input: HookInput): HookResult => ({ set: { total: (input.record.qty as number) * (input.record.price as number) } });` });
    await runtime.save({
      name: 'deal-a-check',
      kind: 'hook',
      target: 'deal:beforeCreate',
      language: 'ts',
      source: `export default (input: HookInput, ctx: ScriptContext): HookResult => {
  if (!input.record.title) ctx.fail('A deal needs a title', [{ field: 'title', rule: 'required', message: 'required' }]);
  return { set: { title: String(input.record.title).trim() } };
}`,
    });
    await runtime.save({ name: 'deal-c-after', kind: 'hook', target: 'deal:beforeCreate', language: 'js', source: 'export default (input) => ({ set: { seenTitle: input.record.title } })' });
    await runtime.save({ name: 'deal-disabled', kind: 'hook', target: 'deal:beforeCreate', language: 'js', source: 'export default () => ({ set: { disabled: true } })', enabled: false });
    await runtime.invalidate();
    const data = new MemoryData(ALICE);
    const hooks = scriptEntityHooks(runtime, 'deal', { dataFor: () => data });
    const ctx = { entity: 'deal', actor: ALICE } as unknown as HookContext;
    expect(await hooks.beforeCreate!({ title: '  Big one ', qty: 3, price: 5 }, ctx)).toEqual({ title: 'Big one', qty: 3, price: 5, total: 15, seenTitle: 'Big one' });
    const err = await Promise.resolve(hooks.beforeCreate!({ qty: 1, price: 1 }, ctx)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptRejection);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ status: 400, message: 'A deal needs a title' });
    expect(await scriptEntityHooks(runtime, 'other', { dataFor: () => data }).beforeCreate!({ a: 1 }, ctx)).toBeUndefined();
  });
});
