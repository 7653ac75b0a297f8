import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse';
import iconv from 'iconv-lite';
import yauzl from 'yauzl';
import { HttpError } from '../app/errors';
import type { SheetFormat } from './sheet-writer';

/** One row of a sheet: its number as a spreadsheet shows it (1 = first row) and its cells from column A on. */
export interface SheetRow {
  row: number;
  cells: unknown[];
}

export interface ReadOptions {
  /** xlsx: worksheet name or 1-based position; default the first. */
  sheet?: string;
  /** CSV: text encoding (utf-8, gb18030, utf-16le…); default detected. */
  encoding?: string;
  /** CSV: field delimiter; default detected from the first line (comma, semicolon or tab). */
  delimiter?: string;
}

/** What the reader found out about the file while reading it. */
export interface SheetInfo {
  format: SheetFormat;
  /** xlsx: the worksheet read and the worksheets seen. */
  sheet?: string;
  sheets?: string[];
  /** CSV: the encoding and delimiter used. */
  encoding?: string;
  delimiter?: string;
}

const unsupported = (message: string) => new HttpError(415, 'unsupported-file', message);
const badFile = (message: string) => new HttpError(400, 'bad-file', message);

/** Decide the format from the file's first bytes (never from its name or declared type alone). */
export async function detectFormat(file: string): Promise<SheetFormat> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'xlsx';
    if (bytes.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
      throw unsupported('Excel 97–2003 workbooks (.xls) are not supported: save the file as .xlsx or CSV');
    }
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    if (!utf16 && bytes.includes(0)) throw unsupported('The file is not a spreadsheet: send an .xlsx workbook or a CSV file');
    return 'csv';
  } finally {
    await handle.close();
  }
}

/**
 * Check an xlsx file's directory before parsing it: it must be a workbook, and its parts
 * must not inflate beyond `maxUnpacked` bytes (a small zip can expand enormously).
 */
export function checkWorkbook(file: string, maxUnpacked: number): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(badFile('The file is not a valid xlsx workbook (the zip cannot be read)'));
      let total = 0;
      let workbook = false;
      zip.on('error', () => reject(badFile('The file is not a valid xlsx workbook (the zip cannot be read)')));
      zip.on('entry', (entry: yauzl.Entry) => {
        total += entry.uncompressedSize;
        if (entry.fileName === 'xl/workbook.xml') workbook = true;
        if (total > maxUnpacked) {
          zip.close();
          return reject(new HttpError(413, 'too-large', `The workbook unpacks to more than ${maxUnpacked} bytes`));
        }
        zip.readEntry();
      });
      zip.on('end', () => (workbook ? resolve() : reject(unsupported('The file is a zip archive but not an xlsx workbook'))));
      zip.readEntry();
    });
  });
}

async function* utf8(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

type ReaderInternals = {
  _parseRels(entry: NodeJS.ReadableStream): Promise<void>;
  _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Generator<{ eventType: string; value: unknown }>;
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncGenerator<{ eventType: string; value: unknown }>;
  _parseWorkbook(entry: NodeJS.ReadableStream): Promise<void>;
  workbookRels?: { Id: string; Target: string }[];
};
type ParseEvent = { eventType: string; value: unknown };
const Base = ExcelJS.stream.xlsx.WorkbookReader as unknown as new (input: unknown, options: Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>) => ExcelJS.stream.xlsx.WorkbookReader & ReaderInternals;

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => (err || !zip ? reject(err) : resolve(zip))));
}

function zipEntries(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, yauzl.Entry>();
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

function entryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err) : resolve(stream))));
}

/**
 * exceljs 4.4.0's streaming reader, fed from the file on disk in the order it needs.
 *
 * Its own `parse` reads the zip front to back and parks every worksheet that comes before
 * the shared strings (which is where exceljs itself writes them) in a `tmp` file; those
 * files race with its cleanup and leak when reading stops early. With random access
 * (yauzl) the relations, workbook and shared strings are read first, then the worksheets
 * in tab order, straight from the zip.
 *
 * It also decodes each chunk of a part on its own, so a Chinese character split between
 * two chunks turns into U+FFFD (exceljs issues #2084, #2316; unfixed upstream): parts are
 * decoded here with a decoder that carries partial characters over. Overrides internal
 * methods of the pinned version.
 */
class WorkbookFileReader extends Base {
  constructor(private readonly file: string, options: Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>) {
    super(file, options);
  }

  override async *parse(): AsyncGenerator<ParseEvent> {
    const zip = await openZip(this.file);
    try {
      const entries = await zipEntries(zip);
      const part = (name: string) => {
        const entry = entries.get(name);
        return entry ? entryStream(zip, entry) : undefined;
      };
      const rels = await part('xl/_rels/workbook.xml.rels');
      if (rels) await this._parseRels(rels);
      const workbook = await part('xl/workbook.xml');
      if (workbook) await this._parseWorkbook(workbook);
      const strings = await part('xl/sharedStrings.xml');
      if (strings) yield* this._parseSharedStrings(strings);
      for (const sheetNo of this.sheetNumbers(entries)) {
        const sheet = (await part(`xl/worksheets/sheet${sheetNo}.xml`))!;
        try {
          yield* this._parseWorksheet(sheet, sheetNo);
        } finally {
          sheet.destroy(); // unread when the caller skipped this sheet
        }
      }
    } finally {
      zip.close();
    }
  }

