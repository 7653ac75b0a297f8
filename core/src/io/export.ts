import type { Writable } from 'node:stream';
import { ForbiddenError, ValidationError, type Actor, type AnyRecord, type ListQuery, type ListResult } from '@plinth/sdk';
import type { FieldModel } from '../meta/model';
import type { RecordStore } from '../services/records';
import { MAX_LIMIT } from '../query/list';
import { defaultExportFields, exportable, headerLabels, referenceTarget } from './columns';
import { exportColumn, type ExportColumn, type ExportOptions } from './cells-out';
import { csvWriter, xlsxWriter, type SheetFormat } from './sheet-writer';
import { labelOf } from './lang';
import { TitleLookup } from './titles';
import type { DictionaryItems } from './options';

export interface ExportRequest {
  entity: string;
  actor: Actor;
  /** filter, sort and fields as for a list. */
  query: Pick<ListQuery, 'filter' | 'sort' | 'fields'>;
  format: SheetFormat;
  options: ExportOptions;
}

/** An export whose query has been checked and whose first page is read: only the streaming is left. */
export interface PreparedExport {
  fileName: string;
  /** The file name in the caller's language (Content-Disposition filename*). */
  localName: string;
  contentType: string;
  /** Stream every matching row into `out`; resolves with the number of rows. */
  write(out: Writable): Promise<number>;
}

const CONTENT_TYPES: Record<SheetFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/**
 * Exports the records of a list query as xlsx or CSV. Rows are read page by page with
 * keyset cursors through the record service (the caller's read and export scopes, hidden
 * fields) and written as they come, waiting for the client between pages: memory does
 * not grow with the number of rows.
 */
export class RecordExporter {
  constructor(
    private readonly store: () => RecordStore,
    private readonly dictionaries: DictionaryItems | null = null,
  ) {}

  async prepare(req: ExportRequest): Promise<PreparedExport> {
    const store = this.store();
    const svc = store.service(req.entity, req.actor);
    const entity = svc.entity;
    if (!(await svc.can('export'))) throw new ForbiddenError(`You may not export ${entity.name} records`);
    const hidden = (await store.access.profile(req.actor)).hiddenFields(entity.name);
    const fields = this.fields(req.query.fields, entity.fields, hidden) ?? defaultExportFields(entity, hidden);
    const headers = headerLabels(fields, req.options.lang);
    const targets = fields.map((f) => referenceTarget(store.meta, f));
    const columns: ExportColumn[] = fields.map((f, i) => exportColumn(f, headers[i], targets[i] !== null, req.options, this.dictionaries));
    const query: ListQuery = { filter: req.query.filter, sort: req.query.sort, fields: fields.map((f) => f.name), limit: MAX_LIMIT };
    // The first page now: a bad filter or a missing right is a 4xx before any byte is sent.
    let page: ListResult<AnyRecord> = await svc.list(query, { action: 'export' });
    const titles = new TitleLookup(store, req.actor);
    const now = new Date();
    return {
      fileName: `${entity.plural}-${stamp(now)}.${req.format}`,
      localName: `${labelOf(entity.label, req.options.lang)}-${stamp(now)}.${req.format}`,
      contentType: CONTENT_TYPES[req.format],
      write: async (out) => {
        const sheet = req.format === 'xlsx' ? xlsxWriter(out, labelOf(entity.label, req.options.lang), columns) : csvWriter(out, columns);
        let rows = 0;
        for (;;) {
          const lookups = await Promise.all(
            targets.map((t, i) => (t && req.options.refs === 'title' ? titles.titles(t, page.data.map((r) => r[fields[i].name]).filter((v): v is number => typeof v === 'number')) : undefined)),
          );
          for (const rec of page.data) sheet.writeRow(columns.map((c, i) => c.cell(rec[c.field.name], lookups[i])));
          rows += page.data.length;
          await sheet.drained();
          if (!page.meta.nextCursor) break;
          page = await svc.list({ ...query, cursor: page.meta.nextCursor }, { action: 'export' });
        }
        await sheet.finish();
        await store.audit.event(req.actor, { action: 'export', entity: entity.name, detail: `${rows} rows as ${req.format}` });
        return rows;
      },
    };
  }

  /** The fields asked for, checked as a list checks them; undefined for the default set. */
  private fields(names: readonly string[] | undefined, all: ReadonlyMap<string, FieldModel>, hidden: ReadonlySet<string>): FieldModel[] | undefined {
    if (!names || names.length === 0) return undefined;
    const bad = names.filter((n) => !exportable(all.get(n), hidden));
    if (bad.length) throw new ValidationError(bad.map((n) => ({ field: 'fields', rule: 'unknown-field', message: `No field "${n}" to export` })));
    return [...new Set(names)].map((n) => all.get(n)!);
  }
}
