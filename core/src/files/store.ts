import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import type { Executor } from '../data/database';
import { nowDb, fromDbDateTime } from '../data/codec';
import { CHUNK_SIZE } from './schema';
import { safeFileName, safeMimeType } from './names';

/** A stored file's metadata, as the API returns it. */
export interface FileInfo {
  id: number;
  name: string;
  mimeType: string;
  size: number;
  sha256: string;
  createdBy: number | null;
  createdAt: string;
}

export interface NewFile {
  /** As the client sent it; made safe before it is stored. */
  name: string;
  mimeType: string | null;
  content: AsyncIterable<Buffer | Uint8Array | string>;
  createdBy: number | null;
}

/** The content was larger than the limit; nothing was stored. */
export class FileTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The file is larger than the limit of ${limit} bytes`);
    this.name = 'FileTooLargeError';
  }
}

/**
 * The platform's file store. Metadata and access checks use it; where the bytes live is
 * the implementation's business (the database today; a disk or S3-compatible store can
 * replace it behind this interface).
 */
export interface FileStore {
  /** Read `content` to its end (at most `limit` bytes, else FileTooLargeError and nothing stored) and store it as a new file. */
  put(file: NewFile, limit: number, options?: { db?: Executor; onStored?: (tx: Executor, info: FileInfo) => Promise<void> }): Promise<FileInfo>;
  get(id: number): Promise<FileInfo | null>;
  /** The file's bytes, streamed. */
  open(file: FileInfo): Readable;
  /** Which of `ids` are stored files. */
  existing(ids: readonly number[], db?: Executor): Promise<Set<number>>;
  /** Which of `ids` are files `userId` uploaded. */
  uploadedBy(ids: readonly number[], userId: number, db?: Executor): Promise<Set<number>>;
}

interface FileRow {
  id: number | string;
  name: string;
  mime_type: string;
  size: number | string;
  sha256: string;
  created_by: number | string | null;
  created_at: unknown;
}

const COLUMNS = 'id, name, mime_type, size, sha256, created_by, created_at';

const toInfo = (r: FileRow): FileInfo => ({
  id: Number(r.id),
  name: r.name,
  mimeType: r.mime_type,
  size: Number(r.size),
  sha256: r.sha256,
  createdBy: r.created_by === null ? null : Number(r.created_by),
  createdAt: fromDbDateTime(r.created_at) ?? '',
});

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Spool `content` to a temporary file, hashing and counting as it goes; refuse more than `limit` bytes. */
async function spool(content: AsyncIterable<Buffer | Uint8Array | string>, limit: number, dir: string): Promise<{ file: string; size: number; sha256: string }> {
  const file = path.join(dir, `plinth-upload-${randomUUID()}`);
  const hash = createHash('sha256');
  const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
  let size = 0;
  try {
    for await (const piece of content) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      size += chunk.length;
      if (size > limit) throw new FileTooLargeError(limit);
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return { file, size, sha256: hash.digest('hex') };
  } catch (err) {
    out.destroy();
    await fs.promises.rm(file, { force: true });
    throw err;
  }
}

/** Read a file in chunks of CHUNK_SIZE. */
async function* chunksOf(file: string): AsyncGenerator<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    for (;;) {
      const buffer = Buffer.alloc(CHUNK_SIZE);
      let filled = 0;
      while (filled < CHUNK_SIZE) {
        const { bytesRead } = await handle.read(buffer, filled, CHUNK_SIZE - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) return;
      yield filled === CHUNK_SIZE ? buffer : buffer.subarray(0, filled);
      if (filled < CHUNK_SIZE) return;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Files in the database: metadata in plinth_files, each distinct content once (by
 * SHA-256) in plinth_file_contents with its bytes in 1 MiB rows of plinth_file_chunks.
 * Works the same on every node. An upload is spooled to a temporary file first, so the
 * write transaction only starts once the whole body has arrived (a slow client never
 * holds a connection or the embedded database's writer).
 */
export class DatabaseFileStore implements FileStore {
  constructor(
    private readonly db: Executor,
    private readonly tmpDir: string = os.tmpdir(),
  ) {}

  async put(file: NewFile, limit: number, options: { db?: Executor; onStored?: (tx: Executor, info: FileInfo) => Promise<void> } = {}): Promise<FileInfo> {
    const spooled = await spool(file.content, limit, this.tmpDir);
    try {
      const name = safeFileName(file.name);
      const mimeType = safeMimeType(file.mimeType);
      const createdAt = nowDb();
      return await (options.db ?? this.db).transaction(async (tx) => {
        await this.storeContent(tx, spooled.file, spooled.size, spooled.sha256, createdAt);
        const res = await tx.run('INSERT INTO plinth_files (name, mime_type, size, sha256, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)', [name, mimeType, spooled.size, spooled.sha256, file.createdBy, createdAt]);
        const info: FileInfo = { id: res.insertId, name, mimeType, size: spooled.size, sha256: spooled.sha256, createdBy: file.createdBy, createdAt: fromDbDateTime(createdAt) ?? '' };
        if (options.onStored) await options.onStored(tx, info);
        return info;
      });
    } finally {
      await fs.promises.rm(spooled.file, { force: true });
    }
  }

  /**
   * Write the content unless it is there already. The header row is claimed first with an
   * insert that ignores a duplicate: on MySQL/MariaDB a concurrent upload of the same
   * bytes waits on that row until the first commits, then finds it taken.
   */
  private async storeContent(tx: Executor, file: string, size: number, sha256: string, createdAt: string): Promise<void> {
    const ignore = tx.dialect.kind === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    const chunks = Math.ceil(size / CHUNK_SIZE);
    const claimed = await tx.run(`${ignore} INTO plinth_file_contents (sha256, size, chunks, created_at) VALUES (?, ?, ?, ?)`, [sha256, size, chunks, createdAt]);
    if (claimed.affectedRows === 0) return;
    let seq = 0;
    for await (const chunk of chunksOf(file)) await tx.run('INSERT INTO plinth_file_chunks (sha256, seq, data) VALUES (?, ?, ?)', [sha256, seq++, chunk]);
  }

  async get(id: number): Promise<FileInfo | null> {
    const rows = await this.db.all<FileRow>(`SELECT ${COLUMNS} FROM plinth_files WHERE id = ?`, [id]);
    return rows.length ? toInfo(rows[0]) : null;
  }

  open(file: FileInfo): Readable {
    const db = this.db;
    async function* read(): AsyncGenerator<Buffer> {
      const header = await db.all<{ chunks: number | string }>('SELECT chunks FROM plinth_file_contents WHERE sha256 = ?', [file.sha256]);
      const count = header.length ? Number(header[0].chunks) : 0;
      for (let seq = 0; seq < count; seq++) {
        const rows = await db.all<{ data: Uint8Array }>('SELECT data FROM plinth_file_chunks WHERE sha256 = ? AND seq = ?', [file.sha256, seq]);
        if (!rows.length) throw new Error(`File ${file.id}: chunk ${seq} of ${file.sha256} is missing`);
        const data = rows[0].data;
        yield Buffer.isBuffer(data) ? data : Buffer.from(data);
      }
    }
    return Readable.from(read());
  }

  async existing(ids: readonly number[], db: Executor = this.db): Promise<Set<number>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Set();
    const rows = await db.all<{ id: number | string }>(`SELECT id FROM plinth_files WHERE id IN (${marks(unique.length)})`, unique);
    return new Set(rows.map((r) => Number(r.id)));
  }

  async uploadedBy(ids: readonly number[], userId: number, db: Executor = this.db): Promise<Set<number>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Set();
    const rows = await db.all<{ id: number | string }>(`SELECT id FROM plinth_files WHERE created_by = ? AND id IN (${marks(unique.length)})`, [userId, ...unique]);
    return new Set(rows.map((r) => Number(r.id)));
  }
}
