import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { DatabaseConfig } from '../../core/src/app/config';

export interface TestDatabase {
  name: 'sqlite' | 'mariadb';
  /** A fresh, empty database for one suite, and how to remove it afterwards. */
  fresh(): { config: DatabaseConfig; cleanup: () => Promise<void> };
}

const sqlite: TestDatabase = {
  name: 'sqlite',
  fresh() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-test-'));
    return {
      config: { kind: 'sqlite', url: path.join(dir, 'test.db'), poolSize: 1 },
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  },
};

function mariadb(base: string): TestDatabase {
  return {
    name: 'mariadb',
    fresh() {
      const url = new URL(base.replace(/^mariadb:/, 'mysql:'));
      url.pathname = `/plinth_t_${process.pid}_${randomBytes(4).toString('hex')}`;
      // Dropping is done by the platform's own connection (Database.dropDatabase) before close.
      return { config: { kind: 'mysql', url: url.toString(), poolSize: 8 }, cleanup: async () => undefined };
    },
  };
}

/** The embedded database always; MariaDB/MySQL too when TEST_DATABASE_URL is set. */
export const TEST_DATABASES: TestDatabase[] = [sqlite, ...(process.env.TEST_DATABASE_URL ? [mariadb(process.env.TEST_DATABASE_URL)] : [])];
