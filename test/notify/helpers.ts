import { Api, type TestPlatform } from '../support/platform';

export const PASSWORD = 'Notify-Test-Pass-1';

export interface Person {
  id: number;
  api: Api;
}

async function ok<T = any>(res: Promise<{ status: number; body: T }>, status = 201): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Users in one department (some with a role), each with a logged-in client. */
export async function people(t: TestPlatform, names: string[], roles: Record<string, string> = {}): Promise<{ department: number; users: Record<string, Person> }> {
  const dept = await ok(t.api.post('/api/v1/departments', { name: `部门${Date.now()}`, kind: 'department', parent: null }));
  const users: Record<string, Person> = {};
  for (const name of names) {
    const u = await ok(t.api.post('/api/v1/users', { username: name, displayName: name, department: dept.id }));
    await t.platform.sessions.setPassword(u.id, PASSWORD);
    const role = roles[name];
    if (role) {
      let r = (await t.api.get(`/api/v1/roles?filter[code]=${role}`)).body.data[0];
      r ??= await ok(t.api.post('/api/v1/roles', { code: role, name: role }));
      await ok(t.api.post('/api/v1/userRoles', { user: u.id, role: r.id }));
    }
    const api = new Api(t.platform.url);
    await api.login(name, PASSWORD);
    users[name] = { id: u.id, api };
  }
  return { department: dept.id, users };
}

export interface StreamEvent {
  unread: number;
  newest: { id: number; kind: string; title: string; link: string | null } | null;
}

/** A client of the notification stream (Server-Sent Events over fetch), collecting its events. */
export class EventStream {
  readonly events: StreamEvent[] = [];
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  status = 0;

  static async open(base: string, token: string): Promise<EventStream> {
    const s = new EventStream();
    const res = await fetch(`${base}/api/v1/me/notifications/stream`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: s.abort.signal });
    s.status = res.status;
    if (res.status !== 200 || !res.body) return s;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    s.done = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (block.includes('event: notifications') && data) s.events.push(JSON.parse(data.slice(6)) as StreamEvent);
          }
        }
      } catch {
        // aborted
      }
    })();
    return s;
  }

  /** Wait for an event that satisfies `test` (one already received counts). */
  async next(test: (e: StreamEvent) => boolean, timeoutMs = 5_000): Promise<StreamEvent> {
    const start = Date.now();
    for (;;) {
      const found = this.events.find(test);
      if (found) return found;
      if (Date.now() - start > timeoutMs) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
