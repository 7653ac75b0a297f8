import type { EnumOption, I18nText } from './fields';

/** The kinds of field an admin can add at runtime. */
export const CUSTOM_FIELD_TYPES = [
  'text',
  'longText',
  'integer',
  'number',
  'money',
  'date',
  'datetime',
  'boolean',
  'choice',
  'multiChoice',
  'reference',
  'user',
  'department',
  'file',
  'files',
] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/**
 * A custom field as an admin defines it (admin API, configuration packages, designer).
 * The platform turns it into a field definition and a real column (or a join table).
 */
export interface CustomFieldSpec {
  /** camelCase API name, unique in the entity (also among removed, unpurged fields). */
  name: string;
  type: CustomFieldType;
  label: I18nText;
  help?: I18nText;
  required?: boolean;
  unique?: boolean;
  /** Create an index (filters and sorts on it stay fast on large tables). */
  indexed?: boolean;
  default?: unknown;
  /** Bounds: numbers for integer/number/money, `YYYY-MM-DD` for dates. */
  min?: number | string;
  max?: number | string;
  /** text: ECMAScript regular expression the whole value must match. */
  pattern?: string;
  /** text (≤ 255, default 255) and longText (default 65,535): most characters. */
  maxLength?: number;
  /** number: decimal places (0–6, default 2). */
  scale?: number;
  /** choice/multiChoice: a dictionary's code, or inline options. */
  dictionary?: string;
  options?: readonly EnumOption[];
  /** reference: the entity referenced. */
  target?: string;
  /** file/files: accepted MIME types. */
  accept?: readonly string[];
  /**
   * The stored script (kind `computed`) that computes the value on every save. The field is
   * then read-only to clients: a value they send is refused (400, rule `readonly`).
   */
  computedBy?: string;
  /** Display order among the entity's fields (plugin fields are numbered 10, 20, 30 …). */
  position?: number;
}

/** A custom field as the admin API returns it. */
export interface CustomFieldInfo extends CustomFieldSpec {
  entity: string;
  status: 'active' | 'removed';
  version: number;
  createdAt: string;
  updatedAt: string;
}
