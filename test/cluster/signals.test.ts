import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Database } from '../../core/src/data/database';
import { Signals, signalSchema } from '../../core/src/cluster/signals';
import { createLogger } from '../../core/src/app/logger';
import { describeEachDatabase } from '../support/platform';
import { eventually } from '../auth/helpers';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
/** Long enough that only an explicit poll() or a Redis message can deliver within a test. */
const NEVER = 600_000;

describeEachDatabase('cluster signals', (testDb) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const nodes: Signals[] = [];
  const node = async () => {
    const s = await Signals.start(db, { redis: null, pollMs: NEVER, log: silent });
    nodes.push(s);
    return s;
  };

  beforeAll(async () => {
    const fresh = testDb.fresh();
    cleanup = fresh.cleanup;
    db = await Database.open(fresh.config, [signalSchema]);
    await db.syncSchema();
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });
  afterAll(async () => {
    await db.dropDatabase();
    await db.close();
    await cleanup();
  });

  it('delivers a change to the other nodes at their next poll, once, and not to the publisher', async () => {
    const [a, b, c] = [await node(), await node(), await node()];
    const got = { a: 0, b: 0, c: 0 };
    a.on('plugins', () => void got.a++);
    b.on('plugins', () => void got.b++);
    c.on('plugins', () => void got.c++);
    const version = await a.publish('plugins');
    expect(version).toBe(a.version('plugins'));
    await Promise.all([a.poll(), b.poll()]);
    await Promise.all([a.idle(), b.idle()]);
    expect(got).toEqual({ a: 0, b: 1, c: 0 });
    await b.poll();
    await c.poll();
    await Promise.all([b.idle(), c.idle()]);
    expect(got).toEqual({ a: 0, b: 1, c: 1 });
    expect(b.version('plugins')).toBe(version);
  });

  it('keeps topics apart and ignores changes made before the node started', async () => {
    const a = await node();
    await a.publish('meta');
    const b = await node();
    let meta = 0;
    let menus = 0;
    b.on('meta', () => void meta++);
    b.on('menus', () => void menus++);
    await b.poll();
    await b.idle();
    expect([meta, menus]).toEqual([0, 0]);
    await a.publish('menus');
    await b.poll();
    await b.idle();
    expect([meta, menus]).toEqual([0, 1]);
  });

  it("runs the publisher's own listeners when another node's change slipped in unseen", async () => {
    const [a, b] = [await node(), await node()];
    let atB = 0;
    b.on('plugins', () => void atB++);
    await a.publish('plugins');
    // b has not polled yet: its own publish jumps two versions, so it reloads too.
    await b.publish('plugins');
    await b.idle();
    expect(atB).toBe(1);
  });

  it('a failing listener is logged and does not stop the others', async () => {
    const [a, b] = [await node(), await node()];
    let ran = false;
    b.on('meta', () => {
      throw new Error('boom');
    });
    b.on('meta', () => {
      ran = true;
    });
    await a.publish('meta');
    await b.poll();
    await b.idle();
    expect(ran).toBe(true);
  });

  it('refuses a malformed topic', async () => {
    const a = await node();
    await expect(a.publish('Bad Topic')).rejects.toThrow('Signal topic "Bad Topic" must be');
    expect(() => a.on('', () => undefined)).toThrow('must be');
  });

  (REDIS_URL === 'off' ? it.skip : it)('with Redis, other nodes hear of a change without polling', async () => {
    const url = REDIS_URL;
    const prefix = `plinth-test-${randomBytes(4).toString('hex')}:`;
    const a = await Signals.start(db, { redis: { url, prefix }, pollMs: NEVER, log: silent });
    const b = await Signals.start(db, { redis: { url, prefix }, pollMs: NEVER, log: silent });
    nodes.push(a, b);
    let atA = 0;
    let atB = 0;
    a.on('plugins', () => void atA++);
    b.on('plugins', () => void atB++);
    await a.publish('plugins');
    await eventually(async () => atB === 1, 3_000);
    await a.idle();
    expect(atA).toBe(0);
  });
});
