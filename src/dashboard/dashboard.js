// bootfleet's dashboard: machines, each one's last boot as the doctor reads it, and live
// events. Plain browser JavaScript against the API (/api/v1); the token stays in this tab
// (sessionStorage) and goes only in the Authorization header.
(function () {
  'use strict';
  var FEED_MAX = 200;
  var token = sessionStorage.getItem('bootfleet-token') || '';
  var selected = null;
  var diagnoses = {};
  var streamAbort = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function setStatus(text) { $('status').textContent = text; }
  function when(iso) { return iso ? iso.replace('T', ' ').slice(0, 19) : '-'; }

  function api(path) {
    return fetch(path, { headers: { Authorization: 'Bearer ' + token } }).then(function (res) {
      if (!res.ok) {
        return res.json().then(function (b) { throw new Error(res.status + ' ' + ((b && b.error && b.error.message) || res.statusText)); },
          function () { throw new Error(res.status + ' ' + res.statusText); });
      }
      return res.json();
    });
  }

  function verdict(d) {
    if (!d) return el('span', '-', 'unknown');
    return el('span', (d.ok ? 'OK' : 'stopped') + ' at ' + d.stage, d.ok ? 'ok' : 'stopped');
  }

  function renderMachines(machines) {
    var body = $('machines').querySelector('tbody');
    body.textContent = '';
    machines.forEach(function (m) {
      var tr = el('tr');
      tr.dataset.mac = m.mac;
      [m.mac, m.state, m.hostname || '-', m.boot.profile, m.lastIp || '-', when(m.lastSeen)].forEach(function (v, i) {
        tr.appendChild(el('td', v, i === 0 ? 'mac' : ''));
      });
      var last = el('td');
      last.appendChild(verdict(diagnoses[m.mac]));
      tr.appendChild(last);
      tr.addEventListener('click', function () { select(m.mac); });
      body.appendChild(tr);
    });
  }

  function renderDiagnosis(d) {
    $('machine').hidden = false;
    $('machine-title').textContent = d.mac;
    var p = $('diagnosis');
    p.textContent = '';
    p.appendChild(verdict(d));
    p.appendChild(document.createTextNode(' — ' + d.summary));
    $('hint').textContent = d.hint ? 'Check: ' + d.hint : '';
    var steps = $('steps');
    steps.textContent = '';
    d.steps.forEach(function (s) {
      steps.appendChild(el('li', when(s.time).slice(11) + '  ' + s.kind + '  ' + s.says, s.ok ? '' : 'bad'));
    });
  }

  function select(mac) {
    selected = mac;
    return api('/api/v1/machines/' + encodeURIComponent(mac) + '/doctor').then(function (d) {
      diagnoses[mac] = d;
      if (selected === mac) renderDiagnosis(d);
    }, function (err) { setStatus(err.message); });
  }

  function refresh() {
    return Promise.all([api('/api/v1/machines'), api('/api/v1/doctor?limit=1000')]).then(function (r) {
      diagnoses = {};
      r[1].forEach(function (d) { diagnoses[d.mac] = d; });
      renderMachines(r[0]);
      setStatus('connected: ' + r[0].length + ' machines');
    });
  }

  // At most one refresh per REFRESH_MS however busy the network: during a storm every event has a
  // MAC, and each refresh reads the machine list and the doctor for all of them.
  var REFRESH_MS = 5000;
  var refreshTimer = null;
  function refreshSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      refresh().catch(function (err) { setStatus(err.message); });
      if (selected) select(selected);
    }, REFRESH_MS);
  }

  function addToFeed(e) {
    var feed = $('feed');
    var li = el('li', when(e.time).slice(11) + ' ' + (e.mac || '-') + ' ' + e.kind + ' ' + e.msg, e.level === 'warn' || e.level === 'error' ? 'warn' : '');
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > FEED_MAX) feed.removeChild(feed.lastChild);
    if (e.mac) refreshSoon();
  }

  // EventSource cannot send an Authorization header, so the stream is read with fetch.
  function follow() {
    if (streamAbort) streamAbort.abort();
    var ctrl = new AbortController();
    streamAbort = ctrl;
    fetch('/api/v1/events/stream', { headers: { Authorization: 'Bearer ' + token }, signal: ctrl.signal }).then(function (res) {
      if (!res.ok || !res.body) throw new Error('live events: ' + res.status);
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffered = '';
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) throw new Error('live events ended');
          buffered += decoder.decode(chunk.value, { stream: true });
          var cut;
          while ((cut = buffered.indexOf('\n\n')) >= 0) {
            var block = buffered.slice(0, cut);
            buffered = buffered.slice(cut + 2);
            var data = block.split('\n').filter(function (l) { return l.indexOf('data: ') === 0; }).map(function (l) { return l.slice(6); }).join('\n');
            if (data) addToFeed(JSON.parse(data));
          }
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      if (ctrl.signal.aborted) return;
      setStatus(err.message + ' (reconnecting)');
      setTimeout(follow, 3000);
    });
  }

  function connect() {
    return refresh().then(follow, function (err) { setStatus(err.message); });
  }

  $('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    token = $('token').value.trim();
    sessionStorage.setItem('bootfleet-token', token);
    connect();
  });
  if (token) connect();
  window.bootfleetDashboard = { select: select, refresh: refresh, stop: function () { if (streamAbort) streamAbort.abort(); } };
})();
