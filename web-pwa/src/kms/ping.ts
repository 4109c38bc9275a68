// A ping's payload, format v2 (docs/protocol.md, "Ping payloads"): what relays carry and cannot read.
//
//   payload   = base64url(0x02 || sealedAt (8 bytes, big-endian epoch ms) || ttl (4 bytes, big-endian seconds)
//                         || nonce (12) || AES-256-GCM(plaintext, aad))
//   aad       = UTF-8 of "ats-ping-v2\n" + tag + "\n" + cell + "\n" + event id + "\n" + sealedAt + "\n" + ttl
//   plaintext = JSON {"lat","lon","text"}
//
// The event's tag, cell and id and the ping's time are bound into the seal: a relay that sends an old
// payload again under a new id, another cell or another topic gets it refused, and one that sends it
// after its time gets it refused before any decryption. v1 payloads (no header, no aad) are refused.

import { base64url, fromBase64url, open, seal } from './crypto';
import { BadRequest, checkPing, MAX_PING_TTL_SECONDS, type Ping } from './rpc';

export const PING_VERSION = 2;
/** How far the sealer's clock may be from the reader's: a ping is taken this much early or late. */
export const CLOCK_SKEW_MS = 60_000;
const HEADER = 1 + 8 + 4;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The associated data: everything about a ping that travels outside its ciphertext. */
export function pingAad(tag: string, cell: string, id: string, sealedAt: number, ttl: number): Uint8Array {
  return encoder.encode(`ats-ping-v${PING_VERSION}\n${tag}\n${cell}\n${id}\n${sealedAt}\n${ttl}`);
}

/** The v2 payload of {@code ping} for event {@code ping.id} in (tag, cell); a fresh nonce unless a test gives one. */
export async function sealPing(key: CryptoKey, tag: string, cell: string, ping: Ping, nonce?: Uint8Array): Promise<string> {
  const header = new Uint8Array(HEADER);
  const view = new DataView(header.buffer);
  view.setUint8(0, PING_VERSION);
  view.setBigUint64(1, BigInt(ping.ts));
  view.setUint32(9, ping.ttl);
  const plaintext = encoder.encode(JSON.stringify({ lat: ping.lat, lon: ping.lon, text: ping.text }));
  const sealed = await seal(key, plaintext, pingAad(tag, cell, ping.id, ping.ts, ping.ttl), nonce);
  const out = new Uint8Array(HEADER + sealed.length);
  out.set(header);
  out.set(sealed, HEADER);
  return base64url(out);
}

/**
 * The ping that event {@code id} in (tag, cell) carries, or a {@link BadRequest} naming why not: not a v2
 * payload, sealed in the future, past its time ({@code sealedAt + ttl}, give or take the skew), or not
 * sealed with this key for exactly this tag, cell, id and time.
 */
export async function openPing(key: CryptoKey, tag: string, cell: string, id: string, payload: string, now = Date.now()): Promise<Ping> {
  const bytes = fromBase64url(payload);
  if (bytes.length < HEADER + 12 + 16) throw new BadRequest('payload too short for a v2 ping');
  if (bytes[0] !== PING_VERSION) throw new BadRequest(`not a v${PING_VERSION} ping (format byte ${bytes[0]}); v1 pings are refused`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sealedAt = view.getBigUint64(1);
  const ttl = view.getUint32(9);
  if (sealedAt > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadRequest('sealed time out of range');
  const ts = Number(sealedAt);
  if (ttl < 1 || ttl > MAX_PING_TTL_SECONDS) throw new BadRequest(`sealed ttl ${ttl} s is not 1-${MAX_PING_TTL_SECONDS}`);
  if (ts > now + CLOCK_SKEW_MS) throw new BadRequest(`sealed ${ts - now} ms in the future`);
  if (ts + ttl * 1000 + CLOCK_SKEW_MS <= now) throw new BadRequest(`stale: sealed ${now - ts} ms ago with a ttl of ${ttl} s`);
  let plaintext: Uint8Array;
  try {
    plaintext = await open(key, bytes.subarray(HEADER), pingAad(tag, cell, id, ts, ttl));
  } catch {
    throw new BadRequest('not sealed with this topic key for this tag, cell, id and time');
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(decoder.decode(plaintext));
  } catch {
    throw new BadRequest('sealed text is not JSON');
  }
  return checkPing({ id, lat: body?.lat, lon: body?.lon, text: body?.text, ts, ttl });
}
