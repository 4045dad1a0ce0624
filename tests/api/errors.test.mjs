// Error handling: strict JSON, limits, routing errors, auth errors, database busy.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, countOf, uniq, childByCode, holdDbLock, BACKEND, sleep,
} from './helpers.mjs';

let admin;
let nodes;

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
});

const nodeCount = () => countOf(admin, '/api/org/nodes');

test('malformed JSON → 400 bad_json, nothing created', async () => {
  const before = await nodeCount();
  for (const body of ['{"parent_id": 1, "kind": "window",', '{parent_id: 1}', 'not json', '{"a":1}{"b":2}', '']) {
    const r = await admin.req('POST', '/api/org/nodes', { body, headers: { 'Content-Type': 'application/json' } });
    if (body === '' && r.status === 400 && r.json?.error?.code === 'invalid') continue; // empty body may read as "missing fields"
    assertError(r, 400, 'bad_json');
  }
  const bad = Buffer.from('{"parent_id":1,"kind":"window","code":"x","name":"\xff\xfe"}', 'latin1');
  const r = await admin.req('POST', '/api/org/nodes', { body: bad, headers: { 'Content-Type': 'application/json' } });
  assert.ok(r.status === 400 && ['bad_json', 'invalid'].includes(r.json?.error?.code), `invalid UTF-8: ${r.status} ${r.text}`);
  assert.equal(await nodeCount(), before);
});

test('a JSON body that is not an object → 400', async () => {
  const before = await nodeCount();
  for (const body of ['[]', '"x"', '42', 'null']) {
    const r = await admin.req('POST', '/api/org/nodes', { body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400, `${body}: ${r.status} ${r.text}`);
    assert.ok(['bad_json', 'invalid'].includes(r.json?.error?.code), `${body}: ${r.text}`);
  }
  assert.equal(await nodeCount(), before);
});

test('wrong types → 400 invalid naming the field, nothing created', async () => {
  const before = await nodeCount();
  const base = () => ({ parent_id: nodes.hallA.id, kind: 'window', code: uniq('t'), name: '类型' });
  const cases = [
    [{ parent_id: String(nodes.hallA.id) }, 'parent_id'],
    [{ parent_id: nodes.hallA.id + 0.5 }, 'parent_id'],
    [{ parent_id: true }, 'parent_id'],
    [{ name: 42 }, 'name'],
    [{ code: ['a'] }, 'code'],
    [{ kind: null }, 'kind'],
    [{ address: { a: 1 } }, 'address'],
  ];
  for (const [patch, field] of cases) {
    const body = { ...base(), ...patch };
    const r = await admin.post('/api/org/nodes', body);
    assertError(r, 400, 'invalid', field);
    assert.equal(await childByCode(admin, nodes.hallA.id, body.code), undefined);
  }
  assert.equal(await nodeCount(), before);
});

test('unknown field → 400 naming it, nothing created', async () => {
  const before = await nodeCount();
  const code = uniq('u');
  const r = await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: '未知', colour: 'red' });
  assertError(r, 400, 'invalid', 'colour');
  assert.equal(await childByCode(admin, nodes.hallA.id, code), undefined);
  const p = await admin.patch(`/api/org/nodes/${nodes.winA.id}`, { name: 'should-not-apply', id: 5 });
  assertError(p, 400, 'invalid', 'id');
  assert.equal((await admin.get(`/api/org/nodes/${nodes.winA.id}`)).json.name, nodes.winA.name);
  assert.equal(await nodeCount(), before);
});

test('an over-long string → 400 naming the field', async () => {
  const code = uniq('long');
  const r = await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: '长'.repeat(20000) });
  assertError(r, 400, 'invalid', 'name');
  assert.equal(await childByCode(admin, nodes.hallA.id, code), undefined);
});

test('body over 64 KiB → 413 too_large, nothing created', async () => {
  const before = await nodeCount();
  const code = uniq('big');
  const body = JSON.stringify({ parent_id: nodes.hallA.id, kind: 'window', code, name: 'x', address: 'a'.repeat(65 * 1024) });
  assert.ok(body.length > 64 * 1024);
  const r = await admin.req('POST', '/api/org/nodes', { body, headers: { 'Content-Type': 'application/json' } });
  assertError(r, 413, 'too_large');
  assert.equal(await childByCode(admin, nodes.hallA.id, code), undefined);
  assert.equal(await nodeCount(), before);
  // the server is still fine afterwards
  assertStatus(await admin.get('/api/auth/me'), 200, 'me after 413');
});

