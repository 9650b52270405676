/* jemput field service worker: the team-day page and its files work without signal after the first
   load; reports waiting in the outbox are sent by Background Sync when the connection returns. */
'use strict';
importScripts('/v1/field/outbox.js');
var CACHE = 'jemput-field-v1';  /* kept across updates: it also holds the pages saved for use without signal */
var FILES = __FILES__;
var VERSION = '__VERSION__';  /* a hash of the files: a new one makes this script differ, so phones update */
var PAGE = new URL('app', self.registration.scope).href;

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) {
    var fresh = FILES.map(function (f) { return new Request(f, {cache: 'reload'}); });  /* not from the HTTP cache */
    return c.addAll(fresh).then(function () { return c.add(PAGE).catch(function () {}); });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(self.clients.claim());
});

function fromCache(request, ignoreSearch) {  /* the exact URL first (?lang=en is another page), then any query */
  return caches.open(CACHE).then(function (c) {
    return c.match(request).then(function (hit) { return hit || (ignoreSearch ? c.match(request, {ignoreSearch: true}) : hit); });
  });
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
