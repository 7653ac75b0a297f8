import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface DatabaseConfig {
  kind: 'sqlite' | 'mysql';
  /** For sqlite: the file path (or `:memory:`). For mysql: the connection URL. */
  url: string;
  poolSize: number;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: DatabaseConfig;
  logLevel: LogLevel;
  pluginsDir: string;
  /** Workspace themes, one folder each (THEMES_DIR). */
  themesDir: string;
  /** Install and enable, at start, plugins found in pluginsDir that the database has never seen (PLUGINS_AUTO_INSTALL). */
  pluginsAutoInstall: boolean;
  demoData: boolean;
  adminUsername: string;
  adminPassword: string;
  /** Maximum accepted request body, in bytes. */
  bodyLimit: number;
  /** Largest file accepted by POST /api/v1/files, in bytes. */
  uploadLimit: number;
  sessionTtlSeconds: number;
  // ---- authentication (core/src/auth) ---------------------------------------------
  /** Honour X-Forwarded-For/-Proto from one proxy hop in front (TRUST_PROXY). */
  trustProxy: boolean;
  /** Redis for sessions and revocation messages across nodes; null: the database only. */
  redis: RedisConfig | null;
  auth: AuthConfig;
  /** How often a node reads the change counters other nodes bump (CLUSTER_POLL_MS); with Redis only a safety net. */
  clusterPollMs: number;
  /** Read notifications older than this many days are deleted (NOTIFICATION_RETENTION_DAYS). */
  notificationRetentionDays: number;
  // ---- import and export (core/src/io) ---------------------------------------------
  /** Largest spreadsheet an import accepts, in bytes (IMPORT_MAX_BYTES). */
  importMaxBytes: number;
  /** Most data rows in one imported file (IMPORT_MAX_ROWS). */
  importMaxRows: number;
}

export interface RedisConfig {
  url: string;
  /** Prefix of every key and channel, so several installations can share one Redis. */
  prefix: string;
}

export type PasswordClass = 'letters' | 'upper' | 'lower' | 'digits' | 'symbols';

export interface AuthConfig {
  passwordMinLength: number;
  /** Character classes a new password must contain. */
  passwordRequire: readonly PasswordClass[];
  /** Days a password stays valid; 0 = never expires. */
  passwordExpiryDays: number;
  /** How many of the last passwords (the current one included) cannot be reused; 0 = no check. */
  passwordHistory: number;
  /** Failed logins of one username before it is locked. */
  maxFailures: number;
  lockMinutes: number;
  /** Failed logins from one IP address within the window before the address is refused. */
  ipMaxFailures: number;
  ipWindowMinutes: number;
  /** Secure flag of cookies: always, never, or when the request came over TLS. */
  cookieSecure: 'auto' | 'always' | 'never';
  cookieSameSite: 'Lax' | 'Strict';
  /** Longest lifetime of an API token. */
  tokenMaxDays: number;
  /** How long a node trusts a checked session or token before asking the store again. */
  cacheSeconds: number;
}

/** A configuration value that cannot be used; the message names the variable and what it expects. */
export class ConfigError extends Error {
  constructor(variable: string, expected: string, got: string) {
    super(`Invalid configuration: ${variable} must be ${expected} (got ${JSON.stringify(got)})`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, 'true or false', raw);
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

function size(env: Env, name: string, fallback: number, max = 1024 ** 3): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  const value = m ? Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase()] : 0;
  if (!m || value === 0 || value > max) throw new ConfigError(name, `a size such as 512kb or 2mb, at most ${max / 1024 ** 2} mb`, raw);
  return value;
}

function database(env: Env, dataDir: string): DatabaseConfig {
  const raw = env.DATABASE_URL;
  const poolSize = integer(env, 'DB_POOL_SIZE', 10, 1, 500);
  if (raw === undefined || raw === '') {
    return { kind: 'sqlite', url: path.join(dataDir, 'plinth.db'), poolSize: 1 };
  }
  if (/^(mysql|mariadb):\/\//i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL', 'a URL such as mysql://user:pass@host:3306/plinth', redactUrl(raw));
    }
    if (!url.hostname || url.pathname.replace(/^\//, '') === '') {
      throw new ConfigError('DATABASE_URL', 'a URL with a host and a database name, such as mysql://user:pass@host:3306/plinth', redactUrl(raw));
    }
    url.protocol = 'mysql:';
    return { kind: 'mysql', url: url.toString(), poolSize };
  }
  if (/^(sqlite|file):/i.test(raw)) {
    const file = raw.replace(/^(sqlite|file):(\/\/)?/i, '');
    if (!file) throw new ConfigError('DATABASE_URL', 'sqlite:<path to file>', raw);
    return { kind: 'sqlite', url: path.resolve(file), poolSize: 1 };
  }
  throw new ConfigError('DATABASE_URL', 'empty (embedded database), sqlite:<file>, mysql://… or mariadb://…', redactUrl(raw));
}

const PASSWORD_CLASSES: readonly PasswordClass[] = ['letters', 'upper', 'lower', 'digits', 'symbols'];

