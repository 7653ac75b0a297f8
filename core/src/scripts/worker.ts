/**
 * Entry of a script worker process (forked by WorkerPool with --no-node-snapshot). Hosts
 * a few isolates; the API process sends runs and host-call answers, the worker sends host
 * calls and results. If isolated-vm aborts this process, the pool replaces it.
 */
import os from 'node:os';
import type { FromWorker, ToWorker } from './protocol';

interface WorkerConfig {
  isolates: number;
  /** Scheduling priority (nice, 0–19) of this process and the threads it starts (isolates run on them). */
  niceness?: number;
  maxRunsPerIsolate?: number;
  scriptCacheSize?: number;
  cpuCheckMs?: number;
}

function send(msg: FromWorker): void {
  if (process.connected) process.send!(msg);
}

const config = JSON.parse(process.env.PLINTH_SCRIPT_WORKER ?? '{"isolates":2}') as WorkerConfig;
delete process.env.PLINTH_SCRIPT_WORKER;

// Yield the CPU to the API process and the database: a script that spins slows requests
// that run scripts, not the others. Set before isolated-vm starts its threads, which inherit it.
if (config.niceness) {
  try {
    os.setPriority(0, config.niceness);
  } catch {
    /* not permitted here: run at normal priority */
  }
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Sandbox } = require('./sandbox') as typeof import('./sandbox');

const sandbox = new Sandbox({
  isolates: Math.max(1, config.isolates),
  maxRunsPerIsolate: config.maxRunsPerIsolate,
  scriptCacheSize: config.scriptCacheSize,
  cpuCheckMs: config.cpuCheckMs,
  send,
  onCatastrophicError(message) {
    // isolated-vm: the process state is unrecoverable; say so and stop at once. stderr is a
    // pipe (written synchronously on Linux), so the pool reads the reason from there.
    try {
      process.stderr.write(`[plinth script worker] catastrophic isolated-vm error: ${message}\n`);
      send({ t: 'fatal', message });
    } finally {
      // SIGKILL rather than abort(): no core dump per hostile script.
      process.kill(process.pid, 'SIGKILL');
    }
  },
});

process.on('message', (msg: ToWorker) => {
  if (msg.t === 'run') {
    sandbox.run(msg).then(send, (err: unknown) => {
      // Not expected: the sandbox turns every failure into an outcome. Stop rather than guess.
      process.stderr.write(`[plinth script worker] run ${msg.id} failed unexpectedly: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(70);
    });
  } else if (msg.t === 'host-reply') {
    sandbox.hostReply(msg);
  }
});

// The API process went away, or stops the pool: nothing left to serve.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

sandbox.prewarm();
send({ t: 'ready', pid: process.pid });
