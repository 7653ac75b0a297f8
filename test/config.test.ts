import path from 'node:path';
import { ConfigError, loadConfig } from '../core/src/app/config';

describe('configuration from the environment', () => {
  it('defaults to the embedded database under ./data and port 3000', () => {
    const c = loadConfig({}, '/srv/plinth');
    expect(c.port).toBe(3000);
    expect(c.database).toEqual({ kind: 'sqlite', url: path.join('/srv/plinth/data', 'plinth.db'), poolSize: 1 });
    expect(c.logLevel).toBe('info');
    expect(c.adminUsername).toBe('admin');
    expect(c.demoData).toBe(true);
    expect(c.clusterPollMs).toBe(2000);
  });

  it('reads MySQL and MariaDB URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'mariadb://u:p@db:3306/crm', DB_POOL_SIZE: '20' }).database).toEqual({ kind: 'mysql', url: 'mysql://u:p@db:3306/crm', poolSize: 20 });
    expect(loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1/plinth' }).database.kind).toBe('mysql');
  });

  it('honours DATA_DIR and sqlite: URLs', () => {
    expect(loadConfig({ DATA_DIR: 'var' }, '/x').database.url).toBe('/x/var/plinth.db');
    expect(loadConfig({ DATABASE_URL: 'sqlite:/tmp/a.db' }).database.url).toBe('/tmp/a.db');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535 (got "70000")'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL must be empty (embedded database), sqlite:<file>, mysql://… or mariadb://…'],
    [{ DATABASE_URL: 'mysql://root@db' }, 'DATABASE_URL must be a URL with a host and a database name'],
    [{ DEMO_DATA: 'maybe' }, 'DEMO_DATA must be true or false (got "maybe")'],
    [{ BODY_LIMIT: 'huge' }, 'BODY_LIMIT must be a size such as 512kb or 2mb'],
    [{ CLUSTER_POLL_MS: '10' }, 'CLUSTER_POLL_MS must be an integer from 100 to 600000 (got "10")'],
    [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD must be at least 8 characters long (got "***")'],
  ])('refuses %j with one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never puts a database password in the message', () => {
    expect(() => loadConfig({ DATABASE_URL: 'pg://user:s3cret@host/db' })).toThrow(/user:\*\*\*@/);
    expect(() => loadConfig({ DATABASE_URL: 'pg://user:s3cret@host/db' })).not.toThrow(/s3cret/);
  });
});
