// The status page at `/`: one self-contained HTML document (no external assets, so it works on an
// air-gapped control plane and under a strict CSP) that fetches /status every two seconds and draws
// the instances, who is master, the trackers, a backend table in the manner of haproxy's stats page,
// and the last state changes. Text from the daemon goes in through textContent only, never as HTML.
// Elements carry data-* attributes so that a browser test can find what a user reads.

const STYLE = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1d2330; background: #f4f5f7; }
body { margin: 0 auto; max-width: 1200px; padding: 16px 24px; }
header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
h1 { font-size: 20px; margin: 0; } h2 { font-size: 16px; margin: 24px 0 8px; }
.meta { color: #5b6474; } .error { color: #a4161a; font-weight: 600; }
/* Wide tables (the backend table has 13 columns) scroll inside their box instead of running past the page. */
.scroll { overflow-x: auto; background: #fff; box-shadow: 0 1px 2px #0002; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e6eb; white-space: nowrap; }
/* Headers may wrap ("failed connects" on two lines): the values are what must stay on one line. */
th { background: #e9ecf1; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; white-space: normal; vertical-align: bottom; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; text-transform: uppercase; }
.s-master, .s-up { background: #2b9348; color: #fff; } .s-backup { background: #3a6ea5; color: #fff; }
.s-fault, .s-down { background: #c1121f; color: #fff; } .s-init, .s-initialize { background: #adb5bd; color: #1d2330; }
tr.down td { background: #fde8e8; } .detail { color: #5b6474; white-space: normal; min-width: 12em; }
.empty { color: #5b6474; padding: 8px; }
`;

// Runs in the browser. Plain ES2017, no framework: it only builds rows from /status.
const SCRIPT = `
const REFRESH_MS = 2000;
const el = (tag, attrs, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
};
const badge = (state) => el('span', { class: 'badge s-' + state, 'data-state': state }, state);
const bytes = (n) => n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : n < 1073741824 ? (n / 1048576).toFixed(1) + ' MiB' : (n / 1073741824).toFixed(2) + ' GiB';
const ago = (iso, now) => {
  const s = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 1000));
  return s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min ' + (s % 60) + ' s' : s < 86400 ? Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min' : Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
};
const table = (id, headers, rows, emptyText) => {
  const target = document.getElementById(id);
  if (rows.length === 0) { target.replaceChildren(el('div', { class: 'empty' }, emptyText)); return; }
  const head = el('tr', {}, ...headers.map(([text, cls]) => el('th', cls ? { class: cls } : {}, text)));
  target.replaceChildren(el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows))));
};
const td = (value, cls) => el('td', cls ? { class: cls } : {}, value);

function draw(s) {
  const own = [...new Set(s.instances.map((i) => i.ownAddress))];
  document.getElementById('host').textContent = s.hostname + (own.length > 0 ? ' (' + own.join(', ') + ')' : '');
  document.getElementById('meta').textContent = 'tsvip ' + s.version + ' · pid ' + s.pid + ' · up ' + ago(s.startedAt, s.now) + ' · ' + (s.ready ? 'ready' : 'not ready');
  const masters = s.instances.filter((i) => i.state === 'master').map((i) => i.name);
  document.getElementById('summary').textContent = s.instances.length === 0 ? 'no VRRP instances (load balancer only)' : masters.length > 0 ? 'this host is MASTER for ' + masters.join(', ') : 'this host is not master';
  table('instances', [['instance'], ['state'], ['priority', 'num'], ['master'], ['VIPs'], ['interface / VRID'], ['since'], ['adverts sent', 'num'], ['adverts received', 'num'], ['dropped', 'num'], ['transitions', 'num']],
    s.instances.map((i) => el('tr', { 'data-instance': i.name },
      td(i.name), el('td', {}, badge(i.state)), td(i.priority === i.configuredPriority ? i.priority : i.priority + ' (' + i.configuredPriority + ')', 'num'),
      el('td', { 'data-master': i.masterAddress || '' }, i.masterAddress || '–'), td(i.vips.join(', ')), td(i.interface + ' / ' + i.vrid + ' (v' + i.version + ')'),
      td(ago(i.since, s.now)), td(i.counters.advertsSent, 'num'), td(i.counters.advertsReceived, 'num'),
      td(Object.values(i.counters.drops).reduce((a, b) => a + b, 0), 'num'), td(i.counters.transitions, 'num'))), 'no VRRP instances');
  const trackers = s.instances.flatMap((i) => i.trackers.map((t) => ({ instance: i.name, ...t })));
  table('trackers', [['instance'], ['tracker'], ['type'], ['state'], ['weight', 'num'], ['detail']],
    trackers.map((t) => el('tr', { 'data-tracker': t.instance + '/' + t.name, class: t.state === 'down' ? 'down' : '' },
      td(t.instance), td(t.name), td(t.type), el('td', {}, badge(t.state)), td(t.weight, 'num'), el('td', { class: 'detail' }, t.detail))), 'no trackers');
  const balancers = document.getElementById('balancers');
  balancers.replaceChildren(...(s.loadBalancers.length === 0 ? [el('div', { class: 'empty' }, 'no load balancers')] : s.loadBalancers.map((lb) => {
    const section = el('section', { 'data-load-balancer': lb.name },
      el('h2', {}, 'load balancer ' + lb.name + ' ', badge(lb.pool.state)),
      el('div', { class: 'meta' }, 'bind ' + lb.bind + ' · listening on ' + (lb.listening.join(', ') || 'nothing (not master)') + ' · ' + lb.balance + ' · ' + lb.pool.detail +
        ' · ' + lb.counters.active + ' active, ' + lb.counters.total + ' total, ' + lb.counters.failedConnects + ' failed connects, ' + lb.counters.retries + ' retries, ' + lb.counters.rejected + ' rejected'),
      el('div', { id: 'backends-' + lb.name }));
    return section;
  })));
  for (const lb of s.loadBalancers) {
    table('backends-' + lb.name, [['backend'], ['address'], ['status'], ['weight', 'num'], ['active', 'num'], ['total', 'num'], ['failed connects', 'num'], ['retries', 'num'], ['bytes in', 'num'], ['bytes out', 'num'], ['checks failed', 'num'], ['since'], ['last check / reason']],
      lb.backends.map((b) => el('tr', { 'data-backend': lb.name + '/' + b.name, class: b.state === 'down' ? 'down' : '' },
        td(b.name), td(b.address), el('td', {}, badge(b.state)), td(b.weight, 'num'), td(b.counters.active, 'num'), td(b.counters.total, 'num'),
        td(b.counters.failedConnects, 'num'), td(b.counters.retries, 'num'), td(bytes(b.counters.bytesIn), 'num'), td(bytes(b.counters.bytesOut), 'num'),
        td(b.failedChecks + ' / ' + b.checks, 'num'), td(ago(b.since, s.now)), el('td', { class: 'detail' }, b.state === 'down' ? b.reason : b.lastCheck))), 'no backends');
  }
  table('transitions', [['when'], ['instance'], ['from'], ['to'], ['priority', 'num'], ['reason']],
    s.transitions.map((t) => el('tr', { 'data-transition': t.instance },
      td(new Date(t.at).toLocaleTimeString() + ' (' + ago(t.at, s.now) + ' ago)'), td(t.instance), el('td', {}, badge(t.from)), el('td', {}, badge(t.to)), td(t.priority, 'num'), td(t.reason))), 'no state changes yet');
}

async function refresh() {
  const problem = document.getElementById('problem');
  try {
    const response = await fetch('status', { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok) throw new Error('/status answered ' + response.status);
    draw(await response.json());
    problem.textContent = '';
    document.body.dataset.updated = new Date().toISOString();
  } catch (error) {
    problem.textContent = 'cannot reach tsvip: ' + error.message + ' (retrying)';
  }
  setTimeout(refresh, REFRESH_MS);
}
refresh();
`;

export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tsvip status</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>tsvip · <span id="host">…</span></h1><span class="meta" id="meta"></span><span class="error" id="problem"></span></header>
<p id="summary"></p>
<h2>VRRP instances</h2><div id="instances"></div>
<h2>Trackers</h2><div id="trackers"></div>
<div id="balancers"></div>
<h2>Last state changes</h2><div id="transitions"></div>
<script>${SCRIPT}</script>
</body>
</html>
`;
