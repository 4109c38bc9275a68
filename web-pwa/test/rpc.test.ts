import { describe, expect, it } from 'vitest';
import { BadRequest, checkRequest } from '../src/kms/rpc';

const now = () => Math.floor(Date.now() / 1000);
const ping = { id: 'e1b2c3d4e5f6a7b8', lat: 38.9, lon: -77, text: 'hi', ts: 1795300000000, ttl: 300 };

describe("the enclave's request checks", () => {
  it.each([
    ['an unknown method', { method: 'key.export', params: {} }],
    ['params that are not an object', { method: 'topic.list', params: [] }],
    ['a topic name with capitals', { method: 'topic.follow', params: { name: 'Ice' } }],
    ['a short secret', { method: 'topic.join', params: { secret: 'abc', label: 'x' } }],
    ['a bad cell', { method: 'ping.seal', params: { tag: 'tEitVHIzQk6ySa64HU4pR4', cell: 'dqca', ping } }],
    ['a text too long', { method: 'ping.seal', params: { tag: 'tEitVHIzQk6ySa64HU4pR4', cell: 'dqcj', ping: { ...ping, text: 'x'.repeat(281) } } }],
    ['a latitude off the earth', { method: 'ping.seal', params: { tag: 'tEitVHIzQk6ySa64HU4pR4', cell: 'dqcj', ping: { ...ping, lat: 91 } } }],
    ['a payload over 4 KiB', { method: 'ping.open', params: { tag: 'tEitVHIzQk6ySa64HU4pR4', cell: 'dqcj', id: ping.id, payload: 'A'.repeat(6000) } }],
    ['an open without the event id', { method: 'ping.open', params: { tag: 'tEitVHIzQk6ySa64HU4pR4', cell: 'dqcj', payload: 'A'.repeat(80) } }],
    ['a ping with no ttl', { method: 'ping.seal', params: { tag: 'tEitVHIzQk6ySa64HU4pR4', cell: 'dqcj', ping: { ...ping, ttl: undefined } } }],
    ['a ping living past the cap', { method: 'ping.seal', params: { tag: 'tEitVHIzQk6ySa64HU4pR4', cell: 'dqcj', ping: { ...ping, ttl: 301 } } }],
    ['a JWT for plain http off loopback', { method: 'vapid.sign', params: { aud: 'http://push.example', exp: now() + 60 } }],
    ['a JWT with a path in aud', { method: 'vapid.sign', params: { aud: 'https://push.example/x', exp: now() + 60 } }],
    ['a JWT for more than 24 hours', { method: 'vapid.sign', params: { aud: 'https://push.example', exp: now() + 24 * 3600 + 5 } }],
    ['a JWT already expired', { method: 'vapid.sign', params: { aud: 'https://push.example', exp: now() - 1 } }],
  ])('refuses %s', (_, request) => {
    expect(() => checkRequest(request)).toThrow(BadRequest);
  });

  it('takes well-formed requests, loopback http push stand-ins included', () => {
    expect(checkRequest({ method: 'vapid.sign', params: { aud: 'https://fcm.googleapis.com', exp: now() + 3600 } }).method).toBe('vapid.sign');
    expect(checkRequest({ method: 'vapid.sign', params: { aud: 'http://127.0.0.1:4321', exp: now() + 3600 } }).method).toBe('vapid.sign');
    expect(checkRequest({ method: 'ping.seal', params: { tag: 'tEitVHIzQk6ySa64HU4pR4', cell: 'dqcj', ping } }).params).toMatchObject({ cell: 'dqcj' });
  });
});
