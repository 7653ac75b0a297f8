/**
 * Custom forms (自定义表单): the JSON an administrator (or the form designer, or a plugin)
 * writes to describe a form. The platform validates it on save, derives the submission
 * schema from it, computes its formulas and — for data forms — stores its records as
 * entities. Expressions (formulas, conditions) are in the platform's safe expression
 * language; see docs/forms.md.
 */
import type { EnumOption, I18nText } from './fields';

/** `data`: records stored with their own permissions, list, search and export. `workflow`: the data lives in a flow instance. */
export type FormKind = 'data' | 'workflow';

/** Aggregate shown under a detail column (the table's totals row). */
export type DetailTotal = 'sum' | 'avg' | 'min' | 'max' | 'count';

interface FormFieldBase {
  /** camelCase, unique within its level (the form, or the detail table). */
  name: string;
  label: I18nText;
  help?: I18nText;
  placeholder?: I18nText;
  /** Must hold a value when the form is submitted (if the field is visible). */
  required?: boolean;
  /** Expression: the field is required when it yields true (and the field is visible). */
  requiredWhen?: string;
  /** Expression: the field is shown — and its value kept — only when it yields true. */
  visibleWhen?: string;
  /** Expression computing the value on the server; values sent by clients are ignored. */
  formula?: string;
  /**
   * Data forms, header fields: the stored script (kind `computed`) that computes the value
   * when a record is saved, after the formulas; values sent by clients are ignored (as for
   * formulas). docs/scripts.md.
   */
  computedBy?: string;
  /** Data forms: a single-column index on the stored field. */
  index?: boolean;
  /** Data forms: at most one record may hold a given value. */
  unique?: boolean;
  /** Holds personal data: masked in the operation log. */
  sensitive?: boolean;
  /** Detail columns only: the aggregate shown in the table's totals row. */
  total?: DetailTotal;
  /** UI hint: column width (detail tables) in characters. */
  width?: number;
}

export interface StringFormField extends FormFieldBase {
  type: 'string';
  /** Maximum length in characters. Default 255. */
  length?: number;
  minLength?: number;
  /** ECMAScript regular expression (unicode mode) the whole value must match. */
  pattern?: string;
  format?: 'email' | 'uri' | 'phone';
  default?: string;
}

export interface TextFormField extends FormFieldBase {
  /** Long text. */
  type: 'text';
  /** Maximum length in characters. Default 65,535. */
  maxLength?: number;
  default?: string;
}

export interface IntegerFormField extends FormFieldBase {
  type: 'integer';
  min?: number;
  max?: number;
  default?: number;
}

export interface DecimalFormField extends FormFieldBase {
  /** `money`: precision 15, scale 2 unless given. Computed values are rounded half-up to the scale. */
  type: 'decimal' | 'money';
  precision?: number;
  scale?: number;
  min?: number;
  max?: number;
  default?: number;
}

export interface BooleanFormField extends FormFieldBase {
  type: 'boolean';
  default?: boolean;
}

export interface DateFormField extends FormFieldBase {
  /** `YYYY-MM-DD`. `default: 'today'` is the day of submission (UTC). */
  type: 'date';
  min?: string;
  max?: string;
  default?: string;
}

export interface DateTimeFormField extends FormFieldBase {
  /** ISO 8601 instant. */
  type: 'datetime';
  default?: 'now';
}

export interface ChoiceFormField extends FormFieldBase {
  /** Single or multiple choice: from inline `values` or from the dictionary `dictionary` (its enabled item codes). */
  type: 'enum';
  values?: readonly EnumOption[];
  dictionary?: string;
  /** Several values (an array of codes). */
  multiple?: boolean;
  default?: string | readonly string[];
}

export interface ReferenceFormField extends FormFieldBase {
  /** The id of a record of `entity` the submitter can read. */
  type: 'reference';
  entity: string;
}

export interface UserFormField extends FormFieldBase {
  /** A user id (a reference to `user`). */
  type: 'user';
}

export interface DepartmentFormField extends FormFieldBase {
  /** A department id (a reference to `department`). */
  type: 'department';
}

export interface FileFormField extends FormFieldBase {
  /** File ids from the platform's file store; an array with `multiple`. */
  type: 'file';
  multiple?: boolean;
}

/** A field of a form or a column of its detail table. */
export type FormValueField =
  | StringFormField
  | TextFormField
  | IntegerFormField
  | DecimalFormField
  | BooleanFormField
  | DateFormField
  | DateTimeFormField
  | ChoiceFormField
  | ReferenceFormField
  | UserFormField
  | DepartmentFormField
  | FileFormField;

/**
 * The detail table (明细表): rows of its own fields under one submission, e.g. the expense
 * lines of a reimbursement. A form has at most one. Its value is an array of row objects.
 */
export interface DetailFormField extends Pick<FormFieldBase, 'name' | 'label' | 'help' | 'visibleWhen'> {
  type: 'detail';
  fields: FormValueField[];
  /** At least one row (same as `minRows: 1`). */
  required?: boolean;
  minRows?: number;
  /** Default and upper bound 1,000. */
  maxRows?: number;
}

export type FormField = FormValueField | DetailFormField;
export type FormFieldType = FormField['type'];

export interface FormSectionItem {
  field: string;
  /** Columns this field spans in its section. Default 1. */
  span?: number;
}

export interface FormSection {
  title?: I18nText;
  /** Columns of the section's grid. Default 2. */
  columns?: number;
  /** Field names (or `{field, span}`) in order; the detail table takes a full row. */
  fields: (string | FormSectionItem)[];
  collapsed?: boolean;
}

export interface FormLayout {
  /** Fields that are in no section are shown after the last one, in definition order. */
  sections: FormSection[];
}

/** A check over the whole submission, e.g. `endDate >= startDate`; a result of false refuses it. */
export interface FormRule {
  /** Expression over the form's fields; the rule holds when it is true or empty. */
  check: string;
  /** The field the error is reported on. Default: the form as a whole. */
  field?: string;
  message: I18nText;
}

export interface FormDefinition {
  /** camelCase, unique among forms: `expense`. Data forms are stored as the entity `form<Code>`. */
  code: string;
  kind: FormKind;
  label: I18nText;
  description?: I18nText;
  /** UI hint: one submission per page (`form`, default) or spreadsheet-style entry of many rows (`grid`). */
  presentation?: 'form' | 'grid';
  fields: FormField[];
  layout?: FormLayout;
  rules?: FormRule[];
  /** The field that names a record (lists, lookups). Default: the first string field. */
  titleField?: string;
}

/** A form definition as the platform keeps it. */
export interface StoredFormDefinition {
  id: number;
  code: string;
  kind: FormKind;
  /** Optimistic-locking version; every saved change adds one. */
  version: number;
  enabled: boolean;
  /** The template it was created from, if any. */
  template: string | null;
  definition: FormDefinition;
  createdAt: string;
  createdBy: number | null;
  updatedAt: string;
  updatedBy: number | null;
}
