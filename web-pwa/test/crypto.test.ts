import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cellKey, fromBase64url, importTopicSecret, signVapid, newVapidKeys, topicTag, vapidPublicKey } from '../src/kms/crypto';

const contract = JSON.parse(readFileSync(new URL('./vectors/ats-contract.json', import.meta.url), 'utf8'));

describe('topic tags match the contract vectors, cell keys stay in the enclave', () => {
  it.each(contract.topic_tags as { name: string; tag: string }[])('tag of "$name"', async ({ name, tag }) => {
    expect(await topicTag(name)).toBe(tag);
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
