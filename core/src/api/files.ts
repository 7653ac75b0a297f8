import type Router from '@koa/router';
import type { Context } from 'koa';
import contentDisposition from 'content-disposition';
import { NotFoundError, type Actor } from '@plinth/sdk';
import type { RecordStore } from '../services/records';
import type { FileInfo, FileStore } from '../files/store';
import { receiveUpload } from '../files/upload';
import { downloadType } from '../files/names';
import { fileFieldHolds } from '../files/fields';
import { parseId } from './params';

/** The upload request: its body is streamed by the route, not parsed as JSON. */
export const isUpload = (ctx: Context): boolean => ctx.method === 'POST' && /^\/api\/v1\/files\/?$/i.test(ctx.path);

/** Send a stored file as a download: never rendered inline, never sniffed. */
export function sendFile(ctx: Context, files: FileStore, file: FileInfo): void {
  const etag = `"${file.sha256}"`;
  ctx.set('ETag', etag);
  ctx.set('Cache-Control', 'private, no-cache');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Disposition', contentDisposition(file.name, { type: 'attachment' }));
  if (ctx.get('if-none-match') === etag) {
    ctx.status = 304;
    return;
  }
  // Set as is: ctx.type would add a charset to text types.
  ctx.set('Content-Type', downloadType(file.mimeType));
  ctx.length = file.size;
  ctx.body = files.open(file);
}

/**
 * The file store over HTTP:
 * - `POST /files`: upload (raw body with X-File-Name, or multipart/form-data) → 201 with the metadata;
 * - `GET /files/{id}`: download, for the uploader and system administrators;
 * - `GET /{plural}/{id}/files/{fileId}`: download for anyone who can read the record, when one of its file fields holds the file.
 * Mounted before the generic record routes.
 */
export function fileRoutes(router: Router, files: FileStore, store: () => RecordStore, uploadLimit: number): void {
  const actorOf = (ctx: Context) => ctx.state.actor as Actor;

  router.post('/files', async (ctx) => {
    const actor = actorOf(ctx);
    const info = await receiveUpload(ctx, uploadLimit, (file) =>
      files.put({ ...file, createdBy: actor.userId }, uploadLimit, {
        onStored: (tx, stored) => store().audit.write(tx, actor, { action: 'file-upload', entity: 'file', recordId: stored.id, detail: `${stored.name} (${stored.size} bytes)` }),
      }),
    );
    ctx.status = 201;
    ctx.set('Location', `/api/v1/files/${info.id}`);
    ctx.body = info;
  });

  router.get('/files/:id', async (ctx) => {
    const actor = actorOf(ctx);
    const file = await files.get(parseId(ctx.params.id));
    // Someone else's file is reported exactly like a missing one.
    if (!file || !(actor.isAdmin || (actor.userId !== null && file.createdBy === actor.userId))) throw new NotFoundError(`No file ${ctx.params.id}`);
    sendFile(ctx, files, file);
  });

  router.get('/:entity/:id/files/:fileId', async (ctx) => {
    const s = store();
    const entity = s.meta.byPluralName(ctx.params.entity);
    if (!entity) throw new NotFoundError(`No resource "${ctx.params.entity}"`);
    const id = parseId(ctx.params.id);
    const fileId = parseId(ctx.params.fileId, 'fileId');
    // Read as the caller: unreadable records are 404, hidden file fields are left out.
    const record = await s.service(entity.name, actorOf(ctx)).get(id);
    const file = fileFieldHolds(entity, record, fileId) ? await files.get(fileId) : null;
    if (!file) throw new NotFoundError(`${entity.name} ${id} has no file ${fileId}`);
    sendFile(ctx, files, file);
  });
}
