import { PassThrough } from 'node:stream';
import type Router from '@koa/router';
import contentDisposition from 'content-disposition';
import type { Context } from 'koa';
import { NotFoundError, ValidationError, type Actor, type FieldError, type ListQuery } from '@plinth/sdk';
import { HttpError, PROBLEM_TYPE, problem } from '../app/errors';
import type { Logger } from '../app/logger';
import type { RecordStore } from '../services/records';
import { bodyListQuery, parseListQuery } from './params';
import { requestLang } from '../io/lang';
import { checkTimeZone } from '../io/time';
import { RecordExporter } from '../io/export';
import { RecordImporter, type ImportLimits, type ImportOptions } from '../io/import';
import { receiveUpload, type Upload } from '../io/upload';
import type { ExportOptions } from '../io/cells-out';
import type { SheetFormat } from '../io/sheet-writer';
import type { DictionaryItems } from '../io/options';

type Params = Record<string, unknown>;

const IMPORT_PATH = /^\/api\/v1\/([^/]+)\/import(\/preview)?\/?$/i;

/** Whether a request's body is a file, not JSON (an entity's import): the JSON body parser lets it through. */
export const isImportUpload = (path: string, isEntity: (plural: string) => boolean): boolean => {
  const m = IMPORT_PATH.exec(path);
  if (!m) return false;
  try {
    return isEntity(decodeURIComponent(m[1]));
  } catch {
    return false;
  }
};

const EXPORT_PARAMS = ['format', 'lang', 'tz', 'refs'];
const NOT_FOR_EXPORT = ['limit', 'offset', 'cursor', 'expand', 'count'];

function oneOf<T extends string>(params: Params, name: string, allowed: readonly T[], fallback: T, errors: FieldError[]): T {
  const v = params[name];
  if (v === undefined) return fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  errors.push({ field: name, rule: 'enum', message: `${name} must be one of ${allowed.join(', ')}` });
  return fallback;
}

function flag(params: Params, name: string, errors: FieldError[]): boolean {
  const v = params[name];
  if (v === undefined || v === false || v === 'false' || v === '0') return false;
  if (v === true || v === 'true' || v === '1' || v === '') return true;
  errors.push({ field: name, rule: 'type', message: `${name} must be true or false` });
  return false;
}

function text(params: Params, name: string, errors: FieldError[], max = 200): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v.length > 0 && v.length <= max) return v;
  errors.push({ field: name, rule: 'type', message: `${name} must be a non-empty string of at most ${max} characters` });
  return undefined;
}

const single = (qs: Context['query']): Params => {
  const out: Params = {};
  for (const [k, v] of Object.entries(qs)) {
    if (Array.isArray(v)) throw new ValidationError([{ field: k, rule: 'repeated', message: `${k} is given more than once` }]);
    out[k] = v;
  }
  return out;
};


const ACCEPTED_UPLOADS = /^(application\/(vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet|octet-stream|csv|vnd\.ms-excel|zip)|text\/(csv|plain|tab-separated-values))$/i;

/**
 * Export (`GET|POST /{plural}/export`) and import (`POST /{plural}/import[/preview]`) of
 * records as xlsx or CSV, for every entity.
 */
