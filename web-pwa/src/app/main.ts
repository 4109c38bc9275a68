// The app: sign-in, a relay, topics, a spot and a radius, pings on the map, publishing.
// Keys and plaintext topic secrets live in the enclave (kms.ts); this origin handles tags and cells.

import './style.css';
import type { Ping, Topic } from '../kms/rpc';
import { cellOf, cellsCovering, distanceMeters, MAX_RADIUS_M, type LatLon } from '../shared/geo';
import { Kms } from './kms';
import { PingMap } from './map';
import { RelayLink, type RelayEvent, type RelayInfo } from './relays';
import { Problem, Session } from './session';
import { RENEW_EVERY_MS, rememberTopics, sign, subscribe, unsubscribe, type PushRegistration } from './push';

interface AppConfig {
  kmsOrigin: string;
  tileUrl: string;
  tileAttribution: string;
}

interface Received {
  ping: Ping;
  topic: Topic;
  expiresAt: number;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const say = (text: string) => ($('notice').textContent = text);

const session = new Session();
let kms: Kms;
let map: PingMap;
let link: RelayLink;
let topics: Topic[] = [];
let position: LatLon | null = JSON.parse(localStorage.getItem('ats.position') ?? 'null');
let radiusKm = Number(localStorage.getItem('ats.radius') ?? 5);
const received = new Map<string, Received>();
let push: PushRegistration | null = null;
let pushRenewal: ReturnType<typeof setInterval> | undefined;

async function main(): Promise<void> {
  registerServiceWorker();
  const config: AppConfig = await (await fetch('/app-config.json')).json();
  kms = new Kms(config.kmsOrigin);
  map = new PingMap($('map'), config.tileUrl, config.tileAttribution);
  map.onPick = (spot) => {
    setPicking(false);
    setPosition(spot);
  };
  link = new RelayLink(publicRelays, () => session.relayToken());
  link.onEvent = (event) => void onEvent(event);
  link.onState = (state) => {
    $('connection').textContent = state.state === 'connected'
      ? `Connected to ${state.relay.name ?? state.relay.relayId} (${state.rttMs} ms)`
      : state.state === 'connecting' ? 'Connecting…' : `Offline: ${state.reason}`;
    $('connection').dataset.state = state.state;
  };
  link.onPush = (answer) => {
    $('push-state').textContent = answer.ok ? `On: this relay wakes you ${answer.message}.` : `Not on: ${answer.message}`;
  };
  session.onChange = (signedIn) => void show(signedIn);
  // An invite link opened while the app is open changes only the fragment.
  window.addEventListener('hashchange', async () => {
    if (!session.signedIn) return;
    await joinInvite();
    await refreshTopics();
    openedFromNotification();
  });
  wireForms();
  const linkToken = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.pathname === '/signin' && linkToken) {
    history.replaceState(null, '', '/');
    try {
      await session.verifyLink(linkToken);
      return;
    } catch (e) {
      say(`That sign-in link did not work: ${(e as Error).message}. Ask for a new code.`);
    }
  }
  await session.resume().catch(() => undefined);
  await show(session.signedIn);
}

async function publicRelays(): Promise<RelayInfo[]> {
  const response = await fetch('/v1/relays/public');
  if (!response.ok) throw new Error(`relay list: HTTP ${response.status}`);
  return response.json();
}

async function show(signedIn: boolean): Promise<void> {
  $('signin').hidden = signedIn;
  $('home').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
  if (!signedIn) {
    await disablePush();
    link?.stop();
    $('connection').textContent = 'Not connected';
    return;
  }
  await kms.ready;
  await joinInvite();
  topics = await kms.topics();
  renderTopics();
  void rememberTopics(topics);
  openedFromNotification();
  if (localStorage.getItem('ats.push') === 'on' && Notification.permission === 'granted') void enablePush();
  ($('radius') as HTMLInputElement).value = String(radiusKm);
  if (position) setPosition(position);
  else locate();
  link.start();
}

/** An invite link (`/#invite=SECRET&label=NAME`): the secret goes to the enclave and leaves the address bar. */
async function joinInvite(): Promise<void> {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const secret = fragment.get('invite');
  if (!secret) return;
  history.replaceState(null, '', location.pathname);
  try {
    const topic = await kms.join(secret, fragment.get('label') || 'private topic');
    say(`Joined the private topic ${topic.label}.`);
  } catch (e) {
    say(`That invite link is broken: ${(e as Error).message}`);
  }
}

