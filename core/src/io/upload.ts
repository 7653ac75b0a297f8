import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError } from '../app/errors';

/** An uploaded file in a private temporary folder; `remove()` deletes it and whatever was made next to it. */
export interface Upload {
  dir: string;
  path: string;
  size: number;
  contentType: string;
  remove(): Promise<void>;
}

const tooLarge = (limit: number) => new HttpError(413, 'too-large', `The file is larger than the import limit of ${limit} bytes (IMPORT_MAX_BYTES)`);

/**
 * Stream a request body to a temporary file, refusing it (413) as soon as it passes
 * `limit` bytes: an upload never sits in memory.
 */
export async function receiveUpload(body: Readable, contentType: string, declaredLength: number | undefined, limit: number): Promise<Upload> {
  if (declaredLength !== undefined && declaredLength > limit) throw tooLarge(limit);
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'plinth-import-'));
  const file = path.join(dir, `upload-${randomBytes(6).toString('hex')}`);
  const remove = () => fs.promises.rm(dir, { recursive: true, force: true });
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      cb(size > limit ? tooLarge(limit) : null, chunk);
    },
  });
  try {
    await pipeline(body, counter, fs.createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await remove();
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, 'bad-body', 'The file could not be received');
  }
  if (size === 0) {
    await remove();
    throw new HttpError(400, 'empty-file', 'The file is empty: send the spreadsheet as the request body');
  }
  return { dir, path: file, size, contentType, remove };
}
