import { ConfigError, loadConfig } from './app/config';
import { createLogger } from './app/logger';
import { Platform } from './app/platform';
import { PluginError } from './plugins/discovery';
import { MetadataError } from './meta/registry';

const started = process.hrtime.bigint();

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  let platform: Platform;
  try {
    platform = await Platform.start(config, { logger: log });
  } catch (err) {
    if (err instanceof PluginError || err instanceof MetadataError) {
      log.fatal(err.message);
      log.flush();
      process.stderr.write(`Cannot start: ${err.message}\n`);
      process.exit(3);
    }
    throw err;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  log.info({ port: platform.port, database: config.database.kind, plugins: platform.plugins.map((p) => p.name), startupMs: Math.round(ms) }, `Plinth ready on http://localhost:${platform.port}`);
  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await platform.close();
    log.flush();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`Cannot start: ${e.code ? `${e.code} ` : ''}${e.message ?? String(err)}\n`);
  process.exit(1);
});
