import { Writable } from 'node:stream';
import { Platform } from '../../core/src/app/platform';
import { createLogger } from '../../core/src/app/logger';
import { parseSchedule } from '../../core/src/jobs/scheduler';
import { TEST_SCRIPT_ENGINE, describeEachDatabase, startTestPlatform, testKeyring, type TestPlatform } from '../support/platform';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('job schedules', () => {
  it('reads a cron expression with an optional time zone', () => {
    expect(parseSchedule('0 2 * * * | Asia/Shanghai')).toEqual({ cron: '0 2 * * *', timeZone: 'Asia/Shanghai' });
    expect(parseSchedule('*/5 * * * * *')).toEqual({ cron: '*/5 * * * * *' });
    expect(parseSchedule(null)).toBeNull();
  });
});

describeEachDatabase('scheduled job scripts', (db) => {
  let a: TestPlatform;
  let b: Platform | null = null;
  // The embedded database serves one node; MySQL/MariaDB gets a second node on the same database.
  const twoNodes = db.name !== 'sqlite';
  beforeAll(async () => {
    a = await startTestPlatform(db);
    if (!twoNodes) return;
    const silent = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
    b = await Platform.start({ ...a.config, port: 0 }, { pluginSource: true, logger: silent, keyring: testKeyring(), scripts: TEST_SCRIPT_ENGINE });
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it(`fires on schedule, once per fire time${twoNodes ? ' across two nodes' : ''}`, async () => {
    const saved = await a.api.post('/api/v1/scripts', {
      name: 'tick',
      kind: 'job',
      target: '* * * * * * | Asia/Shanghai',
      language: 'ts',
      capabilities: ['records:write'],
      source: `export default async function (input: JobInput, ctx: ScriptContext) {
  await ctx.records('department').create({ name: 'tick ' + input.scheduledAt, kind: 'team' });
}`,
    });
    expect(saved.status).toBe(201);
    // Both nodes pick the job up on their next reload (every 5 s), then it fires every second.
    let names: string[] = [];
    for (let i = 0; i < 100 && names.length < 4; i++) {
      await sleep(200);
      names = (await a.api.get('/api/v1/departments?filter[name][startsWith]=tick&fields=name&limit=500')).body.data.map((d: { name: string }) => d.name);
    }
    expect((await a.api.patch('/api/v1/scripts/tick', { enabled: false })).status).toBe(200);
    expect(names.length).toBeGreaterThanOrEqual(4);
    expect(new Set(names).size).toBe(names.length);
  }, 40_000);
});
