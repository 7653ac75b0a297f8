import { ValidationError } from '@plinth/sdk';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(tz, f);
  }
  return f;
}

/** Check an IANA time zone name (`Asia/Shanghai`, `UTC`); 400 naming the parameter otherwise. */
export function checkTimeZone(tz: string, field = 'tz'): string {
  try {
    formatter(tz);
    return tz;
  } catch {
    throw new ValidationError([{ field, rule: 'enum', message: `${field} must be an IANA time zone such as Asia/Shanghai or UTC` }]);
  }
}

const QUARTER_HOUR = 900_000;
const offsets = new Map<string, number>();

/** The zone's offset from UTC at instant `utcMs`, in milliseconds (zones change offset on quarter hours at most: cached per quarter hour). */
function offsetAt(tz: string, utcMs: number): number {
  const key = `${tz}|${Math.floor(utcMs / QUARTER_HOUR)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size > 100_000) offsets.clear();
    offset = computeOffset(tz, Math.floor(utcMs / QUARTER_HOUR) * QUARTER_HOUR);
    offsets.set(key, offset);
  }
  return offset;
}

function computeOffset(tz: string, utcMs: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/**
 * Wall-clock times are carried as "UTC milliseconds" of the local reading
 * (2026-01-02 09:00 in Shanghai ↔ Date.UTC(2026, 0, 2, 9)): that is how spreadsheets store
 * them, without a zone.
 */
export const utcToWall = (tz: string, utcMs: number): number => utcMs + offsetAt(tz, utcMs);

export function wallToUtc(tz: string, wallMs: number): number {
  const first = wallMs - offsetAt(tz, wallMs);
  return wallMs - offsetAt(tz, first);
}

const EXCEL_EPOCH_DAYS = 25569; // 1970-01-01 as an Excel serial (1900 date system)
const DAY = 86_400_000;

/** Excel serial number (days since 1899-12-30, fraction = time of day) → wall-clock ms. */
export const excelSerialToWall = (serial: number): number => Math.round((serial - EXCEL_EPOCH_DAYS) * DAY);

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Wall-clock ms → `YYYY-MM-DD`. */
export function wallDate(wallMs: number): string {
  const d = new Date(wallMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Wall-clock ms → `YYYY-MM-DD HH:mm:ss`. */
export function wallDateTime(wallMs: number): string {
  const d = new Date(wallMs);
  return `${wallDate(wallMs)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A calendar date, or null when y/m/d is not one (2026-02-30). */
export function calendarDate(y: number, m: number, d: number): string | null {
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (y < 1 || y > 9999 || back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return null;
  return wallDate(ms);
}