  /** Worksheet part numbers in tab order (the workbook's sheet list), then any the list misses. */
  private sheetNumbers(entries: Map<string, yauzl.Entry>): string[] {
    const inZip = [...entries.keys()].map((name) => /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(name)?.[1]).filter((n): n is string => n !== undefined);
    const model = (this as unknown as { model?: { sheets?: { rId: string }[] } }).model;
    const byTab = (model?.sheets ?? [])
      .map((sheet) => (this.workbookRels ?? []).find((rel) => rel.Id === sheet.rId)?.Target)
      .map((target) => (target ? /(?:^|\/)worksheets\/sheet(\d+)\.xml$/.exec(target)?.[1] : undefined))
      .filter((n): n is string => n !== undefined && inZip.includes(n));
    return [...byTab, ...inZip.filter((n) => !byTab.includes(n))];
  }

  override async *[Symbol.asyncIterator](): AsyncGenerator<ExcelJS.stream.xlsx.WorksheetReader> {
    for await (const { eventType, value } of this.parse()) {
      if (eventType === 'worksheet') yield value as ExcelJS.stream.xlsx.WorksheetReader;
    }
  }

  override _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Generator<ParseEvent> {
    return super._parseWorksheet(utf8(iterator), sheetNo);
  }
  override _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncGenerator<ParseEvent> {
    entry.setEncoding('utf8');
    return super._parseSharedStrings(entry);
  }
  override _parseWorkbook(entry: NodeJS.ReadableStream): Promise<void> {
    entry.setEncoding('utf8');
    return super._parseWorkbook(entry);
  }
}

async function* xlsxRows(file: string, options: ReadOptions, info: SheetInfo): AsyncGenerator<SheetRow> {
  // Styles are not read (4× faster): a date cell arrives as its serial number, and the
  // field it is mapped to says whether that number is a date.
  const reader = new WorkbookFileReader(file, { sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
  const wanted = options.sheet;
  info.sheets = [];
  let position = 0;
  let found = false;
  try {
    for await (const sheet of reader) {
      position++;
      const name = (sheet as unknown as { name: string }).name;
      info.sheets.push(name);
      if (found || (wanted !== undefined && wanted !== name && wanted !== String(position))) continue;
      found = true;
      info.sheet = name;
      for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
        const values = row.values as unknown[];
        yield { row: row.number, cells: values.slice(1) };
      }
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw badFile(`The workbook could not be read: ${(err as Error).message}`);
  }
  if (!found) throw badFile(wanted === undefined ? 'The workbook has no worksheet' : `The workbook has no worksheet "${wanted}" (it has ${info.sheets.join(', ')})`);
}

const ENCODINGS = ['utf-8', 'utf8', 'gb18030', 'gbk', 'gb2312', 'big5', 'utf-16le', 'utf-16be', 'latin1'];

/** UTF-8 (with or without BOM) when the start of the file is valid UTF-8, UTF-16 by BOM, else GB18030 (Excel's "CSV" on Chinese Windows). */
async function sniffCsv(file: string): Promise<{ encoding: string; firstLine: string }> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    let encoding = 'gb18030';
    if (head[0] === 0xff && head[1] === 0xfe) encoding = 'utf-16le';
    else if (head[0] === 0xfe && head[1] === 0xff) encoding = 'utf-16be';
    else {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
        encoding = 'utf-8';
      } catch {
        // not UTF-8
      }
    }
    const text = iconv.decode(head, encoding).replace(/^\uFEFF/, '');
    return { encoding, firstLine: text.split(/\r?\n/, 1)[0] ?? '' };
  } finally {
    await handle.close();
  }
}

function guessDelimiter(line: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, line.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}

async function* csvRows(file: string, options: ReadOptions, info: SheetInfo): AsyncGenerator<SheetRow> {
  const sniffed = await sniffCsv(file);
  const encoding = (options.encoding ?? sniffed.encoding).toLowerCase();
  if (!ENCODINGS.includes(encoding)) throw badFile(`Unknown encoding "${options.encoding}"; use one of ${ENCODINGS.join(', ')}`);
  const delimiter = options.delimiter ?? guessDelimiter(sniffed.firstLine);
  info.encoding = encoding;
  info.delimiter = delimiter;
  const input = fs.createReadStream(file);
  const decoded = encoding === 'utf-8' || encoding === 'utf8' ? input : input.pipe(iconv.decodeStream(encoding));
  const parser = decoded.pipe(parseCsv({ bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, max_record_size: 1_048_576 }));
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      yield { row, cells: record };
    }
  } catch (err) {
    throw badFile(`The CSV file could not be read (around row ${row + 1}): ${(err as Error).message}`);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/** The rows of an uploaded spreadsheet, streamed; `info` is filled in as the file is read. */
export function readRows(file: string, format: SheetFormat, options: ReadOptions, info: SheetInfo): AsyncGenerator<SheetRow> {
  info.format = format;
  return format === 'xlsx' ? xlsxRows(file, options, info) : csvRows(file, options, info);
}
