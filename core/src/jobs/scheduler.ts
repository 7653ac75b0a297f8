import { Cron } from 'croner';
import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import type { Actor, JobInput } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { Logger } from '../app/logger';
import { toDbDateTime } from '../data/codec';
import type { ScriptRuntime } from '../scripts/runtime';
import type { StoredScript } from '../scripts/repository';
import type { RecordStore } from '../services/records';
import { ServiceDataContext } from '../services/context';

/** One row per (job, scheduled time): the node that inserts it runs the job. */
export const jobFireSchema = new EntitySchema({
  name: 'PlinthJobFire',
  tableName: 'plinth_job_fires',
  properties: {
    job: { type: 'string', length: 100, primary: true },
    scheduledAt: { type: 'string', length: 30, primary: true, fieldName: 'scheduled_at' },
    firedAt: { type: 'string', length: 30, fieldName: 'fired_at' },
  },
} as unknown as EntitySchemaMetadata<Record<string, unknown>>);

/** `target` of a job script: a cron expression (5 or 6 fields), optionally `| <IANA time zone>`. */
export function parseSchedule(target: string | null): { cron: string; timeZone?: string } | null {
  if (!target) return null;
  const [cron, zone] = target.split('|').map((s) => s.trim());
  return cron ? { cron, ...(zone ? { timeZone: zone } : {}) } : null;
}

const RELOAD_MS = 5_000;

/**
 * Runs the enabled `job` scripts on their cron schedules. Every node (on MySQL/MariaDB;
 * the embedded database serves one node) schedules every job;
 * for each fire time exactly one node runs it — the one whose claim row insert succeeds —
 * so several nodes (and restarts) never run a fire twice. Jobs run as the system actor,
 * in one transaction each.
 */
export class JobScheduler {
  private readonly crons = new Map<string, { key: string; cron: Cron }>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly runtime: ScriptRuntime,
    private readonly store: RecordStore,
    private readonly db: Executor,
    private readonly system: Actor,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch((err: unknown) => this.log.error({ err: String(err) }, 'job reload failed')), RELOAD_MS);
    this.timer.unref();
  }

  /** Match the cron timers to the enabled job scripts (other nodes may have changed them). */
  async reload(): Promise<void> {
    if (this.stopped) return;
    const jobs = await this.runtime.find('job');
    const seen = new Set<string>();
    for (const script of jobs) {
      const schedule = parseSchedule(script.target);
      if (!schedule) continue;
      seen.add(script.name);
      const key = `${script.version}|${script.target}`;
      if (this.crons.get(script.name)?.key === key) continue;
      this.crons.get(script.name)?.cron.stop();
      try {
        const cron = new Cron(schedule.cron, { timezone: schedule.timeZone, protect: true }, (self: Cron) => {
          const at = self.currentRun() ?? new Date();
          this.track(this.fire(script, at, schedule));
        });
        this.crons.set(script.name, { key, cron });
      } catch (err) {
        this.log.error({ job: script.name, err: String(err) }, 'invalid job schedule');
      }
    }
    for (const [name, entry] of this.crons) {
      if (!seen.has(name)) {
        entry.cron.stop();
        this.crons.delete(name);
      }
    }
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private async fire(script: StoredScript, at: Date, schedule: { cron: string; timeZone?: string }): Promise<void> {
    if (this.stopped) return;
    const scheduledAt = new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString();
    try {
      await this.db.run('INSERT INTO plinth_job_fires (job, scheduled_at, fired_at) VALUES (?, ?, ?)', [script.name, toDbDateTime(scheduledAt), toDbDateTime(new Date().toISOString())]);
    } catch (err) {
      if (this.db.dialect.classify(err)?.kind !== 'unique') this.log.error({ job: script.name, scheduledAt, err: (err as Error).message }, 'could not claim a job run');
      return; // a unique violation: another node has it
    }
    const input: JobInput = { scheduledAt, cron: schedule.cron, ...(schedule.timeZone ? { timeZone: schedule.timeZone } : {}) };
    try {
      await this.db.transaction((tx) => this.runtime.runScript(script, input, { data: new ServiceDataContext(this.store, this.system, tx), trigger: 'job' }));
    } catch (err) {
      this.log.warn({ job: script.name, scheduledAt, err: (err as Error).message }, 'job failed');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const { cron } of this.crons.values()) cron.stop();
    this.crons.clear();
    await Promise.allSettled([...this.running]);
  }
}
