'use strict';
/**
 * The platform for bench/io.js, with a memory probe: it samples its own RSS and V8 heap
 * every few milliseconds (and the live heap after a full collection every second) and answers the parent over IPC — `{ cmd: 'reset' }` (collect
 * garbage, take a baseline, clear the peaks) and `{ cmd: 'report' }` (baseline and peaks
 * since the reset). Run with --expose-gc.
 */
const path = require('node:path');
const { Writable } = require('node:stream');
const ROOT = path.resolve(__dirname, '..');
const { Platform, loadConfig, createLogger } = require(path.join(ROOT, 'core', 'dist', 'index.js'));

let baseline = { rss: 0, heap: 0, live: 0 };
let peak = { rss: 0, heap: 0, live: 0 };

function sample() {
  const m = process.memoryUsage();
  if (m.rss > peak.rss) peak.rss = m.rss;
  if (m.heapUsed > peak.heap) peak.heap = m.heapUsed;
}
setInterval(sample, 5).unref();
// The heap in use includes garbage not yet collected, which grows with the work done until
// V8 collects it. What is actually held: the heap right after a full collection, once a second.
setInterval(() => {
  global.gc();
  const live = process.memoryUsage().heapUsed;
  if (live > peak.live) peak.live = live;
}, 1000).unref();

process.on('message', (msg) => {
  if (msg.cmd === 'reset') {
    for (let i = 0; i < 3; i++) global.gc();
    const m = process.memoryUsage();
    baseline = { rss: m.rss, heap: m.heapUsed, live: m.heapUsed };
    peak = { ...baseline };
    process.send({ cmd: 'reset', baseline });
  } else if (msg.cmd === 'report') {
    sample();
    process.send({ cmd: 'report', baseline, peak });
  }
});

(async () => {
  const config = loadConfig();
  const quiet = createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() }));
  const platform = await Platform.start(config, { logger: process.env.BENCH_VERBOSE ? createLogger('warn') : quiet });
  process.send({ cmd: 'ready', port: platform.port });
  const stop = async () => {
    await platform.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('disconnect', () => void stop());
})().catch((err) => {
  process.stderr.write(`io-server: ${err.stack || err}\n`);
  process.exit(1);
});
