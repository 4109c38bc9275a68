import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { base64url, cellKey, fromBase64url, importTopicSecret } from '../src/kms/crypto';
import { CLOCK_SKEW_MS, openPing, sealPing } from '../src/kms/ping';
import { BadRequest, type Ping } from '../src/kms/rpc';

const contract = JSON.parse(readFileSync(new URL('./vectors/ats-contract.json', import.meta.url), 'utf8'));
const vector = contract.ping;
const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));
const plain = JSON.parse(vector.plaintext_utf8);
const ping: Ping = { id: vector.id, lat: plain.lat, lon: plain.lon, text: plain.text, ts: vector.sealed_at_ms, ttl: vector.ttl_seconds };
const during = ping.ts + 1000;

async function keyFor(secret: string, cell: string): Promise<CryptoKey> {
  return cellKey(await importTopicSecret(new TextEncoder().encode(secret)), cell);
}

function withByte(payload: string, index: number, xor: number): string {
  const bytes = fromBase64url(payload);
  bytes[index] ^= xor;
  return base64url(bytes);
}

describe('ping sealing v2 matches the contract vector', () => {
  it('seals the vector ping to the vector payload with the vector key, and opens it', async () => {
    const key = await keyFor(vector.topic_secret_utf8, vector.cell);
    expect(await sealPing(key, vector.tag, vector.cell, ping, hex(vector.nonce_hex))).toBe(vector.payload_b64url);
    // The derived key is not extractable: the vector's key, imported, must seal to the same bytes.
    const raw = await crypto.subtle.importKey('raw', hex(vector.key_hex), 'AES-GCM', false, ['encrypt', 'decrypt']);
    expect(await sealPing(raw, vector.tag, vector.cell, ping, hex(vector.nonce_hex))).toBe(vector.payload_b64url);
    expect(await openPing(key, vector.tag, vector.cell, vector.id, vector.payload_b64url, during)).toEqual(ping);
  });

  it('a fresh ping round-trips with a random nonce, and two seals differ', async () => {
    const key = await keyFor('lost_pet', 'u4pr');
    const fresh = { ...ping, ts: Date.now(), ttl: 15 };
    const one = await sealPing(key, 'RX5W3rHz12AQYqG2nIPS3R', 'u4pr', fresh);
    expect(one).not.toBe(await sealPing(key, 'RX5W3rHz12AQYqG2nIPS3R', 'u4pr', fresh));
    expect(await openPing(key, 'RX5W3rHz12AQYqG2nIPS3R', 'u4pr', fresh.id, one)).toEqual(fresh);
  });
});

describe('a relay cannot show a ping again under another label', () => {
  const refusal = /not sealed with this topic key for this tag, cell, id and time/;

  it.each([
    ['a new event id', { id: 'a-brand-new-event-id' }],
    ['an event id one character off', { id: vector.id.slice(0, -1) + '9' }],
    ['another topic tag', { tag: 'RX5W3rHz12AQYqG2nIPS3R' }],
    ['another cell, opened with that cell\'s key', { cell: 'dqcm', cellKeyToo: true }],
    ['another cell, with the original cell\'s key', { cell: 'dqcm' }],
  ])('refuses the vector payload relabelled with %s', async (_, change: { id?: string; tag?: string; cell?: string; cellKeyToo?: boolean }) => {
    const cell = change.cell ?? vector.cell;
    const key = await keyFor(vector.topic_secret_utf8, change.cellKeyToo ? cell : vector.cell);
    await expect(openPing(key, change.tag ?? vector.tag, cell, change.id ?? vector.id, vector.payload_b64url, during))
      .rejects.toThrow(refusal);
  });

  it('refuses a re-dated or re-timed header: the time and ttl are bound to the seal', async () => {
    const key = await keyFor(vector.topic_secret_utf8, vector.cell);
    // sealedAt is bytes 1-8, big-endian: moving it by 1 ms or 256 ms keeps it in its window, so only the seal refuses it.
    for (const index of [7, 8]) {
      await expect(openPing(key, vector.tag, vector.cell, vector.id, withByte(vector.payload_b64url, index, 0x01), during))
        .rejects.toThrow(refusal);
    }
    await expect(openPing(key, vector.tag, vector.cell, vector.id, withByte(vector.payload_b64url, 12, 0x01), during))
      .rejects.toThrow(BadRequest); // ttl 300 -> 301: out of range; 0x02 below gives an in-range forged ttl
    await expect(openPing(key, vector.tag, vector.cell, vector.id, withByte(vector.payload_b64url, 12, 0x08), during))
      .rejects.toThrow(refusal); // ttl 300 -> 292
  });

  it('refuses every single-bit change anywhere in the payload', async () => {
    const key = await keyFor(vector.topic_secret_utf8, vector.cell);
    const length = fromBase64url(vector.payload_b64url).length;
    for (let index = 0; index < length; index++) {
      for (const bit of [0x01, 0x80]) {
        await expect(openPing(key, vector.tag, vector.cell, vector.id, withByte(vector.payload_b64url, index, bit), during))
          .rejects.toThrow(BadRequest);
      }
    }
  });
});

