/**
 * The plugin manifest: `plugin.json` in the plugin's folder. It is plain data, read and
 * validated before any of the plugin's code runs, so administrators can list and check
 * plugins without executing them. The code's `definePlugin` must agree with it (name,
 * version, dependencies, entities), or the plugin is refused.
 */
import type { I18nText } from './fields';

/** A menu entry. Keys are stable (an administrator's changes to a menu are kept by key). */
export interface MenuDef {
  /** `<plugin>` or `<plugin>.<name>`: `customers`, `customers.list`. */
  key: string;
  label: I18nText;
  /** Key of the entry this one sits under (any plugin's); top level when absent or not present. */
  parent?: string;
  /** Position among its siblings, ascending (default 100). */
  order?: number;
  icon?: string;
  /** Client route the entry opens. */
  path?: string;
  /** The entity this entry shows; the entry is visible to users allowed `action` on it. */
  entity?: string;
  /** Default `read`. */
  action?: string;
}

export interface ManifestRole {
  code: string;
  label: I18nText;
  description?: I18nText;
}

/** A custom action on an entity, granted like the standard ones (`approve`, `escalate`…). */
export interface ManifestPermission {
  entity: string;
  action: string;
  label: I18nText;
}

/** A form, flow or portal block the plugin ships (consumed by the modules that run them). */
export interface ManifestItem {
  name: string;
  label?: I18nText;
  /** JSON definition, relative to the plugin folder. */
  file?: string;
}

export interface PluginManifest {
  /** Editor help: `"$schema": "../../sdk/plugin.schema.json"` (the JSON Schema below). Ignored by the platform. */
  $schema?: string;
  /** Lower-case letters, digits, "-": `customers`. */
  name: string;
  /** Semantic version of the plugin's code. */
  version: string;
  label: I18nText;
  description?: I18nText;
  /** `plinth`: the platform versions this plugin works with, as a semver range (`^0.1.0`). */
  engines: { plinth: string };
  /** Plugins this one needs, with the versions it works with: `{ "customers": "^1.0.0" }`. */
  dependencies?: Readonly<Record<string, string>>;
  contributes?: {
    /** Names of the entities the code declares. */
    entities?: readonly string[];
    /** Entities of other plugins the code adds fields to. */
    extends?: readonly string[];
    menus?: readonly MenuDef[];
    roles?: readonly ManifestRole[];
    permissions?: readonly ManifestPermission[];
    forms?: readonly ManifestItem[];
    flows?: readonly ManifestItem[];
    portalBlocks?: readonly ManifestItem[];
    /** JSON Schema of the plugin's settings (an object). */
    settings?: Readonly<Record<string, unknown>>;
  };
}

const I18N = {
  type: 'object',
  required: ['zh-CN', 'en'],
  additionalProperties: false,
  properties: {
    'zh-CN': { type: 'string', minLength: 1, maxLength: 500 },
    en: { type: 'string', minLength: 1, maxLength: 500 },
    'zh-TW': { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;

export const PLUGIN_NAME_PATTERN = '^[a-z][a-z0-9-]{1,40}$';
const ENTITY_NAME = { type: 'string', pattern: '^[a-z][a-zA-Z0-9]{0,63}$' } as const;
const ITEM = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_.-]{0,99}$' }, label: I18N, file: { type: 'string', minLength: 1, maxLength: 300 } },
} as const;

/** JSON Schema (draft 2019-09 subset) of plugin.json; the platform adds the checks a schema cannot express. */
export const PLUGIN_MANIFEST_SCHEMA = {
  type: 'object',
  required: ['name', 'version', 'label', 'engines'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: PLUGIN_NAME_PATTERN },
    version: { type: 'string', minLength: 1, maxLength: 32 },
    label: I18N,
    description: I18N,
    engines: { type: 'object', required: ['plinth'], additionalProperties: false, properties: { plinth: { type: 'string', minLength: 1, maxLength: 100 } } },
    dependencies: { type: 'object', propertyNames: { pattern: PLUGIN_NAME_PATTERN }, additionalProperties: { type: 'string', minLength: 1, maxLength: 100 } },
    contributes: {
      type: 'object',
      additionalProperties: false,
      properties: {
        entities: { type: 'array', items: ENTITY_NAME, uniqueItems: true },
        extends: { type: 'array', items: ENTITY_NAME, uniqueItems: true },
        menus: {
          type: 'array',
          items: {
            type: 'object',
            required: ['key', 'label'],
            additionalProperties: false,
            properties: {
              key: { type: 'string', pattern: '^[a-z][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)*$', maxLength: 100 },
              label: I18N,
              parent: { type: 'string', maxLength: 100 },
              order: { type: 'integer', minimum: -100000, maximum: 100000 },
              icon: { type: 'string', maxLength: 100 },
              path: { type: 'string', maxLength: 300 },
              entity: ENTITY_NAME,
              action: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9]{0,63}$' },
            },
          },
        },
        roles: {
          type: 'array',
          items: {
            type: 'object',
            required: ['code', 'label'],
            additionalProperties: false,
            properties: { code: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_-]{0,63}$' }, label: I18N, description: I18N },
          },
        },
        permissions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['entity', 'action', 'label'],
            additionalProperties: false,
            properties: { entity: ENTITY_NAME, action: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9]{0,63}$' }, label: I18N },
          },
        },
        forms: { type: 'array', items: ITEM },
        flows: { type: 'array', items: ITEM },
        portalBlocks: { type: 'array', items: ITEM },
        settings: { type: 'object' },
      },
    },
  },
} as const;
