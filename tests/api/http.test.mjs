// Transport: /healthz, /metrics, X-Request-Id on every response.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client, loginAs, assertStatus, parseMetrics, BASE } from './helpers.mjs';

let admin;

before(async () => {
  admin = await loginAs('t_admin');
});

test('GET /healthz → 200 JSON {"status":"ok","db":"ok"} without login', async () => {
  const r = await new Client().get('/healthz');
  assertStatus(r, 200, 'healthz');
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.deepEqual(r.json, { status: 'ok', db: 'ok' });
});

test('GET /metrics → Prometheus text with the documented series', async () => {
  // make sure there is at least one request of each kind to count
  await new Client().get('/healthz');
  await admin.get('/api/nope');
  const r = await new Client().get('/metrics');
  assertStatus(r, 200, 'metrics');
  assert.match(r.headers.get('content-type') || '', /^text\/plain/);
  const t = r.text;
  for (const name of ['ck_http_requests_total', 'ck_http_request_duration_seconds', 'ck_db_commit_batch_size', 'ck_sse_streams_open']) {
    assert.match(t, new RegExp(`^# TYPE ${name} \\w+`, 'm'), `no TYPE line for ${name}`);
  }
  assert.match(t, /^# TYPE ck_http_requests_total counter$/m);
  assert.match(t, /^# TYPE ck_http_request_duration_seconds histogram$/m);
  assert.match(t, /^# TYPE ck_sse_streams_open gauge$/m);
  const m = parseMetrics(t);
  const reqs = m.filter((x) => x.name === 'ck_http_requests_total');
  assert.ok(reqs.length > 0, 'no ck_http_requests_total samples');
  for (const s of reqs) {
    assert.ok('route' in s.labels, `ck_http_requests_total without route label: ${JSON.stringify(s)}`);
    assert.ok('status' in s.labels, `ck_http_requests_total without status label: ${JSON.stringify(s)}`);
    assert.match(s.labels.status, /^\d{3}$/);
  }
  const health = reqs.filter((s) => s.labels.route.includes('healthz') && s.labels.status === '200');
  assert.ok(health.length > 0 && health.every((s) => s.value >= 1), 'healthz 200 not counted');
  assert.ok(reqs.some((s) => s.labels.status === '404'), '404 not counted');
  // route labels are route patterns, not raw paths with ids (bounded cardinality)
  assert.ok(!reqs.some((s) => /\/\d+(\/|$)/.test(s.labels.route)), 'route label contains a raw id');
  const buckets = m.filter((x) => x.name === 'ck_http_request_duration_seconds_bucket');
  assert.ok(buckets.length > 0, 'no ck_http_request_duration_seconds_bucket');
  assert.ok(buckets.every((b) => 'le' in b.labels), 'bucket without le');
  assert.ok(buckets.some((b) => b.labels.le === '+Inf'), 'no +Inf bucket');
  assert.ok(m.some((x) => x.name === 'ck_http_request_duration_seconds_count'));
  assert.ok(m.some((x) => x.name === 'ck_http_request_duration_seconds_sum'));
  assert.ok(m.some((x) => x.name.startsWith('ck_db_commit_batch_size')), 'no ck_db_commit_batch_size samples');
  const sse = m.filter((x) => x.name === 'ck_sse_streams_open');
  assert.ok(sse.length > 0, 'no ck_sse_streams_open sample');
  assert.ok(sse.every((s) => s.value >= 0 && Number.isInteger(s.value)));
});

test('every response carries X-Request-Id, and ids differ', async () => {
  const anon = new Client();
  const rs = [
    await anon.get('/healthz'),
    await anon.get('/metrics'),
    await anon.get('/api/auth/me'), // 401
    await admin.get('/api/auth/me'), // 200
    await admin.get('/api/nope'), // 404
    await admin.req('DELETE', '/api/org/nodes'), // 405
    await admin.req('POST', '/api/org/nodes', { body: '{', headers: { 'Content-Type': 'application/json' } }), // 400
    await admin.post('/api/org/nodes', {}, { csrf: false }), // 403
    await anon.login('ghost-user-that-does-not-exist', 'definitely-wrong-1'), // 401
  ];
  const ids = rs.map((r) => r.headers.get('x-request-id'));
  rs.forEach((r, i) => assert.ok(ids[i] && ids[i].length >= 8, `response ${i} (${r.status}) lacks X-Request-Id`));
  assert.equal(new Set(ids).size, ids.length, `request ids repeat: ${ids}`);
});

test('40 concurrent /healthz requests all answer 200', async () => {
  const rs = await Promise.all(Array.from({ length: 40 }, () => fetch(`${BASE}/healthz`)));
  for (const r of rs) {
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  }
});
