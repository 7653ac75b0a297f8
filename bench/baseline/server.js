'use strict';
/**
 * Hand-written baseline for the benchmark: the same four customer endpoints the platform
 * serves, on the same `customers` table, written the way one would write them by hand
 * with Koa + @koa/router and raw SQL — no metadata, no ORM, no validation library,
 * NO AUTHENTICATION.
 *
 *   GET   /customers?city=X      page of 20 (created_at DESC, id DESC) + COUNT(*)
 *   GET   /customers/:id
 *   POST  /customers             INSERT + SELECT in a transaction (201)
 *   PATCH /customers/:id         conditional UPDATE (version) + SELECT in a transaction (409 on a stale version)
 *
 * Environment: PORT, DATABASE_URL (mysql://… → mysql2 pool of 10; empty → libsql on DATA_DIR/plinth.db),
 * DATA_DIR. The table must already exist (the platform creates it).
 */
const path = require('node:path');
const Koa = require('koa');
const Router = require('@koa/router');
const getRawBody = require('raw-body');

// ---------------------------------------------------------------------------------------
// Columns: [column, json name, kind]. Kinds: s = as is (string/enum/date), i = integer,
// d = decimal (driver may return a string), b = boolean (0/1), t = datetime, j = JSON text.
// deleted_at / deleted_by are not returned (as in the platform).
// ---------------------------------------------------------------------------------------
const COLUMNS = [
  ['id', 'id', 'i'],
  ['version', 'version', 'i'],
  ['created_at', 'createdAt', 't'],
  ['created_by', 'createdBy', 'i'],
  ['updated_at', 'updatedAt', 't'],
  ['updated_by', 'updatedBy', 'i'],
  ['owner_id', 'owner', 'i'],
  ['department_id', 'department', 'i'],
  ['customer_no', 'customerNo', 's'],
  ['name', 'name', 's'],
  ['kind', 'kind', 's'],
  ['gender', 'gender', 's'],
  ['birth_date', 'birthDate', 's'],
  ['id_type', 'idType', 's'],
  ['id_number', 'idNumber', 's'],
  ['nationality', 'nationality', 's'],
  ['marital_status', 'maritalStatus', 's'],
  ['education', 'education', 's'],
  ['occupation', 'occupation', 's'],
  ['occupation_class', 'occupationClass', 'i'],
  ['employer', 'employer', 's'],
  ['annual_income_band', 'annualIncomeBand', 's'],
  ['phone', 'phone', 's'],
  ['mobile', 'mobile', 's'],
  ['email', 'email', 's'],
  ['wechat_id', 'wechatId', 's'],
  ['address', 'address', 's'],
  ['province', 'province', 's'],
  ['city', 'city', 's'],
  ['district', 'district', 's'],
  ['postal_code', 'postalCode', 's'],
  ['region', 'region', 's'],
  ['industry', 'industry', 's'],
  ['org_size', 'orgSize', 's'],
  ['legal_representative', 'legalRepresentative', 's'],
  ['customer_type', 'customerType', 's'],
  ['level', 'level', 's'],
  ['source', 'source', 's'],
  ['status', 'status', 's'],
  ['tags', 'tags', 'j'],
  ['consent_phone', 'consentPhone', 'b'],
  ['consent_sms', 'consentSms', 'b'],
  ['consent_email', 'consentEmail', 'b'],
  ['do_not_contact', 'doNotContact', 'b'],
  ['established_value', 'establishedValue', 'd'],
  ['potential_value', 'potentialValue', 'd'],
  ['value_score', 'valueScore', 'i'],
  ['policies_in_force', 'policiesInForce', 'i'],
  ['first_policy_date', 'firstPolicyDate', 's'],
  ['last_contact_at', 'lastContactAt', 't'],
  ['remarks', 'remarks', 's'],
];