function wireForms(): void {
  let email = '';
  $('start-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    email = ($('email') as HTMLInputElement).value.trim();
    try {
      await session.start(email);
      $('code-form').hidden = false;
      say(`We sent a code to ${email}. Type it here, or open the mail's link in this browser.`);
      $('code').focus();
    } catch (e) {
      say(`Could not send the code: ${(e as Error).message}`);
    }
  });
  $('code-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await session.verifyCode(email, ($('code') as HTMLInputElement).value.trim().toUpperCase());
      say('');
    } catch (e) {
      say(e instanceof Problem ? `That code did not work: ${e.message}` : `Sign-in failed: ${(e as Error).message}`);
    }
  });
  $('sign-out').addEventListener('click', () => {
    received.forEach((_, id) => map.unpin(id));
    received.clear();
    renderPings();
    void session.signOut();
  });
  $('locate').addEventListener('click', locate);
  $('push').addEventListener('click', () => void ($('push').getAttribute('aria-pressed') === 'true' ? disablePush() : enablePush()));
  $('pick').addEventListener('click', () => setPicking(!map.picking));
  $('radius').addEventListener('input', () => {
    radiusKm = Number(($('radius') as HTMLInputElement).value);
    localStorage.setItem('ats.radius', String(radiusKm));
    if (position) setPosition(position);
  });
  $('follow-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('topic-name') as HTMLInputElement;
    try {
      await kms.follow(input.value.trim());
      input.value = '';
      await refreshTopics();
    } catch (e) {
      say(`Could not follow: ${(e as Error).message}`);
    }
  });
  $('private-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('private-label') as HTMLInputElement;
    const topic = await kms.create(input.value.trim());
    input.value = '';
    await refreshTopics();
    say(`Created ${topic.label}. Share its invite link with the people who may read it.`);
  });
  $('publish-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await publish();
  });
}

function locate(): void {
  if (!('geolocation' in navigator)) {
    setPicking(true);
    return;
  }
  navigator.geolocation.getCurrentPosition(
    (found) => setPosition({ lat: found.coords.latitude, lon: found.coords.longitude }),
    () => {
      say('No location: pick a spot on the map instead.');
      setPicking(true);
    },
    { timeout: 10_000, maximumAge: 0 });
}

function setPicking(on: boolean): void {
  map.picking = on;
  $('pick').setAttribute('aria-pressed', String(on));
  $('map').classList.toggle('picking', on);
}

function setPosition(spot: LatLon): void {
  position = spot;
  localStorage.setItem('ats.position', JSON.stringify(spot));
  $('position').textContent = `${spot.lat.toFixed(4)}, ${spot.lon.toFixed(4)} · cell ${cellOf(spot)}`;
  $('radius-value').textContent = `${radiusKm} km`;
  resubscribe();
  renderPings();
}

function cells(): string[] {
  return position ? cellsCovering(position, Math.min(radiusKm * 1000, MAX_RADIUS_M)) : [];
}

/** Exactly the (tag, cell) pairs the circle touches, for every topic followed. */
function resubscribe(): void {
  const covered = cells();
  if (position) map.show(position, radiusKm * 1000, covered);
  const pairs = topics.flatMap((t) => covered.map((cell) => `${t.tag}/${cell}`));
  link.setSubscriptions(new Set(pairs));
  if (push) link.setPush(push, pairs);
}

function currentPairs(): string[] {
  const covered = cells();
  return topics.flatMap((t) => covered.map((cell) => `${t.tag}/${cell}`));
}

/** Subscribes with the push service under the enclave's VAPID key and asks the relay to wake this device. */
async function enablePush(): Promise<void> {
  try {
    push = await subscribe(kms);
    localStorage.setItem('ats.push', 'on');
    $('push').setAttribute('aria-pressed', 'true');
    link.setPush(push, currentPairs());
    clearInterval(pushRenewal);
    pushRenewal = setInterval(async () => {
      if (!push) return;
      push = await sign(kms, { endpoint: push.endpoint, keys: push.keys }, push.vapidKey);
      link.setPush(push, currentPairs());
    }, RENEW_EVERY_MS);
  } catch (e) {
    $('push-state').textContent = `Not on: ${(e as Error).message}.`;
  }
}

async function disablePush(): Promise<void> {
  clearInterval(pushRenewal);
  if (push) link?.setPush(null, []);
  push = null;
  localStorage.removeItem('ats.push');
  $('push').setAttribute('aria-pressed', 'false');
  $('push-state').textContent = 'Off: you see pings while the app is open.';
  await unsubscribe().catch(() => undefined);
}

/** The notification's link (`/#topic=TAG`): that topic is the one to publish to and to look at. */
function openedFromNotification(): void {
  const tag = new URLSearchParams(location.hash.slice(1)).get('topic');
  if (!tag) return;
  history.replaceState(null, '', location.pathname);
  const topic = topics.find((t) => t.tag === tag);
  if (!topic) return;
  ($('publish-topic') as HTMLSelectElement).value = tag;
  say(topic.kind === 'public' ? `New pings near you in #${topic.label}.` : `New pings near you in ${topic.label}.`);
}

async function refreshTopics(): Promise<void> {
  topics = await kms.topics();
  renderTopics();
  void rememberTopics(topics);
  resubscribe();
  for (const [id, r] of received) {
    if (!topics.some((t) => t.tag === r.topic.tag)) {
      received.delete(id);
      map.unpin(id);
    }
  }
  renderPings();
}

