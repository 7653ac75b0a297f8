import fs from 'node:fs';
import readline from 'node:readline';
import { once } from 'node:events';

/** A checked row waiting to be written: its sheet row, the record it updates (null: create) and the body. */
export interface Entry {
  r: number;
  id: number | null;
  b: Record<string, unknown>;
}

/**
 * Checked rows kept on disk between validating and writing (one JSON line each), so an
 * import of any size holds only one batch in memory.
 */
export class Spool {
  private readonly out: fs.WriteStream;
  count = 0;

  constructor(private readonly file: string) {
    this.out = fs.createWriteStream(file, { mode: 0o600 });
  }

  async add(entry: Entry): Promise<void> {
    this.count++;
    if (!this.out.write(`${JSON.stringify(entry)}\n`)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    if (!this.out.closed) await once(this.out, 'close');
  }

  /** The entries in order, `size` at a time. */
  async *batches(size: number): AsyncGenerator<Entry[]> {
    const input = fs.createReadStream(this.file, { encoding: 'utf8' });
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    let batch: Entry[] = [];
    try {
      for await (const line of lines) {
        if (!line) continue;
        batch.push(JSON.parse(line) as Entry);
        if (batch.length === size) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    } finally {
      lines.close();
      input.destroy();
    }
  }
}