test('unknown route → 404 JSON not_found', async () => {
  for (const path of ['/api/nope', '/api/org/nodes/1/nope', '/api/org', '/api/staffs']) {
    const r = await admin.get(path);
    assertError(r, 404, 'not_found');
  }
  assertError(await admin.post('/api/nope', { a: 1 }), 404, 'not_found');
});

test('wrong method on a known route → 405 method_not_allowed with Allow', async () => {
  const cases = [
    ['DELETE', '/api/org/nodes', ['GET', 'POST']],
    ['PUT', '/api/org/nodes', ['GET', 'POST']],
    ['DELETE', `/api/org/nodes/${nodes.winA.id}`, ['GET', 'PATCH']],
    ['GET', '/api/auth/login', ['POST']],
    ['GET', '/api/auth/logout', ['POST']],
    ['POST', '/healthz', ['GET']],
    ['POST', `/api/staff/${admin.user.id}/photo`, ['GET', 'PUT']],
    ['GET', '/api/assignments/1/end', ['POST']],
  ];
  for (const [method, path, allowed] of cases) {
    const r = await admin.req(method, path, method === 'GET' ? {} : { json: {} });
    assertError(r, 405, 'method_not_allowed');
    const allow = (r.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    for (const m of allowed) assert.ok(allow.includes(m), `${method} ${path}: Allow "${r.headers.get('allow')}" lacks ${m}`);
    assert.ok(!allow.includes(method), `${method} ${path}: Allow lists the refused method`);
  }
  assertStatus(await admin.get(`/api/org/nodes/${nodes.winA.id}`), 200, 'node untouched by DELETE');
});

test('not logged in → 401 unauthorized on reads and writes, nothing created', async () => {
  const anon = new Client();
  for (const path of ['/api/org/nodes', `/api/org/nodes/${nodes.hallA.id}`, '/api/staff', '/api/devices', '/api/audit',
    `/api/org/nodes/${nodes.hallA.id}/windows`, `/api/staff/${admin.user.id}/photo`]) {
    assertError(await anon.get(path), 401, 'unauthorized');
  }
  const before = await nodeCount();
  const code = uniq('anon');
  assertError(await anon.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: 'x' }), 401, 'unauthorized');
  assertError(await anon.patch(`/api/org/nodes/${nodes.winA.id}`, { name: 'anon' }), 401, 'unauthorized');
  assertError(await anon.post('/api/auth/logout'), 401, 'unauthorized');
  assert.equal(await nodeCount(), before);
  assert.equal((await admin.get(`/api/org/nodes/${nodes.winA.id}`)).json.name, nodes.winA.name);
});

test('non-numeric or huge ids in the path → 404 (or 400), never 500', async () => {
  for (const id of ['abc', '-1', '0', '99999999999999999999999', '1.5', '%00']) {
    const r = await admin.get(`/api/org/nodes/${id}`);
    assert.ok([400, 404].includes(r.status), `GET /api/org/nodes/${id}: ${r.status} ${r.text}`);
    assert.ok(r.json?.error?.code, `error envelope for ${id}`);
  }
});

test(`database busy → 503 database_busy within a few seconds, nothing written (${BACKEND})`, async () => {
  const before = await nodeCount();
  const code = uniq('busy');
  const lock = await holdDbLock(5000);
  let r;
  try {
    r = await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: '忙' }, { timeout: 15000 });
  } finally {
    await lock.release();
  }
  assertError(r, 503, 'database_busy');
  assert.ok(r.ms < 4500, `503 took ${r.ms} ms (lock held 5 s, busy timeout 1 s)`);
  await sleep(200);
  assert.equal(await childByCode(admin, nodes.hallA.id, code), undefined, 'node exists after the busy answer');
  assert.equal(await nodeCount(), before);
  // and the server recovers: the same request now succeeds
  const ok = await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: '忙' });
  assertStatus(ok, 201, 'create after the lock is gone');
});

test('error responses are JSON with the documented content type', async () => {
  const r = await admin.get('/api/nope');
  assert.match(r.headers.get('content-type') || '', /^application\/json; ?charset=utf-8$/i);
  const ok = await admin.get('/api/auth/me');
  assert.match(ok.headers.get('content-type') || '', /^application\/json; ?charset=utf-8$/i);
});
