// The OpenAPI document (GET /api/v1/openapi.json) against a real `seckill serve` in the
// embedded mode: the document is a valid OpenAPI 3.1 document
// (@seriousme/openapi-schema-validator), and the answers to a set of requests covering every
// route's success and main errors are described by it: the status is listed for the route, the
// content type matches, and a JSON body validates against the response's schema (ajv, JSON
// Schema 2020-12, with formats). No browser: it lives here for the npm packages.
//
// Usage: node openapi_test.mjs SECKILL_BINARY    (exit 0: pass)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';

const [binary] = process.argv.slice(2);
if (!binary) {
  console.error('usage: node openapi_test.mjs SECKILL_BINARY');
  process.exit(2);
}
const SECRET = 'openapi-test-secret-of-at-least-32-bytes';
const work = mkdtempSync(join(tmpdir(), 'seckill-openapi-'));
let server = null;
const deadline = setTimeout(() => fail('timed out after 60 s'), 60_000);

function log(...args) { console.log('[openapi]', ...args); }

async function cleanup() {
  clearTimeout(deadline);
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => { server.once('exit', r); setTimeout(r, 5000); });
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
}

async function fail(why) {
  console.error('[openapi] FAIL:', why);
  await cleanup();
  process.exit(1);
}

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}

function token(user, role) {
  return execFileSync(binary, ['token', '--user', String(user), '--role', role, '--jwt-secret', SECRET],
    { encoding: 'utf8' }).trim();
}

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--threads', '1', '--data', join(work, 'data'),
      '--jwt-secret', SECRET], { stdio: ['ignore', 'ignore', 'pipe'] });
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

// JSON pointer of a schema inside the document, as a URI fragment.
function pointer(...tokens) {
  return '#/' + tokens.map((t) => encodeURIComponent(String(t).replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');
}

let doc = null;
let ajv = null;
const checked = new Map();  // "METHOD path" -> statuses seen
const validators = new Map();

function schemaValidator(ref) {
  if (!validators.has(ref)) validators.set(ref, ajv.compile({ $ref: 'openapi.json' + ref }));
  return validators.get(ref);
}

function validate(ref, value, what) {
  const v = schemaValidator(ref);
  if (!v(value)) {
    throw new Error(`${what}: does not match ${ref}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(value)}`);
  }
}

// Sends a request for the documented route `method template` (its path parameters filled in
// `path`) and checks the answer against the document. Returns {status, body, headers}.
async function call(method, template, path, { tok, body, expect, raw } = {}) {
  const headers = {};
  if (tok) headers.Authorization = 'Bearer ' + tok;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(base + path, {
    method, headers, body: body === undefined ? undefined : (raw ? body : JSON.stringify(body)),
  });
  const text = await res.text();
  const what = `${method} ${path.replace(/access_token=[^&]*/, 'access_token=…')} -> ${res.status}`;
  if (expect !== undefined) check(res.status === expect, `${what}, expected ${expect}: ${text}`);
  const operation = doc.paths[template]?.[method.toLowerCase()];
  check(operation, `${method} ${template} is documented`);
  const answer = operation.responses[String(res.status)];
  check(answer, `${what}: status ${res.status} is documented for ${method} ${template}`);
  const type = (res.headers.get('content-type') || '').split(';')[0].trim();
  const documented = Object.keys(answer.content || {});
  check(documented.includes(type), `${what}: content type ${type} is one of ${documented}`);
  let parsed = text;
  if (type === 'application/json') {
    parsed = JSON.parse(text);
    validate(pointer('paths', template, method.toLowerCase(), 'responses', res.status, 'content', type, 'schema'),
      parsed, what);
  }
  const key = `${method} ${template}`;
  if (!checked.has(key)) checked.set(key, new Set());
  checked.get(key).add(res.status);
  log('ok:', what);
  return { status: res.status, body: parsed, headers: res.headers };
}

// The first `count` events of an event stream, each {event, data}.
async function readEvents(path, count) {
  const controller = new AbortController();
  const res = await fetch(base + path, { signal: controller.signal });
  check(res.status === 200, `GET ${path} -> 200`);
  const events = [];
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    text += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block);
      const data = /^data: (.*)$/m.exec(block);
      if (name && data) events.push({ event: name[1], data: JSON.parse(data[1]) });
    }
    if (events.length >= count) break;
  }
  controller.abort();
  return events;
}

