/* jemput field service worker: the team-day page and its files work without signal after the first
   load; reports waiting in the outbox are sent by Background Sync when the connection returns. */
'use strict';
importScripts('/v1/field/outbox.js');
var CACHE = 'jemput-field-v1';
var FILES = __FILES__;
var PAGE = new URL('app', self.registration.scope).href;

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) {
    return c.addAll(FILES).then(function () { return c.add(PAGE).catch(function () {}); });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(self.clients.claim());
});

function fromCache(request, ignoreSearch) {
  return caches.open(CACHE).then(function (c) { return c.match(request, {ignoreSearch: ignoreSearch}); });
}

function networkFirst(request, timeoutMs) {
  return new Promise(function (resolve, reject) {
    var done = false;
    var timer = setTimeout(function () {
      fromCache(request, true).then(function (hit) { if (hit && !done) { done = true; resolve(hit); } });
    }, timeoutMs);
    fetch(request).then(function (res) {
      if (res.ok) {
        var copy = res.clone();
        caches.open(CACHE).then(function (c) { c.put(request, copy); });
      }
      if (!done) { done = true; clearTimeout(timer); resolve(res); }
    }, function (err) {
      clearTimeout(timer);
      fromCache(request, true).then(function (hit) {
        if (done) return;
        done = true;
        hit ? resolve(hit) : reject(err);
      });
    });
  });
}

self.addEventListener('fetch', function (event) {
  var req = event.request, url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf('/v1/field/') === 0) {  /* the app's own files: cache first */
    event.respondWith(fromCache(req, true).then(function (hit) { return hit || fetch(req); }));
  } else if (req.mode === 'navigate' || url.href.split('?')[0] === PAGE) {  /* the page: fresh if the network answers soon */
    event.respondWith(networkFirst(req, 6000));
  }
});

self.addEventListener('sync', function (event) {
  if (event.tag === 'jemput-reports') event.waitUntil(JemputOutbox.flush());
});