function renderTopics(): void {
  const list = $('topics');
  list.replaceChildren(...topics.map((topic) => {
    const item = document.createElement('li');
    item.append(topic.kind === 'private' ? `${topic.label} (private)` : `#${topic.label}`);
    if (topic.invite) {
      const invite = `${location.origin}/#invite=${topic.invite}&label=${encodeURIComponent(topic.label)}`;
      const share = document.createElement('input');
      share.readOnly = true;
      share.value = invite;
      share.setAttribute('aria-label', `Invite link for ${topic.label}`);
      item.append(' ', share);
    }
    const leave = document.createElement('button');
    leave.type = 'button';
    leave.textContent = 'Leave';
    leave.setAttribute('aria-label', `Leave ${topic.label}`);
    leave.addEventListener('click', async () => {
      await kms.leave(topic.tag);
      await refreshTopics();
    });
    item.append(' ', leave);
    return item;
  }));
  const select = $('publish-topic') as HTMLSelectElement;
  const chosen = select.value;
  select.replaceChildren(...topics.map((t) => new Option(t.label, t.tag, false, t.tag === chosen)));
}

async function onEvent(event: RelayEvent): Promise<void> {
  const topic = topics.find((t) => t.tag === event.topic);
  if (!topic || received.has(event.id) || event.expiresAt <= Date.now()) return;
  let ping: Ping;
  try {
    ping = await kms.open(topic.tag, event.cell, event.id, event.payload);
  } catch {
    return; // not for us, tampered with, relabelled or stale: nothing to show
  }
  if (cellOf(ping) !== event.cell) return; // a ping must lie in the cell it was sent to
  // A relay may stretch an event's expiry; the sealed time and ttl may not be stretched.
  received.set(event.id, { ping, topic, expiresAt: Math.min(event.expiresAt, ping.ts + ping.ttl * 1000) });
  if (received.size > 5000) {
    const oldest = [...received.entries()].sort((a, b) => a[1].expiresAt - b[1].expiresAt)[0][0];
    received.delete(oldest);
    map.unpin(oldest);
  }
  scheduleRender();
}

let renderPending = false;

/** A replay brings hundreds of events at once: draw once for all of them, not once each. */
function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => {
    renderPending = false;
    renderPings();
  }, 100);
}

/** Shows what lies within the radius and has not expired; forgets what has. */
function renderPings(): void {
  const now = Date.now();
  const items: HTMLLIElement[] = [];
  for (const [id, r] of [...received].sort((a, b) => b[1].ping.ts - a[1].ping.ts)) {
    if (r.expiresAt <= now) {
      received.delete(id);
      map.unpin(id);
      continue;
    }
    if (!position || distanceMeters(position, r.ping) > radiusKm * 1000) {
      map.unpin(id);
      continue;
    }
    const label = `${r.ping.text} · #${r.topic.label} · ${age(now - r.ping.ts)}`;
    map.pin(id, r.ping, label);
    const item = document.createElement('li');
    item.dataset.id = id;
    item.textContent = label;
    items.push(item);
  }
  $('pings').replaceChildren(...items);
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

async function publish(): Promise<void> {
  const tag = ($('publish-topic') as HTMLSelectElement).value;
  const text = ($('message') as HTMLInputElement).value.trim();
  if (!position || !tag || !text) {
    say(!position ? 'Choose a spot first.' : 'Choose a topic and write something.');
    return;
  }
  const id = randomId();
  const ttl = Number(($('ttl') as HTMLSelectElement).value);
  const ping: Ping = { id, lat: position.lat, lon: position.lon, text, ts: Date.now(), ttl };
  const cell = cellOf(position);
  try {
    const payload = await kms.seal(tag, cell, ping);
    await link.publish(tag, cell, id, ttl, payload);
    // Relays do not echo a ping to its publisher: show our own from here.
    const topic = topics.find((t) => t.tag === tag);
    if (topic) received.set(id, { ping, topic, expiresAt: Date.now() + ttl * 1000 });
    renderPings();
    ($('message') as HTMLInputElement).value = '';
    say('Published.');
  } catch (e) {
    say(`Not published: ${(e as Error).message}`);
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').then((registration) => {
    const offer = (worker: ServiceWorker | null) => {
      if (!worker || !navigator.serviceWorker.controller) return;
      $('update').hidden = false;
      $('reload').onclick = () => worker.postMessage('skip-waiting');
    };
    offer(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const installing = registration.installing;
      installing?.addEventListener('statechange', () => installing.state === 'installed' && offer(installing));
    });
  }).catch(() => undefined);
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (navigator.serviceWorker.controller && !$('update').hidden && !reloading) {
      reloading = true;
      location.reload();
    }
  });
}

setInterval(renderPings, 5_000);
void main();
