import type { FieldError } from '@plinth/sdk';

/** Widgets a desktop may show, in the order a new user gets them. */
export const DESKTOP_WIDGETS = ['recent', 'todo', 'messages', 'links'] as const;
export type DesktopWidget = (typeof DESKTOP_WIDGETS)[number];

/** At most this many columns; a phone shows them one under another. */
export const MAX_DESKTOP_COLUMNS = 3;

/**
 * The preference `desktop.layout`: `{ "columns": [["recent"], ["todo", "messages"]] }` —
 * one to three columns, each the widgets it shows from top to bottom; a widget in no
 * column is not shown.
 */
export interface DesktopLayout {
  columns: DesktopWidget[][];
}

const isWidget = (w: unknown): w is DesktopWidget => typeof w === 'string' && (DESKTOP_WIDGETS as readonly string[]).includes(w);

/** Why `value` is not a desktop layout: errors naming the place (`value.columns[1][0]`) and the rule. */
export function desktopLayoutErrors(value: unknown): FieldError[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ field: 'value', rule: 'type', message: 'A desktop layout is { "columns": [[widget, …], …] }' }];
  const errors: FieldError[] = [];
  for (const k of Object.keys(value)) if (k !== 'columns') errors.push({ field: `value.${k}`, rule: 'unknown', message: 'A desktop layout has columns only' });
  const columns = (value as { columns?: unknown }).columns;
  if (!Array.isArray(columns) || columns.length < 1 || columns.length > MAX_DESKTOP_COLUMNS) {
    errors.push({ field: 'value.columns', rule: 'length', message: `columns is a list of 1 to ${MAX_DESKTOP_COLUMNS} columns` });
    return errors;
  }
  const seen = new Set<string>();
  columns.forEach((column, c) => {
    if (!Array.isArray(column)) return errors.push({ field: `value.columns[${c}]`, rule: 'type', message: 'A column is a list of widgets' });
    column.forEach((w, i) => {
      const at = `value.columns[${c}][${i}]`;
      if (!isWidget(w)) errors.push({ field: at, rule: 'enum', message: `A widget is one of ${DESKTOP_WIDGETS.join(', ')}` });
      else if (seen.has(w)) errors.push({ field: at, rule: 'unique', message: `${w} is placed twice` });
      else seen.add(w);
    });
    return undefined;
  });
  return errors;
}

/**
 * The layout a user's desktop shows: their `desktop.layout`, else their widget choice
 * (`desktop.widgets`, the older preference) in one flowing column, else every widget.
 * A stored value that no longer fits (a widget removed since) is cleaned, never refused.
 */
export function desktopLayoutOf(layout: unknown, widgets: unknown): { columns: DesktopWidget[][]; chosen: boolean } {
  if (layout !== undefined && desktopLayoutErrors(layout).length === 0) return { columns: (layout as DesktopLayout).columns.map((c) => [...c]), chosen: true };
  const list = Array.isArray(widgets) ? [...new Set(widgets.filter(isWidget))] : [...DESKTOP_WIDGETS];
  return { columns: [list], chosen: false };
}
