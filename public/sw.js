// Xianfeng service worker. Hand-written; the build replaces __BUILD__ with a
// 12-hex hash of the wasm/js/css, so every release gets fresh caches.
'use strict';

const BUILD = '__BUILD__';
const SHELL = `xf-shell-${BUILD}`;
const PAGES = `xf-pages-${BUILD}`;
const NAV_TIMEOUT_MS = 4000;
const OFFLINE_URL = '/offline.html';
const WARM_FRESH_MS = 10 * 60 * 1000;

const SHELL_URLS = [
  `/pkg/xianfeng.js?v=${BUILD}`,
  `/pkg/xianfeng_bg.wasm?v=${BUILD}`,
  `/pkg/xianfeng.css?v=${BUILD}`,
  `/pwa.js?v=${BUILD}`,
  '/manifest.webmanifest',
  '/favicon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-512.png',
  OFFLINE_URL,
];

// Static files answered cache-first from the shell cache.
const SHELL_PREFIXES = ['/pkg/', '/icons/'];
const SHELL_PATHS = new Set(['/favicon.svg', '/manifest.webmanifest', '/pwa.js', OFFLINE_URL]);

// Vary: Accept-Encoding (added by the server's compression) must not make a hit miss.
const MATCH = { ignoreVary: true };

self.addEventListener('install', (event) => {
  // cache: 'reload' so unversioned files (icons, offline page) skip a stale HTTP cache.
  // No skipWaiting: the new worker waits until the page asks (see 'message').
  event.waitUntil(
    caches.open(SHELL).then((cache) =>
      cache.addAll(SHELL_URLS.map((url) => new Request(url, { cache: 'reload' }))),
    ),
  );
});

self.addEventListener('activate', (event) => {
  // Old builds' pages point at old assets, so both caches of every other build go.
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith('xf-') && !name.endsWith(BUILD))
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'skip-waiting') {
    self.skipWaiting();
  } else if (data.type === 'warm' && Array.isArray(data.urls)) {
    event.waitUntil(warm(data.urls));
  }
});

// Fetches pages the user is likely to open offline (sent by pwa.js once signed in).
async function warm(urls) {
  const cache = await caches.open(PAGES);
  const hrefs = new Set();
  for (const raw of urls.slice(0, 20)) {
    if (typeof raw !== 'string' || !raw.startsWith('/')) continue; // paths only
    let url;
    try {
      url = new URL(raw, self.location.origin);
    } catch {
      continue;
    }
    if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) continue;
    hrefs.add(url.href);
  }
  await Promise.all(
    [...hrefs].map(async (href) => {
      try {
        // Kept less than ten minutes ago: fresh enough, spare the server.
        const kept = await cache.match(href);
        const keptAt = kept ? Date.parse(kept.headers.get('date') || '') : NaN;
        if (Date.now() - keptAt < WARM_FRESH_MS) return;
        // no-cache: revalidate with the server rather than store a stale HTTP-cached page.
        const response = await fetch(href, { credentials: 'same-origin', redirect: 'follow', cache: 'no-cache' });
        // A redirect (e.g. to /login) means the page was not what was asked for.
        if (isFreshPage(response)) await cache.put(href, response);
      } catch {
        // Offline or server down: nothing to warm, try again on the next visit.
      }
    }),
  );
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // Server functions, sync, SSE (/api/events) and exports always go straight to the network.
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;

  if (request.mode === 'navigate') {
    handleNavigation(event);
  } else if (SHELL_PATHS.has(url.pathname) || SHELL_PREFIXES.some((p) => url.pathname.startsWith(p))) {
    event.respondWith(shellFirst(event));
  }
  // Anything else: the browser handles it as if there were no worker.
});

// Network first, so signed-in pages are current; cache only when the network is
// unreachable or slower than NAV_TIMEOUT_MS.
function handleNavigation(event) {
  const { request } = event;
  const network = fetch(request);

  // Registered before Promise.race below, so the clone happens before the browser
  // starts reading the body; a response that loses the race is still stored.
  const store = network
    .then(async (response) => {
      if (!isFreshPage(response)) return; // redirects (opaqueredirect) pass through untouched
      const copy = response.clone();
      const cache = await caches.open(PAGES);
      await cache.put(request.url, copy);
    })
    .catch(() => {});
  event.waitUntil(store);

  const timeout = new Promise((_, reject) => {
    setTimeout(() => reject(new Error('navigation timeout')), NAV_TIMEOUT_MS);
  });

  event.respondWith(Promise.race([network, timeout]).catch(() => offlineAnswer(request.url)));
}

async function offlineAnswer(href) {
  const page = await (await caches.open(PAGES)).match(href, MATCH);
  if (page) return page;
  const offline = await (await caches.open(SHELL)).match(OFFLINE_URL, MATCH);
  return offline || Response.error();
}

// Versioned assets never change under the same URL, so the cache answers first.
async function shellFirst(event) {
  const { request } = event;
  const cache = await caches.open(SHELL);
  const hit = await cache.match(request, MATCH);
  if (hit) return hit;
  const response = await fetch(request);
  // 200 only: a 206 (range) or error must not be stored as the file.
  if (response.status === 200 && response.type === 'basic') {
    event.waitUntil(cache.put(request, response.clone()));
  }
  return response;
}

function isFreshPage(response) {
  return (
    response.status === 200 &&
    response.type === 'basic' &&
    !response.redirected &&
    (response.headers.get('content-type') || '').includes('text/html')
  );
}
