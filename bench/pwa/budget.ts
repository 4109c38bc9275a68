// The PWA's budget (bench/RESULTS.md): shipped JavaScript, time to interactive on localhost, and
// the frame rate while panning a map with 1,000 pins; each beside a peer or the direct path
// measured in the same run. Needs ./run-local running with its relays claimed, and Chromium.
//
//   cd web-pwa && NODE_OPTIONS=--experimental-websocket npx vite-node ../bench/pwa/budget.ts
import { gzipSync } from 'node:zlib';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cellKey, importTopicSecret, seal, topicTag } from '../../web-pwa/src/kms/crypto';
import { cellOf, distanceMeters } from '../../web-pwa/src/shared/geo';

const { chromium } = await import(new URL('../../web-pwa/node_modules/playwright-core/index.mjs', import.meta.url).href);
const APP = process.env.ATS_APP_URL ?? 'http://localhost:8080';
const RELAY = process.env.ATS_RELAY_WS ?? 'ws://127.0.0.1:8081/v1/ws';
const RUNS = Number(process.env.RUNS ?? 10);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const CENTER = { lat: 38.95, lon: -77.17 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dist = new URL('../../web-pwa/dist/', import.meta.url).pathname;
const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const sum = (dir: string, ext: string) => readdirSync(dir).filter((f) => f.endsWith(ext)).reduce((n, f) => n + gz(join(dir, f)), 0);

// 1. Shipped bytes, gzipped; the peer is Leaflet alone, which the app bundles.
const appJs = sum(join(dist, 'app/assets'), '.js');
const appCss = sum(join(dist, 'app/assets'), '.css');
const kmsJs = sum(join(dist, 'kms/assets'), '.js');
const leaflet = gz(new URL('../../web-pwa/node_modules/leaflet/dist/leaflet.js', import.meta.url).pathname);
console.log(`app JS ${(appJs / 1024).toFixed(1)} KiB gz, app CSS ${(appCss / 1024).toFixed(1)} KiB gz, enclave JS ${(kmsJs / 1024).toFixed(1)} KiB gz; Leaflet alone ${(leaflet / 1024).toFixed(1)} KiB gz; app JS / Leaflet ${(appJs / leaflet).toFixed(2)}`);

async function mailCode(email: string, after: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const inbox = await (await fetch(`${APP}/local/inbox`)).text();
    const codes = [...inbox.matchAll(new RegExp(email.replace('.', '\\.') + '[\\s\\S]*?([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})', 'g'))].map((m) => m[1]);
    const code = codes.find((c) => c !== after) ?? codes.at(-1);
    if (code && code !== after) return code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no code for ' + email);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });

// 2. Time to interactive: navigation until the sign-in form answers, against the local inbox
// page from the same server (a plain server-rendered page: the direct path).
async function timeTo(url: string, ready: (page: any) => Promise<unknown>): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await ready(page);
  const took = performance.now() - started;
  await context.close();
  return took;
}
const tti: number[] = [];
const plain: number[] = [];
for (let i = 0; i < RUNS; i++) {
  plain.push(await timeTo(`${APP}/local/inbox`, (p) => p.waitForLoadState('load')));
  tti.push(await timeTo(APP, async (p) => {
    await p.getByLabel('Email').waitFor();
    await p.waitForFunction(() => document.readyState === 'complete');
  }));
}
console.log(`time to interactive (sign-in form usable): p50 ${median(tti).toFixed(0)} ms; plain page from the same server p50 ${median(plain).toFixed(0)} ms; ratio ${(median(tti) / median(plain)).toFixed(1)}`);

// 3. Frame rate while panning, with 0 and then 1,000 pins.
const email = `bench-${Date.now()}@example.com`;
const context = await browser.newContext({ geolocation: { latitude: CENTER.lat, longitude: CENTER.lon }, permissions: ['geolocation'], viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
await page.goto(APP);
await page.getByLabel('Email').fill(email);
await page.getByRole('button', { name: 'Send me a code' }).click();
await page.getByLabel('Code from the mail').fill(await mailCode(email, ''));
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('status').filter({ hasText: /^Connected to / }).waitFor({ timeout: 30_000 });
await page.getByRole('button', { name: 'Use my location' }).click();

async function framesWhilePanning(): Promise<number> {
  const box = await page.locator('#map').boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.evaluate(() => {
    (window as any).frames_ = 0;
    const tick = () => { (window as any).frames_++; (window as any).raf_ = requestAnimationFrame(tick); };
    tick();
  });
  const started = Date.now();
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 0; Date.now() - started < 5000; i++) {
    await page.mouse.move(x + 150 * Math.sin(i / 10), y + 100 * Math.cos(i / 10));
  }
  await page.mouse.up();
  const frames = await page.evaluate(() => { cancelAnimationFrame((window as any).raf_); return (window as any).frames_; });
  return frames / ((Date.now() - started) / 1000);
}
const empty = await framesWhilePanning();

// Publish 1,000 pings within 4 km of the centre, in its cell, from ten tokens (the relay
// limits each connection to 10/s).
const apiCode = async () => {
  await fetch(`${APP}/v1/auth/email/start`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'publisher-' + email }) });
  const verified = await fetch(`${APP}/v1/auth/email/verify`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'publisher-' + email, code: await mailCode('publisher-' + email, '') }) });
  return (await verified.json()).accessToken as string;
};
const access = await apiCode();
// A topic of its own per run, so that an earlier run's pings do not count.
const topicName = 'bench_' + Date.now().toString(36);
const tag = await topicTag(topicName);
const secret = await importTopicSecret(new TextEncoder().encode(topicName));
const cell = cellOf(CENTER);
const key = await cellKey(secret, cell);
const publishers = await Promise.all(Array.from({ length: 10 }, async (_, p) => {
  const token = (await (await fetch(`${APP}/v1/relay-tokens`, { method: 'POST', headers: { Authorization: `Bearer ${access}` } })).json()).token;
  const socket = new WebSocket(RELAY);
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
  socket.send(JSON.stringify({ type: 'hello', token, protocol: 1 }));
  const acks = { n: 0 };
  socket.onmessage = (m) => { if (JSON.parse(String(m.data)).type === 'ack') acks.n++; };
  for (let i = 0; i < 100; i++) {
    let spot;
    do {
      spot = { lat: CENTER.lat + (Math.random() - 0.5) * 0.07, lon: CENTER.lon + (Math.random() - 0.5) * 0.09 };
    } while (distanceMeters(CENTER, spot) > 4000 || cellOf(spot) !== cell);
    const id = `bench${p}x${i}x${Date.now().toString(36)}`.padEnd(16, '0');
    const payload = await seal(key, JSON.stringify({ id, lat: spot.lat, lon: spot.lon, text: `pin ${p}-${i}`, ts: Date.now() }));
    socket.send(JSON.stringify({ type: 'publish', topic: tag, cell, id, ttl: 300, payload }));
    await new Promise((r) => setTimeout(r, 110));
  }
  return { socket, acks };
}));
const acked = publishers.reduce((n, p) => n + p.acks.n, 0);
publishers.forEach((p) => p.socket.close());
await page.getByLabel('Topic to follow').fill(topicName);
await page.getByRole('button', { name: 'Follow' }).click();
const list = page.getByRole('list', { name: 'Pings in your radius' }).locator('li');
const waited = Date.now();
while ((await list.count()) < 1000 && Date.now() - waited < 60_000) await new Promise((r) => setTimeout(r, 500));
const pins = await list.count();
console.log(`${pins} pins shown ${((Date.now() - waited) / 1000).toFixed(1)} s after following`);
const full = await framesWhilePanning();
console.log(`frame rate while panning: ${empty.toFixed(1)} fps with 0 pins, ${full.toFixed(1)} fps with ${pins} pins (${acked} acked); ratio ${(full / empty).toFixed(2)}`);
await browser.close();
