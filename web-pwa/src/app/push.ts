// Push: the browser's push subscription (under the enclave's VAPID key), a few VAPID JWTs the
// enclave signs for the push service's origin (no identity in them), and what the service worker
// needs to word a notification (tag -> topic label) in this origin's IndexedDB.

import type { Topic } from '../kms/rpc';
import type { Kms } from './kms';

export interface PushRegistration {
  endpoint: string;
  vapidKey: string;
  keys: { p256dh: string; auth: string };
  jwts: string[];
}

/** JWT lifetimes: a few, staggered, the longest just under the 24 hours RFC 8292 allows. */
const LIFETIMES_S = [8 * 3600, 16 * 3600, 24 * 3600 - 120];
export const RENEW_EVERY_MS = 4 * 3600 * 1000;

export async function subscribe(kms: Kms): Promise<PushRegistration> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) throw new Error('this browser has no Web Push');
  if ((await Notification.requestPermission()) !== 'granted') throw new Error('notifications are not allowed');
  const registration = await navigator.serviceWorker.ready;
  const vapidKey = await kms.vapidPublicKey();
  const subscription = (await registration.pushManager.getSubscription())
    ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64url(vapidKey) }));
  return sign(kms, subscription.toJSON() as PushSubscriptionJSON, vapidKey);
}

/** Fresh JWTs for the same subscription (run before the oldest runs out). */
export async function sign(kms: Kms, subscription: PushSubscriptionJSON, vapidKey: string): Promise<PushRegistration> {
  const endpoint = subscription.endpoint!;
  const aud = new URL(endpoint).origin;
  const now = Math.floor(Date.now() / 1000);
  const jwts = await Promise.all(LIFETIMES_S.map((s) => kms.signVapid(aud, now + s)));
  return { endpoint, vapidKey, keys: subscription.keys as { p256dh: string; auth: string }, jwts };
}

export async function unsubscribe(): Promise<void> {
  const registration = await navigator.serviceWorker?.getRegistration();
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
}

/** The labels the service worker shows ("new pings near you in #ice_block"); private topics stay unnamed. */
export async function rememberTopics(topics: Topic[]): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('ats-app', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('topics', { keyPath: 'tag' });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const store = db.transaction('topics', 'readwrite').objectStore('topics');
  store.clear();
  for (const t of topics) store.put({ tag: t.tag, label: t.kind === 'public' ? t.label : null });
  db.close();
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
