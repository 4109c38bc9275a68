// The PWA in Debian's Chromium against the real suite (started by e2e/.../PwaBrowserTest.java,
// which passes the addresses below). Run alone: node --test e2e/ with those variables set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const APP = process.env.ATS_APP_URL;
const KMS = process.env.ATS_KMS_URL;
const HARNESS = process.env.ATS_HARNESS_URL;
const SHOTS = process.env.ATS_SCREENSHOTS;
const PUSH = process.env.ATS_PUSH_URL;
const CHROMIUM = process.env.ATS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

// Spots in cell dqcj: Bob's, one about 700 m from it, one 12 km away in the same cell.
const BOB = { latitude: 38.95, longitude: -77.17 };
const NEAR_BOB = { latitude: 38.955, longitude: -77.165 };
const SAME_CELL_FAR = { latitude: 38.88, longitude: -77.3 };
const ALICE = { latitude: 38.9, longitude: -77.05 };

let browser;
let alice;
let bob;

async function user(email, where, { byLink = false, beforeLoad } = {}) {
  const context = await browser.newContext({ geolocation: where, permissions: ['geolocation'], viewport: { width: 1100, height: 760 } });
  if (beforeLoad) await beforeLoad(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`[${email}] page error: ${e.message}`));
  await page.goto(APP);
  const before = await mail(email);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.getByLabel('Code from the mail').waitFor();
  let text = before;
  for (let i = 0; i < 100 && text === before; i++) {
    await new Promise((r) => setTimeout(r, 100));
    text = await mail(email);
  }
  assert.notEqual(text, before, `a sign-in mail reached ${email}`);
  if (byLink) {
    const link = text.match(/https?:\/\/\S+\/signin#token=[A-Za-z0-9_-]+/)[0];
    await page.goto(link);
  } else {
    await page.getByLabel('Code from the mail').fill(text.match(/[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/)[0]);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 15_000 });
  await connected(page);
  return { context, page };
}

async function mail(email) {
  return (await fetch(`${HARNESS}/mail?to=${encodeURIComponent(email)}`)).text();
}

async function connected(page) {
  await page.getByRole('status').filter({ hasText: /^Connected to / }).waitFor({ timeout: 30_000 });
  return (await page.locator('#connection').textContent()).match(/^Connected to (\S+)/)[1];
}

async function follow(page, name) {
  await page.getByLabel('Topic to follow').fill(name);
  await page.getByRole('button', { name: 'Follow' }).click();
  await page.getByRole('button', { name: `Leave ${name}` }).waitFor();
}

async function moveTo(user, where) {
  await user.context.setGeolocation(where);
  await user.page.getByRole('button', { name: 'Use my location' }).click();
  await user.page.locator('#position').filter({ hasText: where.latitude.toFixed(4) }).waitFor();
}

