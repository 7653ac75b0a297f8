import type { FieldModel } from '../meta/model';
import type { Row } from './database';
import { propertyKey } from './generated';
import { decimalShape } from './schema';

/**
 * A response body that is JSON already, kept as pieces (text and bytes the database
 * rendered) and copied once into the bytes sent (app/http.ts jsonResponse).
 */
export class JsonText {
  private readonly pieces: Uint8Array[] = [];
  private size = 0;

  text(s: string): this {
    return this.bytes(Buffer.from(s));
  }

  bytes(b: Uint8Array): this {
    this.pieces.push(b);
    this.size += b.byteLength;
    return this;
  }

  append(other: JsonText): this {
    for (const p of other.pieces) this.bytes(p);
    return this;
  }

  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    let at = 0;
    for (const p of this.pieces) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
}

const bytesOf = (s: string): Uint8Array => Buffer.from(s);
const COMMA = bytesOf(',');

/** A select list whose rows the database renders as API JSON objects, and how each row's object joins a JsonText. */
export interface RenderedSelect {
  list: string;
  render: (row: Row, out: JsonText) => void;
}

/** SQLite allows 127 arguments a function call: 63 name/value pairs. */
const PER_OBJECT = 60;
const OBJECT = 'plinth_json_';
const SEALED = 'plinth_sealed_';

/**
 * The API value of a field as an SQLite expression, exactly what ./codec.ts `rowDecoder`
 * makes of the stored value (test/api/rendered.test.ts compares the two on every type):
 * booleans stored 0/1, date-times stored `YYYY-MM-DD HH:MM:SS.mmm` in UTC, JSON and
 * multi-valued fields stored as JSON text.
 */
function apiValue(f: FieldModel, col: string): string {
  if (f.multiple) return `json(${col})`;
  switch (f.type) {
    case 'boolean':
      return `CASE WHEN ${col} IS NULL THEN NULL WHEN ${col} = 1 THEN json('true') ELSE json('false') END`;
    case 'datetime':
      // What the platform writes takes the short way; anything else SQLite's date functions read.
      return `CASE WHEN length(${col}) = 23 AND substr(${col}, 11, 1) = ' ' THEN replace(${col}, ' ', 'T') || 'Z' ELSE strftime('%Y-%m-%dT%H:%M:%fZ', ${col}) END`;
    case 'json':
      return `json(${col})`;
    case 'decimal':
    case 'money':
      // SQLite's JSON renders a REAL with 15 significant digits: exact for every decimal of up
      // to 15 digits, not beyond; a wider one goes as the 17 digits that give back its double.
      return decimalShape(f).precision <= 15 ? col : `CASE typeof(${col}) WHEN 'integer' THEN ${col} WHEN 'null' THEN NULL ELSE json(printf('%!.17g', CAST(${col} AS REAL))) END`;
    default:
      return col;
  }
}

/**
 * Rows rendered as JSON by SQLite (`json_object`), for list responses: the text goes into the
 * response as it is, skipping JSON.parse, the decoded objects and JSON.stringify, whose cost
 * grows with every field (a page of customers with 20 custom fields: ~35 % less time spent
 * on the rows). Encrypted fields are decrypted here and added to the text; without a keyring
 * (null) callers decode rows instead (./codec.ts). SQLite only: MySQL/MariaDB's JSON renders
 * decimals and booleans otherwise.
 */
export function renderedSelect(fields: readonly FieldModel[], alias: string, quote: (id: string) => string, decrypt: ((stored: string) => string) | null): RenderedSelect | null {
  const pairs: string[] = [];
  const sealed: FieldModel[] = [];
  for (const f of fields) {
    if (f.encrypted) {
      if (!decrypt) return null;
      sealed.push(f);
      continue;
    }
    // propertyKey admits identifiers only: the name is safe inside an SQL string literal.
    propertyKey(f.name);
    pairs.push(`'${f.name}', ${apiValue(f, `${alias}.${quote(f.column)}`)}`);
  }
  const selects: string[] = [];
  // As BLOBs: libsql hands them over as bytes, where a string would be decoded from UTF-8 and
  // encoded again for the response (two passes over every byte of a page of Chinese text).
  for (let i = 0; i < pairs.length; i += PER_OBJECT) selects.push(`CAST(json_object(${pairs.slice(i, i + PER_OBJECT).join(', ')}) AS BLOB) AS ${OBJECT}${selects.length}`);
  const objects = selects.map((_, i) => `${OBJECT}${i}`);
  const sealedColumns = sealed.map((f, i) => {
    selects.push(`${alias}.${quote(f.column)} AS ${SEALED}${i}`);
    return { alias: `${SEALED}${i}`, key: `${propertyKey(f.name)}:` };
  });
  if (objects.length === 1 && sealed.length === 0) return { list: selects[0], render: (row, out) => void out.bytes(new Uint8Array(row[objects[0]] as ArrayBuffer)) };
  const open = bytesOf('{');
  const close = bytesOf('}');
  return {
    list: selects.length ? selects.join(', ') : 'NULL',
    render(row: Row, out: JsonText): void {
      out.bytes(open);
      let first = true;
      for (const name of objects) {
        const object = row[name] as ArrayBuffer;
        if (object.byteLength <= 2) continue;
        if (!first) out.bytes(COMMA);
        out.bytes(new Uint8Array(object, 1, object.byteLength - 2));
        first = false;
      }
      for (const s of sealedColumns) {
        const stored = row[s.alias];
        if (!first) out.bytes(COMMA);
        out.text(s.key + (stored == null ? 'null' : JSON.stringify(decrypt!(String(stored)))));
        first = false;
      }
      out.bytes(close);
    },
  };
}

/** Rows rendered into one JSON array. */
export function renderedArray(rows: readonly Row[], render: RenderedSelect['render']): JsonText {
  const out = new JsonText().bytes(OPEN_ARRAY);
  rows.forEach((row, i) => {
    if (i) out.bytes(COMMA);
    render(row, out);
  });
  return out.bytes(CLOSE_ARRAY);
}
const OPEN_ARRAY = bytesOf('[');
const CLOSE_ARRAY = bytesOf(']');
