// Login, session cookie, /api/auth/me, logout, throttling and CSRF.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, assertError, assertStatus, createStaff, demoNodes, countOf, uniq, ACCOUNTS, childByCode,
} from './helpers.mjs';

let admin;
let nodes;

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
});

test('login sets an HttpOnly SameSite=Strict ck_session cookie and returns user + csrf_token', async () => {
  const c = new Client();
  const r = await c.login('t_admin', ACCOUNTS.t_admin);
  assertStatus(r, 200, 'login');
  const cookie = r.cookies.find((x) => x.name === 'ck_session');
  assert.ok(cookie, `no ck_session in Set-Cookie: ${JSON.stringify(r.cookies.map((x) => x.raw))}`);
  assert.ok(cookie.value.length >= 32, `session token too short: ${cookie.value.length}`);
  assert.equal(cookie.attrs.httponly, true, `HttpOnly missing: ${cookie.raw}`);
  assert.equal(String(cookie.attrs.samesite).toLowerCase(), 'strict', `SameSite=Strict missing: ${cookie.raw}`);
  if (cookie.attrs['max-age'] !== undefined) assert.equal(Number(cookie.attrs['max-age']), 12 * 3600, cookie.raw);
  assert.equal(typeof r.json.csrf_token, 'string');
  assert.ok(r.json.csrf_token.length >= 16, 'csrf_token too short');
  const u = r.json.user;
  assert.equal(u.login, 't_admin');
  assert.equal(u.name, '测试管理员');
  assert.equal(u.role, 'admin');
  assert.equal(u.node_id, nodes.dist.id);
  assert.equal(u.active, true);
  assert.equal(u.password, undefined, 'password echoed');
  assert.equal(u.password_hash, undefined, 'password_hash echoed');
  assert.ok(!r.text.includes(ACCOUNTS.t_admin), 'password appears in the response');
});

test('/api/auth/me answers with the session user and the same csrf token', async () => {
  const c = await loginAs('t_admin');
  const r = await c.get('/api/auth/me');
  assertStatus(r, 200, 'me');
  assert.equal(r.json.user.login, 't_admin');
  assert.equal(r.json.user.id, c.user.id);
  assert.equal(r.json.csrf_token, c.csrf);
});

test('/api/auth/me without a cookie or with a made-up cookie → 401 unauthorized', async () => {
  assertError(await new Client().get('/api/auth/me'), 401, 'unauthorized');
  const bogus = new Client();
  bogus.session = 'A'.repeat(43);
  assertError(await bogus.get('/api/auth/me'), 401, 'unauthorized');
});

test('wrong password → 401 unauthorized, no cookie; unknown login → the same 401', async () => {
  const { login, password } = await createStaff(admin, nodes.hallA.id);
  const c = new Client();
  const r = await c.login(login, password + 'x');
  assertError(r, 401, 'unauthorized');
  assert.equal(r.cookies.filter((x) => x.name === 'ck_session' && x.value).length, 0, 'cookie set on failed login');
  const r2 = await new Client().login(uniq('nobody'), 'whatever-Pass1');
  assertError(r2, 401, 'unauthorized');
  // the account still works with the right password
  assertStatus(await new Client().login(login, password), 200, 'login after one failure');
});

test('login with a missing field → 400 naming it', async () => {
  const r = await new Client().req('POST', '/api/auth/login', { json: { login: 't_admin' }, csrf: false });
  assertError(r, 400, 'invalid', 'password');
});

test('5 failed logins for one account → 429 throttled with Retry-After, even with the right password', async () => {
  const { login, password } = await createStaff(admin, nodes.hallA.id);
  for (let i = 1; i <= 5; i++) {
    const r = await new Client().login(login, `wrong-${i}-Pass`);
    assertError(r, 401, 'unauthorized');
  }
  const c = new Client();
  const r = await c.login(login, password);
  assertError(r, 429, 'throttled');
  const ra = r.headers.get('retry-after');
  assert.ok(ra !== null, 'Retry-After header missing');
  assert.match(ra, /^\d+$/, `Retry-After not delta-seconds: ${ra}`);
  assert.ok(Number(ra) > 0, `Retry-After must be > 0: ${ra}`);
  assert.equal(r.cookies.filter((x) => x.name === 'ck_session' && x.value).length, 0, 'cookie set while throttled');
  // other accounts are not affected
  assertStatus(await new Client().login('t_admin', ACCOUNTS.t_admin), 200, 't_admin after another account was throttled');
});

test('logout → 204 and the session no longer works', async () => {
  const c = await loginAs('t_admin');
  assertStatus(await c.get('/api/auth/me'), 200, 'me before logout');
  const r = await c.post('/api/auth/logout');
  assertStatus(r, 204, 'logout');
  assert.equal(r.text, '', '204 must have no body');
  assertError(await c.get('/api/auth/me'), 401, 'unauthorized');
  assertError(await c.get('/api/org/nodes'), 401, 'unauthorized');
  // other sessions of the same account are untouched
  assertStatus(await admin.get('/api/auth/me'), 200, 'other session after logout');
});

test('logout without the CSRF token → 403 csrf and the session stays valid', async () => {
  const c = await loginAs('t_admin');
  assertError(await c.post('/api/auth/logout', undefined, { csrf: false }), 403, 'csrf');
  assertStatus(await c.get('/api/auth/me'), 200, 'me after refused logout');
});

test('POST with the cookie but without X-CSRF-Token → 403 csrf, nothing created', async () => {
  const before = await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id });
  const code = uniq('csrf');
  const r = await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: 'CSRF' }, { csrf: false });
  assertError(r, 403, 'csrf');
  const r2 = await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: 'CSRF' }, { csrf: 'not-the-token' });
  assertError(r2, 403, 'csrf');
  assert.equal(await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id }), before, 'node count changed');
  assert.equal(await childByCode(admin, nodes.hallA.id, code), undefined, 'node was created');
});

test('PATCH and PUT also need the CSRF token', async () => {
  const r = await admin.patch(`/api/org/nodes/${nodes.winA2.id}`, { name: 'csrf-patched' }, { csrf: false });
  assertError(r, 403, 'csrf');
  const after = await admin.get(`/api/org/nodes/${nodes.winA2.id}`);
  assert.equal(after.json.name, nodes.winA2.name, 'name changed by a request without CSRF token');
  const s = await createStaff(admin, nodes.hallA.id);
  const p = await admin.put(`/api/staff/${s.staff.id}/photo`, { body: Buffer.from([0x89, 0x50]), headers: { 'Content-Type': 'image/png' }, csrf: false });
  assertError(p, 403, 'csrf');
  assert.equal((await admin.get(`/api/staff/${s.staff.id}`)).json.has_photo, false);
});

test('a session token from one login does not carry another session\'s csrf token', async () => {
  const a = await loginAs('t_admin');
  const b = await loginAs('t_admin');
  assert.notEqual(a.session, b.session, 'two logins got the same session token');
  const code = uniq('xcsrf');
  const r = await a.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: 'x' }, { csrf: b.csrf === a.csrf ? 'zz' : b.csrf });
  assertError(r, 403, 'csrf');
  assert.equal(await childByCode(admin, nodes.hallA.id, code), undefined, 'node was created');
});