async function radius(page, km) {
  await page.getByRole('slider', { name: 'Radius' }).evaluate((input, value) => {
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, km);
  await page.locator('#radius-value').filter({ hasText: `${km} km` }).waitFor();
}

async function publish(page, topic, text, ttlLabel = '5 minutes') {
  await page.getByLabel('Topic', { exact: true }).selectOption({ label: topic });
  await page.getByLabel('Message').fill(text);
  await page.getByLabel('Expires after').selectOption({ label: ttlLabel });
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('status').filter({ hasText: 'Published.' }).waitFor({ timeout: 15_000 });
  await page.locator('#notice').evaluate((n) => (n.textContent = ''));
}

function pings(page) {
  return page.getByRole('list', { name: 'Pings in your radius' });
}

describe('the PWA', () => {
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  after(async () => {
    await browser?.close();
  });

  test('two people sign in (one by code, one by the link) and follow ice_block', async () => {
    alice = await user('alice@example.com', ALICE);
    bob = await user('bob@example.com', BOB, { byLink: true });
    await follow(alice.page, 'ice_block');
    await follow(bob.page, 'ice_block');
    await radius(bob.page, 2);
  });

  test('a ping inside the radius appears; one outside it in the same cell does not; a pin goes at expiry', async () => {
    await moveTo(alice, NEAR_BOB);
    await publish(alice.page, 'ice_block', 'ice on the bridge');
    await pings(bob.page).getByText(/ice on the bridge/).waitFor({ timeout: 15_000 });
    if (SHOTS) await bob.page.screenshot({ path: join(SHOTS, 'map.png') });

    await moveTo(alice, SAME_CELL_FAR);
    await publish(alice.page, 'ice_block', 'far away in the same cell');
    await moveTo(alice, NEAR_BOB);
    await publish(alice.page, 'ice_block', 'short-lived', '15 seconds');
    await pings(bob.page).getByText(/short-lived/).waitFor({ timeout: 15_000 });
    assert.equal(await pings(bob.page).getByText(/far away in the same cell/).count(), 0, 'the far ping is not shown');
    // Widening the radius to take in the far spot shows it: it was received, only filtered.
    await radius(bob.page, 20);
    await pings(bob.page).getByText(/far away in the same cell/).waitFor({ timeout: 10_000 });
    await radius(bob.page, 2);
    assert.equal(await pings(bob.page).getByText(/far away in the same cell/).count(), 0);
    // The 15-second ping leaves the list and the map once it expires.
    await pings(bob.page).getByText(/short-lived/).waitFor({ state: 'detached', timeout: 30_000 });
    await pings(bob.page).getByText(/ice on the bridge/).waitFor();
  });

  test('a private topic is readable only with its invite', async () => {
    await alice.page.getByLabel('Name of a new private topic').fill('family');
    await alice.page.getByRole('button', { name: 'Create private topic' }).click();
    const invite = await alice.page.getByLabel('Invite link for family').inputValue();
    assert.match(invite, /#invite=[A-Za-z0-9_-]{43}&label=family$/);
    await publish(alice.page, 'family', 'family only, first');
    await pings(alice.page).getByText(/family only, first/).waitFor({ timeout: 15_000 });
    if (SHOTS) await alice.page.screenshot({ path: join(SHOTS, 'topics.png'), fullPage: true });
    // Bob, without the invite, is not even subscribed: the tag derives from the secret.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await pings(bob.page).getByText(/family only/).count(), 0);
    // With it (the secret in the fragment never reaches a server), he reads new and unexpired pings.
    await bob.page.goto(invite);
    await bob.page.getByRole('button', { name: 'Leave family' }).waitFor({ timeout: 15_000 });
    assert.ok(!bob.page.url().includes('invite='), 'the secret left the address bar');
    await connected(bob.page);
    await pings(bob.page).getByText(/family only, first/).waitFor({ timeout: 15_000 });
    await publish(alice.page, 'family', 'family only, second');
    await pings(bob.page).getByText(/family only, second/).waitFor({ timeout: 15_000 });
  });

  test('a relay that sends a ping again under a new event id gets it shown once', async () => {
    // Carol's relay is hostile: before each event it sends a copy under another id (v1 pings opened anyway).
    const relabelled = [];
    const carol = await user('carol@example.com', BOB, {
      beforeLoad: (context) => context.routeWebSocket(/\/v1\/ws$/, (ws) => {
        const server = ws.connectToServer();
        server.onMessage((message) => {
          const frame = typeof message === 'string' ? JSON.parse(message) : undefined;
          if (frame?.type === 'event') {
            const copy = { ...frame, id: `${frame.id.slice(0, 40)}-again-${relabelled.length}` };
            relabelled.push(copy.id);
            ws.send(JSON.stringify(copy));
          }
          ws.send(message);
        });
      }),
    });
    await follow(carol.page, 'ice_block');
    await radius(carol.page, 2);
    await publish(alice.page, 'ice_block', 'said once');
    await pings(carol.page).getByText(/said once/).first().waitFor({ timeout: 15_000 });
    // The copy went first; give the enclave a moment past the original before counting.
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(relabelled.length >= 1, 'the hostile relay relabelled an event');
    assert.equal(await pings(carol.page).getByText(/said once/).count(), 1, 'the relabelled copy was refused');
    await carol.context.close();
  });

  test('the app origin cannot read the enclave, and a foreign origin gets no answer from it', async () => {
    const seen = await alice.page.evaluate(async () => {
      const frame = document.querySelector('iframe[title="ATS key store"]');
      let read;
      try {
        read = frame.contentWindow.document.title;
      } catch (e) {
        read = e.name;
      }
      return { read, databases: (await indexedDB.databases()).map((d) => d.name), storage: Object.keys(localStorage) };
    });
    assert.equal(seen.read, 'SecurityError');
    assert.ok(!seen.databases.includes('ats-kms'), `the app origin's databases: ${seen.databases}`);
    assert.deepEqual(seen.storage.filter((k) => !['ats.session', 'ats.position', 'ats.radius'].includes(k)), []);

    const foreign = await browser.newPage();
    await foreign.goto(`${HARNESS}/foreign.html`);
    const answers = await foreign.evaluate((kms) => window.probe(kms), KMS);
    assert.deepEqual(answers, [], 'the enclave answered a foreign origin');
    // Nor may another origin frame it (CSP frame-ancestors names the app alone).
    await foreign.evaluate((kms) => {
      const frame = document.createElement('iframe');
      frame.src = kms + '/';
      document.body.append(frame);
    }, KMS);
    await new Promise((r) => setTimeout(r, 1500));
    for (const frame of foreign.frames().filter((f) => f !== foreign.mainFrame())) {
      const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      assert.ok(!text.includes('ATS key store'), `the enclave loaded inside a foreign page (${frame.url()})`);
    }
    await foreign.close();
  });

  test('when its relay stops, the app moves to another one and pings flow again', async () => {
    const before = await connected(bob.page);
    const stopped = await fetch(`${HARNESS}/relays/stop?name=${before}`, { method: 'POST' });
    assert.equal(stopped.status, 200, await stopped.text());
    await bob.page.getByRole('status').filter({ hasText: /^Connected to / }).filter({ hasNotText: before }).waitFor({ timeout: 30_000 });
    await connected(alice.page);
    await publish(alice.page, 'ice_block', 'after the failover');
    await pings(bob.page).getByText(/after the failover/).waitFor({ timeout: 20_000 });
  });

  test('the shell loads offline once the service worker has it', async () => {
    const page = alice.page;
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10_000 }).catch(async () => {
      await page.reload(); // the first load is not controlled until the worker claims it
    });
    await alice.context.setOffline(true);
    try {
      await page.reload();
      await page.getByRole('heading', { name: 'ATS' }).waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: 'Publish' }).waitFor({ timeout: 10_000 });
    } finally {
      await alice.context.setOffline(false);
    }
  });

  test('leaving a topic, picking a spot on the map, a phone-sized screen', async () => {
    await bob.page.getByRole('button', { name: 'Leave family' }).click();
    await bob.page.getByRole('button', { name: 'Leave family' }).waitFor({ state: 'detached' });
    const before = await alice.page.locator('#position').textContent();
    await alice.page.getByRole('button', { name: 'Pick a spot on the map' }).click();
    const map = await alice.page.getByRole('region', { name: 'Map' }).boundingBox();
    await alice.page.mouse.click(map.x + map.width * 0.25, map.y + map.height * 0.25);
    await alice.page.locator('#position').filter({ hasNotText: before }).waitFor();
    assert.equal(await alice.page.getByRole('button', { name: 'Pick a spot on the map' }).getAttribute('aria-pressed'), 'false');
    // Back online after the offline test, the app loads the enclave again and its topics return.
    await alice.page.getByRole('button', { name: 'Leave ice_block' }).waitFor({ timeout: 15_000 });
    await bob.page.setViewportSize({ width: 390, height: 844 });
    if (SHOTS) await bob.page.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true });
    await bob.page.setViewportSize({ width: 1100, height: 760 });
  });

  test('a push shows one notification naming a public topic, none for a private one, and its click opens the topic', async () => {
    const page = alice.page;
    const origin = new URL(APP).origin;
    await alice.context.grantPermissions(['notifications', 'geolocation'], { origin });
    // No push service is reachable from headless Chromium: subscribing fails and the app says so.
    await page.getByRole('button', { name: 'Wake me for new pings' }).click();
    await page.locator('#push-state').filter({ hasText: /^Not on: / }).waitFor({ timeout: 15_000 });
    // The service worker's push handler, through the DevTools protocol's push delivery.
    const cdp = await alice.context.newCDPSession(page);
    const registration = new Promise((resolve) => cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const ours = registrations.find((r) => r.scopeURL.startsWith(origin) && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    }));
    await cdp.send('ServiceWorker.enable');
    const registrationId = await registration;
    const notifications = () => page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
      .map((n) => ({ title: n.title, body: n.body, url: n.data?.url })));
    const ICE_BLOCK = 'tEitVHIzQk6ySa64HU4pR4';
    await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify({ t: ICE_BLOCK }) });
    let shown = [];
    for (let i = 0; i < 50 && shown.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      shown = await notifications();
    }
    assert.deepEqual(shown, [{ title: 'ATS', body: 'New pings near you in #ice_block', url: `/#topic=${ICE_BLOCK}` }]);

    // Its click brings the app to that topic.
    const worker = alice.context.serviceWorkers().find((w) => w.url().startsWith(origin));
    await worker.evaluate(async () => {
      const [notification] = await self.registration.getNotifications();
      self.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
    });
    await page.getByRole('status').filter({ hasText: 'New pings near you in #ice_block.' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByLabel('Topic', { exact: true }).inputValue(), ICE_BLOCK);

    // A private topic's wake names nothing.
    const privateTag = await page.evaluate(() => new Promise((resolve) => {
      const open = indexedDB.open('ats-app', 1);
      open.onsuccess = () => {
        const all = open.result.transaction('topics').objectStore('topics').getAll();
        all.onsuccess = () => resolve(all.result.find((t) => t.label === null)?.tag);
      };
    }));
    assert.ok(privateTag, 'the app stored the private topic without a label');
    await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify({ t: privateTag }) });
    for (let i = 0; i < 50 && !(shown[0]?.body === 'New pings near you'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      shown = await notifications();
    }
    assert.deepEqual(shown.map((n) => n.body), ['New pings near you'], 'one notification (same tag replaces), naming nothing');
    await cdp.detach();
  });

  test('push registration: the relay takes the enclave-signed JWTs and wakes the sleeping device', async () => {
    // The browser's push service is the one part we stand in for: subscribe() answers a
    // subscription at the local stand-in (with real P-256 keys) instead of failing.
    await alice.context.addInitScript((endpoint) => {
      PushManager.prototype.getSubscription = async () => null;
      PushManager.prototype.subscribe = async () => {
        const keys = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
        const raw = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
        const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        const json = { endpoint, keys: { p256dh: b64(raw), auth: b64(crypto.getRandomValues(new Uint8Array(16))) } };
        return { endpoint, toJSON: () => json, unsubscribe: async () => true };
      };
    }, `${PUSH}/push/alice`);
    await alice.page.reload();
    await connected(alice.page);
    await alice.page.getByRole('button', { name: 'Wake me for new pings' }).click();
    await alice.page.locator('#push-state').filter({ hasText: /^(On|Not on): / }).waitFor({ timeout: 15_000 });
    assert.match(await alice.page.locator('#push-state').textContent(), /^On: this relay wakes you/);
    const [lat, lon] = (await alice.page.locator('#position').textContent()).split(' · ')[0].split(', ').map(Number);
    await alice.page.close(); // asleep: the relay has no live connection for this device any more
    await moveTo(bob, { latitude: lat, longitude: lon });
    await publish(bob.page, 'ice_block', 'wake up, alice');
    let pushes = '';
    for (let i = 0; i < 100 && !pushes; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pushes = await (await fetch(`${HARNESS}/pushes?sub=alice`)).text();
    }
    assert.equal(pushes, '201 ok', 'one push, accepted by the push service (VAPID JWT and headers checked)');
  });

  test('signed out, the sign-in screen shows', async () => {
    await bob.page.getByRole('button', { name: 'Sign out' }).click();
    await bob.page.getByLabel('Email').waitFor();
    if (SHOTS) await bob.page.screenshot({ path: join(SHOTS, 'sign-in.png') });
  });

  test('installable: a persistent profile gets beforeinstallprompt', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'ats-profile-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS });
    try {
      await context.addInitScript(() => {
        window.addEventListener('beforeinstallprompt', () => (window.installable = true));
      });
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(APP);
      await page.waitForFunction(() => window.installable === true, null, { timeout: 30_000 });
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
