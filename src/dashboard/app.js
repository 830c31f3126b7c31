// The seckill dashboard: the list of sales (GET /api/v1/vouchers, live first), one EventSource
// on /api/v1/events (its `history` event draws the last minutes, then a `tick` a second),
// hand-drawn SVG charts, the staff queue's ack/resolve buttons and, for admins, "End sale"
// (plain fetch with the bearer token). No libraries, no CDN.
// Everything that comes from the server reaches the page through textContent or attributes set
// one by one, never through innerHTML.
'use strict';

const HISTORY = 600;  // points kept per chart: the ten minutes of history the server keeps
const COLORS = ['#ff6b6b', '#ffb74d', '#4fb3ff', '#b388ff', '#66d28e', '#f06292', '#9ccc65'];
const TOKEN_KEY = 'seckill.token';  // sessionStorage: gone when the tab closes

const $ = (id) => document.getElementById(id);
const SVG_NS = 'http://www.w3.org/2000/svg';

// An element with attributes and children (strings become text nodes).
function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG_NS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'style') Object.assign(node.style, v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children) node.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  return node;
}
const state = { source: null, last: null, stock: [], rate: [], refusals: {}, prevRefusals: null };

function setStatus(text, kind) {
  const el = $('status');
  el.textContent = text;
  el.className = 'status ' + kind;
}

function message(text) { $('message').textContent = text; }

function push(series, value) {
  series.push(value);
  if (series.length > HISTORY) series.shift();
}

// Draws each series as a polyline over the same y scale (0 .. max), newest on the right.
function drawChart(svg, seriesList) {
  const w = 400, h = 120, pad = 12;
  let max = 1;
  for (const s of seriesList) for (const v of s.values) max = Math.max(max, v);
  const parts = [];
  for (const s of seriesList) {
    if (s.values.length === 0) continue;
    const step = (w - pad) / (HISTORY - 1);
    const x0 = w - step * (s.values.length - 1);
    const pts = s.values.map((v, i) =>
      `${(x0 + i * step).toFixed(1)},${(h - pad - (v / max) * (h - 2 * pad)).toFixed(1)}`);
    parts.push(el('svg:polyline', { stroke: s.color, points: pts.join(' ') }));
  }
  parts.push(el('svg:text', { x: 4, y: 12 }, Math.round(max)), el('svg:text', { x: 4, y: h - 2 }, '0'));
  svg.replaceChildren(...parts);
}

function reasonColor(reason) {
  const names = Object.keys(state.refusals).sort();
  return COLORS[names.indexOf(reason) % COLORS.length];
}

function showVoucher(v, seconds) {
  if (!v) {
    $('voucher-title').textContent = '(no voucher chosen, or not found)';
    return;
  }
  $('voucher-title').textContent = `“${v.title}” #${v.id}`;
  $('stock-left').textContent = v.stock_left;
  $('stock-total').textContent = v.stock;
  $('orders-taken').textContent = v.orders_taken;
  const prev = state.last;
  // Orders per second from the live stock (every instance's orders), not from this instance.
  let rate = 0;
  if (prev && prev.id === v.id && seconds > 0) rate = Math.max(0, (prev.stock_left - v.stock_left) / seconds);
  $('orders-per-s').textContent = rate.toFixed(rate < 10 ? 1 : 0);
  push(state.stock, v.stock_left);
  push(state.rate, rate);

  let total = 0;
  const rows = [];
  const reasons = new Set([...Object.keys(v.refusals), ...Object.keys(state.refusals)]);
  for (const reason of reasons) {
    const n = v.refusals[reason] || 0;
    total += n;
    const before = state.prevRefusals ? (state.prevRefusals[reason] || 0) : n;
    if (!state.refusals[reason]) state.refusals[reason] = [];
    push(state.refusals[reason], seconds > 0 ? Math.max(0, (n - before) / seconds) : 0);
    rows.push([reason, el('tr', { 'data-reason': reason }, el('td', {}, reason), el('td', { class: 'count' }, n))]);
  }
  state.prevRefusals = v.refusals;
  $('refusals-total').textContent = total;
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  $('refusals').tBodies[0].replaceChildren(...rows.map((r) => r[1]));
  drawChart($('chart-stock'), [{ values: state.stock, color: '#4fb3ff' }]);
  drawChart($('chart-rate'), [{ values: state.rate, color: '#66d28e' }]);
  drawChart($('chart-refusals'), Object.keys(state.refusals).sort().map(
    (r) => ({ values: state.refusals[r], color: reasonColor(r) })));
  $('refusal-legend').replaceChildren(...Object.keys(state.refusals).sort().map(
    (r) => el('span', {}, el('i', { style: { background: reasonColor(r) } }), r)));
}

