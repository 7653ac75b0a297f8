/** Demo data is dated relative to a fixed day, so every run produces the same rows. */
export const DEMO_TODAY = Date.UTC(2026, 10, 1);

const DAY = 86_400_000;

/** `YYYY-MM-DD` of a UTC timestamp. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function daysAgo(days: number): number {
  return DEMO_TODAY - days * DAY;
}

/** A birth date for someone `age` full years old on DEMO_TODAY. */
export function birthDateAtAge(age: number, dayOfYear: number): string {
  const today = new Date(DEMO_TODAY);
  const birthday = Date.UTC(today.getUTCFullYear() - age - 1, today.getUTCMonth(), today.getUTCDate() + 1);
  return isoDate(birthday + (dayOfYear % 365) * DAY);
}
