import { defineConfig, type Plugin } from 'vite';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/**
 * Emits /sw.js, the service worker, with the exact list of files to keep for offline use and a
 * version derived from their content: a new build is a new worker, which the app offers to load.
 */
function serviceWorker(): Plugin {
  return {
    name: 'ats-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((name) => !name.endsWith('.map')).sort();
      const shell = ['/', '/app-config.json', ...files.filter((f) => f !== 'index.html').map((f) => '/' + f), '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];
      const version = createHash('sha256');
      for (const name of files) {
        const item = bundle[name];
        version.update(name).update(item.type === 'chunk' ? item.code : item.source);
      }
      const source = SW.replace('__VERSION__', version.digest('hex').slice(0, 16)).replace('__SHELL__', JSON.stringify(shell));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

const SW = `// ATS service worker: keeps the app shell for offline use; the API and relays are never cached.
const CACHE = 'ats-shell-__VERSION__';
const SHELL = __SHELL__;
self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});
self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(names.filter((n) => n.startsWith('ats-shell-') && n !== CACHE).map((n) => caches.delete(n)))).then(() => self.clients.claim()));
});
self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});
// A push carries at most an encrypted marker naming the tag ({"t": TAG}); the label comes from
// what the app stored (public topics only), so a private topic's notification names nothing.
async function topicLabel(tag) {
  if (!tag) return null;
  return new Promise((resolve) => {
    const open = indexedDB.open('ats-app', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('topics', { keyPath: 'tag' });
    open.onerror = () => resolve(null);
    open.onsuccess = () => {
      const get = open.result.transaction('topics').objectStore('topics').get(tag);
      get.onsuccess = () => resolve(get.result ? get.result.label : null);
      get.onerror = () => resolve(null);
    };
  });
}
self.addEventListener('push', (event) => {
  let tag = null;
  try {
    tag = event.data ? event.data.json().t : null;
  } catch (e) {
    tag = null;
  }
  event.waitUntil(topicLabel(tag).then((label) => self.registration.showNotification('ATS', {
    body: label ? 'New pings near you in #' + label : 'New pings near you',
    tag: 'ats-wake',
    renotify: true,
    icon: '/icons/icon-192.png',
    data: { url: tag ? '/#topic=' + tag : '/' },
  })));
});
self.addEventListener('notificationclick', (event) => {
  const url = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin).href;
  event.notification.close();
  const opening = self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
    const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (open) {
      const moved = await open.navigate(url).catch(() => open);
      return (moved || open).focus().catch(() => undefined);
    }
    return self.clients.openWindow(url);
  });
  try {
    event.waitUntil(opening);
  } catch (e) {
    // a synthetic event (tests) cannot be extended; the work goes on anyway
  }
});
self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/v1/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(() => caches.match('/', { cacheName: CACHE })));
  } else if (url.pathname === '/app-config.json') {
    event.respondWith(fetch(request).then((response) => {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
      return response;
    }).catch(() => caches.match(request, { cacheName: CACHE })));
  } else {
    event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  }
});
`;

export default defineConfig({
  root: resolve(__dirname, 'app'),
  base: '/',
  build: {
    outDir: resolve(__dirname, 'dist/app'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
  },
  plugins: [serviceWorker()],
});