function showQueue(q) {
  if (!q) {
    $('queue-note').hidden = false;
    return;
  }
  $('queue-note').hidden = true;
  $('queue-open').textContent = q.open ?? 0;
  $('queue-acked').textContent = q.acked ?? 0;
  $('queue-overdue').textContent = q.overdue;
  $('reminders').tBodies[0].replaceChildren(...q.items.map((r) => {
    const buttons = [];
    if (r.status === 'open') buttons.push(el('button', { 'data-act': 'ack', 'data-id': r.id }, 'Ack'));
    buttons.push(el('button', { class: 'secondary', 'data-act': 'resolve', 'data-id': r.id }, 'Resolve'));
    return el('tr', { 'data-id': r.id, 'data-status': r.status, class: r.overdue ? 'overdue' : '' },
      el('td', {}, r.ticket), el('td', { class: 'rstatus' }, r.status + (r.overdue ? ' (overdue)' : '')),
      el('td', {}, r.first_at), el('td', {}, r.last_at), el('td', {}, r.user_count),
      el('td', { class: 'actions' }, ...buttons));
  }));
}

function onTick(event) {
  const data = JSON.parse(event.data);
  const now = Date.parse(data.at);
  const seconds = state.lastAt ? (now - state.lastAt) / 1000 : 0;
  state.lastAt = now;
  showVoucher(data.voucher, seconds);
  state.last = data.voucher;
  showQueue(data.reminders);
  setStatus('live · ' + data.at.replace('T', ' ').replace(/\..*|Z/, ''), 'on');
  document.body.dataset.ticks = String(Number(document.body.dataset.ticks || 0) + 1);
}

// The history event: this instance's per-second counts on the voucher over the last minutes,
// laid out one point a second (seconds without an attempt are zeros) up to now.
function onHistory(event) {
  const data = JSON.parse(event.data);
  const seconds = data.seconds;
  document.body.dataset.historySeconds = String(seconds.length);
  document.body.dataset.historyTaken = String(seconds.reduce((n, s) => n + s.taken, 0));
  document.body.dataset.historySoldOut = String(seconds.reduce((n, s) => n + (s.refusals.sold_out || 0), 0));
  if (seconds.length === 0) return;
  const first = Date.parse(seconds[0].at) / 1000;
  const last = Math.max(Date.parse(seconds[seconds.length - 1].at) / 1000, Math.floor(Date.now() / 1000));
  const length = Math.min(HISTORY, last - first + 1);
  const start = last - length + 1;
  const reasons = new Set(seconds.flatMap((s) => Object.keys(s.refusals)));
  state.rate = new Array(length).fill(0);
  state.refusals = {};
  for (const r of reasons) state.refusals[r] = new Array(length).fill(0);
  for (const s of seconds) {
    const i = Date.parse(s.at) / 1000 - start;
    if (i < 0 || i >= length) continue;
    state.rate[i] = s.taken;
    for (const [r, n] of Object.entries(s.refusals)) state.refusals[r][i] = n;
  }
  drawChart($('chart-rate'), [{ values: state.rate, color: '#66d28e' }]);
  drawChart($('chart-refusals'), Object.keys(state.refusals).sort().map(
    (r) => ({ values: state.refusals[r], color: reasonColor(r) })));
}

// The role a token claims, for showing admin controls only (the server decides what it may do).
function tokenRole(token) {
  try {
    const payload = token.split('.')[1].replaceAll('-', '+').replaceAll('_', '/');
    return JSON.parse(atob(payload)).role || 'user';
  } catch {
    return 'user';
  }
}

async function apiGet(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + token } });
  return { status: res.status, body: await res.json().catch(() => null) };
}

