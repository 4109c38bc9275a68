// One WSS connection to the fastest of a few relays (ATS-DESIGN section 4): measure, pick,
// fail over to the next, resubscribe. Relays see tags and cells only; names stay here.

import type { PushRegistration } from './push';

export interface RelayInfo {
  relayId: string;
  name: string | null;
  url: string;
}

export interface RelayEvent {
  topic: string;
  cell: string;
  id: string;
  payload: string;
  expiresAt: number;
}

export type ConnectionState = { state: 'connecting' } | { state: 'connected'; relay: RelayInfo; rttMs: number } | { state: 'offline'; reason: string };

const CANDIDATES = 3;
const HELLO_TIMEOUT_MS = 5_000;
const HEARTBEAT_MS = 25_000;

interface Open {
  socket: WebSocket;
  relay: RelayInfo;
  rttMs: number;
}

export class RelayLink {
  private current: Open | null = null;
  private readonly wanted = new Set<string>();
  private readonly acks = new Map<string, (error?: string) => void>();
  private readonly failedAt = new Map<string, number>();
  private stopped = false;
  private attempt = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private push: { registration: PushRegistration; pairs: string[] } | null = null;
  onPush: (answer: { ok: boolean; message: string }) => void = () => undefined;
  onEvent: (event: RelayEvent) => void = () => undefined;
  onState: (state: ConnectionState) => void = () => undefined;

