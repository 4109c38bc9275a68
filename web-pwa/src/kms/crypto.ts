// The enclave's cryptography (ATS-DESIGN sections 2-3), on WebCrypto only. Every key made here
// is non-extractable: the worker can use it, nobody can read it out.

const encoder = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A topic's wire tag: base64url(SHA-256("ats-topic-v1\0" + name)) cut to 22 characters. */
export async function topicTag(name: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode('ats-topic-v1\0' + name));
  return base64url(new Uint8Array(digest)).slice(0, 22);
}

/** A private topic is named by its secret, so only holders of the invite can compute its tag. */
export function privateTopicName(secret: Uint8Array): string {
  return 'ats-private-v1:' + base64url(secret);
}

/** The topic secret as an HKDF key (non-extractable): the UTF-8 name of a public topic, 32 random bytes for a private one. */
export function importTopicSecret(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', secret as BufferSource, 'HKDF', false, ['deriveKey']);
}

/** The ping key for one cell: HKDF-SHA-256(ikm = topic secret, salt = cell, info = "ats-ping-v2"), AES-256-GCM. */
export function cellKey(topicSecret: CryptoKey, cell: string): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(cell), info: encoder.encode('ats-ping-v2') },
    topicSecret, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** nonce(12) || AES-256-GCM(plaintext, aad); a fresh random nonce unless a test gives one. */
export async function seal(key: CryptoKey, plaintext: Uint8Array, aad: Uint8Array, nonce?: Uint8Array): Promise<Uint8Array> {
  const iv = nonce ?? crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad as BufferSource }, key, plaintext as BufferSource));
  const out = new Uint8Array(12 + sealed.length);
  out.set(iv);
  out.set(sealed, 12);
  return out;
}

/** The plaintext of nonce(12) || ciphertext, or an error unless it was sealed with this key and exactly this aad. */
export async function open(key: CryptoKey, bytes: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < 12 + 16) throw new TypeError('payload too short');
  return new Uint8Array(await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.slice(0, 12), additionalData: aad as BufferSource }, key, bytes.slice(12)));
}

/** A VAPID key pair (RFC 8292): ECDSA P-256, the private half non-extractable. */
export function newVapidKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
}

/** The uncompressed public point, base64url: what push subscriptions and `k=` take. */
export async function vapidPublicKey(keys: CryptoKeyPair): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey)));
}

/** An ES256 JWT over {aud, exp} and nothing that names anyone (WebCrypto's ECDSA output is JWS's r||s already). */
export async function signVapid(keys: CryptoKeyPair, claims: { aud: string; exp: number; sub?: string }): Promise<string> {
  const header = base64url(encoder.encode(JSON.stringify({ typ: 'JWT', alg: 'ES256' })));
  const body = base64url(encoder.encode(JSON.stringify(claims)));
  const input = `${header}.${body}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, encoder.encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}
