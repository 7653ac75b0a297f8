/**
 * npm run rotate-keys — re-encrypt field values under the current ENCRYPTION_KEY.
 * Run with the same environment as the platform, with the old key(s) in
 * ENCRYPTION_KEYS_PREVIOUS. See docs/security.md.
 */
import { loadConfig } from '../app/config';
import { createLogger } from '../app/logger';
import { Platform } from '../app/platform';
import { rotateEncryptedFields } from '../crypto/rotate';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const platform = await Platform.start(config, { logger: log, listen: false });
  try {
    const report = await rotateEncryptedFields(platform.db, platform.meta, platform.store.keyring!);
    for (const r of report) process.stdout.write(`${r.entity}.${r.field}: ${r.reencrypted} value(s) re-encrypted\n`);
  } finally {
    await platform.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`rotate-keys failed: ${(err as Error).message}\n`);
  process.exit(1);
});
