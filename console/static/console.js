/* The jemput console: keeps the API key in this tab's session storage (never in a URL), sends it with
   every fragment request (htmx) and download (fetch), and adds sorting, filtering, drag and drop and
   focus handling to the server's HTML. No inline code: the page's CSP allows scripts from 'self' only. */
(function () {
  'use strict';
  var KEY = 'jemput.apiKey';
  var body = document.body;
  var main = document.getElementById('main');
  var alertBox = document.getElementById('alert');
  var live = document.getElementById('live');
  var signinHtml = main.innerHTML;
  var lang = document.documentElement.lang || 'id';
  var lastFocus = '';

  function key() { return sessionStorage.getItem(KEY); }

  function showAlert(text) {
    alertBox.textContent = text;
    alertBox.hidden = !text;
    if (text) { alertBox.focus(); }
  }

  function signedIn(on) {
    document.getElementById('nav-home').hidden = !on;
    document.getElementById('sign-out').hidden = !on;
    if (!on) { document.getElementById('who').textContent = ''; }
  }

  function loadHome() {
    showAlert('');
    htmx.ajax('GET', '/console/f/home', {target: '#main', swap: 'innerHTML'});
  }

  /* where the page is, in the address bar's fragment (#plan/ID, #scenario/ID; ids only, never the key),
     so a reload, the back button and a bookmark come back to it */
  var ROUTES = {plan: '/console/f/plans/', scenario: '/console/f/scenarios/'};
  function routeOf(hash) {
    var m = /^#(plan|scenario)\/([0-9a-f]{32})$/.exec(hash || '');
    return m ? ROUTES[m[1]] + m[2] : null;
  }
  function loadRoute() {
    var path = routeOf(location.hash);
    if (!path) { loadHome(); return; }
    showAlert('');
    htmx.ajax('GET', path, {target: '#main', swap: 'innerHTML'});
  }
  function remember() {
    var top = main.firstElementChild;  /* the page shown, not a result inside it (an upload on the home page) */
    var plan = top && (top.id === 'plan' || top.id === 'job') ? top : null;
    var scenario = top && top.id === 'scenario' ? top : null;
    var hash = plan ? '#plan/' + plan.getAttribute('data-plan') :
               scenario ? '#scenario/' + scenario.getAttribute('data-scenario') : '';
    if (hash !== location.hash && (hash || location.hash)) {
      history.pushState(null, '', hash || location.pathname + location.search);
    }
  }
  window.addEventListener('popstate', function () { if (key()) { loadRoute(); } });

  function signOut(message) {
    sessionStorage.removeItem(KEY);
    signedIn(false);
    main.innerHTML = signinHtml;
    bindSignin();
    if (message) {
      var e = document.getElementById('signin-error');
      e.textContent = message;
      e.hidden = false;
    }
    var input = document.getElementById('api-key');
    if (input) { input.focus(); }
  }

  function bindSignin() {
    var form = document.getElementById('signin-form');
    if (!form) { return; }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var value = document.getElementById('api-key').value.trim();
      if (!value) { return; }
      sessionStorage.setItem(KEY, value);
      loadRoute();
    });
  }

  /* every htmx request: the key in a header, the language, same origin only */
  document.addEventListener('htmx:configRequest', function (ev) {
    var k = key();
    if (k) { ev.detail.headers['X-API-Key'] = k; }
    ev.detail.headers['X-Console-Lang'] = lang;
  });

  /* JSON answers (the API's own errors: 401, 403, 413, 422 from the framework) are shown as text */
  document.addEventListener('htmx:beforeSwap', function (ev) {
    var xhr = ev.detail.xhr;
    var type = xhr.getResponseHeader('Content-Type') || '';
    if (xhr.status === 401) {
      ev.detail.shouldSwap = false;
      signOut(body.getAttribute('data-signin-wrong'));
      return;
    }
    if (type.indexOf('application/json') === 0) {
      ev.detail.shouldSwap = false;
      var text = body.getAttribute('data-error') + ' (' + xhr.status + ')';
      try {
        var data = JSON.parse(xhr.responseText);
        text += ': ' + data.detail;
        (data.problems || []).slice(0, 10).forEach(function (p) {
          text += '\n' + [p.file, p.field, p.reason].filter(Boolean).join(' · ');
        });
      } catch (e) { /* not JSON after all: the status says enough */ }
      showAlert(text);
    } else if (ev.detail.target === main || ev.detail.target.id === 'upload-result') {
      showAlert('');
    }
  });

  /* a request in flight: the form or page that sent it says so (style and aria-busy), polls excepted */
  document.addEventListener('htmx:beforeRequest', function (ev) {
    if (ev.detail.elt.id !== 'job') { ev.detail.elt.setAttribute('aria-busy', 'true'); }
  });
  document.addEventListener('htmx:afterRequest', function (ev) {
    if (ev.detail.elt.id !== 'job' && ev.detail.elt.isConnected) { ev.detail.elt.removeAttribute('aria-busy'); }
  });

  document.addEventListener('htmx:sendError', function () { showAlert(body.getAttribute('data-error')); });

  document.addEventListener('htmx:afterSwap', function (ev) {
    var root = ev.detail.elt && ev.detail.elt.isConnected ? ev.detail.elt : main;
    enhance(root);
    var home = document.getElementById('home');
    if (home) {
      signedIn(true);
      document.getElementById('who').textContent = home.getAttribute('data-who-label');
    }
    /* move focus to what was loaded, for keyboard and screen-reader users; not again on each poll */
    var loaded = main.querySelector('[data-focus]');
    var signature = loaded ? [loaded.id, loaded.getAttribute('data-plan'), loaded.getAttribute('aria-busy')].join('|') : '';
    if (ev.detail.target.id === 'upload-result') {
      loaded = ev.detail.target.querySelector('[data-focus]');
      signature = 'upload' + Date.now();
    }
    var focus = loaded ? (loaded.querySelector('h1, h2') || loaded) : null;
    if (focus && signature !== lastFocus) {
      if (!focus.hasAttribute('tabindex')) { focus.setAttribute('tabindex', '-1'); }
      focus.focus();
    }
    lastFocus = signature;
    if (ev.detail.target === main || root.id === 'job' || root.id === 'plan' || !root.isConnected) { remember(); }
    var msg = root.querySelector('[data-live]');
    if (msg) { live.textContent = msg.textContent; }
  });

  /* downloads need the key header: fetch, then save the answer under its name */
  document.addEventListener('click', function (ev) {
    var a = ev.target.closest('a[data-download]');
    if (!a) { return; }
    ev.preventDefault();
    fetch(a.getAttribute('href'), {headers: {'X-API-Key': key() || ''}}).then(function (r) {
      if (!r.ok) {
        return r.json().then(function (d) { throw new Error(d.detail || String(r.status)); },
                             function () { throw new Error(String(r.status)); });
      }
      return r.blob();
    }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var link = document.createElement('a');
      link.href = url;
      link.download = a.getAttribute('data-download');
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    }).catch(function (e) { showAlert(body.getAttribute('data-error') + ': ' + e.message); });
  });

  /* sortable tables: a button in each header; aria-sort tells screen readers the order */
  function sortTable(button) {
    var th = button.closest('th');
    var table = th.closest('table');
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    var numeric = button.getAttribute('data-type') === 'num';
    table.querySelectorAll('thead th').forEach(function (h) { if (h.hasAttribute('aria-sort')) { h.setAttribute('aria-sort', 'none'); } });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    function value(row) {
      var cell = row.cells[col];
      if (!cell) { return numeric ? -Infinity : ''; }
      var v = cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent.trim();
      if (numeric) { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
      return v.toLocaleLowerCase();
    }
    rows.sort(function (a, b) {
      var x = value(a), y = value(b);
      var c = numeric ? x - y : String(x).localeCompare(String(y), lang, {numeric: true});
      return asc ? c : -c;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
  }

  document.addEventListener('click', function (ev) {
    var b = ev.target.closest('button.sort');
    if (b) { sortTable(b); }
  });

  /* filters over a table: a select on a row attribute and a free-text search */
  function applyFilter(box) {
    var table = document.getElementById(box.getAttribute('data-filter-for'));
    var select = box.querySelector('select');
    var text = box.querySelector('[data-filter-text]');
    var reason = select ? select.value : '';
    var needle = text ? text.value.trim().toLocaleLowerCase() : '';
    var shown = 0, total = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      total += 1;
      var ok = (!reason || row.getAttribute('data-reason') === reason) &&
               (!needle || row.textContent.toLocaleLowerCase().indexOf(needle) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var count = box.querySelector('[data-count-template]');
    if (count) {
      count.textContent = count.getAttribute('data-count-template').replace('{shown}', shown).replace('{total}', total);
    }
  }

  document.addEventListener('input', function (ev) {
    var box = ev.target.closest('[data-filter-for]');
    if (box) { applyFilter(box); }
  });
  document.addEventListener('change', function (ev) {
    var box = ev.target.closest('[data-filter-for]');
    if (box) { applyFilter(box); }
    if (ev.target.id === 'files') { listFiles(ev.target); }
  });

  /* drag and drop onto the upload zone fills the file input */
  function listFiles(input) {
    var list = document.getElementById('chosen');
    if (!list) { return; }
    list.textContent = '';
    Array.prototype.forEach.call(input.files, function (f) {
      var li = document.createElement('li');
      li.textContent = f.name;
      list.appendChild(li);
    });
  }

  function bindDrop(zone) {
    if (zone.getAttribute('data-bound')) { return; }
    zone.setAttribute('data-bound', '1');
    var input = zone.querySelector('input[type=file]');
    ['dragenter', 'dragover'].forEach(function (name) {
      zone.addEventListener(name, function (ev) { ev.preventDefault(); zone.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove('over'); });
    });
    zone.addEventListener('drop', function (ev) {
      ev.preventDefault();
      if (!ev.dataTransfer || !ev.dataTransfer.files.length) { return; }
      var all = new DataTransfer();
      Array.prototype.forEach.call(ev.dataTransfer.files, function (f) { all.items.add(f); });
      input.files = all.files;
      listFiles(input);
    });
  }

  function enhance(root) {
    (root.querySelectorAll ? root : document).querySelectorAll('[data-drop]').forEach(bindDrop);
    if (window.jemputMaps) { window.jemputMaps.draw(root); }
  }

  document.getElementById('nav-home').addEventListener('click', loadHome);
  document.getElementById('sign-out').addEventListener('click', function () { signOut(''); });
  bindSignin();
  if (key()) { loadRoute(); }
})();
