import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { Api } from '../support/platform';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface Download {
  status: number;
  headers: Headers;
  body: Buffer;
  json: any;
}

/** GET or POST an export and keep the bytes. */
export async function download(api: Api, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Download> {
  const h: Record<string, string> = { authorization: `Bearer ${api.token}`, ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  const res = await fetch(api.base + url, { method: body === undefined ? 'GET' : 'POST', headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const buf = Buffer.from(await res.arrayBuffer());
  const json = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(buf.toString('utf8')) : undefined;
  return { status: res.status, headers: res.headers, body: buf, json };
}

/** POST a file as the raw body. */
export async function upload(api: Api, url: string, file: Buffer | string, type = XLSX): Promise<{ status: number; body: any }> {
  const data = typeof file === 'string' && !file.includes('\n') && fs.existsSync(file) ? fs.readFileSync(file) : typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
  const res = await fetch(api.base + url, { method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': type }, body: data });
  const text = await res.text();
  return { status: res.status, body: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
}

/** The first worksheet's rows as arrays of cell values (column A first), read with exceljs. */
export async function readXlsx(buf: Buffer): Promise<{ name: string; rows: unknown[][]; formats: (string | undefined)[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  const rows: unknown[][] = [];
  const formats: (string | undefined)[][] = [];
  const columns = ws.columnCount;
  ws.eachRow({ includeEmpty: false }, (row) => {
    const values: unknown[] = [];
    const fmts: (string | undefined)[] = [];
    for (let c = 1; c <= columns; c++) {
      const cell = row.getCell(c);
      values.push(cell.value ?? null);
      fmts.push(cell.numFmt);
    }
    rows.push(values);
    formats.push(fmts);
  });
  return { name: ws.name, rows, formats };
}

export function readCsv(buf: Buffer): string[][] {
  return parse(buf, { bom: true, relax_column_count: true }) as string[][];
}

/** A small workbook in memory. */
export async function xlsxOf(rows: unknown[][], name = 'Sheet1'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(name);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A large workbook written row by row with the streaming writer (constant memory). */
export async function writeXlsxFile(file: string, header: string[], rows: (i: number) => unknown[], count: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: false, useSharedStrings: false });
  const ws = wb.addWorksheet('data');
  ws.addRow(header).commit();
  for (let i = 0; i < count; i++) ws.addRow(rows(i)).commit();
  ws.commit();
  await wb.commit();
}
