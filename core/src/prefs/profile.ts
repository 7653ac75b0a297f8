import { ValidationError, type Actor, type FieldError } from '@plinth/sdk';
import type { RecordStore } from '../services/records';
import { isLanguage } from '../render/i18n';

export const PROFILE_FIELDS = ['nickname', 'signature', 'avatar', 'language', 'theme'] as const;
const READ_FIELDS = ['id', 'version', 'username', 'displayName', 'email', 'mobile', ...PROFILE_FIELDS];

/**
 * A user's own profile (PER-02): the fields anyone may change about themselves, whatever
 * their rights on user records. Written through the record service (validation, audit,
 * optimistic locking) with the rights of the user on their own record only.
 */
export class Profiles {
  constructor(
    private readonly store: () => RecordStore,
    private readonly themes: () => readonly string[],
  ) {}

  private self(actor: Actor) {
    return this.store().service('user', { userId: actor.userId, username: actor.username, isAdmin: true, origin: actor.origin });
  }

  async get(actor: Actor): Promise<Record<string, unknown>> {
    return this.self(actor).get(actor.userId!, { fields: READ_FIELDS });
  }

  async update(actor: Actor, body: unknown): Promise<Record<string, unknown>> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'The body must be a JSON object' }]);
    const b = body as Record<string, unknown>;
    const errors: FieldError[] = [];
    for (const k of Object.keys(b)) {
      if (k !== 'version' && !(PROFILE_FIELDS as readonly string[]).includes(k)) errors.push({ field: k, rule: 'unknown', message: `${k} is not part of the profile (${PROFILE_FIELDS.join(', ')})` });
    }
    if (b.language !== undefined && !isLanguage(b.language)) errors.push({ field: 'language', rule: 'enum', message: 'language is zh-CN, zh-TW or en' });
    if (b.theme !== undefined && b.theme !== null && !this.themes().includes(b.theme as string)) errors.push({ field: 'theme', rule: 'enum', message: `theme is one of ${this.themes().join(', ')}` });
    if (!Number.isInteger(b.version)) errors.push({ field: 'version', rule: 'required', message: 'Send the version you read' });
    if (errors.length) throw new ValidationError(errors);
    const { version, ...patch } = b;
    await this.self(actor).update(actor.userId!, patch, { version: version as number });
    return this.get(actor);
  }
}
