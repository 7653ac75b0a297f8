/** Plugin administration and menus in the OpenAPI document (see api/plugins.ts, api/menus.ts). */

type Json = Record<string, unknown>;

const problem = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const name = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][a-z0-9-]{1,40}$' } };
const tags = ['plugins'];
const admin = problem('Not a system administrator');

export const pluginSchemas: Json = {
  PluginProblem: { type: 'object', properties: { field: { type: 'string', description: 'The manifest field: engines.plinth, dependencies.customers, contributes.menus[1].key…' }, rule: { type: 'string' }, message: { type: 'string' } } },
  Plugin: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      builtin: { type: 'boolean' },
      status: { enum: ['enabled', 'disabled', 'available', 'failed', 'broken', 'missing'] },
      enabled: { type: 'boolean', description: "The administrator's choice; see unavailable" },
      installed: { type: 'boolean' },
      installedVersion: { type: ['string', 'null'], description: 'The version its data is in' },
      codeVersion: { type: ['string', 'null'], description: 'The version of the code deployed' },
      label: { type: ['object', 'null'] },
      description: { type: ['object', 'null'] },
      dependencies: { type: 'object', additionalProperties: { type: 'string' } },
      dependents: { type: 'array', items: { type: 'string' } },
      problems: { type: 'array', items: { $ref: '#/components/schemas/PluginProblem' } },
      failure: { type: ['object', 'null'], properties: { message: { type: 'string' }, at: { type: ['string', 'null'] } } },
      installError: { type: ['string', 'null'] },
      unavailable: { type: ['string', 'null'], description: 'Why an enabled plugin is not served; its routes and entities answer 503 with it' },
      manifest: { type: ['object', 'null'], description: 'Its plugin.json' },
    },
  },
  MenuNode: {
    type: 'object',
    properties: {
      key: { type: 'string', description: 'Stable: <plugin> or <plugin>.<name>' }, label: { type: 'object', description: 'zh-CN, en, zh-TW' }, order: { type: 'integer' }, plugin: { type: 'string' },
      icon: { type: 'string' }, path: { type: 'string' }, entity: { type: 'string' }, action: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/MenuNode' } },
    },
  },
  MenuOverlay: {
    type: 'object', additionalProperties: false,
    properties: {
      label: { type: ['object', 'null'], description: 'Languages to rename: { "zh-CN"?, "en"?, "zh-TW"? }' },
      order: { type: ['integer', 'null'] }, hidden: { type: ['boolean', 'null'] },
      version: { type: 'integer', description: 'The overlay version you read; a stale one is refused with 409' },
    },
  },
  PluginPlan: { type: 'object', properties: { install: { type: 'array', items: { type: 'string' } }, enable: { type: 'array', items: { type: 'string' } }, upgrade: { type: 'array', items: { type: 'string' } } } },
  PluginChange: { type: 'object', properties: { plugin: { $ref: '#/components/schemas/Plugin' }, plan: { $ref: '#/components/schemas/PluginPlan' } } },
};

const change = (operationId: string, summary: string, extra: Json = {}): Json => ({
  post: {
    tags, operationId, summary, parameters: [name],
    responses: { 200: json({ $ref: '#/components/schemas/PluginChange' }), 403: admin, 404: problem('No such plugin'), 409: problem('Not in a state for this (code conflict or in-use, naming the plugins that need it)'), 422: problem('Failed and rolled back, or the plugin has problems'), ...extra },
  },
});

export const pluginPaths: Json = {
  '/api/v1/menus': { get: { tags: ['menus'], operationId: 'menus', summary: "The signed-in user's menu: enabled plugins' entries, overlays applied, filtered by permission", responses: { 200: json({ type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/MenuNode' } } } }) } } },
  '/api/v1/menus/admin': { get: { tags: ['menus'], operationId: 'menusAdmin', summary: 'Every entry with its declaration and overlay (hidden ones too), and overlays whose entry is not there now', responses: { 200: json({ type: 'object' }), 403: admin } } },
  '/api/v1/menus/order': {
    put: { tags: ['menus'], operationId: 'putMenuOrder', summary: "Reorder one parent's entries at once, in one transaction: every sibling listed once, numbered 10, 20, 30 … (overlays; labels and visibility kept)", requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', minItems: 1, items: { type: 'string' } } } } } } }, responses: { 200: json({ type: 'object', properties: { data: { type: 'array', items: { type: 'object' } } } }), 400: problem('Not the siblings exactly (errors name keys[i]: unknown, not-sibling, duplicate; keys: incomplete)'), 403: admin } },
  },
  '/api/v1/menus/overlays/{key}': {
    put: { tags: ['menus'], operationId: 'putMenuOverlay', summary: "Rename, reorder or hide an entry (replaces the entry's overlay; kept across plugin upgrades)", parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/MenuOverlay' } } } }, responses: { 200: json({ type: 'object' }), 400: problem('Invalid overlay (errors name the field)'), 403: admin, 404: problem('No such entry'), 409: problem('Stale version') } },
    delete: { tags: ['menus'], operationId: 'deleteMenuOverlay', summary: 'Back to what the plugin declares', parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }], responses: { 204: { description: 'Cleared' }, 403: admin, 404: problem('No overlay') } },
  },
  '/api/v1/plugins': { get: { tags, operationId: 'listPlugins', summary: 'Every plugin: state, versions, manifest, problems (no plugin code runs)', responses: { 200: json({ type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Plugin' } } } }), 403: admin } } },
  '/api/v1/plugins/{name}': { get: { tags, operationId: 'getPlugin', summary: 'One plugin', parameters: [name], responses: { 200: json({ $ref: '#/components/schemas/Plugin' }), 403: admin, 404: problem('No such plugin') } } },
  '/api/v1/plugins/{name}/check': {
    post: { tags, operationId: 'checkPlugin', summary: 'Check a plugin from its manifest (platform version, dependencies) and say what enabling it would install, enable and upgrade', parameters: [name], responses: { 200: json({ type: 'object', properties: { name: { type: 'string' }, ok: { type: 'boolean' }, problems: { type: 'array', items: { $ref: '#/components/schemas/PluginProblem' } }, plan: { $ref: '#/components/schemas/PluginPlan' } } }), 403: admin, 404: problem('No such plugin') } },
  },
  '/api/v1/plugins/{name}/install': change('installPlugin', 'Install (dependencies first), seed once and enable, in one transaction'),
  '/api/v1/plugins/{name}/enable': change('enablePlugin', 'Enable, enabling (and installing) what it needs first; runs pending migrations'),
  '/api/v1/plugins/{name}/disable': change('disablePlugin', 'Disable: its routes, menus, grants and entities go at once on every node; data stays'),
  '/api/v1/plugins/{name}/upgrade': change('upgradePlugin', 'Run pending migrations now (retry after a failed upgrade)'),
  '/api/v1/plugins/{name}/uninstall': {
    post: {
      tags, operationId: 'uninstallPlugin', summary: 'Uninstall: removes its grants; its tables and data are kept', parameters: [name],
      responses: { 200: json({ type: 'object', properties: { plugin: { $ref: '#/components/schemas/Plugin' }, keptTables: { type: 'array', items: { type: 'string' } }, message: { type: 'string' } } }), 403: admin, 409: problem('Not installed, or enabled plugins need it') },
    },
  },
};
