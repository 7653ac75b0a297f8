/**
 * What a script's host calls run against, in the API process. The engine checks the
 * script's declared capabilities and the shape of every argument before calling these;
 * implementations only do the work.
 */
import { PlinthError, type Actor, type AnyRecord, type DataContext, type Filter, type ListQuery, type ListResult } from '@plinth/sdk';
import type { ScriptDictionaryItem, ScriptNotification } from '@plinth/sdk';

/** Who is calling `scripts.call`: the script name and how deep the chain already is. */
export interface ScriptCaller {
  script: string;
  depth: number;
}

export interface ScriptHost {
  /** Who the script acts as (its `ctx.actor`). */
  readonly actor: Actor;
  listRecords(entity: string, query: ListQuery): Promise<ListResult<AnyRecord>>;
  getRecord(entity: string, id: number, query: Pick<ListQuery, 'fields' | 'expand'>): Promise<AnyRecord>;
  countRecords(entity: string, query: { filter?: Filter }): Promise<number>;
  createRecord(entity: string, data: Record<string, unknown>): Promise<AnyRecord>;
  updateRecord(entity: string, id: number, patch: Record<string, unknown>, version: number): Promise<AnyRecord>;
  deleteRecord(entity: string, id: number): Promise<void>;
  notify(message: ScriptNotification): Promise<void>;
  getParam(code: string): Promise<unknown>;
  getDictionaryItems(code: string): Promise<ScriptDictionaryItem[]>;
  callScript(name: string, input: unknown, caller: ScriptCaller): Promise<unknown>;
}

/** A host call failure the script sees as `{ message, code }`. */
export class ScriptHostError extends PlinthError {
  constructor(code: string, message: string, status = 400) {
    super(status, code, message);
  }
}

/**
 * The platform services behind notify, params, dictionaries and scripts.call; missing ones
 * answer `unavailable`. Reads get the script's data context: its actor's permissions, and
 * the caller's transaction when there is one.
 */
export interface ScriptHostServices {
  /** Send a notification as the script's actor, in the caller's transaction; `script` names the sender (kind `script:<name>`). */
  notify?(message: ScriptNotification, data: DataContext, script: string): Promise<void>;
  getParam?(code: string, data: DataContext): Promise<unknown>;
  getDictionaryItems?(code: string, data: DataContext): Promise<ScriptDictionaryItem[]>;
  callScript?(name: string, input: unknown, caller: ScriptCaller, host: ScriptHost): Promise<unknown>;
}

/** A write a script made, as the dry run reports it. */
export interface ScriptWrite {
  op: 'create' | 'update' | 'delete';
  entity: string;
  id: number;
  /** The data sent (create) or the patch (update). */
  data?: Record<string, unknown>;
}

const unavailable = (what: string) => new ScriptHostError('unavailable', `${what} is not available on this server`, 501);

/**
 * ScriptHost over the SDK's `DataContext`: record calls go through the same record services
 * as REST (validation, and the permission layer once it lands), as the context's actor and
 * inside its transaction when it is a transaction's context.
 *
 * Calls of one run are serialised (one statement at a time on the caller's transaction);
 * pass `parallel: true` for a non-transactional context where that does not matter.
 */
export class DataContextScriptHost implements ScriptHost {
  /** Every write made through this host, in order (what a dry run would change). */
  readonly writes: ScriptWrite[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly data: DataContext,
    private readonly services: ScriptHostServices = {},
    private readonly options: { parallel?: boolean; script?: string } = {},
  ) {}

  get actor(): Actor {
    return this.data.actor;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.options.parallel) return fn();
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  listRecords(entity: string, query: ListQuery): Promise<ListResult<AnyRecord>> {
    return this.serial(() => this.data.records(entity).list(query));
  }

  getRecord(entity: string, id: number, query: Pick<ListQuery, 'fields' | 'expand'>): Promise<AnyRecord> {
    return this.serial(() => this.data.records(entity).get(id, query));
  }

  countRecords(entity: string, query: { filter?: Filter }): Promise<number> {
    return this.serial(() => this.data.records(entity).count(query));
  }

  createRecord(entity: string, data: Record<string, unknown>): Promise<AnyRecord> {
    return this.serial(async () => {
      const rec = await this.data.records(entity).create(data);
      this.writes.push({ op: 'create', entity, id: rec.id, data });
      return rec;
    });
  }

  updateRecord(entity: string, id: number, patch: Record<string, unknown>, version: number): Promise<AnyRecord> {
    return this.serial(async () => {
      const rec = await this.data.records(entity).update(id, patch, { version });
      this.writes.push({ op: 'update', entity, id, data: patch });
      return rec;
    });
  }

  deleteRecord(entity: string, id: number): Promise<void> {
    return this.serial(async () => {
      await this.data.records(entity).delete(id);
      this.writes.push({ op: 'delete', entity, id });
    });
  }

  notify(message: ScriptNotification): Promise<void> {
    const send = this.services.notify;
    if (!send) return Promise.reject(unavailable('Notification'));
    return this.serial(() => send(message, this.data, this.options.script ?? 'anonymous'));
  }

  getParam(code: string): Promise<unknown> {
    const read = this.services.getParam;
    if (!read) return Promise.reject(unavailable('Reading parameters'));
    return this.serial(() => read(code, this.data));
  }

  getDictionaryItems(code: string): Promise<ScriptDictionaryItem[]> {
    const read = this.services.getDictionaryItems;
    if (!read) return Promise.reject(unavailable('Reading dictionaries'));
    return this.serial(() => read(code, this.data));
  }

  callScript(name: string, input: unknown, caller: ScriptCaller): Promise<unknown> {
    if (!this.services.callScript) return Promise.reject(unavailable('Calling scripts'));
    return this.services.callScript(name, input, caller, this);
  }
}
