// The app's side of the enclave: a hidden iframe on the KMS origin, spoken to by postMessage.
// Answers are taken from that origin and that frame only.

import type { Ping, Topic } from '../kms/rpc';

const IN_FLIGHT = 64;

export class Kms {
  private readonly frame: HTMLIFrameElement;
  private readonly origin: string;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private next = 1;
  private readonly slots: (() => void)[] = [];
  readonly ready: Promise<void>;

  constructor(kmsOrigin: string) {
    this.origin = new URL(kmsOrigin).origin;
    this.frame = document.createElement('iframe');
    this.frame.src = this.origin + '/';
    this.frame.title = 'ATS key store';
    this.frame.hidden = true;
    let ready!: () => void;
    this.ready = new Promise<void>((resolve) => (ready = resolve));
    window.addEventListener('message', (event) => {
      if (event.origin !== this.origin || event.source !== this.frame.contentWindow || event.data?.ats !== 'kms') return;
      if (event.data.ready) {
        ready();
        return;
      }
      const call = this.waiting.get(event.data.id);
      if (!call) return;
      if (event.data.error) call.reject(new Error(event.data.message));
      else call.resolve(event.data.result);
    });
    document.body.append(this.frame);
    // Opened offline, the enclave's frame failed to load: load it again once the network is back.
    let loaded = false;
    this.ready.then(() => (loaded = true));
    window.addEventListener('online', () => {
      if (!loaded) this.frame.src = this.origin + '/';
    });
  }

  private async call<T>(method: string, params: object = {}): Promise<T> {
    await this.ready;
    // A replay brings hundreds of pings at once: keep at most IN_FLIGHT requests at the enclave.
    while (this.waiting.size >= IN_FLIGHT) await new Promise<void>((resolve) => this.slots.push(resolve));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const settle = () => {
        this.waiting.delete(id);
        this.slots.shift()?.();
      };
      this.waiting.set(id, {
        resolve: (value) => { settle(); resolve(value); },
        reject: (error) => { settle(); reject(error); },
      });
      this.frame.contentWindow!.postMessage({ id, method, params }, this.origin);
    });
  }

  follow(name: string): Promise<Topic> {
    return this.call('topic.follow', { name });
  }

  create(label: string): Promise<Topic> {
    return this.call('topic.create', { label });
  }

  join(secret: string, label: string): Promise<Topic> {
    return this.call('topic.join', { secret, label });
  }

  leave(tag: string): Promise<void> {
    return this.call('topic.leave', { tag });
  }

  topics(): Promise<Topic[]> {
    return this.call('topic.list');
  }

  async seal(tag: string, cell: string, ping: Ping): Promise<string> {
    return (await this.call<{ payload: string }>('ping.seal', { tag, cell, ping })).payload;
  }

  async vapidPublicKey(): Promise<string> {
    return (await this.call<{ publicKey: string }>('vapid.publicKey')).publicKey;
  }

  async signVapid(aud: string, exp: number): Promise<string> {
    return (await this.call<{ jwt: string }>('vapid.sign', { aud, exp })).jwt;
  }

  /** The ping event {@code id} carries; the enclave refuses one relabelled, stale or not for this topic. */
  async open(tag: string, cell: string, id: string, payload: string): Promise<Ping> {
    return (await this.call<{ ping: Ping }>('ping.open', { tag, cell, id, payload })).ping;
  }
}
