// Browser test of the live dashboard (GET /), in the embedded mode: Debian's chromium, driven by
// playwright-core, watches a flash sale and the staff queue of a real `seckill serve`.
//
// It checks that the page's figures move while orders come in and, once the sale is over,
// equal what the API and /metrics say; that an overdue reminder is highlighted; that clicking
// Ack acks it (checked through the API); that a page opened after the sale draws it from the
// server's history, lists the sales and shows admins "End sale"; and it saves screenshots into
// OUT_DIR.
//
// Usage: node dashboard_test.mjs SECKILL_BINARY OUT_DIR    (exit 0: pass)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [binary, outDir] = process.argv.slice(2);
if (!binary || !outDir) {
  console.error('usage: node dashboard_test.mjs SECKILL_BINARY OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const SECRET = 'browser-test-secret-of-at-least-32-bytes';
const STOCK = 40;
const BUYERS = 100;
const work = mkdtempSync(join(tmpdir(), 'seckill-browser-'));
let server = null;
let context = null;

// Everything is bounded: the whole test fails after two minutes.
const deadline = setTimeout(() => fail('timed out after 120 s'), 120_000);

function log(...args) { console.log('[browser]', ...args); }

async function cleanup() {
  clearTimeout(deadline);
  if (context) await context.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => { server.once('exit', r); setTimeout(r, 5000); });
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
}

async function fail(why) {
  console.error('[browser] FAIL:', why);
  await cleanup();
  process.exit(1);
}

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  log('ok:', what);
}

function tokens(user, role, count = 1) {
  const args = ['token', '--user', String(user), '--role', role, '--jwt-secret', SECRET];
  if (count > 1) args.push('--count', String(count));
  return execFileSync(binary, args, { encoding: 'utf8' }).trim().split('\n');
}

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--threads', '1', '--data', join(work, 'data'),
      '--jwt-secret', SECRET, '--reminder-sla', '2s'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    server.stderr.on('data', (chunk) => {
      text += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`seckill serve exited ${code}: ${text}`)));
    setTimeout(() => reject(new Error('seckill serve did not start: ' + text)), 15_000);
  });
}

