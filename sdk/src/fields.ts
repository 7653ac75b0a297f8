/**
 * Field definitions: the vocabulary a plugin uses to describe its data.
 * Everything the platform derives (columns, validation, API, OpenAPI, UI) comes from these.
 */

/** A label in the languages the platform ships. zh-CN and en are required; zh-TW falls back to zh-CN. */
export interface I18nText {
  'zh-CN': string;
  en: string;
  'zh-TW'?: string;
}

interface FieldBase {
  label: I18nText;
  help?: I18nText;
  /** Must be present (and not null) when a record is created. */
  required?: boolean;
  /** At most one live or deleted record may hold a given value. */
  unique?: boolean;
  /** Create a single-column index. Use the entity's `indexes` for composite ones. */
  index?: boolean;
  /** Holds personal data (ID numbers, income…): masked in logs; the permission layer may hide it. */
  sensitive?: boolean;
  /** Computed by the plugin (in hooks), never accepted from clients. */
  readonly?: boolean;
  /**
   * Computed on every save by this stored script (kind `computed`, docs/scripts.md); such a
   * field should also be `readonly`. A missing or disabled script leaves the field as it is.
   */
  computedBy?: string;
}

export interface StringField extends FieldBase {
  type: 'string';
  /** Maximum length in characters (column size). Default 255. */
  length?: number;
  minLength?: number;
  /** ECMAScript regular expression (unicode mode) the whole value must match. */
  pattern?: string;
  format?: 'email' | 'uri' | 'phone';
  default?: string;
  /**
   * Encrypted at rest (AES-256-GCM). Only equality filters (eq, ne, in, nin, null) work on
   * it, through a blind index; it cannot be sorted or searched by pattern.
   */
  encrypted?: boolean;
}

export interface TextField extends FieldBase {
  type: 'text';
  /** Maximum length in characters. Default 65,535. */
  maxLength?: number;
  default?: string;
  /** Encrypted at rest; see StringField.encrypted. */
  encrypted?: boolean;
}

export interface IntegerField extends FieldBase {
  type: 'integer';
  min?: number;
  max?: number;
  default?: number;
}

export interface DecimalField extends FieldBase {
  /** `money` is a decimal with precision 18 and scale 2 unless given. */
  type: 'decimal' | 'money';
  precision?: number;
  scale?: number;
  min?: number;
  max?: number;
  default?: number;
}

export interface BooleanField extends FieldBase {
  type: 'boolean';
  default?: boolean;
}

export interface DateField extends FieldBase {
  /** A calendar date, `YYYY-MM-DD`. */
  type: 'date';
  min?: string;
  max?: string;
  default?: string;
}

export interface DateTimeField extends FieldBase {
  /** An instant, ISO 8601 in requests; stored in UTC, returned as `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  type: 'datetime';
  default?: 'now';
}

export interface EnumOption {
  value: string;
  label: I18nText;
}

/**
 * A choice from a fixed list (`values`) or from a dictionary maintained at runtime
 * (`dictionary`: its enabled item codes). Exactly one of the two is given. `multiple`
 * holds several choices: the value is an array, kept in a join table for filtering.
 */
export interface EnumField extends FieldBase {
  type: 'enum';
  values?: readonly EnumOption[];
  dictionary?: string;
  multiple?: boolean;
  default?: string | readonly string[];
}

/** Files from the platform's file store: the value is a file id (an array of ids when `multiple`). */
export interface FileField extends FieldBase {
  type: 'file';
  multiple?: boolean;
  /** Accepted MIME types (`image/png`, `image/*`); any when omitted. */
  accept?: readonly string[];
}

export interface JsonField extends FieldBase {
  type: 'json';
  /** Optional JSON Schema the value must satisfy. */
  schema?: Record<string, unknown>;
}

export interface ReferenceField extends FieldBase {
  /** Many-to-one: holds the id of a record of `entity`. */
  type: 'reference';
  entity: string;
  /** What purging the referenced record does. Default `restrict`. */
  onDelete?: 'restrict' | 'setNull' | 'cascade';
}

export interface CollectionField {
  /** One-to-many: the records of `entity` whose reference field `foreignKey` points here. Not a column. */
  type: 'collection';
  label: I18nText;
  entity: string;
  foreignKey: string;
}

export type FieldDef =
  | StringField
  | TextField
  | IntegerField
  | DecimalField
  | BooleanField
  | DateField
  | DateTimeField
  | EnumField
  | FileField
  | JsonField
  | ReferenceField
  | CollectionField;

export type FieldType = FieldDef['type'];

/** The TypeScript type of a field's value as the API and hooks see it. */
export type FieldValue<F extends FieldDef> = F extends StringField | TextField | DateField | DateTimeField
  ? string
  : F extends IntegerField | ReferenceField
    ? number
    : F extends DecimalField
      ? number
      : F extends BooleanField
        ? boolean
        : F extends EnumField
          ? F extends { multiple: true }
            ? EnumValue<F>[]
            : EnumValue<F>
          : F extends FileField
            ? F extends { multiple: true }
              ? number[]
              : number
          : F extends JsonField
            ? unknown
            : F extends CollectionField
              ? never
              : never;

type EnumValue<F extends EnumField> = F extends { values: readonly (infer O)[] } ? (O extends EnumOption ? O['value'] : string) : string;