// The sales to pick from: live first, then upcoming, then recently ended.
async function loadSales() {
  const items = [];
  for (const status of ['live', 'upcoming', 'ended']) {
    const res = await apiGet(`/api/v1/vouchers?status=${status}&limit=20`);
    if (res.status === 404 || res.status === 405) {
      $('sales-note').textContent = 'This server cannot list the sales; type a voucher id.';
      $('sales-note').hidden = false;
      return;
    }
    if (res.status !== 200 || !res.body) {
      $('sales-note').textContent = `listing the sales: ${res.status}`;
      $('sales-note').hidden = false;
      return;
    }
    for (const v of res.body.vouchers) items.push([status, v]);
  }
  $('sales-note').hidden = items.length > 0;
  if (items.length === 0) $('sales-note').textContent = 'No sales yet.';
  const chosen = $('voucher').value.trim();
  $('sales-list').replaceChildren(...items.map(([status, v]) => el('li',
    { 'data-id': v.id, 'data-status': status, class: v.id === chosen ? 'chosen' : '' },
    el('button', { type: 'button', 'data-id': v.id },
      `${v.title} · ${status} · ${v.stock_left}/${v.stock}`))));
}

async function endSale() {
  const button = $('end-sale');
  // Two clicks: the first arms the button, so a stray click does not end a sale.
  if (!button.classList.contains('armed')) {
    button.classList.add('armed');
    button.textContent = 'Click again to end the sale';
    return;
  }
  button.classList.remove('armed');
  button.textContent = 'End sale';
  const id = $('voucher').value.trim();
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(`/api/v1/vouchers/${encodeURIComponent(id)}/end`, {
    method: 'POST', headers: { Authorization: 'Bearer ' + token } });
  const body = await res.json().catch(() => ({}));
  if (res.ok) message(`sale ${id} ended at ${body.end_at}`);
  else message(`ending sale ${id}: ${res.status} ${body.error ? body.error.code + ': ' + body.error.message : ''}`);
  loadSales();
}

function connect() {
  const token = $('token').value.trim();
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  if (state.source) state.source.close();
  Object.assign(state, { last: null, lastAt: null, stock: [], rate: [], refusals: {}, prevRefusals: null });
  const params = new URLSearchParams({ access_token: token });
  const voucher = $('voucher').value.trim();
  if (voucher) params.set('voucher', voucher);
  const interval = new URLSearchParams(location.search).get('interval_ms');
  if (interval) params.set('interval_ms', interval);
  // EventSource cannot send an Authorization header, hence the token in the query (this route
  // only; the server never logs query strings).
  const source = new EventSource('/api/v1/events?' + params.toString());
  state.source = source;
  setStatus('connecting…', 'off');
  source.addEventListener('history', onHistory);
  source.addEventListener('tick', onTick);
  $('end-sale').hidden = !(voucher && tokenRole(token) === 'admin');
  loadSales();
  source.addEventListener('failure', (e) => message(JSON.parse(e.data).message));
  // The server ends the feed when the token expires: stop, rather than retry with it.
  source.addEventListener('expired', (e) => {
    source.close();
    setStatus('token expired', 'error');
    message(JSON.parse(e.data).message + ': paste a new token');
  });
  source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'refused (token?)' : 'reconnecting…', 'error');
}

async function act(action, id) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(`/api/v1/reminders/${id}/${action}`, {
    method: 'POST', headers: { Authorization: 'Bearer ' + token } });
  const body = await res.json().catch(() => ({}));
  if (res.ok) {
    message(`reminder ${id}: ${body.status}`);
    const row = document.querySelector(`#reminders tr[data-id="${CSS.escape(id)}"]`);
    if (row) {
      row.dataset.status = body.status;
      row.querySelector('.rstatus').textContent = body.status;
      row.classList.remove('overdue');
      if (body.status !== 'open') row.querySelector('button[data-act="ack"]')?.remove();
      if (body.status === 'resolved') row.remove();
    }
  } else {
    message(`reminder ${id}: ${res.status} ${body.error ? body.error.code + ': ' + body.error.message : ''}`);
  }
}

$('connect').addEventListener('submit', (e) => { e.preventDefault(); connect(); });
$('reminders').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-act]');
  if (b) act(b.dataset.act, b.dataset.id);
});
$('sales-list').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-id]');
  if (!b) return;
  $('voucher').value = b.dataset.id;
  connect();
});
$('refresh-sales').addEventListener('click', () => { if (sessionStorage.getItem(TOKEN_KEY)) loadSales(); });
$('end-sale').addEventListener('click', endSale);
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) $('token').value = saved;
const wanted = new URLSearchParams(location.search).get('voucher');
if (wanted) $('voucher').value = wanted;
