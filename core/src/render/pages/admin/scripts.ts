import type { Context } from 'koa';
import { NotFoundError } from '@plinth/sdk';
import { SCRIPT_CAPABILITIES, SCRIPT_KINDS } from '../../../scripts/engine';
import type { ScriptRunStatus } from '../../../scripts/repository';
import type { ScriptRuntime } from '../../../scripts/runtime';
import { enter, idParam, sendAdmin, type AdminDeps } from './common';

const RUN_STATUSES: readonly ScriptRunStatus[] = ['ok', 'error', 'rejected', 'limit', 'unavailable'];
const NAME = /^[a-z][a-z0-9_.-]{0,99}$/;
/** Runs listed on a page of the run log (older ones page back by id). */
const RUNS_PAGE = 50;

function runtimeOf(deps: AdminDeps): ScriptRuntime {
  if (!deps.scripts) throw new NotFoundError('Scripts are not available');
  return deps.scripts;
}

/** A run as the tables show it. */
function runRow(r: Awaited<ReturnType<ScriptRuntime['runs']>>[number]) {
  return { id: r.id, script: r.script, version: r.version, status: r.status, bad: r.status !== 'ok', trigger: r.trigger, durationMs: r.durationMs, at: r.at, error: r.error ? r.error.split('\n')[0].slice(0, 300) : null, logs: r.logs.length };
}

/** /admin/scripts — every stored script (current version): kind, target, version, enabled, its last run. */
export async function scriptsPage(ctx: Context, deps: AdminDeps): Promise<void> {
  await enter(ctx, deps, 'scripts');
  const runtime = runtimeOf(deps);
  const { ws } = deps;
  const kind = typeof ctx.query.kind === 'string' && (SCRIPT_KINDS as readonly string[]).includes(ctx.query.kind) ? (ctx.query.kind as (typeof SCRIPT_KINDS)[number]) : undefined;
  const scripts = await runtime.list(kind);
  const lastRuns = await runtime.lastRuns(scripts.map((s) => s.name));
  const rows = scripts.map((s) => {
    const last = lastRuns.get(s.name);
    return { name: s.name, kind: s.kind, target: s.target, version: s.version, language: s.language, enabled: s.enabled, description: s.description, last: last ? runRow(last) : null };
  });
  const title = await ws.t(ctx, 'admin.scripts.title');
  await sendAdmin(ctx, deps, {
    page: 'scripts',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/admin-scripts.js'],
    data: { scripts: rows, kinds: SCRIPT_KINDS.map((k) => ({ value: k, selected: k === kind })) },
  });
}

/**
 * /admin/scripts/{name} (and /admin/scripts/new): the editor — a plain code textarea with
 * "check" (diagnostics with line:column), save (a new version), enable/disable, a dry run
 * with a JSON input, the versions and the recent runs. `?version=N` opens an older version.
 */
export async function scriptEditorPage(ctx: Context, deps: AdminDeps, name: string | null): Promise<void> {
  await enter(ctx, deps, 'scripts');
  const runtime = runtimeOf(deps);
  const { ws } = deps;
  if (name !== null && !NAME.test(name)) throw new NotFoundError(`No script ${name}`);
  // Read from the table, not the runtime's cache: another node may have saved a version a moment ago.
  const versions = name === null ? [] : await runtime.versions(name);
  const current = versions.length ? await runtime.version(name!, versions[0].version) : null;
  if (name !== null && !current) throw new NotFoundError(`No script ${name}`);
  const asked = idParam(ctx.query.version);
  const shown = current && asked !== null && asked !== current.version ? await runtime.version(current.name, asked) : current;
  if (asked !== null && !shown) throw new NotFoundError(`No version ${asked} of script ${name}`);
  const runs = current ? (await runtime.runs({ script: current.name, limit: 10 })).map(runRow) : [];
  const title = await ws.t(ctx, 'admin.scripts.title');
  const label = current ? current.name : await ws.t(ctx, 'admin.scripts.new');
  const script = shown
    ? { name: shown.name, kind: shown.kind, target: shown.target ?? '', language: shown.language, source: shown.source, capabilities: shown.capabilities, description: shown.description ?? '', version: shown.version, enabled: current!.enabled }
    : { name: '', kind: 'endpoint', target: '', language: 'ts', source: 'export default async function (input: EndpointInput, ctx: ScriptContext) {\n  return input;\n}\n', capabilities: ['log'], description: '', version: 0, enabled: true };
  await sendAdmin(ctx, deps, {
    page: 'script',
    title: label,
    crumbs: [{ label: title, href: '/admin/scripts' }, { label }],
    scripts: ['js/admin-scripts.js'],
    client: { script: { ...script, isNew: current === null, current: current?.version ?? null } },
    data: {
      script,
      isNew: current === null,
      old: current !== null && shown !== null && shown.version !== current.version,
      currentVersion: current?.version ?? null,
      kinds: SCRIPT_KINDS.map((k) => ({ value: k, selected: k === script.kind })),
      capabilities: SCRIPT_CAPABILITIES.map((c) => ({ value: c, checked: script.capabilities.includes(c) })),
      languages: ['ts', 'js'].map((l) => ({ value: l, selected: l === script.language })),
      versions: versions.map((v) => ({ ...v, shown: v.version === shown?.version })),
      runs,
    },
  });
}

/** /admin/script-runs?script=&status=&before= — the run log, newest first, with filters. */
export async function scriptRunsPage(ctx: Context, deps: AdminDeps): Promise<void> {
  await enter(ctx, deps, 'scripts');
  const runtime = runtimeOf(deps);
  const { ws } = deps;
  const script = typeof ctx.query.script === 'string' && NAME.test(ctx.query.script) ? ctx.query.script : '';
  const status = typeof ctx.query.status === 'string' && (RUN_STATUSES as readonly string[]).includes(ctx.query.status) ? (ctx.query.status as ScriptRunStatus) : undefined;
  const before = idParam(ctx.query.before) ?? undefined;
  const runs = await runtime.runs({ script: script || undefined, status, before, limit: RUNS_PAGE });
  const names = (await runtime.list()).map((s) => s.name);
  const older = runs.length === RUNS_PAGE ? new URLSearchParams({ ...(script ? { script } : {}), ...(status ? { status } : {}), before: String(runs[runs.length - 1].id) }).toString() : null;
  const title = await ws.t(ctx, 'admin.scripts.title');
  const runsTitle = await ws.t(ctx, 'admin.scripts.runs');
  await sendAdmin(ctx, deps, {
    page: 'script-runs',
    title: runsTitle,
    crumbs: [{ label: title, href: '/admin/scripts' }, { label: runsTitle }],
    data: {
      runs: runs.map((r) => ({ ...runRow(r), logLines: r.logs.slice(0, 20).map((l) => `${l.level} ${l.message}`), fullError: r.error })),
      scriptOptions: names.map((n) => ({ value: n, selected: n === script })),
      statusOptions: RUN_STATUSES.map((s) => ({ value: s, selected: s === status })),
      older: older ? `/admin/script-runs?${older}` : null,
    },
  });
}
