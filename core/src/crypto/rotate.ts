import type { Executor } from '../data/database';
import type { MetaRegistry } from '../meta/registry';
import { Keyring } from './keyring';

export interface RotationReport {
  entity: string;
  field: string;
  reencrypted: number;
}

const BATCH = 500;

/**
 * Re-encrypt every encrypted value not under the current key (older keys, or values
 * stored before the field was encrypted) and refresh its blind index. Each row is
 * rewritten only if it still holds the value read, so it can run while the platform
 * serves requests. After it, the previous keys can be removed from the configuration.
 */
export async function rotateEncryptedFields(db: Executor, meta: MetaRegistry, keyring: Keyring): Promise<RotationReport[]> {
  const q = db.dialect.quote;
  const report: RotationReport[] = [];
  for (const entity of meta.all()) {
    for (const field of entity.columns.filter((f) => f.encrypted)) {
      let reencrypted = 0;
      let after = 0;
      for (;;) {
        const rows = await db.all<{ id: number; v: string }>(
          `SELECT id, ${q(field.column)} AS v FROM ${q(entity.table)} WHERE id > ? AND ${q(field.column)} IS NOT NULL ORDER BY id LIMIT ?`,
          [after, BATCH],
        );
        if (rows.length === 0) break;
        for (const row of rows) {
          if (Keyring.keyOf(row.v) === keyring.currentKeyId) continue;
          const plain = keyring.decrypt(row.v);
          const done = await db.run(`UPDATE ${q(entity.table)} SET ${q(field.column)} = ?, ${q(field.indexColumn)} = ? WHERE id = ? AND ${q(field.column)} = ?`, [
            keyring.encrypt(plain),
            keyring.blindIndex(plain),
            row.id,
            row.v,
          ]);
          reencrypted += done.affectedRows;
        }
        after = Number(rows[rows.length - 1].id);
      }
      report.push({ entity: entity.name, field: field.name, reencrypted });
    }
  }
  return report;
}
