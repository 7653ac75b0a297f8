import path from 'node:path';
import { NotFoundError, type Actor, type AnyRecord, type ListQuery, type ListResult } from '@plinth/sdk';
import { ScriptEngine, type ScriptEngineOptions } from '../../core/src/scripts/engine';
import type { ScriptCaller, ScriptHost } from '../../core/src/scripts/host';
import type { ScriptCapability, ScriptKind } from '../../sdk/src/script-api';

const ROOT = path.resolve(__dirname, '../..');

/** An engine whose workers run the TypeScript sources (no build needed), with stderr kept. */
export function testEngine(options: ScriptEngineOptions = {}): { engine: ScriptEngine; stderr: () => string } {
  let stderr = '';
  const engine = new ScriptEngine({
    workers: 2,
    isolatesPerWorker: 2,
    // These tests are about behaviour, not speed: on a loaded CI machine a replaced worker
    // (TypeScript loader included) can take longer than the production default of 10 s.
    queueTimeoutMs: 30_000,
    workerPath: path.join(ROOT, 'core/src/scripts/worker.ts'),
    execArgv: ['-r', path.join(__dirname, 'ts-register.js')],
    onWorkerStderr: (_pid, text) => {
      stderr = (stderr + text).slice(-20000);
    },
    ...options,
  });
  return { engine, stderr: () => stderr };
}

let counter = 0;

/** A runnable script from source (compiled the way saving compiles it). */
export function script(engine: ScriptEngine, source: string, options: { capabilities?: ScriptCapability[]; kind?: ScriptKind; language?: 'ts' | 'js'; name?: string; typeCheck?: boolean } = {}) {
  const language = options.language ?? 'js';
  const { js } = engine.compiler.compile(source, { language, typeCheck: options.typeCheck ?? false });
  return { name: options.name ?? `test-${++counter}`, version: 1, kind: options.kind ?? 'hook', js, capabilities: options.capabilities ?? [] };
}

/** An in-memory ScriptHost that records what it was asked and how many calls ran at once. */
export class FakeHost implements ScriptHost {
  readonly actor: Actor = { userId: 7, username: 'alice', isAdmin: false };
  readonly records = new Map<number, AnyRecord>();
  readonly calls: string[] = [];
  notifications: unknown[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Delay of each record call, ms. */
  delay = 0;
  params: Record<string, unknown> = { currency: 'CNY' };
  onCallScript: (name: string, input: unknown, caller: ScriptCaller) => Promise<unknown> = async () => {
    throw new NotFoundError('no scripts here');
  };
  private nextId = 1;

  constructor(seed: Record<string, unknown>[] = []) {
    for (const r of seed) {
      const id = this.nextId++;
      this.records.set(id, { ...r, id, version: 1 });
    }
  }

  private async track<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    this.calls.push(name);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delay) await new Promise((r) => setTimeout(r, this.delay));
      return await fn();
    } finally {
      this.inFlight--;
    }
  }

  listRecords(_entity: string, query: ListQuery): Promise<ListResult<AnyRecord>> {
    return this.track('list', () => {
      const data = [...this.records.values()].slice(0, query.limit ?? 50);
      return { data, meta: { limit: query.limit ?? 50 } };
    });
  }
  getRecord(entity: string, id: number): Promise<AnyRecord> {
    return this.track('get', () => {
      const r = this.records.get(id);
      if (!r) throw new NotFoundError(`${entity} ${id} not found`);
      return r;
    });
  }
  countRecords(): Promise<number> {
    return this.track('count', () => this.records.size);
  }
  createRecord(_entity: string, data: Record<string, unknown>): Promise<AnyRecord> {
    return this.track('create', () => {
      const id = this.nextId++;
      const rec = { ...data, id, version: 1 };
      this.records.set(id, rec);
      return rec;
    });
  }
  updateRecord(entity: string, id: number, patch: Record<string, unknown>, version: number): Promise<AnyRecord> {
    return this.track('update', () => {
      const r = this.records.get(id);
      if (!r) throw new NotFoundError(`${entity} ${id} not found`);
      const next = { ...r, ...patch, id, version: version + 1 };
      this.records.set(id, next);
      return next;
    });
  }
  deleteRecord(_entity: string, id: number): Promise<void> {
    return this.track('delete', () => {
      this.records.delete(id);
    });
  }
  notify(message: unknown): Promise<void> {
    return this.track('notify', () => {
      this.notifications.push(message);
    });
  }
  getParam(key: string): Promise<unknown> {
    return this.track('param', () => this.params[key] ?? null);
  }
  getDictionaryItems(): Promise<{ code: string; label: { 'zh-CN': string; en: string }; parent: null; color: null }[]> {
    return this.track('dictionary', () => [{ code: 'a', label: { 'zh-CN': '甲', en: 'A' }, parent: null, color: null }]);
  }
  callScript(name: string, input: unknown, caller: ScriptCaller): Promise<unknown> {
    return this.track('callScript', () => this.onCallScript(name, input, caller));
  }
}
