import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT, Api, describeEachDatabase } from '../support/platform';
import { expectOk, label } from './helpers';

const PASSWORD = 'Flow-Kill-Pass-1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise<number>((resolve, reject) => {
  const srv = net.createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as net.AddressInfo;
    srv.close(() => resolve(port));
  });
});
type N = Record<string, any>;

/**
 * The platform as its own process (from the TypeScript sources), killed with SIGKILL right
 * after a committed action and started again on the same database: the instance is as it
 * was, and the node's time limit, due while the process was dead or soon after, fires once.
 */
describeEachDatabase('flows survive a killed process', (db) => {
  let fresh: ReturnType<typeof db.fresh>;
  let child: ChildProcess | null = null;
  let port = 0;
  let data = '';

  const launch = async (): Promise<Api> => {
    port = await freePort();
    child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/scripts/ts-register.js'), path.join(ROOT, 'core/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: fresh.config.kind === 'mysql' ? fresh.config.url : `sqlite:${fresh.config.url}`, DATA_DIR: data, LOG_LEVEL: 'error', DEMO_DATA: 'false', ADMIN_PASSWORD: PASSWORD, PLUGINS_AUTO_INSTALL: 'true', ENCRYPTION_KEY: 'a'.repeat(64), ENCRYPTION_INDEX_KEY: 'b'.repeat(64), PASSWORD_MIN_LENGTH: '8' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const api = new Api(`http://127.0.0.1:${port}`);
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${api.base}/readyz`)).ok) break;
      } catch {
        // starting
      }
      if (i > 600) throw new Error('the platform did not start');
      await sleep(100);
    }
    await api.login('admin', PASSWORD);
    return api;
  };

  beforeAll(() => {
    fresh = db.fresh();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-flows-kill-'));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    if (fresh.config.kind === 'mysql') {
      const mysql = await import('mysql2/promise');
      const url = new URL(fresh.config.url);
      const name = url.pathname.slice(1);
      url.pathname = '/';
      const c = await mysql.createConnection(url.toString());
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``).finally(() => c.end());
    }
    await fresh.cleanup();
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('keeps the state of a killed process, and its pending timer fires once', async () => {
    let admin = await launch();
    const users: Record<string, { id: number; api: Api }> = {};
    for (const name of ['kStarter', 'kFirst', 'kSecond']) {
      const u = await expectOk(admin.post('/api/v1/users', { username: name, displayName: name }), 201);
      await expectOk(admin.post(`/api/v1/users/${u.id}/password`, { password: PASSWORD, mustChange: false }));
      users[name] = { id: u.id, api: new Api(admin.base) };
      await users[name].api.login(name, PASSWORD);
    }
    await expectOk(admin.post('/api/v1/flows/definitions', {
      code: 'killed', label: label('killed'), model: 'fixed',
      nodes: [{ key: 'start', kind: 'start', name: 'S' }, { key: 'a', kind: 'approval', name: 'A', handlers: [{ type: 'users', ids: [users.kFirst.id] }] }, { key: 'b', kind: 'approval', name: 'B', handlers: [{ type: 'users', ids: [users.kSecond.id] }], timeLimit: { minutes: 0.05, onOverdue: 'urge' } }, { key: 'end', kind: 'end', name: 'E' }],
      edges: [{ from: 'start', to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: 'end' }],
    }), 201);
    const inst = await expectOk(users.kStarter.api.post('/api/v1/flows/instances', { flow: 'killed', data: { amount: 7 } }), 201);
    await expectOk(users.kFirst.api.post(`/api/v1/flows/tasks/${inst.nodes[1].tasks[0].id}/approve`, { comment: 'ok' }));
    const before = (await admin.get(`/api/v1/flows/instances/${inst.id}`)).body;
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    admin = await launch();
    const after = (await admin.get(`/api/v1/flows/instances/${inst.id}`)).body;
    expect({ ...after, version: 0 }).toEqual({ ...before, version: 0 });
    let trail: N[] = [];
    for (let i = 0; i < 100 && !trail.some((e) => e.action === 'node.overdue'); i++) {
      await sleep(200);
      trail = (await admin.get(`/api/v1/flows/instances/${inst.id}/trail`)).body.data;
    }
    await sleep(2_500); // more polls: nothing fires twice
    trail = (await admin.get(`/api/v1/flows/instances/${inst.id}/trail`)).body.data;
    expect(trail.filter((e) => e.action === 'node.overdue')).toHaveLength(1);
    expect(trail.filter((e) => e.action === 'urged')).toHaveLength(1);
    const second = new Api(admin.base);
    await second.login('kSecond', PASSWORD);
    await expectOk(second.post(`/api/v1/flows/tasks/${after.nodes[2].tasks[0].id}/approve`, {}));
    expect((await admin.get(`/api/v1/flows/instances/${inst.id}`)).body.status).toBe('completed');
  }, 120_000);
});
