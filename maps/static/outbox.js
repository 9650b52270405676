/* jemput field outbox: reports kept in IndexedDB until the server has them (page and service worker).
   A report is written to the phone first; it is marked sent only when the server answers that it
   has stored it (POST is idempotent by report id, so sending twice is harmless). */
var JemputOutbox = (function () {
  'use strict';
  var DB = 'jemput-field', STORE = 'outbox', busy = {};

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        var store = req.result.createObjectStore(STORE, {keyPath: 'id'});
        store.createIndex('endpoint', 'endpoint');
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), req = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(req ? req.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function newId() {
    var bytes = new Uint8Array(16);
    (self.crypto || window.crypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function add(endpoint, report) {
    var record = {id: report.id, endpoint: endpoint, report: report, state: 'pending', saved: Date.now()};
    return run('readwrite', function (s) { return s.put(record); }).then(function () { return record; });
  }

  function list(endpoint) {
    return run('readonly', function (s) { return endpoint ? s.index('endpoint').getAll(endpoint) : s.getAll(); });
  }

  function mark(ids, state, error) {
    if (!ids.length) return Promise.resolve();
    return run('readwrite', function (s) {
      ids.forEach(function (id) {
        var get = s.get(id);
        get.onsuccess = function () {
          if (get.result) { get.result.state = state; get.result.error = error || ''; s.put(get.result); }
        };
      });
      return null;
    });
  }

  function post(endpoint, reports) {
    return fetch(endpoint, {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: {'Content-Type': 'application/json'}, body: JSON.stringify({reports: reports})
    });
  }

  /* Send one endpoint's pending reports; resolves to {sent, pending, error}. Never throws. */
  function sendEndpoint(endpoint, records) {
    var reports = records.map(function (r) { return r.report; });
    return post(endpoint, reports).then(function (res) {
      if (res.ok) {
        return res.json().then(function (ack) {
          var ids = ack.stored.concat(ack.duplicates);
          return mark(ids, 'sent').then(function () { return {sent: ids.length, error: ''}; });
        });
      }
      if (res.status === 422 || res.status === 409) {  /* one bad report: send one by one, keep the good ones */
        if (records.length > 1) {
          return records.reduce(function (p, r) {
            return p.then(function (acc) { return sendEndpoint(endpoint, [r]).then(function (o) { acc.sent += o.sent; return acc; }); });
          }, Promise.resolve({sent: 0, error: ''}));
        }
        return res.json().catch(function () { return {}; }).then(function (body) {
          return mark([records[0].id], 'rejected', body.detail || String(res.status)).then(function () {
            return {sent: 0, error: body.detail || String(res.status), rejected: true};  /* shown at its stop */
          });
        });
      }
      return {sent: 0, error: 'HTTP ' + res.status, status: res.status};  /* 401/403/5xx: keep them, try again later */
    }, function (err) { return {sent: 0, error: String(err && err.message || err)}; });
  }

  /* Send everything pending (of one endpoint, or all): one request per endpoint at a time. */
  function flush(endpoint) {
    return list(endpoint).then(function (records) {
      var groups = {};
      records.forEach(function (r) { if (r.state === 'pending') (groups[r.endpoint] = groups[r.endpoint] || []).push(r); });
      return Promise.all(Object.keys(groups).map(function (ep) {
        if (busy[ep]) return busy[ep];
        busy[ep] = sendEndpoint(ep, groups[ep]).then(function (o) { delete busy[ep]; return o; },
                                                     function (e) { delete busy[ep]; throw e; });
        return busy[ep];
      }));
    });
  }

  /* Forget reports the server has had for more than `days` days (the outbox would grow all season). */
  function prune(days) {
    var before = Date.now() - days * 86400000;
    return run('readwrite', function (s) {
      var cursor = s.openCursor();
      cursor.onsuccess = function () {
        var c = cursor.result;
        if (!c) return;
        if (c.value.state === 'sent' && c.value.saved < before) c.delete();
        c.continue();
      };
      return null;
    });
  }

  return {add: add, list: list, flush: flush, newId: newId, prune: prune};
})();
