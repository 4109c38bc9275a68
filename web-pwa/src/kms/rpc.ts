// The enclave's RPC: what the app may ask, and how each request is checked before any key is touched.

import { CELL_PATTERN } from '../shared/geo';

export type Request =
  | { method: 'topic.follow'; params: { name: string } }
  | { method: 'topic.create'; params: { label: string } }
  | { method: 'topic.join'; params: { secret: string; label: string } }
  | { method: 'topic.leave'; params: { tag: string } }
  | { method: 'topic.list'; params: Record<string, never> }
  | { method: 'ping.seal'; params: { tag: string; cell: string; ping: Ping } }
  | { method: 'ping.open'; params: { tag: string; cell: string; id: string; payload: string } }
  | { method: 'vapid.publicKey'; params: Record<string, never> }
  | { method: 'vapid.sign'; params: { aud: string; exp: number } };

/** A ping: its spot and text are sealed; its event id, time and ttl are bound to the seal (ping.ts). */
export interface Ping {
  id: string;
  lat: number;
  lon: number;
  text: string;
  /** When it was sealed, epoch milliseconds. */
  ts: number;
  /** How long it lives, in seconds: a reader refuses it after ts + ttl. */
  ttl: number;
}

export interface Topic {
  tag: string;
  kind: 'public' | 'private';
  /** The public topic's name, or the label the user gave a private one. */
  label: string;
  /** A private topic's secret (base64url), for invite links; absent for public topics. */
  invite?: string;
}

export const MAX_TEXT = 280;
/** The longest a ping may live: the app's longest choice, and the relays' default max-event-ttl. */
export const MAX_PING_TTL_SECONDS = 300;
const TAG = /^[A-Za-z0-9_-]{22}$/;
const EVENT_ID = /^[A-Za-z0-9_-]{16,64}$/;
const TOPIC_NAME = /^[a-z0-9_]{1,48}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export class BadRequest extends Error {}

function need(ok: boolean, what: string): void {
  if (!ok) throw new BadRequest(what);
}

function object(value: unknown): Record<string, unknown> {
  need(typeof value === 'object' && value !== null && !Array.isArray(value), 'params must be an object');
  return value as Record<string, unknown>;
}

export function checkPing(value: unknown): Ping {
  const ping = object(value);
  need(typeof ping.id === 'string' && EVENT_ID.test(ping.id), 'ping.id must be 16-64 of [A-Za-z0-9_-]');
  need(typeof ping.lat === 'number' && ping.lat >= -90 && ping.lat <= 90, 'ping.lat must be a latitude');
  need(typeof ping.lon === 'number' && ping.lon >= -180 && ping.lon <= 180, 'ping.lon must be a longitude');
  need(typeof ping.text === 'string' && ping.text.length >= 1 && ping.text.length <= MAX_TEXT, `ping.text must be 1-${MAX_TEXT} characters`);
  need(typeof ping.ts === 'number' && Number.isSafeInteger(ping.ts) && ping.ts > 0, 'ping.ts must be epoch milliseconds');
  need(typeof ping.ttl === 'number' && Number.isSafeInteger(ping.ttl) && ping.ttl >= 1 && ping.ttl <= MAX_PING_TTL_SECONDS,
    `ping.ttl must be 1-${MAX_PING_TTL_SECONDS} seconds`);
  return { id: ping.id as string, lat: ping.lat as number, lon: ping.lon as number, text: ping.text as string, ts: ping.ts as number, ttl: ping.ttl as number };
}

/** Throws {@link BadRequest} unless {@code message} is a well-formed request. */
export function checkRequest(message: unknown): Request {
  const request = object(message);
  const params = object(request.params ?? {});
  const text = (key: string, pattern: RegExp, what: string) => {
    need(typeof params[key] === 'string' && pattern.test(params[key] as string), what);
    return params[key] as string;
  };
  switch (request.method) {
    case 'topic.follow':
      return { method: 'topic.follow', params: { name: text('name', TOPIC_NAME, 'name must be 1-48 of [a-z0-9_]') } };
    case 'topic.create':
      return { method: 'topic.create', params: { label: text('label', /^.{1,48}$/u, 'label must be 1-48 characters') } };
    case 'topic.join':
      return { method: 'topic.join', params: { secret: text('secret', SECRET, 'secret must be 32 bytes, base64url'), label: text('label', /^.{1,48}$/u, 'label must be 1-48 characters') } };
    case 'topic.leave':
      return { method: 'topic.leave', params: { tag: text('tag', TAG, 'tag must be a topic tag') } };
    case 'topic.list':
    case 'vapid.publicKey':
      return { method: request.method, params: {} };
    case 'ping.seal':
      return { method: 'ping.seal', params: { tag: text('tag', TAG, 'tag must be a topic tag'), cell: text('cell', CELL_PATTERN, 'cell must be a precision-4 geohash'), ping: checkPing(params.ping) } };
    case 'ping.open':
      return { method: 'ping.open', params: { tag: text('tag', TAG, 'tag must be a topic tag'), cell: text('cell', CELL_PATTERN, 'cell must be a precision-4 geohash'),
        id: text('id', EVENT_ID, 'id must be an event id'), payload: text('payload', /^[A-Za-z0-9_-]{55,5462}$/, 'payload must be base64url, at most 4 KiB decoded') } };
    case 'vapid.sign': {
      // Push services are https; plain http only on loopback (a local stand-in).
      const aud = text('aud', /^(https:\/\/[^/?#\s]+|http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?)$/, 'aud must be an https origin');
      need(typeof params.exp === 'number' && Number.isSafeInteger(params.exp), 'exp must be epoch seconds');
      const now = Math.floor(Date.now() / 1000);
      need((params.exp as number) > now && (params.exp as number) <= now + 24 * 3600, 'exp must be within the next 24 hours');
      return { method: 'vapid.sign', params: { aud, exp: params.exp as number } };
    }
    default:
      throw new BadRequest('unknown method');
  }
}
