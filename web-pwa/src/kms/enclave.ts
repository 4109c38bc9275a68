// The enclave page: the app frames it and talks to it by postMessage. Only the app origin from
// the enclave's own configuration is answered (never one taken from the URL); everything else is
// dropped unanswered. The keys live in the worker.

interface Config {
  appOrigin: string;
}

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
/** Requests in flight at once; the app keeps below it (kms.ts), anything past it is refused. */
const MAX_PENDING = 256;
const pending = new Map<number, { reply: (data: unknown) => void }>();
let next = 1;

worker.onmessage = (event: MessageEvent) => {
  const waiting = pending.get(event.data.id);
  if (waiting) {
    pending.delete(event.data.id);
    waiting.reply(event.data);
  }
};

async function start(): Promise<void> {
  const config: Config = await (await fetch('./config.json', { cache: 'no-cache' })).json();
  const appOrigin = new URL(config.appOrigin).origin;
  window.addEventListener('message', (event: MessageEvent) => {
    if (event.origin !== appOrigin || event.source !== window.parent) return;
    const callerId = event.data?.id;
    if (typeof callerId !== 'number') return;
    if (pending.size >= MAX_PENDING) {
      window.parent.postMessage({ ats: 'kms', id: callerId, error: 'busy', message: 'too many requests in flight' }, appOrigin);
      return;
    }
    const id = next++;
    pending.set(id, {
      reply: (data) => {
        const { id: _ignored, ...answer } = data as Record<string, unknown>;
        window.parent.postMessage({ ats: 'kms', id: callerId, ...answer }, appOrigin);
      },
    });
    worker.postMessage({ id, method: event.data.method, params: event.data.params });
  });
  window.parent.postMessage({ ats: 'kms', ready: true }, appOrigin);
}

start().catch(() => undefined);