/** Fields a client may write: everything but the system columns (owner/department included). */
const SYSTEM = new Set(['id', 'version', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy']);
const WRITABLE = COLUMNS.filter(([, name]) => !SYSTEM.has(name));
const WRITABLE_BY_NAME = new Map(WRITABLE.map((c) => [c[1], c]));
const DEFAULTS = { status: 'prospect', consentPhone: false, consentSms: false, consentEmail: false, doNotContact: false, policiesInForce: 0 };

// ---------------------------------------------------------------------------------------
// Encoding / decoding, the same rules as the platform's codec.
// ---------------------------------------------------------------------------------------
const toDbDateTime = (iso) => new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
const nowDb = () => toDbDateTime(new Date().toISOString());

function fromDbDateTime(v) {
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  if (s.includes('T')) return new Date(s).toISOString();
  return `${s.replace(' ', 'T')}${s.length === 19 ? '.000' : ''}Z`;
}

function encode(kind, v) {
  if (v === null || v === undefined) return null;
  if (kind === 'b') return v ? 1 : 0;
  if (kind === 't') return toDbDateTime(String(v));
  if (kind === 'j') return JSON.stringify(v);
  return v;
}

function decodeRow(row) {
  const out = {};
  for (const [, name, kind] of COLUMNS) {
    const v = row[name];
    if (v === null || v === undefined) {
      out[name] = null;
      continue;
    }
    switch (kind) {
      case 'i':
      case 'd':
        out[name] = typeof v === 'number' ? v : Number(v);
        break;
      case 'b':
        out[name] = v === 1 || v === true || v === '1';
        break;
      case 't':
        out[name] = fromDbDateTime(v);
        break;
      case 'j':
        out[name] = typeof v === 'string' ? JSON.parse(v) : v;
        break;
      default:
        out[name] = v;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Errors and minimal hand validation.
// ---------------------------------------------------------------------------------------
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

function validateCreate(body) {
  const problems = [];
  if (typeof body.customerNo !== 'string' || !/^C\d{8}$/.test(body.customerNo)) problems.push('customerNo must be C followed by 8 digits');
  if (typeof body.name !== 'string' || body.name.length === 0 || body.name.length > 100) problems.push('name is required (at most 100 characters)');
  if (body.kind !== 'person' && body.kind !== 'organisation') problems.push('kind must be person or organisation');
  if (body.status !== undefined && typeof body.status !== 'string') problems.push('status must be a string');
  for (const key of Object.keys(body)) if (!WRITABLE_BY_NAME.has(key)) problems.push(`unknown field ${key}`);
  if (problems.length) throw new HttpError(400, problems.join('; '));
}

function validatePatch(body) {
  const problems = [];
  if (!Number.isInteger(body.version) || body.version < 1) problems.push('version is required (the version you read)');
  for (const key of Object.keys(body)) if (key !== 'version' && !WRITABLE_BY_NAME.has(key)) problems.push(`unknown or read-only field ${key}`);
  for (const key of ['customerNo', 'name', 'kind', 'status']) if (key in body && (typeof body[key] !== 'string' || body[key] === '')) problems.push(`${key} cannot be empty`);
  if (problems.length) throw new HttpError(400, problems.join('; '));
}

function parseId(raw) {
  if (!/^\d{1,10}$/.test(raw)) throw new HttpError(404, 'customer not found');
  return Number(raw);
}

const isDuplicate = (err) => err && (err.code === 'ER_DUP_ENTRY' || /UNIQUE constraint failed/.test(String(err.message)));

// ---------------------------------------------------------------------------------------
// SQL: written once, for the dialect in use.
// ---------------------------------------------------------------------------------------
function buildSql(q) {
  const select = COLUMNS.map(([col, name]) => `t.${q(col)} AS ${q(name)}`).join(', ');
  const insertCols = ['version', 'created_at', 'created_by', 'updated_at', 'updated_by', ...WRITABLE.map((c) => c[0])];
  return {
    list: `SELECT ${select} FROM customers t WHERE t.deleted_at IS NULL AND t.city = ? ORDER BY t.created_at DESC, t.id DESC LIMIT 20 OFFSET 0`,
    count: 'SELECT COUNT(*) AS n FROM customers t WHERE t.deleted_at IS NULL AND t.city = ?',
    get: `SELECT ${select} FROM customers t WHERE t.id = ? AND t.deleted_at IS NULL`,
    insert: `INSERT INTO customers (${insertCols.map(q).join(', ')}) VALUES (${insertCols.map(() => '?').join(', ')})`,
    state: 'SELECT version, deleted_at FROM customers WHERE id = ?',
    update: (cols) => `UPDATE customers SET version = version + 1, updated_at = ?, ${cols.map((c) => `${q(c)} = ?`).join(', ')} WHERE id = ? AND version = ? AND deleted_at IS NULL`,
  };
}

function insertParams(body, now) {
  const params = [1, now, null, now, null];
  for (const [col, name, kind] of WRITABLE) {
    const v = body[name] !== undefined ? body[name] : DEFAULTS[name];
    params.push(encode(kind, v));
  }
  return params;
}

function updateParts(body) {
  const cols = [];
  const values = [];
  for (const [key, v] of Object.entries(body)) {
    if (key === 'version') continue;
    const [col, , kind] = WRITABLE_BY_NAME.get(key);
    cols.push(col);
    values.push(encode(kind, v));
  }
  return { cols, values };
}

/** MariaDB / MySQL through a mysql2 pool of 10 connections. */
function mysqlStore(url) {
  const mysql = require('mysql2/promise');
  const u = new URL(url);
  const pool = mysql.createPool({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password || ''),
    database: u.pathname.replace(/^\//, ''),
    connectionLimit: 10,
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: true,
  });
  const sql = buildSql((id) => '`' + id + '`');

  async function tx(fn) {
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      const out = await fn(conn);
      await conn.commit();
      return out;
    } catch (err) {
      await conn.rollback().catch(() => {});
      throw err;
    } finally {
      conn.release();
    }
  }

  async function missing(conn, id) {
    const [rows] = await conn.query(sql.state, [id]);
    if (!rows.length || rows[0].deleted_at !== null) throw new HttpError(404, `customer ${id} not found`);
    throw new HttpError(409, `customer ${id} was changed by someone else (version ${rows[0].version})`);
  }

  return {
    kind: 'mysql',
    async list(city) {
      const [[rows], [count]] = await Promise.all([pool.query(sql.list, [city]), pool.query(sql.count, [city])]);
      return { rows, total: Number(count[0].n) };
    },
    async get(id) {
      const [rows] = await pool.query(sql.get, [id]);
      return rows[0];
    },
    create(body) {
      return tx(async (conn) => {
        const [res] = await conn.query(sql.insert, insertParams(body, nowDb()));
        const [rows] = await conn.query(sql.get, [res.insertId]);
        return rows[0];
      });
    },
    update(id, body) {
      const { cols, values } = updateParts(body);
      return tx(async (conn) => {
        const [res] = await conn.query(sql.update(cols), [nowDb(), ...values, id, body.version]);
        if (res.affectedRows !== 1) await missing(conn, id);
        const [rows] = await conn.query(sql.get, [id]);
        return rows[0];
      });
    },
    ping: () => pool.query('SELECT 1'),
    close: () => pool.end(),
  };
}

/** Embedded SQLite file through libsql's synchronous (better-sqlite3 style) API. */
function sqliteStore(file) {
  const Database = require('libsql');
  const db = new Database(file);
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  const sql = buildSql((id) => '"' + id + '"');
  const list = db.prepare(sql.list);
  const count = db.prepare(sql.count);
  const get = db.prepare(sql.get);
  const insert = db.prepare(sql.insert);
  const state = db.prepare(sql.state);
  const updates = new Map();
  const update = (cols) => {
    const key = cols.join(',');
    let stmt = updates.get(key);
    if (!stmt) updates.set(key, (stmt = db.prepare(sql.update(cols))));
    return stmt;
  };

  const create = db.transaction((params) => {
    const res = insert.run(params);
    return get.get(Number(res.lastInsertRowid));
  }).immediate;

  const patch = db.transaction((id, version, cols, values) => {
    const res = update(cols).run([nowDb(), ...values, id, version]);
    if (res.changes !== 1) {
      const row = state.get(id);
      if (!row || row.deleted_at !== null) throw new HttpError(404, `customer ${id} not found`);
      throw new HttpError(409, `customer ${id} was changed by someone else (version ${row.version})`);
    }
    return get.get(id);
  }).immediate;

  return {
    kind: 'sqlite',
    async list(city) {
      return { rows: list.all(city), total: Number(count.get(city).n) };
    },
    async get(id) {
      return get.get(id);
    },
    async create(body) {
      return create(insertParams(body, nowDb()));
    },
    async update(id, body) {
      const { cols, values } = updateParts(body);
      return patch(id, body.version, cols, values);
    },
    ping: async () => db.prepare('SELECT 1').get(),
    close: async () => db.close(),
  };
}

// ---------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------
async function readJson(ctx) {
  if (!/^application\/json/i.test(ctx.get('content-type'))) throw new HttpError(415, 'send application/json');
  let text;
  try {
    text = await getRawBody(ctx.req, { limit: '1mb', length: ctx.request.length, encoding: 'utf8' });
  } catch (err) {
    throw new HttpError(err.type === 'entity.too.large' ? 413 : 400, 'the body could not be read');
  }
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (!isObject(body)) throw new HttpError(400, 'the body must be a JSON object');
  return body;
}

function createApp(store) {
  const app = new Koa();
  const router = new Router();

  router.get('/healthz', async (ctx) => {
    await store.ping();
    ctx.body = { status: 'ok', database: store.kind, auth: 'none' };
  });

  router.get('/customers', async (ctx) => {
    const city = ctx.query.city;
    if (typeof city !== 'string' || city === '') throw new HttpError(400, 'city is required');
    const { rows, total } = await store.list(city);
    ctx.body = { data: rows.map(decodeRow), meta: { limit: 20, offset: 0, total } };
  });

  router.get('/customers/:id', async (ctx) => {
    const row = await store.get(parseId(ctx.params.id));
    if (!row) throw new HttpError(404, 'customer not found');
    ctx.body = decodeRow(row);
  });

  router.post('/customers', async (ctx) => {
    const body = await readJson(ctx);
    validateCreate(body);
    let row;
    try {
      row = await store.create(body);
    } catch (err) {
      if (isDuplicate(err)) throw new HttpError(409, 'another customer already has this customerNo');
      throw err;
    }
    ctx.status = 201;
    ctx.set('Location', `/customers/${row.id}`);
    ctx.body = decodeRow(row);
  });

  router.patch('/customers/:id', async (ctx) => {
    const id = parseId(ctx.params.id);
    const body = await readJson(ctx);
    validatePatch(body);
    let row;
    try {
      row = await store.update(id, body);
    } catch (err) {
      if (isDuplicate(err)) throw new HttpError(409, 'another customer already has this customerNo');
      throw err;
    }
    ctx.body = decodeRow(row);
  });

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = { status: err.status, detail: err.message };
      } else {
        console.error(err);
        ctx.status = 500;
        ctx.body = { status: 500, detail: 'internal error' };
      }
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

async function main() {
  const url = process.env.DATABASE_URL || '';
  const store = /^(mysql|mariadb):\/\//i.test(url)
    ? mysqlStore(url)
    : sqliteStore(path.join(path.resolve(process.env.DATA_DIR || 'data'), 'plinth.db'));
  await store.ping();
  const app = createApp(store);
  const server = app.listen(Number(process.env.PORT || 3001), '0.0.0.0');
  server.keepAliveTimeout = 65_000;
  await new Promise((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  console.log(`baseline (hand-written Koa + raw SQL, ${store.kind}, NO AUTHENTICATION) listening on http://127.0.0.1:${server.address().port}`);
  const stop = () => {
    server.closeAllConnections();
    server.close(() => {
      Promise.resolve(store.close()).finally(() => process.exit(0));
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(`baseline cannot start: ${err.message}`);
  process.exit(1);
});
