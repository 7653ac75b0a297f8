import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type Actor, type FormDefinition } from '@plinth/sdk';
import type { AuditLog } from '../audit/log';
import type { FileInfo, FileStore } from '../files/store';
import type { FormService } from '../forms/service';
import type { FlowEngine } from './engine';
import type { EventRow, InstanceRow } from './runtime-store';

const idsIn = (v: unknown): number[] => (Array.isArray(v) ? v : [v]).filter((x): x is number => Number.isInteger(x));

/** The files of an instance: comment and decision attachments, work-report attachments, and the form's file fields. */
export function instanceFileIds(instance: InstanceRow, events: readonly EventRow[], form: FormDefinition | null): Set<number> {
  const ids = new Set<number>();
  for (const e of events) {
    for (const id of idsIn(e.detail?.attachments)) ids.add(id);
    const report = e.detail?.report as { attachments?: unknown } | undefined;
    for (const id of idsIn(report?.attachments)) ids.add(id);
  }
  for (const f of form?.fields ?? []) if (f.type === 'file') for (const id of idsIn(instance.data[f.name])) ids.add(id);
  return ids;
}

/**
 * An instance's documents (WF-11): its attachments, downloadable by whoever sees the
 * instance; archiving a finished instance, and destroying (销毁) it — the data, comments,
 * reports and attachments go, the trail keeps who did what when and a tombstone event.
 * Both are for flow administrators, written to the operation log.
 */
export class FlowDocuments {
  constructor(
    private readonly engine: FlowEngine,
    private readonly files: FileStore | null,
    private readonly forms: FormService,
    private readonly audit: AuditLog,
  ) {}

  private async formOf(instance: InstanceRow): Promise<FormDefinition | null> {
    return instance.form ? this.forms.definition(instance.form, instance.formVersion ?? undefined).catch(() => null) : null;
  }

  /** The file ids an instance holds (for whoever may see it). */
  async fileIds(actor: Actor, instanceId: number): Promise<Set<number>> {
    const instance = await this.engine.instance(actor, instanceId);
    const events = await this.engine.store.events(this.engine.store.db, instanceId);
    return instanceFileIds(instance, events, await this.formOf(instance));
  }

  /** A file of the instance, for whoever may see the instance; others (and other files) get 404. */
  async file(actor: Actor, instanceId: number, fileId: number): Promise<FileInfo> {
    const held = await this.fileIds(actor, instanceId);
    const file = held.has(fileId) && this.files ? await this.files.get(fileId) : null;
    if (!file) throw new NotFoundError(`Flow instance ${instanceId} has no file ${fileId}`);
    return file;
  }

  private async finished(actor: Actor, instanceId: number): Promise<void> {
    if (!(await this.engine.definitions.manages(actor))) throw new ForbiddenError('Only flow administrators archive or destroy flow instances');
    await this.engine.instance(actor, instanceId);
  }

  private comment(raw: unknown): string | null {
    if (raw === undefined || raw === null) return null;
    if (typeof raw !== 'string' || raw.length > 2000) throw new ValidationError([{ field: 'comment', rule: 'maxLength', message: 'comment is text of at most 2,000 characters' }]);
    return raw.trim() || null;
  }

  async archive(actor: Actor, instanceId: number, body: { comment?: unknown }): Promise<void> {
    await this.finished(actor, instanceId);
    const comment = this.comment(body.comment);
    await this.engine.within(instanceId, actor, async (run) => {
      if (run.instance.status === 'running') throw new ConflictError('conflict', 'A running instance cannot be archived; it must end first');
      if (!(await run.store.markArchived(run.tx, instanceId))) throw new ConflictError('conflict', 'The instance is already archived or destroyed');
      await run.event('instance.archived', { comment });
      await this.audit.write(run.tx, actor, { action: 'flow.archive', entity: 'flowInstance', recordId: instanceId, detail: comment });
    });
  }

  async destroy(actor: Actor, instanceId: number, body: { comment?: unknown }): Promise<void> {
    await this.finished(actor, instanceId);
    const comment = this.comment(body.comment);
    await this.engine.within(instanceId, actor, async (run) => {
      if (run.instance.status === 'running') throw new ConflictError('conflict', 'A running instance cannot be destroyed; it must end first');
      if (!(await run.store.destroyContent(run.tx, instanceId))) throw new ConflictError('conflict', 'The instance has already been destroyed');
      // The reason is kept in the operation log, not in the (tombstoned) trail.
      await run.event('instance.destroyed', null);
      await this.audit.write(run.tx, actor, { action: 'flow.destroy', entity: 'flowInstance', recordId: instanceId, detail: `${run.instance.definitionCode}: ${run.instance.title}${comment ? ` — ${comment}` : ''}` });
    });
  }
}
