// The minimal sign-in and relay-claim page. Tokens live in sessionStorage: this page is a
// stand-in until the PWA.
'use strict';

const $ = (id) => document.getElementById(id);
const say = (text) => { $('status').textContent = text; };

async function post(path, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const response = await fetch(path, {
    method: 'POST', headers, credentials: 'same-origin', body: body ? JSON.stringify(body) : undefined,
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error((data && data.detail) || response.statusText), { data });
  return data;
}

async function showSignedIn(tokens) {
  sessionStorage.setItem('ats.tokens', JSON.stringify(tokens));
  const me = await fetch('/v1/me', { headers: { Authorization: 'Bearer ' + tokens.accessToken } }).then((r) => r.json());
  $('who').textContent = me.email;
  $('start').hidden = true;
  $('verify').hidden = true;
  $('signed-in').hidden = false;
  say('You are signed in.');
  $('claim-code').value = sessionStorage.getItem('ats.claim') || '';
  await showRelays();
}

async function showRelays() {
  const tokens = JSON.parse(sessionStorage.getItem('ats.tokens'));
  const relays = await fetch('/v1/relays', { headers: { Authorization: 'Bearer ' + tokens.accessToken } }).then((r) => r.json());
  $('relays').replaceChildren(...relays.map((relay) => {
    const item = document.createElement('li');
    item.textContent = relay.relayId + ' at ' + relay.publicUrl + ': ' + relay.status;
    return item;
  }));
}

$('claim').addEventListener('submit', async (event) => {
  event.preventDefault();
  const tokens = JSON.parse(sessionStorage.getItem('ats.tokens'));
  try {
    const claimed = await post('/v1/relays/claim', { claimCode: $('claim-code').value }, tokens.accessToken);
    sessionStorage.removeItem('ats.claim');
    $('claim-code').value = '';
    say('Claimed relay ' + claimed.relayId + '.');
    await showRelays();
  } catch (error) {
    say(error.message);
  }
});

$('start').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await post('/v1/auth/email/start', { email: $('email').value });
    $('verify').hidden = false;
    say('We sent a code to that address. Type it below, or open the link in the mail in this browser.');
    $('code').focus();
  } catch (error) {
    say(error.message);
  }
});

$('verify').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await showSignedIn(await post('/v1/auth/email/verify', { email: $('email').value, code: $('code').value }));
  } catch (error) {
    say(error.message);
  }
});

$('relay-token').addEventListener('click', async () => {
  const tokens = JSON.parse(sessionStorage.getItem('ats.tokens'));
  const relay = await post('/v1/relay-tokens', null, tokens.accessToken);
  $('relay-token-out').textContent = relay.token;
});

$('sign-out').addEventListener('click', async () => {
  const tokens = JSON.parse(sessionStorage.getItem('ats.tokens'));
  await post('/v1/auth/logout', { refreshToken: tokens.refreshToken });
  sessionStorage.removeItem('ats.tokens');
  $('signed-in').hidden = true;
  $('start').hidden = false;
  say('Signed out.');
});

// Opened from a relay's claim URL (/relays/claim#code=...): keep the code across the sign-in.
const claimCode = new URLSearchParams(location.hash.slice(1)).get('code');
if (claimCode) {
  sessionStorage.setItem('ats.claim', claimCode);
  history.replaceState(null, '', location.pathname);
  say('Sign in to claim your relay.');
}
if (sessionStorage.getItem('ats.tokens')) {
  showSignedIn(JSON.parse(sessionStorage.getItem('ats.tokens'))).catch(() => sessionStorage.removeItem('ats.tokens'));
}

// Opened from the mail: the token is in the fragment, which never reaches a server on GET.
const token = new URLSearchParams(location.hash.slice(1)).get('token');
if (token) {
  history.replaceState(null, '', location.pathname);
  say('Signing you in…');
  post('/v1/auth/email/verify', { token })
    .then(showSignedIn)
    .catch((error) => say(error.message));
}
