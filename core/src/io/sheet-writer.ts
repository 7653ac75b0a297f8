import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';
import { csvText, escapeFormula, type CellValue, type ExportColumn } from './cells-out';

export type SheetFormat = 'xlsx' | 'csv';

/** Writes rows of cells to a stream, one row at a time. */
export interface SheetWriter {
  writeRow(cells: readonly CellValue[]): void;
  /** Resolves once the stream has taken what was written so far (call between pages: memory stays flat). */
  drained(): Promise<void>;
  finish(): Promise<void>;
}

async function drain(stream: Writable): Promise<void> {
  while (stream.writableNeedDrain && !stream.destroyed) await once(stream, 'drain');
}

/** Worksheet names: at most 31 characters, none of : \ / ? * [ ]. */
export const sheetName = (name: string): string => name.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31).trim() || 'Sheet1';

/**
 * A streaming xlsx workbook with one worksheet: inline strings (no shared-string table to
 * grow with the rows), the header row bold and frozen, number formats per column.
 */
export function xlsxWriter(out: Writable, name: string, columns: readonly ExportColumn[]): SheetWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName(name), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  // One style object per column, shared by its cells: exceljs resolves a style once per
  // object (a fresh object per cell costs a third of the export's time).
  const styles: Partial<ExcelJS.Style>[] = columns.map((c) => (c.numFmt ? { numFmt: c.numFmt } : {}));
  return {
    writeRow(cells) {
      const row = sheet.addRow(cells as CellValue[]);
      for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i];
      row.commit();
    },
    drained: () => drain(out),
    async finish() {
      sheet.commit();
      await workbook.commit();
    },
  };
}

/** CSV in UTF-8 with a byte-order mark (so Excel reads Chinese correctly), text cells escaped against formulas. */
export function csvWriter(out: Writable, columns: readonly ExportColumn[]): SheetWriter {
  const csv = stringify({ bom: true, record_delimiter: 'windows' });
  csv.pipe(out);
  csv.write(columns.map((c) => escapeFormula(c.header)));
  return {
    writeRow(cells) {
      csv.write(cells.map((cell, i) => csvText(cell, columns[i].field)));
    },
    async drained() {
      await drain(csv);
      await drain(out);
    },
    async finish() {
      csv.end();
      await once(csv, 'end');
    },
  };
}