export function ioRoutes(router: Router, store: () => RecordStore, settings: { limits: ImportLimits; timeZone: () => string; log: Logger; dictionaries: DictionaryItems | null }): void {
  const exporter = new RecordExporter(store, settings.dictionaries);
  const importer = new RecordImporter(store, settings.limits, settings.dictionaries);
  const entityOf = (ctx: Context): string => {
    const entity = store().meta.byPluralName(ctx.params.entity);
    if (!entity) throw new NotFoundError(`No resource "${ctx.params.entity}"`);
    return entity.name;
  };

  const exportRecords = async (ctx: Context, params: Params, query: ListQuery) => {
    const errors: FieldError[] = NOT_FOR_EXPORT.filter((k) => (query as Params)[k] !== undefined).map((k) => ({ field: k, rule: 'unknown-parameter', message: `${k} does not apply to an export: it holds every matching row` }));
    const format = oneOf<SheetFormat>(params, 'format', ['xlsx', 'csv'], 'xlsx', errors);
    const refs = oneOf<ExportOptions['refs']>(params, 'refs', ['title', 'id'], 'title', errors);
    const lang = requestLang(params.lang === undefined ? undefined : String(params.lang), ctx.get('accept-language'));
    const tz = checkTimeZone(text(params, 'tz', errors, 64) ?? settings.timeZone());
    if (errors.length) throw new ValidationError(errors, 'The export request is invalid');
    const prepared = await exporter.prepare({ entity: entityOf(ctx), actor: ctx.state.actor as Actor, query, format, options: { lang, tz, refs } });
    const out = new PassThrough();
    ctx.status = 200;
    ctx.type = prepared.contentType;
    // The name in the caller's language, with an ASCII one for old clients (RFC 6266 / 8187).
    ctx.set('Content-Disposition', contentDisposition(prepared.localName, { type: 'attachment', fallback: prepared.fileName }));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = out;
    prepared.write(out).catch((err: unknown) => {
      settings.log.error({ requestId: ctx.state.requestId, err: String(err) }, 'export failed while streaming');
      out.destroy(err as Error);
    });
  };

  router.get('/:entity/export', async (ctx) => {
    const params = single(ctx.query);
    const listParams = Object.fromEntries(Object.entries(ctx.query).filter(([k]) => !EXPORT_PARAMS.includes(k)));
    await exportRecords(ctx, params, parseListQuery(listParams));
  });
  router.post('/:entity/export', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Params;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'The export request must be a JSON object' }]);
    const listBody = Object.fromEntries(Object.entries(body).filter(([k]) => !EXPORT_PARAMS.includes(k)));
    await exportRecords(ctx, body, bodyListQuery(listBody));
  });

  const withUpload = async <T>(ctx: Context, fn: (upload: Upload) => Promise<T>): Promise<T> => {
    const type = (ctx.get('content-type').split(';')[0] ?? '').trim();
    if (type && !ACCEPTED_UPLOADS.test(type)) {
      throw new HttpError(415, 'unsupported-media-type', `Send the spreadsheet itself as the body, as ${'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'} or text/csv (got ${type})`);
    }
    const upload = await receiveUpload(ctx.req, type, ctx.request.length, settings.limits.maxBytes);
    try {
      return await fn(upload);
    } finally {
      await upload.remove();
    }
  };

  const readOptions = (params: Params, errors: FieldError[]): Pick<ImportOptions, 'headerRow' | 'read' | 'key'> => {
    const rawHeader = params.headerRow;
    let headerRow = 1;
    if (rawHeader !== undefined) {
      if (typeof rawHeader === 'string' && /^\d{1,4}$/.test(rawHeader) && Number(rawHeader) >= 1) headerRow = Number(rawHeader);
      else errors.push({ field: 'headerRow', rule: 'type', message: 'headerRow must be a row number from 1 to 9999' });
    }
    const delimiter = text(params, 'delimiter', errors, 1);
    return {
      headerRow,
      key: text(params, 'key', errors, 64),
      read: { sheet: text(params, 'sheet', errors, 31), encoding: text(params, 'encoding', errors, 20), delimiter },
    };
  };

  router.post('/:entity/import/preview', async (ctx) => {
    const entity = entityOf(ctx);
    const params = single(ctx.query);
    const errors: FieldError[] = Object.keys(params)
      .filter((k) => !['key', 'headerRow', 'sheet', 'encoding', 'delimiter'].includes(k))
      .map((k) => ({ field: k, rule: 'unknown-parameter', message: `Unknown parameter "${k}"` }));
    const options = readOptions(params, errors);
    if (errors.length) throw new ValidationError(errors, 'The import request is invalid');
    ctx.body = await withUpload(ctx, (upload) => importer.preview(entity, ctx.state.actor as Actor, upload, options));
  });

  router.post('/:entity/import', async (ctx) => {
    const entity = entityOf(ctx);
    const params = single(ctx.query);
    const known = ['mapping', 'key', 'skipBadRows', 'dryRun', 'emptyCells', 'tz', 'headerRow', 'sheet', 'encoding', 'delimiter'];
    const errors: FieldError[] = Object.keys(params)
      .filter((k) => !known.includes(k))
      .map((k) => ({ field: k, rule: 'unknown-parameter', message: `Unknown parameter "${k}"; known: ${known.join(', ')}` }));
    let mapping: Record<string, unknown> | undefined;
    if (params.mapping !== undefined) {
      try {
        mapping = JSON.parse(String(params.mapping)) as Record<string, unknown>;
      } catch {
        mapping = undefined;
      }
      if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
        errors.push({ field: 'mapping', rule: 'json', message: 'mapping must be a JSON object {"column header": "field" or null}' });
      }
    }
    const options: ImportOptions = {
      ...readOptions(params, errors),
      mapping,
      skipBadRows: flag(params, 'skipBadRows', errors),
      dryRun: flag(params, 'dryRun', errors),
      emptyCells: oneOf(params, 'emptyCells', ['clear', 'keep'], 'clear', errors),
      tz: checkTimeZone(text(params, 'tz', errors, 64) ?? settings.timeZone()),
    };
    if (errors.length) throw new ValidationError(errors, 'The import request is invalid');
    const report = await withUpload(ctx, (upload) => importer.run(entity, ctx.state.actor as Actor, upload, options));
    if (!report.written && !report.dryRun && report.errorCount > 0 && !report.skipBadRows) {
      const detail = `${report.invalid} of ${report.rows} rows cannot be imported; nothing was written`;
      ctx.status = 422;
      ctx.type = PROBLEM_TYPE;
      ctx.body = { ...problem(422, 'import-invalid', detail, report.errors), ...report, requestId: ctx.state.requestId, instance: ctx.path };
      return;
    }
    ctx.body = report;
  });
}
