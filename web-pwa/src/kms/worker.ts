// The enclave's worker: every key operation happens here, on keys that never leave it.

import { base64url, cellKey, fromBase64url, importTopicSecret, newVapidKeys, privateTopicName, signVapid, topicTag, vapidPublicKey } from './crypto';
import { openPing, sealPing } from './ping';
import { BadRequest, checkRequest, type Request, type Topic } from './rpc';
import { keys, topics, type StoredTopic } from './store';

const cellKeys = new Map<string, Promise<CryptoKey>>();

function keyFor(topic: StoredTopic, cell: string): Promise<CryptoKey> {
  const id = `${topic.tag}/${cell}`;
  let key = cellKeys.get(id);
  if (!key) {
    if (cellKeys.size > 4096) cellKeys.clear();
    key = cellKey(topic.secret, cell);
    cellKeys.set(id, key);
  }
  return key;
}

async function topic(tag: string): Promise<StoredTopic> {
  const found = await topics.get(tag);
  if (!found) throw new BadRequest('no such topic here');
  return found;
}

function shown(topic: StoredTopic): Topic {
  return { tag: topic.tag, kind: topic.kind, label: topic.label, ...(topic.invite ? { invite: topic.invite } : {}) };
}

async function addPrivate(secret: Uint8Array, label: string): Promise<Topic> {
  const stored: StoredTopic = { tag: await topicTag(privateTopicName(secret)), kind: 'private', label, secret: await importTopicSecret(secret), invite: base64url(secret) };
  await topics.put(stored);
  return shown(stored);
}

let vapid: Promise<CryptoKeyPair> | undefined;

function vapidKeys(): Promise<CryptoKeyPair> {
  vapid ??= keys.get('vapid').then(async (pair) => {
    if (pair) return pair;
    const made = await newVapidKeys();
    await keys.put('vapid', made);
    return made;
  });
  return vapid;
}

async function handle(request: Request): Promise<unknown> {
  switch (request.method) {
    case 'topic.follow': {
      const { name } = request.params;
      const stored: StoredTopic = { tag: await topicTag(name), kind: 'public', label: name, secret: await importTopicSecret(new TextEncoder().encode(name)) };
      await topics.put(stored);
      return shown(stored);
    }
    case 'topic.create':
      return addPrivate(crypto.getRandomValues(new Uint8Array(32)), request.params.label);
    case 'topic.join':
      return addPrivate(fromBase64url(request.params.secret), request.params.label);
    case 'topic.leave':
      await topics.remove(request.params.tag);
      for (const id of cellKeys.keys()) if (id.startsWith(request.params.tag + '/')) cellKeys.delete(id);
      return {};
    case 'topic.list':
      return (await topics.all()).map(shown);
    case 'ping.seal': {
      const { tag, cell, ping } = request.params;
      return { payload: await sealPing(await keyFor(await topic(tag), cell), tag, cell, ping) };
    }
    case 'ping.open': {
      const { tag, cell, id, payload } = request.params;
      return { ping: await openPing(await keyFor(await topic(tag), cell), tag, cell, id, payload) };
    }
    case 'vapid.publicKey':
      return { publicKey: await vapidPublicKey(await vapidKeys()) };
    case 'vapid.sign':
      return { jwt: await signVapid(await vapidKeys(), request.params) };
  }
}

self.onmessage = async (event: MessageEvent) => {
  const id = event.data?.id;
  try {
    const result = await handle(checkRequest(event.data));
    self.postMessage({ id, result });
  } catch (e) {
    const message = e instanceof BadRequest ? e.message : 'internal error';
    self.postMessage({ id, error: e instanceof BadRequest ? 'bad_request' : 'internal', message });
  }
};
