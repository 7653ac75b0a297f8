import { hash, verify, Algorithm } from '@node-rs/argon2';
import type { FieldError } from '@plinth/sdk';
import type { AuthConfig, PasswordClass } from '../app/config';

// OWASP's argon2id recommendation: m=19 MiB, t=2, p=1.
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Longest password accepted anywhere (hashing cost is bounded; the login body allows 200). */
export const MAX_PASSWORD_LENGTH = 200;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A real hash to verify against when the user does not exist, so timing does not reveal it. */
let decoy: Promise<string> | null = null;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword('decoy-password-for-timing'));

const CLASS_TEST: Record<PasswordClass, { re: RegExp; message: string }> = {
  letters: { re: /\p{L}/u, message: 'must contain a letter' },
  upper: { re: /\p{Lu}/u, message: 'must contain an upper-case letter' },
  lower: { re: /\p{Ll}/u, message: 'must contain a lower-case letter' },
  digits: { re: /\p{Nd}/u, message: 'must contain a digit' },
  symbols: { re: /[^\p{L}\p{Nd}]/u, message: 'must contain a symbol (neither letter nor digit)' },
};

export interface PasswordPolicyView {
  minLength: number;
  maxLength: number;
  require: readonly PasswordClass[];
  expiryDays: number;
  history: number;
}

/** The password rules from the configuration; `check` lists every rule a password breaks. */
export class PasswordPolicy {
  constructor(private readonly config: AuthConfig) {}

  get view(): PasswordPolicyView {
    const c = this.config;
    return { minLength: c.passwordMinLength, maxLength: MAX_PASSWORD_LENGTH, require: c.passwordRequire, expiryDays: c.passwordExpiryDays, history: c.passwordHistory };
  }

  /** Rules `password` breaks (history aside: that needs the stored hashes). */
  check(password: string, username: string, field: string): FieldError[] {
    const errors: FieldError[] = [];
    const length = [...password].length;
    const err = (rule: string, message: string) => errors.push({ field, rule, message: `The password ${message}` });
    if (length < this.config.passwordMinLength) err('minLength', `must be at least ${this.config.passwordMinLength} characters long`);
    if (length > MAX_PASSWORD_LENGTH) err('maxLength', `must be at most ${MAX_PASSWORD_LENGTH} characters long`);
    for (const cls of this.config.passwordRequire) if (!CLASS_TEST[cls].re.test(password)) err(cls, CLASS_TEST[cls].message);
    if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) err('username', 'must not contain the username');
    return errors;
  }

  /** Whether a password set at `changedAt` (ms) has expired at `now`. */
  expired(changedAt: number, now: number): boolean {
    return this.config.passwordExpiryDays > 0 && now >= changedAt + this.config.passwordExpiryDays * 86_400_000;
  }

  /** Whether `password` matches any of `hashes` (checked concurrently). */
  static async reused(password: string, hashes: readonly string[]): Promise<boolean> {
    const results = await Promise.all(hashes.map((h) => verifyPassword(h, password)));
    return results.some(Boolean);
  }
}
