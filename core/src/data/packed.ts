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

/** SQLite allows 127 arguments a function call (SQLITE_MAX_FUNCTION_ARG). */
const PER_ARRAY = 100;
const PACKED = 'plinth_packed_';

/**
 * Rows of the embedded database, packed into JSON. libsql converts every cell of a result
 * into a JavaScript value through N-API; on a list page of records with many fields that
 * costs more than SQLite's own work (about 10 µs a 50-column row). `json_array(…)` packs a
 * row into one string that JSON.parse unpacks several times faster; a generated function
 * then names the values, so the rows look exactly like unpacked ones.
 *
 * JSON renders a REAL with 15 significant digits: exact for every decimal of precision
 * up to 15 (money is 15,2), not always beyond. REAL values of wider decimal columns are
 * packed as `printf('%!.17g')` strings (the codec turns decimals into numbers, and 17
 * digits give back the exact double).
 */
export function packedSelect(columns: readonly PackedColumn[]): PackedSelect {
  const arrays: string[] = [];
  for (let i = 0; i < columns.length; i += PER_ARRAY) {
    const values = columns.slice(i, i + PER_ARRAY).map((c) => (c.wideReal ? `CASE WHEN typeof(${c.expr}) = 'real' THEN printf('%!.17g', ${c.expr}) ELSE ${c.expr} END` : c.expr));
    arrays.push(`json_array(${values.join(', ')}) AS ${PACKED}${arrays.length}`);
  }
  const parse = arrays.map((_, a) => `const a${a} = JSON.parse(row.${PACKED}${a});`).join(' ');
  const props = columns.map((c, i) => `${propertyKey(c.name)}: a${Math.floor(i / PER_ARRAY)}[${i % PER_ARRAY}]`);
  return {
    list: arrays.length ? arrays.join(', ') : 'NULL',
    unpack: generate(`return function unpackRow(row) { ${parse} return { ${props.join(', ')} }; };`, null),
  };
}
