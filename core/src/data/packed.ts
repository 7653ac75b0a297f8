import type { Row } from './database';
import { generate, propertyKey } from './generated';

/** One selected value: its SQL expression, the name it comes back under. */
export interface PackedColumn {
  expr: string;
  name: string;
  /** May hold REAL values of more than 15 significant digits (decimals of a greater precision). */
  wideReal: boolean;
}

/** A select list that packs each row, and the function that unpacks such a row into named values. */
export interface PackedSelect {
  list: string;
  unpack: (row: Row) => Row;
}

/** SQLite allows 127 arguments a function call (SQLITE_MAX_FUNCTION_ARG); MySQL/MariaDB get the same chunks. */
const PER_ARRAY = 100;
const PACKED = 'plinth_packed_';

/**
 * Rows packed into JSON. libsql converts every cell of a result into a JavaScript value
 * through N-API, and mysql2 reads every column's definition and parses every cell; on a list
 * page of records with many fields that costs more than the database's own work (libsql:
 * about 10 µs a 50-column row). `json_array(…)` packs a row into one string that JSON.parse
 * unpacks several times faster; a generated function then names the values, so the rows look
 * exactly like unpacked ones (date-times come back as text either way; ./codec.ts reads both).
 *
 * SQLite's JSON renders a REAL with 15 significant digits: exact for every decimal of
 * precision up to 15 (money is 15,2), not always beyond. REAL values of wider decimal columns
 * are packed as `printf('%!.17g')` strings (the codec turns decimals into numbers, and 17
 * digits give back the exact double); on MySQL/MariaDB wide decimals go as their exact text.
 */
export function packedSelect(columns: readonly PackedColumn[], kind: 'sqlite' | 'mysql' = 'sqlite'): PackedSelect {
  const arrays: string[] = [];
  // MySQL/MariaDB render a DECIMAL in JSON as a number too; a wide one goes as its exact text.
  const wide = (expr: string) => (kind === 'sqlite' ? `CASE WHEN typeof(${expr}) = 'real' THEN printf('%!.17g', ${expr}) ELSE ${expr} END` : `CAST(${expr} AS CHAR)`);
  for (let i = 0; i < columns.length; i += PER_ARRAY) {
    const values = columns.slice(i, i + PER_ARRAY).map((c) => (c.wideReal ? wide(c.expr) : c.expr));
    arrays.push(`json_array(${values.join(', ')}) AS ${PACKED}${arrays.length}`);
  }
  const parse = arrays.map((_, a) => `const a${a} = JSON.parse(row.${PACKED}${a});`).join(' ');
  const props = columns.map((c, i) => `${propertyKey(c.name)}: a${Math.floor(i / PER_ARRAY)}[${i % PER_ARRAY}]`);
  return {
    list: arrays.length ? arrays.join(', ') : 'NULL',
    unpack: generate(`return function unpackRow(row) { ${parse} return { ${props.join(', ')} }; };`, null),
  };
}