function redis(env: Env): RedisConfig | null {
  const raw = env.REDIS_URL;
  const prefix = env.REDIS_PREFIX || 'plinth:';
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(prefix)) throw new ConfigError('REDIS_PREFIX', '1–64 letters, digits or : _ . -', prefix);
  if (raw === undefined || raw === '') return null;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    url = null;
  }
  if (!url || !/^rediss?:$/.test(url.protocol) || !url.hostname) {
    throw new ConfigError('REDIS_URL', 'a URL such as redis://host:6379 or rediss://user:pass@host:6380/0', raw.replace(/\/\/[^@/]*@/, '//***@'));
  }
  return { url: raw, prefix };
}

function authConfig(env: Env): AuthConfig {
  const rawClasses = (env.PASSWORD_REQUIRE ?? 'letters,digits').trim();
  const classes = rawClasses === '' || rawClasses.toLowerCase() === 'none' ? [] : rawClasses.split(',').map((c) => c.trim().toLowerCase());
  const bad = classes.filter((c) => !PASSWORD_CLASSES.includes(c as PasswordClass));
  if (bad.length) throw new ConfigError('PASSWORD_REQUIRE', `a comma-separated list of ${PASSWORD_CLASSES.join(', ')} (or none)`, rawClasses);
  const secure = (env.COOKIE_SECURE || 'auto').toLowerCase();
  const cookieSecure = secure === 'auto' ? 'auto' : /^(1|true|yes|on|always)$/.test(secure) ? 'always' : /^(0|false|no|off|never)$/.test(secure) ? 'never' : null;
  if (!cookieSecure) throw new ConfigError('COOKIE_SECURE', 'auto, true or false', env.COOKIE_SECURE ?? '');
  const sameSite = (env.COOKIE_SAMESITE || 'lax').toLowerCase();
  if (sameSite !== 'lax' && sameSite !== 'strict') throw new ConfigError('COOKIE_SAMESITE', 'lax or strict', env.COOKIE_SAMESITE ?? '');
  return {
    passwordMinLength: integer(env, 'PASSWORD_MIN_LENGTH', 10, 8, 128),
    passwordRequire: [...new Set(classes)] as PasswordClass[],
    passwordExpiryDays: integer(env, 'PASSWORD_EXPIRY_DAYS', 0, 0, 3650),
    passwordHistory: integer(env, 'PASSWORD_HISTORY', 5, 0, 50),
    maxFailures: integer(env, 'LOGIN_MAX_FAILURES', 5, 1, 100),
    lockMinutes: integer(env, 'LOGIN_LOCK_MINUTES', 15, 1, 24 * 60),
    ipMaxFailures: integer(env, 'LOGIN_IP_MAX_FAILURES', 50, 1, 1_000_000),
    ipWindowMinutes: integer(env, 'LOGIN_IP_WINDOW_MINUTES', 15, 1, 24 * 60),
    cookieSecure,
    cookieSameSite: sameSite === 'strict' ? 'Strict' : 'Lax',
    tokenMaxDays: integer(env, 'API_TOKEN_MAX_DAYS', 365, 1, 3650),
    cacheSeconds: integer(env, 'AUTH_CACHE_SECONDS', 5, 0, 60),
  };
}

/** Hide the password of a connection URL before it reaches a message or a log. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}

/** Read and validate the configuration. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const dataDir = path.resolve(cwd, env.DATA_DIR || 'data');
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, env.LOG_LEVEL ?? '');
  const adminPassword = env.ADMIN_PASSWORD ?? 'Plinth!2026';
  if (adminPassword.length < 8) throw new ConfigError('ADMIN_PASSWORD', 'at least 8 characters long', '***');
  const adminUsername = env.ADMIN_USERNAME ?? 'admin';
  if (!/^[A-Za-z0-9_.@-]{2,64}$/.test(adminUsername)) {
    throw new ConfigError('ADMIN_USERNAME', '2–64 letters, digits or _ . @ -', adminUsername);
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir,
    database: database(env, dataDir),
    logLevel,
    pluginsDir: path.resolve(cwd, env.PLUGINS_DIR || 'plugins'),
    themesDir: path.resolve(cwd, env.THEMES_DIR || 'themes'),
    pluginsAutoInstall: boolean(env, 'PLUGINS_AUTO_INSTALL', true),
    demoData: boolean(env, 'DEMO_DATA', true),
    adminUsername,
    adminPassword,
    bodyLimit: size(env, 'BODY_LIMIT', 1024 * 1024),
    uploadLimit: size(env, 'UPLOAD_LIMIT', 20 * 1024 ** 2, 2 * 1024 ** 3),
    sessionTtlSeconds: integer(env, 'SESSION_TTL', 8 * 3600, 60, 90 * 24 * 3600),
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    redis: redis(env),
    auth: authConfig(env),
    clusterPollMs: integer(env, 'CLUSTER_POLL_MS', 2_000, 100, 600_000),
    notificationRetentionDays: integer(env, 'NOTIFICATION_RETENTION_DAYS', 90, 1, 3_650),
    importMaxBytes: size(env, 'IMPORT_MAX_BYTES', 50 * 1024 ** 2),
    importMaxRows: integer(env, 'IMPORT_MAX_ROWS', 200_000, 1, 5_000_000),
  };
}
