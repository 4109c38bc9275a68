import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cellKey, fromBase64url, importTopicSecret, open, seal, signVapid, newVapidKeys, topicTag, vapidPublicKey } from '../src/kms/crypto';

const contract = JSON.parse(readFileSync(new URL('./vectors/ats-contract.json', import.meta.url), 'utf8'));
const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));

describe('topic tags and ping sealing match the contract vectors', () => {
  it.each(contract.topic_tags as { name: string; tag: string }[])('tag of "$name"', async ({ name, tag }) => {
    expect(await topicTag(name)).toBe(tag);
  });

  it('seals the vector ping to the vector payload, and opens it', async () => {
    const ping = contract.ping;
    const secret = await importTopicSecret(new TextEncoder().encode(ping.topic_secret_utf8));
    const key = await cellKey(secret, ping.cell);
    expect(await seal(key, ping.plaintext_utf8, hex(ping.nonce_hex))).toBe(ping.payload_b64url);
    expect(await open(key, ping.payload_b64url)).toBe(ping.plaintext_utf8);
  });

  it('refuses a payload under another cell, a flipped byte and a short payload', async () => {
    const ping = contract.ping;
    const secret = await importTopicSecret(new TextEncoder().encode(ping.topic_secret_utf8));
    await expect(open(await cellKey(secret, 'dqcm'), ping.payload_b64url)).rejects.toThrow();
    const flipped = fromBase64url(ping.payload_b64url);
    flipped[20] ^= 1;
    const { base64url } = await import('../src/kms/crypto');
    await expect(open(await cellKey(secret, ping.cell), base64url(flipped))).rejects.toThrow();
    await expect(open(await cellKey(secret, ping.cell), 'AAAA')).rejects.toThrow('too short');
  });

  it('derived keys cannot be read out', async () => {
    const secret = await importTopicSecret(new TextEncoder().encode('ice_block'));
    const key = await cellKey(secret, 'dqcj');
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });
});

describe('VAPID', () => {
  it('signs an ES256 JWT that verifies against the published key and names no one', async () => {
    const keys = await newVapidKeys();
    expect(keys.privateKey.extractable).toBe(false);
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const jwt = await signVapid(keys, { aud: 'https://push.example', exp });
    const [header, body, signature] = jwt.split('.');
    expect(JSON.parse(new TextDecoder().decode(fromBase64url(header)))).toEqual({ typ: 'JWT', alg: 'ES256' });
    expect(JSON.parse(new TextDecoder().decode(fromBase64url(body)))).toEqual({ aud: 'https://push.example', exp });
    const point = fromBase64url(await vapidPublicKey(keys));
    expect(point.length).toBe(65);
    const publicKey = await crypto.subtle.importKey('raw', point, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, fromBase64url(signature),
      new TextEncoder().encode(`${header}.${body}`));
    expect(ok).toBe(true);
  });
});