  constructor(private readonly list: () => Promise<RelayInfo[]>, private readonly token: () => Promise<string>) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.current?.socket.close(1000, 'signed out');
    this.current = null;
    this.wanted.clear();
  }

  get relay(): RelayInfo | null {
    return this.current?.relay ?? null;
  }

  /** Makes the subscriptions exactly {@code pairs} (each "tag/cell"), sending only the difference. */
  setSubscriptions(pairs: Set<string>): void {
    const socket = this.current?.socket;
    for (const pair of [...this.wanted]) {
      if (!pairs.has(pair)) {
        this.wanted.delete(pair);
        if (socket) send(socket, { type: 'unsubscribe', ...split(pair) });
      }
    }
    for (const pair of pairs) {
      if (!this.wanted.has(pair)) {
        this.wanted.add(pair);
        if (socket) send(socket, { type: 'subscribe', ...split(pair) });
      }
    }
  }

  /** Asks the relay to wake this device for {@code pairs} ("tag/cell") while it is offline; null forgets it. */
  setPush(registration: PushRegistration | null, pairs: string[]): void {
    const socket = this.current?.socket;
    if (!registration && this.push && socket) send(socket, { type: 'push.unregister', endpoint: this.push.registration.endpoint });
    this.push = registration ? { registration, pairs: pairs.slice(0, 64) } : null;
    if (socket) this.sendPush(socket);
  }

  private sendPush(socket: WebSocket): void {
    if (!this.push || this.push.pairs.length === 0) return;
    const { endpoint, vapidKey, keys, jwts } = this.push.registration;
    send(socket, { type: 'push.register', endpoint, vapidKey, keys, jwts, channels: this.push.pairs.map(split) });
  }

  /** Resolves on the relay's ack; rejects on its error or without a connection. */
  publish(topic: string, cell: string, id: string, ttl: number, payload: string): Promise<void> {
    const socket = this.current?.socket;
    if (!socket) return Promise.reject(new Error('not connected to a relay'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle('no answer from the relay'), 10_000);
      const settle = (error?: string) => {
        clearTimeout(timer);
        this.acks.delete(id);
        if (error) reject(new Error(error));
        else resolve();
      };
      this.acks.set(id, settle);
      send(socket, { type: 'publish', topic, cell, id, ttl, payload });
    });
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.onState({ state: 'connecting' });
    try {
      const relays = await this.list();
      const now = Date.now();
      const fresh = relays.filter((r) => now - (this.failedAt.get(r.relayId) ?? 0) > 30_000);
      const pool = shuffle(fresh.length > 0 ? fresh : relays).slice(0, CANDIDATES);
      if (pool.length === 0) throw new Error('no relay is listed');
      const token = await this.token();
      const tries = pool.map((relay) => this.open(relay, token));
      const winner = await firstFulfilled(tries);
      // The others were only measured.
      tries.forEach((t) => t.then((o) => o !== winner && o.socket.close(1000, 'another relay answered first'), () => undefined));
      this.adopt(winner);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.onState({ state: 'offline', reason });
      const wait = Math.min(15_000, 500 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
      setTimeout(() => void this.connect(), wait);
    }
  }

  /** Opens and says hello; fulfils with the round trip from opening to welcome. */
  private open(relay: RelayInfo, token: string): Promise<Open> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      let socket: WebSocket;
      try {
        socket = new WebSocket(relay.url);
      } catch (e) {
        reject(e);
        return;
      }
      const timer = setTimeout(() => fail('no welcome in time'), HELLO_TIMEOUT_MS);
      const fail = (reason: string) => {
        clearTimeout(timer);
        this.failedAt.set(relay.relayId, Date.now());
        socket.close();
        reject(new Error(`${relay.name ?? relay.relayId}: ${reason}`));
      };
      socket.onopen = () => send(socket, { type: 'hello', token, protocol: 1 });
      socket.onerror = () => fail('unreachable');
      socket.onclose = () => fail('closed');
      socket.onmessage = (message) => {
        const frame = parse(message.data);
        if (frame?.type === 'welcome') {
          clearTimeout(timer);
          socket.onerror = socket.onclose = socket.onmessage = null;
          resolve({ socket, relay, rttMs: Math.round(performance.now() - started) });
        } else {
          fail(frame?.message ?? 'refused');
        }
      };
    });
  }

  private adopt(open: Open): void {
    this.current = open;
    this.attempt = 0;
    const { socket, relay } = open;
    socket.onmessage = (message) => this.receive(parse(message.data));
    socket.onclose = () => {
      if (this.current?.socket !== socket) return;
      clearInterval(this.heartbeat);
      this.current = null;
      this.failedAt.set(relay.relayId, Date.now());
      for (const settle of this.acks.values()) settle('the relay went away');
      void this.connect();
    };
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => send(socket, { type: 'heartbeat' }), HEARTBEAT_MS);
    for (const pair of this.wanted) send(socket, { type: 'subscribe', ...split(pair) });
    this.sendPush(socket);
    this.onState({ state: 'connected', relay, rttMs: open.rttMs });
  }

  private receive(frame: any): void {
    if (!frame) return;
    if (frame.type === 'event') this.onEvent(frame as RelayEvent);
    else if (frame.type === 'ack') this.acks.get(frame.id)?.();
    else if (frame.type === 'push.registered') this.onPush({ ok: true, message: `until ${new Date(frame.expiresAt).toLocaleString()}` });
    else if (frame.type === 'error' && !frame.id && /push|VAPID|endpoint/i.test(frame.message ?? '')) this.onPush({ ok: false, message: frame.message });
    else if (frame.type === 'error' && frame.id && this.acks.has(frame.id)) this.acks.get(frame.id)!(frame.message ?? frame.code);
  }
}

function send(socket: WebSocket, frame: object): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

function split(pair: string): { topic: string; cell: string } {
  const [topic, cell] = pair.split('/');
  return { topic, cell };
}

function parse(data: unknown): any {
  try {
    return typeof data === 'string' ? JSON.parse(data) : null;
  } catch {
    return null;
  }
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function firstFulfilled<T>(promises: Promise<T>[]): Promise<T> {
  return new Promise((resolve, reject) => {
    let failed = 0;
    const reasons: string[] = [];
    for (const p of promises) {
      p.then(resolve, (e) => {
        reasons.push(e instanceof Error ? e.message : String(e));
        if (++failed === promises.length) reject(new Error(reasons.join('; ')));
      });
    }
  });
}