describe('stale and future pings are refused before decryption', () => {
  const key = () => keyFor(vector.topic_secret_utf8, vector.cell);
  const last = ping.ts + ping.ttl * 1000 + CLOCK_SKEW_MS;

  it('opens inside [sealedAt - skew, sealedAt + ttl + skew)', async () => {
    for (const now of [ping.ts - CLOCK_SKEW_MS, ping.ts, last - 1]) {
      expect((await openPing(await key(), vector.tag, vector.cell, vector.id, vector.payload_b64url, now)).text).toBe(ping.text);
    }
  });

  it.each([
    ['at the end of its ttl and skew', last, /stale/],
    ['an hour later', ping.ts + 3_600_000, /stale/],
    ['a year later', ping.ts + 365 * 86_400_000, /stale/],
    ['before the skew allows', ping.ts - CLOCK_SKEW_MS - 1, /in the future/],
  ])('refuses it %s', async (_, now, reason) => {
    await expect(openPing(await key(), vector.tag, vector.cell, vector.id, vector.payload_b64url, now)).rejects.toThrow(reason);
  });

  it('refuses a ttl over the cap even when sealed with the key', async () => {
    const k = await key();
    // A sealer with the key cannot make a ping live past the cap either: the header's ttl is checked.
    const sealed = fromBase64url(await sealPing(k, vector.tag, vector.cell, { ...ping, ttl: 300 }));
    new DataView(sealed.buffer).setUint32(9, 86_400);
    await expect(openPing(k, vector.tag, vector.cell, vector.id, base64url(sealed), during)).rejects.toThrow(/ttl 86400 s is not 1-300/);
  });
});

describe('format versions', () => {
  it('refuses the v1 vector payload, naming the format', async () => {
    const key = await keyFor(vector.topic_secret_utf8, vector.cell);
    const v1 = contract.ping_v1_refused.payload_b64url;
    expect(fromBase64url(v1)[0]).not.toBe(2);
    await expect(openPing(key, vector.tag, vector.cell, vector.id, v1, during)).rejects.toThrow(/v1 pings are refused/);
  });

  it('a v1 payload given a v2 first byte does not open either', async () => {
    const key = await keyFor(vector.topic_secret_utf8, vector.cell);
    const v1 = fromBase64url(contract.ping_v1_refused.payload_b64url);
    v1[0] = 2;
    new DataView(v1.buffer).setBigUint64(1, BigInt(ping.ts));
    new DataView(v1.buffer).setUint32(9, 300);
    await expect(openPing(key, vector.tag, vector.cell, vector.id, base64url(v1), during)).rejects.toThrow(BadRequest);
  });

  it('refuses a payload too short to hold a header, a nonce and a tag', async () => {
    const key = await keyFor(vector.topic_secret_utf8, vector.cell);
    await expect(openPing(key, vector.tag, vector.cell, vector.id, base64url(new Uint8Array(40)), during)).rejects.toThrow(/too short/);
  });
});
