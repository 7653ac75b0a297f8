import type { Context } from 'koa';
import busboy from 'busboy';
import { ValidationError } from '@plinth/sdk';
import { HttpError } from '../app/errors';
import { FileTooLargeError, type FileInfo, type NewFile } from './store';

/** The request header naming the file of a raw upload, percent-encoded UTF-8 (`encodeURIComponent`). */
export const FILE_NAME_HEADER = 'x-file-name';

type Save = (file: Omit<NewFile, 'createdBy'>) => Promise<FileInfo>;

export const tooLarge = (limit: number) => new HttpError(413, 'too-large', `The file is larger than the limit of ${limit} bytes (UPLOAD_LIMIT)`);

/**
 * Receive one uploaded file and hand it to `save` as a stream: either the raw body (its
 * Content-Type, the name in X-File-Name) or the one file part of multipart/form-data.
 * More than `limit` bytes is 413, as soon as it is known.
 */
export async function receiveUpload(ctx: Context, limit: number, save: Save): Promise<FileInfo> {
  const length = ctx.request.length;
  // The multipart envelope adds a little; the file part itself is checked as it streams.
  if (length !== undefined && length > limit + 64 * 1024) throw tooLarge(limit);
  const type = ctx.get('content-type');
  try {
    if (/^multipart\/form-data\s*;/i.test(type)) return await multipart(ctx, limit, save);
    return await raw(ctx, limit, save);
  } catch (err) {
    if (err instanceof FileTooLargeError) throw tooLarge(limit);
    throw err;
  }
}

async function raw(ctx: Context, limit: number, save: Save): Promise<FileInfo> {
  const length = ctx.request.length;
  if (length !== undefined && length > limit) throw tooLarge(limit);
  const header = ctx.get(FILE_NAME_HEADER);
  if (!header) throw new ValidationError([{ field: 'X-File-Name', rule: 'required', message: 'Name the file in the X-File-Name header (percent-encoded UTF-8), or upload multipart/form-data' }]);
  let name: string;
  try {
    name = decodeURIComponent(header);
  } catch {
    throw new ValidationError([{ field: 'X-File-Name', rule: 'format', message: 'X-File-Name must be percent-encoded UTF-8 (encodeURIComponent)' }]);
  }
  // Stopping early (too large) must not destroy the request: the rest is read and dropped
  // so the client gets the answer on a connection that stays usable.
  try {
    return await save({ name, mimeType: ctx.get('content-type') || null, content: ctx.req.iterator({ destroyOnReturn: false }) });
  } catch (err) {
    ctx.req.resume();
    throw err;
  }
}

function multipart(ctx: Context, limit: number, save: Save): Promise<FileInfo> {
  return new Promise<FileInfo>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // One byte over the limit lets the store see that the file is too large.
      parser = busboy({ headers: ctx.req.headers, defParamCharset: 'utf8', limits: { files: 1, fileSize: limit + 1, fields: 20, fieldSize: 4096, parts: 21, headerPairs: 20 } });
    } catch {
      reject(new ValidationError([{ field: 'Content-Type', rule: 'format', message: 'A multipart/form-data body needs a boundary' }]));
      return;
    }
    let saving: Promise<FileInfo> | null = null;
    let extraFiles = false;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      ctx.req.unpipe(parser);
      // Read (and drop) the rest of the body so the client gets the answer.
      ctx.req.resume();
      reject(err);
    };
    parser.on('file', (_field, stream, info) => {
      if (saving) {
        stream.resume();
        return;
      }
      saving = save({ name: info.filename ?? '', mimeType: info.mimeType ?? null, content: stream });
      saving.catch((err: unknown) => {
        stream.resume();
        fail(err);
      });
    });
    parser.on('filesLimit', () => (extraFiles = true));
    parser.on('partsLimit', () => fail(new ValidationError([{ field: '(body)', rule: 'maxItems', message: 'Too many form parts' }])));
    parser.on('fieldsLimit', () => fail(new ValidationError([{ field: '(body)', rule: 'maxItems', message: 'Too many form fields' }])));
    parser.on('error', () => fail(new HttpError(400, 'bad-body', 'The multipart body could not be read')));
    parser.on('close', () => {
      if (settled) return;
      if (extraFiles) return fail(new ValidationError([{ field: 'file', rule: 'maxItems', message: 'Upload one file per request' }]));
      if (!saving) return fail(new ValidationError([{ field: 'file', rule: 'required', message: 'The form has no file part' }]));
      saving.then((info) => {
        settled = true;
        resolve(info);
      }, fail);
    });
    ctx.req.on('error', () => fail(new HttpError(400, 'bad-body', 'The body could not be read')));
    ctx.req.pipe(parser);
  });
}
