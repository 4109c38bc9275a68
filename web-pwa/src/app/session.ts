// Sign-in by email code or link, tokens that refresh themselves, sign-out (main server API, docs/protocol.md).

interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token runs out. */
  expiresAt: number;
}

const KEY = 'ats.session';

export class Problem extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function call<T>(path: string, body: unknown, bearer?: string): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body ?? {}),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) throw new Problem(response.status, json.detail ?? json.title ?? `HTTP ${response.status}`);
  return json as T;
}

export class Session {
  private tokens: Tokens | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<void> | null = null;
  onChange: (signedIn: boolean) => void = () => undefined;

  constructor() {
    const saved = localStorage.getItem(KEY);
    if (saved) {
      try {
        this.tokens = JSON.parse(saved);
      } catch {
        localStorage.removeItem(KEY);
      }
    }
  }

  get signedIn(): boolean {
    return this.tokens !== null;
  }

  /** Refreshes now if the saved access token has run out (or is about to). */
  async resume(): Promise<void> {
    if (!this.tokens) return;
    if (this.tokens.expiresAt - Date.now() < 60_000) await this.refresh();
    else this.schedule();
  }

  start(email: string): Promise<unknown> {
    return call('/v1/auth/email/start', { email });
  }

  async verifyCode(email: string, code: string): Promise<void> {
    this.keep(await call('/v1/auth/email/verify', { email, code }));
  }

  async verifyLink(token: string): Promise<void> {
    this.keep(await call('/v1/auth/email/verify', { token }));
  }

  /** A valid access token, refreshed first when it is about to run out. */
  async accessToken(): Promise<string> {
    if (!this.tokens) throw new Problem(401, 'not signed in');
    if (this.tokens.expiresAt - Date.now() < 30_000) await this.refresh();
    return this.tokens!.accessToken;
  }

  /** A token for relays: short-lived, naming no one (ATS-DESIGN section 2). */
  async relayToken(): Promise<string> {
    return (await call<{ token: string }>('/v1/relay-tokens', {}, await this.accessToken())).token;
  }

  async signOut(): Promise<void> {
    const tokens = this.tokens;
    this.clear();
    if (tokens) await call('/v1/auth/logout', { refreshToken: tokens.refreshToken }).catch(() => undefined);
  }

  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        this.keep(await call('/v1/auth/refresh', { refreshToken: this.tokens!.refreshToken }));
      } catch (e) {
        if (e instanceof Problem && e.status >= 400 && e.status < 500) this.clear();
        throw e;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private keep(pair: { accessToken: string; refreshToken: string; expiresIn: number }): void {
    this.tokens = { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: Date.now() + pair.expiresIn * 1000 };
    localStorage.setItem(KEY, JSON.stringify(this.tokens));
    this.schedule();
    this.onChange(true);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.tokens) return;
    const wait = Math.max(5_000, this.tokens.expiresAt - Date.now() - 60_000);
    this.timer = setTimeout(() => this.refresh().catch(() => undefined), wait);
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.tokens = null;
    localStorage.removeItem(KEY);
    this.onChange(false);
  }
}
