// Registers Xianfeng's service worker and reports updates. Loaded with `defer` on
// every page; it never touches the DOM that Leptos hydrates.
(() => {
  'use strict';
  if (!('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;

  // Reload only for an update the user asked for: the first clients.claim() also
  // fires controllerchange and must not reload.
  let requested = false;
  let reloading = false;
  sw.addEventListener('controllerchange', () => {
    if (!requested || reloading) return;
    reloading = true;
    location.reload();
  });

  const announce = () => {
    // A waiting worker with no controller is a first install, not an update.
    if (!sw.controller || window.__xfUpdateReady) return;
    window.__xfUpdateReady = true;
    window.dispatchEvent(new Event('xf-update-ready'));
  };

  // updateViaCache 'none': the browser always revalidates sw.js with the server.
  sw.register('/sw.js', { scope: '/', updateViaCache: 'none' }).then((reg) => {
    window.xfApplyUpdate = () => {
      requested = true;
      if (reg.waiting) reg.waiting.postMessage({ type: 'skip-waiting' });
      else location.reload(); // another tab already activated it
    };

    if (reg.waiting) announce();
    reg.addEventListener('updatefound', () => {
      const worker = reg.installing;
      if (!worker) return;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed') announce();
      });
    });

    // Tabs left open for days still learn about new releases.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') reg.update().catch(() => {});
    });
  }).catch(() => {
    // No worker (private mode, blocked): the app works online as before.
  });

  // Offline, a tapped link loads its page through the worker, which answers with the copy
  // it kept (drawn with its data), exactly as a reload does: the router's in-page
  // navigation would ask the server for the page's data and fail. The app marks the
  // document `data-offline` when its sync engine cannot reach the server.
  const DRAWN_FROM_DEVICE = /^\/(projects|sync|volunteers)(\/|$)/;
  window.addEventListener('click', (event) => {
    if (navigator.onLine && !document.documentElement.hasAttribute('data-offline')) return;
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    // Pages drawn from the device's own copy offline (with the edits not sent yet) stay in the app.
    if (DRAWN_FROM_DEVICE.test(url.pathname)) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page
    event.preventDefault();
    location.assign(url.href);
  }, true);

  // The app calls this once a signed-in page is running: the pages worth having
  // offline are fetched into the worker's cache.
  window.xfWarm = (urls) => {
    sw.ready.then((reg) => {
      if (reg.active) reg.active.postMessage({ type: 'warm', urls });
    });
  };
  // On sign-out, pages that show the person's data are dropped from the cache.
  window.xfForgetPages = () =>
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith('xf-pages-')).map((k) => caches.delete(k))));

  // Hooks the app called before this script ran (its wasm can hydrate first).
  for (const [name, argument] of window.__xfPendingHooks || []) {
    if (typeof window[name] === 'function') window[name](argument);
  }
  window.__xfPendingHooks = [];

  // Ask once that storage (queued offline edits, cached pages) not be evicted.
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
})();