async function api(base, method, path, token) {
  const res = await fetch(base + path, { method, headers: token ? { Authorization: 'Bearer ' + token } : {} });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

async function main() {
  const base = await startServer();
  log('server at', base);
  const [admin] = tokens(1, 'admin');
  const [staff] = tokens(2, 'staff');
  const buyers = tokens(1000, 'user', BUYERS);

  const created = await fetch(base + '/api/v1/vouchers', {
    method: 'POST', headers: { Authorization: 'Bearer ' + admin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'browser sale', stock: STOCK, begin_at: '2026-01-01T00:00:00Z', end_at: '2099-01-01T00:00:00Z' }),
  });
  const voucher = (await created.json()).id;
  check(created.status === 201, `voucher ${voucher} created`);

  // Two tickets reminded before the page opens: both are overdue after --reminder-sla (2 s).
  for (const ticket of ['T-ACK', 'T-OTHER']) {
    const r = await api(base, 'POST', `/api/v1/tickets/${ticket}/reminders`, buyers[0]);
    check(r.status === 201, `reminder on ${ticket} accepted`);
  }

  const profile = mkdtempSync(join(work, 'profile-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    // Playwright's waitForFunction evaluates code, which the page's CSP (no eval) would block.
    bypassCSP: true,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${base}/?interval_ms=1000`);
  await page.fill('#token', staff);
  await page.fill('#voucher', voucher);
  await page.click('button[type=submit]');
  await page.waitForFunction(() => Number(document.body.dataset.ticks || 0) >= 2, null, { timeout: 10_000 });
  check(await page.textContent('#stock-left') === String(STOCK), 'page shows the full stock before the sale');

  // The sale: buyers arrive in waves, so several ticks see the stock fall.
  const seen = new Set();
  const watcher = setInterval(async () => {
    const v = await page.textContent('#stock-left').catch(() => null);
    if (v !== null) seen.add(v);
  }, 100);
  let taken = 0, soldOut = 0;
  for (let wave = 0; wave < 10; ++wave) {
    const batch = buyers.slice(wave * 10, wave * 10 + 10);
    const results = await Promise.all(batch.map((t) => api(base, 'POST', `/api/v1/vouchers/${voucher}/orders`, t)));
    for (const r of results) {
      if (r.status === 201) ++taken;
      else if (r.status === 409 && r.body.error.code === 'sold_out') ++soldOut;
      else throw new Error('unexpected order answer ' + r.status + ' ' + JSON.stringify(r.body));
    }
    if (wave === 2) await page.screenshot({ path: join(outDir, 'dashboard-sale.png'), fullPage: true });
    await new Promise((r) => setTimeout(r, 1000));  // about one tick (interval_ms >= 1000)
  }
  check(taken === STOCK && soldOut === BUYERS - STOCK, `${taken} orders taken, ${soldOut} refused sold_out`);

  // Once a tick after the sale arrived, the page agrees with the API and /metrics.
  await page.waitForFunction(() => document.getElementById('stock-left').textContent === '0', null, { timeout: 10_000 });
  clearInterval(watcher);
  const distinct = [...seen].filter((v) => /^\d+$/.test(v)).map(Number);
  check(distinct.length >= 3, `the stock figure moved during the sale (${distinct.sort((a, b) => b - a).join(' > ')})`);
  const fromApi = await api(base, 'GET', `/api/v1/vouchers/${voucher}`, admin);
  check(fromApi.body.stock_left === Number(await page.textContent('#stock-left')), 'stock left matches the API (0)');
  check(await page.textContent('#orders-taken') === String(taken), 'orders taken match the orders the API answered 201');
  const soldOutOnPage = await page.textContent('#refusals tr[data-reason="sold_out"] .count');
  check(soldOutOnPage === String(soldOut), `sold_out refusals on the page (${soldOutOnPage}) match the API's 409s`);
  const metrics = (await api(base, 'GET', '/metrics')).body;
  const m = new RegExp(`seckill_order_refusals_total\\{voucher="${voucher}",reason="sold_out"\\} (\\d+)`).exec(metrics);
  check(m && m[1] === soldOutOnPage, 'sold_out refusals match /metrics');
  const svgPoints = await page.getAttribute('#chart-stock polyline', 'points');
  check(svgPoints && svgPoints.split(' ').length >= 3, 'the stock chart is drawn');

  // Staff queue: both records overdue (highlighted); Ack by clicking, checked through the API.
  await page.waitForSelector('#reminders tr.overdue', { timeout: 10_000 });
  check(await page.locator('#reminders tr.overdue').count() === 2, 'two overdue reminders are highlighted');
  await page.screenshot({ path: join(outDir, 'dashboard-queue.png'), fullPage: true });
  const row = page.locator('#reminders tr', { hasText: 'T-ACK' });
  const id = await row.getAttribute('data-id');
  await row.locator('button[data-act=ack]').click();
  await page.waitForFunction((rid) => document.querySelector(`#reminders tr[data-id="${rid}"]`)?.dataset.status === 'acked', id, { timeout: 10_000 });
  const acked = await api(base, 'GET', '/api/v1/reminders?status=acked', staff);
  const record = acked.body.reminders.find((r) => r.id === id);
  check(record && record.status === 'acked' && record.acked_by === '2', 'the clicked reminder is acked by the staff user (API)');
  // The next tick keeps it acked and no longer overdue.
  await page.waitForFunction(() => document.getElementById('queue-acked').textContent === '1', null, { timeout: 10_000 });
  check(await page.locator('#reminders tr.overdue').count() === 1, 'only the other reminder is still overdue');
  await page.screenshot({ path: join(outDir, 'dashboard-acked.png'), fullPage: true });

  // A page opened after the rush draws it from the server's history (the `history` event), and
  // lists the sales (GET /api/v1/vouchers), live first.
  const late = await context.newPage();
  late.on('pageerror', (e) => pageErrors.push(String(e)));
  await late.goto(`${base}/?interval_ms=1000`);
  await late.fill('#token', admin);
  await late.fill('#voucher', voucher);
  await late.click('button[type=submit]');
  await late.waitForFunction(() => document.body.dataset.historyTaken !== undefined, null, { timeout: 10_000 });
  check(await late.evaluate(() => document.body.dataset.historyTaken) === String(taken),
    `the late page's history holds the ${taken} orders taken`);
  check(await late.evaluate(() => document.body.dataset.historySoldOut) === String(soldOut),
    `and the ${soldOut} sold_out refusals`);
  const ratePoints = (await late.getAttribute('#chart-rate polyline', 'points')).split(' ');
  const rateValues = ratePoints.map((p) => Number(p.split(',')[1]));
  check(ratePoints.length >= 10 && Math.min(...rateValues) < Math.max(...rateValues),
    `the late page's orders-per-second chart draws the rush (${ratePoints.length} points)`);
  check(await late.locator('#chart-refusals polyline').count() >= 1, 'and the refusals chart');
  await late.waitForFunction(() => document.getElementById('sales-list').children.length > 0 ||
    /cannot list/.test(document.getElementById('sales-note').textContent), null, { timeout: 10_000 });
  check(await late.locator('#sales-list li').count() > 0, 'the sales are listed');
  check(await late.getAttribute('#sales-list li:first-child', 'data-status') === 'live', 'live sales first');
  check(await late.locator(`#sales-list li[data-id="${voucher}"]`).count() === 1, 'the sale is listed');
  check(await late.isVisible('#end-sale'), 'an admin sees End sale');
  check(!(await page.isVisible('#end-sale')), 'staff does not');
  await late.screenshot({ path: join(outDir, 'dashboard-late.png'), fullPage: true });
  await late.click('#end-sale');
  check(await late.textContent('#end-sale') !== 'End sale', 'the first click arms End sale');
  await late.click('#end-sale');
  await late.waitForFunction(() => /sale \d+ ended|ending sale/.test(document.getElementById('message').textContent), null, { timeout: 10_000 });
  const endMessage = await late.textContent('#message');
  check(/ended at/.test(endMessage), `End sale answered (${endMessage})`);
  const after = await api(base, 'POST', `/api/v1/vouchers/${voucher}/orders`, tokens(5000, 'user')[0]);
  check(after.status === 409 && after.body.error.code === 'ended', 'after End sale, a purchase is ended');

  // The page may not be framed (its buttons act with the staff token) and runs no inline code.
  const pageHead = await fetch(`${base}/`);
  const csp = pageHead.headers.get('content-security-policy') || '';
  check(csp.includes("frame-ancestors 'none'") && !csp.includes('unsafe-inline'), `the page's CSP forbids framing and inline code (${csp})`);

  // A wrong token is refused by the feed.
  const refused = await fetch(`${base}/api/v1/events?access_token=nope`);
  check(refused.status === 401, 'the feed refuses a bad token (401)');
  check(pageErrors.length === 0, 'no script errors on the page' + (pageErrors.length ? ': ' + pageErrors.join('; ') : ''));
}

main().then(async () => {
  log('PASS; screenshots in', outDir);
  await cleanup();
  process.exit(0);
}, (e) => fail(e.stack || String(e)));
