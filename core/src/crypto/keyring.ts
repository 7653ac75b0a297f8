import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../app/config';

const PREFIX = 'enc:v1:';

interface Key {
  id: string;
  secret: Buffer;
}

const keyId = (secret: Buffer) => createHash('sha256').update(secret).digest('hex').slice(0, 8);

function parseSecret(variable: string, raw: string): Buffer {
  const s = raw.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (buf.length !== 32) throw new ConfigError(variable, '32 bytes, as 64 hex digits or base64', '***');
  return buf;
}

/**
 * Keys for field encryption at rest: AES-256-GCM with the current key; older keys are
 * kept to read what they encrypted until `npm run rotate-keys` has re-encrypted it.
 * Equality lookups use a blind index: HMAC-SHA256 under a separate index key, so the
 * database can match values it cannot read.
 */
export class Keyring {
  private readonly byId: Map<string, Key>;

  constructor(
    private readonly current: Key,
    previous: readonly Key[],
    private readonly indexKey: Buffer,
  ) {
    this.byId = new Map([current, ...previous].map((k) => [k.id, k]));
  }

  /**
   * From ENCRYPTION_KEY (+ ENCRYPTION_KEYS_PREVIOUS, ENCRYPTION_INDEX_KEY). Without them, a
   * key file is created in the data folder on first start (fine for one node; set the
   * variables for several nodes and keep the key out of backups of the database).
   */
  static load(env: Record<string, string | undefined>, dataDir: string): { keyring: Keyring; generatedFile: string | null } {
    let generatedFile: string | null = null;
    let currentRaw = env.ENCRYPTION_KEY;
    let indexRaw = env.ENCRYPTION_INDEX_KEY;
    if (!currentRaw) {
      const file = path.join(dataDir, 'encryption-keys.json');
      if (!fs.existsSync(file)) {
        fs.mkdirSync(dataDir, { recursive: true });
        fs.writeFileSync(file, JSON.stringify({ key: randomBytes(32).toString('base64'), indexKey: randomBytes(32).toString('base64') }), { mode: 0o600 });
        generatedFile = file;
      }
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; indexKey: string };
      currentRaw = stored.key;
      indexRaw ??= stored.indexKey;
    }
    const current = parseSecret('ENCRYPTION_KEY', currentRaw);
    const previous = (env.ENCRYPTION_KEYS_PREVIOUS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((raw) => parseSecret('ENCRYPTION_KEYS_PREVIOUS', raw));
    const index = indexRaw ? parseSecret('ENCRYPTION_INDEX_KEY', indexRaw) : Buffer.from(hkdfSync('sha256', current, Buffer.alloc(0), 'plinth blind index', 32));
    return { keyring: new Keyring({ id: keyId(current), secret: current }, previous.map((secret) => ({ id: keyId(secret), secret })), index), generatedFile };
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.secret, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.current.id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** Plain text of a stored value; values stored before encryption was enabled pass through. */
  decrypt(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const [id, data] = stored.slice(PREFIX.length).split(':');
    const key = this.byId.get(id);
    if (!key) throw new Error(`A value is encrypted with key ${id}, which is not configured (ENCRYPTION_KEYS_PREVIOUS)`);
    const raw = Buffer.from(data, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key.secret, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** The key id a stored value was encrypted with; null for plain values. */
  static keyOf(stored: string): string | null {
    return stored.startsWith(PREFIX) ? stored.slice(PREFIX.length).split(':')[0] : null;
  }

  /** Blind index of a value: equal values, equal digests; nothing else is revealed. */
  blindIndex(plain: string): string {
    return createHmac('sha256', this.indexKey).update(plain.normalize('NFC')).digest('hex');
  }
}
