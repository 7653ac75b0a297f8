import path from 'node:path';
import { Writable } from 'node:stream';
import { Platform } from '../../core/src/app/platform';
import { loadConfig, type Config } from '../../core/src/app/config';
import { createLogger } from '../../core/src/app/logger';
import { TEST_DATABASES, type TestDatabase } from './databases';
import { Keyring } from '../../core/src/crypto/keyring';

/** Fixed field-encryption keys for tests (never written to the repository's data folder). */
export const TEST_KEYS = { ENCRYPTION_KEY: 'a'.repeat(64), ENCRYPTION_INDEX_KEY: 'b'.repeat(64) };
export const testKeyring = (env: Record<string, string> = {}) => Keyring.load({ ...TEST_KEYS, ...env }, '/nonexistent').keyring;

export const ROOT = path.resolve(__dirname, '../..');

/** Script workers run the TypeScript sources under test (no build needed). */
export const TEST_SCRIPT_ENGINE = {
  workers: 1,
  isolatesPerWorker: 2,
  workerPath: path.join(ROOT, 'core/src/scripts/worker.ts'),
  execArgv: ['-r', path.join(ROOT, 'test/scripts/ts-register.js')],
};

export const ADMIN = { username: 'admin', password: 'Test-Admin-Pass-1' };

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small HTTP client for the platform under test. */
export class Api {
  token: string | null = null;

  constructor(readonly base: string) {}

  async request<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.token && !('authorization' in h)) h.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + url, { method, headers: h, body: payload });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, body: (type.includes('json') && text ? JSON.parse(text) : text) as T };
  }

  get<T = any>(url: string, headers?: Record<string, string>) {
    return this.request<T>('GET', url, undefined, headers);
  }
  post<T = any>(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', url, body, headers);
  }
  put<T = any>(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', url, body, headers);
  }
  patch<T = any>(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', url, body, headers);
  }
  delete<T = any>(url: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', url, undefined, headers);
  }

  async login(username = ADMIN.username, password = ADMIN.password): Promise<void> {
    const res = await this.post('/api/v1/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.token = res.body.token;
  }
}

export interface TestPlatform {
  platform: Platform;
  api: Api;
  config: Config;
  stop(): Promise<void>;
  /** Stop and start again on the same database (its data kept). */
  restart(): Promise<TestPlatform>;
}

const silent = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));

/** Boot the real platform on a random port against a fresh database. */
export interface StartOptions {
  demo?: boolean;
  plugins?: string[];
  env?: Record<string, string>;
}

export async function startTestPlatform(db: TestDatabase, options: StartOptions = {}): Promise<TestPlatform> {
  const fresh = db.fresh();
  return boot(fresh, options);
}

async function boot(fresh: ReturnType<TestDatabase['fresh']>, options: StartOptions): Promise<TestPlatform> {
  const config: Config = {
    ...loadConfig({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'silent', ...options.env }, ROOT),
    port: 0,
    host: '127.0.0.1',
    database: fresh.config,
    demoData: options.demo ?? false,
  };
  const platform = await Platform.start(config, { pluginSource: true, logger: silent(), plugins: options.plugins, keyring: testKeyring(options.env), scripts: TEST_SCRIPT_ENGINE });
  const api = new Api(platform.url);
  await api.login();
  return {
    platform,
    api,
    config,
    async stop() {
      await platform.db.dropDatabase();
      await platform.close();
      await fresh.cleanup();
    },
    async restart() {
      await platform.close();
      return boot(fresh, options);
    },
  };
}

/** Run a suite once per test database; the database's name is part of every test's title. */
export function describeEachDatabase(title: string, suite: (db: TestDatabase) => void): void {
  for (const db of TEST_DATABASES) describe(`${title} [${db.name}]`, () => suite(db));
}
