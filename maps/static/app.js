/* jemput field app: a report form per stop, kept on the phone first (JemputOutbox), sent when online. */
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('jemput-app').textContent);
  var L = cfg.labels;
  var endpoint = new URL(cfg.endpoint, location.href).href;
  /* this team-day's reports, also those saved on a page of the plan this one re-planned (another endpoint) */
  var daySuffix = '/teams/' + encodeURIComponent(cfg.team) + '/days/' + cfg.date + '/reports';
  function thisDay(r) { return r.endpoint === endpoint || r.endpoint.slice(-daySuffix.length) === daySuffix; }
  var FIELDS = {arrived: ['time', 'note'], done: ['people', 'start', 'end', 'note'], missed: ['reason', 'note'],
                kit_failure: ['kit', 'note'], note: ['note']};
  var outbox = document.getElementById('outbox'), outboxText = document.getElementById('outbox-text');
  var net = document.getElementById('net'), problem = '';

  function fmt(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  function nowClock() { var d = new Date(); return ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2); }

  function showFields(form) {
    var kind = form.querySelector('input[name=kind]:checked').value;
    ['time', 'people', 'start', 'end', 'reason', 'kit', 'note'].forEach(function (f) {
      var box = form.querySelector('.f-' + f);
      if (box) box.hidden = FIELDS[kind].indexOf(f) < 0;
    });
    if (kind === 'arrived' && !form.elements.time.value) form.elements.time.value = nowClock();
  }

  function describe(r) {
    var text = L['kind_' + r.kind] || r.kind;
    if (r.kind === 'done') text += ' · ' + r.people + ' ' + L.people_short;
    if (r.kind === 'missed') text += ' · ' + (L['reason_' + r.reason] || r.reason);
    if (r.kind === 'kit_failure') text += ' · ' + r.kit_id;
    return text;
  }

  function render(records) {
    var mine = records.filter(thisDay);
    mine.sort(function (a, b) { return a.saved - b.saved; });
    document.querySelectorAll('form.report').forEach(function (form) {
      var last = null;
      mine.forEach(function (r) {
        if (r.report.site_id === form.dataset.site && String(r.report.visit) === form.dataset.visit) last = r;
      });
      var state = form.querySelector('.report-state');
      state.className = 'report-state' + (last ? ' ' + last.state : '');
      state.textContent = last ? describe(last.report) + ' — ' + L['state_' + last.state] +
        (last.state === 'rejected' && last.error ? ' (' + last.error + ')' : '') : '';
    });
    /* the whole outbox of the phone: reports of other days or of an earlier plan are sent from here too */
    var pending = records.filter(function (r) { return r.state === 'pending'; }).length;
    var online = navigator.onLine;
    net.className = 'net' + (online ? ' on' : '');
    outbox.className = 'outbox' + (pending ? '' : ' clear');
    outboxText.textContent = (pending ? fmt(L.pending_n, {n: pending}) : L.all_sent) + (online ? '' : ' · ' + L.offline) +
      (pending && online && problem ? ' · ' + problem : '');
    outbox.dataset.problem = pending && online ? problem : '';
    document.body.dataset.pending = String(pending);
    document.body.dataset.sent = String(mine.filter(function (r) { return r.state === 'sent'; }).length);
  }

  function refresh() { return JemputOutbox.list().then(render); }

  function send() {
    return JemputOutbox.flush().then(function (results) {  /* every endpoint: each report to the plan it was made on */
      /* a refused key needs the team (open the link, enter the key); anything else is retried by itself */
      var refused = results.some(function (o) { return o.status === 401 || o.status === 403; });
      var failed = results.some(function (o) { return o.error && !o.rejected; });
      problem = refused ? L.key_refused : (failed && navigator.onLine ? L.send_retry : '');
      return refresh();
    }, function () { return refresh(); });
  }

  function read(form) {
    var e = form.elements, kind = form.querySelector('input[name=kind]:checked').value;
    var r = {id: JemputOutbox.newId(), site_id: form.dataset.site, visit: Number(form.dataset.visit), kind: kind,
             note: e.note.value.trim().slice(0, 500), made_at: new Date().toISOString()};
    if (kind === 'arrived' && e.time.value) r.time = e.time.value;
    if (kind === 'done') {
      if (e.people.value === '') return null;
      r.people = Math.max(0, Math.round(Number(e.people.value)));
      if (e.start.value) r.start = e.start.value;
      if (e.end.value) r.end = e.end.value;
    }
    if (kind === 'missed') r.reason = e.reason.value;
    if (kind === 'kit_failure') r.kit_id = e.kit_id.value;
    return r;
  }

  document.querySelectorAll('form.report').forEach(function (form) {
    form.addEventListener('change', function () { showFields(form); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var report = read(form);
      if (!report) { form.elements.people.focus(); form.querySelector('.report-state').textContent = L.need_people; return; }
      var button = form.querySelector('.save');
      button.disabled = true;
      JemputOutbox.add(endpoint, report).then(function () {  /* on the phone first, then try to send */
        form.elements.note.value = '';
        return refresh();
      }).then(function () {
        if ('serviceWorker' in navigator && 'SyncManager' in window) {
          navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register('jemput-reports'); }).catch(function () {});
        }
        return send();
      }).then(function () { button.disabled = false; }, function () { button.disabled = false; });
    });
    showFields(form);
  });

  document.getElementById('send-now').addEventListener('click', send);
  window.addEventListener('online', send);
  window.addEventListener('offline', refresh);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) send(); });
  setInterval(send, 20000);

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('sw.js').then(function () {
      if (navigator.onLine && window.caches) {  /* keep this page (and its language) for use without signal */
        caches.open('jemput-field-v1').then(function (c) { return c.add(location.href); }).catch(function () {});
      }
    }).catch(function () {});
  }
  if (navigator.storage && navigator.storage.persist) {  /* ask the browser not to evict the outbox under pressure */
    navigator.storage.persist().catch(function () {});
  }
  JemputOutbox.prune(30).catch(function () {}).then(refresh).then(send);
  window.jemputSend = send;  /* for tests and the console: send now, resolves when done */
})();
