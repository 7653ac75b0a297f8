/** A browser-like client for page tests: logs in with the session cookie, follows no redirects. */
export class PageClient {
  private cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  get csrf(): string {
    return this.cookies.get('plinth_csrf') ?? '';
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value === '' || /Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async login(username: string, password: string): Promise<void> {
    const res = await fetch(`${this.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, cookie: true }) });
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status}`);
    this.keep(res);
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; location: string | null }> {
    const res = await fetch(this.base + path, { headers: { cookie: this.header(), ...headers }, redirect: 'manual' });
    this.keep(res);
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location') };
  }

  /** A JSON API call with the cookie and the CSRF header, as the page scripts make it. */
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(this.base + path, {
      method,
      headers: { cookie: this.header(), 'x-csrf-token': this.csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    this.keep(res);
    const text = await res.text();
    return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  }
}

/** The JSON a page hands to its scripts. */
export function pageData(html: string): Record<string, any> {
  const m = /<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no page data');
  return JSON.parse(m[1]) as Record<string, any>;
}