let base = '';
try {
  base = await startServer();
  log('server at', base);

  // The document itself.
  const served = await fetch(base + '/api/v1/openapi.json');
  check(served.status === 200, 'GET /api/v1/openapi.json -> 200 without a token');
  check(served.headers.get('content-type').startsWith('application/json'), 'served as application/json');
  check(/max-age=\d+/.test(served.headers.get('cache-control') || ''), 'with a Cache-Control max-age');
  doc = await served.json();
  const validator = new Validator();
  const result = await validator.validate(doc);
  check(result.valid && validator.version === '3.1', 'a valid OpenAPI 3.1 document: ' + JSON.stringify(result.errors));
  log('ok: the document is valid OpenAPI', validator.version);
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi.json');

  const admin = token(1, 'admin');
  const staff = token(2, 'staff');
  const alice = token(10, 'user');
  const bob = token(11, 'user');
  const now = Date.now();
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

  // Operations and the dashboard.
  await call('GET', '/healthz', '/healthz', { expect: 200 });
  await call('GET', '/readyz', '/readyz', { expect: 200 });
  await call('GET', '/metrics', '/metrics', { expect: 200 });
  await call('GET', '/', '/', { expect: 200 });
  await call('GET', '/dashboard/style.css', '/dashboard/style.css', { expect: 200 });
  await call('GET', '/dashboard/app.js', '/dashboard/app.js', { expect: 200 });
  await call('GET', '/api/v1/openapi.json', '/api/v1/openapi.json', { expect: 200 });

  // Vouchers.
  const V = '/api/v1/vouchers';
  const live = await call('POST', V, V, { tok: admin, expect: 201,
    body: { title: 'one left', stock: 1, begin_at: iso(now - 60_000), end_at: iso(now + 3_600_000) } });
  const upcoming = await call('POST', V, V, { tok: admin, expect: 201,
    body: { title: 'tomorrow', stock: 5, begin_at: iso(now + 86_400_000), end_at: iso(now + 90_000_000) } });
  await call('POST', V, V, { tok: admin, expect: 400, body: { title: 'no stock' } });
  await call('POST', V, V, { tok: admin, expect: 400, body: '{"title": ', raw: true });
  await call('POST', V, V, { expect: 401, body: {} });
  await call('POST', V, V, { tok: alice, expect: 403, body: {} });
  const VID = V + '/{id}';
  await call('GET', VID, `${V}/${live.body.id}`, { tok: alice, expect: 200 });
  await call('GET', VID, `${V}/999`, { tok: alice, expect: 404 });
  await call('GET', VID, `${V}/0`, { tok: alice, expect: 400 });
  await call('GET', VID, `${V}/${live.body.id}`, { expect: 401 });

  // Orders.
  const VO = VID + '/orders';
  const order = await call('POST', VO, `${V}/${live.body.id}/orders`, { tok: alice, expect: 201 });
  const again = await call('POST', VO, `${V}/${live.body.id}/orders`, { tok: alice, expect: 409 });
  check(again.body.error.code === 'already_ordered' && again.body.error.order_id === order.body.order_id,
    'already_ordered carries the order held');
  const soldOut = await call('POST', VO, `${V}/${live.body.id}/orders`, { tok: bob, expect: 409 });
  check(soldOut.body.error.code === 'sold_out', 'sold_out');
  const early = await call('POST', VO, `${V}/${upcoming.body.id}/orders`, { tok: bob, expect: 409 });
  check(early.body.error.code === 'not_started', 'not_started');
  await call('POST', VO, `${V}/999/orders`, { tok: bob, expect: 404 });
  await call('POST', VO, `${V}/${live.body.id}/orders`, { expect: 401 });
  const OID = '/api/v1/orders/{id}';
  await call('GET', OID, `/api/v1/orders/${order.body.order_id}`, { tok: alice, expect: 200 });
  await call('GET', OID, `/api/v1/orders/${order.body.order_id}`, { tok: admin, expect: 200 });
  await call('GET', OID, `/api/v1/orders/${order.body.order_id}`, { tok: bob, expect: 404 });
  await call('GET', OID, '/api/v1/orders/x', { tok: bob, expect: 400 });

  // The listings and the early end (issue #20).
  await call('GET', V, `${V}?status=live`, { tok: alice, expect: 200 });
  await call('GET', V, `${V}?status=later`, { tok: alice, expect: 400 });
  await call('GET', V, `${V}?limit=0`, { tok: alice, expect: 400 });
  await call('GET', VO, `${V}/${live.body.id}/orders`, { tok: admin, expect: 200 });
  await call('GET', VO, `${V}/${live.body.id}/orders`, { tok: alice, expect: 403 });
  await call('GET', '/api/v1/orders', '/api/v1/orders', { tok: alice, expect: 200 });
  await call('GET', '/api/v1/orders', '/api/v1/orders?after=not-ours', { tok: alice, expect: 400 });
  await call('POST', VID + '/end', `${V}/${upcoming.body.id}/end`, { tok: alice, expect: 403 });
  await call('POST', VID + '/end', `${V}/999/end`, { tok: admin, expect: 404 });
  const ended = await call('POST', VID + '/end', `${V}/${upcoming.body.id}/end`, { tok: admin, expect: 200 });
  if (ended) {
    const late = await call('POST', VO, `${V}/${upcoming.body.id}/orders`, { tok: bob, expect: 409 });
    check(late.body.error.code === 'ended', 'ended after POST .../end');
  }

  // Reminders.
  const TR = '/api/v1/tickets/{ticket}/reminders';
  const reminded = await call('POST', TR, '/api/v1/tickets/T-1/reminders', { tok: alice, expect: 201 });
  const twice = await call('POST', TR, '/api/v1/tickets/T-1/reminders', { tok: alice, expect: 409 });
  check(twice.body.error.reminder_id === reminded.body.reminder_id, 'already_reminded carries the record');
  await call('POST', TR, '/api/v1/tickets/T-1/reminders', { tok: bob, expect: 201 });
  await call('POST', TR, '/api/v1/tickets/bad!ticket/reminders', { tok: bob, expect: 400 });
  await call('GET', TR, '/api/v1/tickets/T-1/reminders', { tok: staff, expect: 200 });
  await call('GET', TR, '/api/v1/tickets/T-1/reminders', { tok: alice, expect: 200 });
  await call('GET', TR, '/api/v1/tickets/T-1/reminders', { expect: 401 });
  const Q = '/api/v1/reminders';
  await call('GET', Q, Q, { tok: staff, expect: 200 });
  await call('GET', Q, `${Q}?status=acked&limit=10`, { tok: staff, expect: 200 });
  await call('GET', Q, `${Q}?status=sleeping`, { tok: staff, expect: 400 });
  await call('GET', Q, Q, { tok: alice, expect: 403 });
  const id = reminded.body.reminder_id;
  await call('POST', Q + '/{id}/ack', `${Q}/${id}/ack`, { tok: alice, expect: 403 });
  await call('POST', Q + '/{id}/ack', `${Q}/${id}/ack`, { tok: staff, expect: 200 });
  await call('POST', Q + '/{id}/ack', `${Q}/999/ack`, { tok: staff, expect: 404 });
  await call('POST', Q + '/{id}/resolve', `${Q}/${id}/resolve`, { tok: staff, expect: 200 });
  await call('POST', Q + '/{id}/ack', `${Q}/${id}/ack`, { tok: staff, expect: 409 });
  await call('POST', Q + '/{id}/resolve', `${Q}/999/resolve`, { tok: staff, expect: 404 });

  // Revocations.
  const R = '/api/v1/revocations';
  await call('POST', R, R, { tok: staff, expect: 201, body: { jti: 'some-token-id' } });
  await call('POST', R, R, { tok: staff, expect: 201, body: { user_id: '99' } });
  await call('POST', R, R, { tok: staff, expect: 400, body: { jti: 'a', user_id: '1' } });
  await call('POST', R, R, { tok: alice, expect: 403, body: { jti: 'a' } });
  await call('GET', R, R, { tok: admin, expect: 200 });
  await call('GET', R, R, { tok: staff, expect: 403 });

  // The event stream: its errors, then its events' data against the schemas they name.
  const E = '/api/v1/events';
  await call('GET', E, E, { expect: 401 });
  await call('GET', E, `${E}?voucher=x&access_token=${staff}`, { expect: 400 });
  const events = await readEvents(`${E}?voucher=${live.body.id}&access_token=${staff}`, 2);
  const history = events.find((e) => e.event === 'history');
  check(history, 'the stream sends the voucher history first');
  validate(pointer('components', 'schemas', 'VoucherHistory'), history.data, 'event history');
  check(history.data.seconds.reduce((n, s) => n + s.taken, 0) === 1, 'the history holds the order taken');
  const tick = events.find((e) => e.event === 'tick');
  check(tick, 'then a tick');
  validate(pointer('components', 'schemas', 'Tick'), tick.data, 'event tick');
  log('ok: events history and tick match their schemas');

  // Every documented operation was exercised.
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      const key = `${method.toUpperCase()} ${path}`;
      if (!checked.has(key)) log(`not exercised: ${key}`);
    }
  }
  const missing = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item)
    .map((m) => `${m.toUpperCase()} ${path}`)).filter((k) => !checked.has(k));
  check(missing.length === 0, 'every documented route exercised: missing ' + missing);
  await cleanup();
  log('PASS');
  process.exit(0);
} catch (e) {
  await fail(e.stack || String(e));
}
