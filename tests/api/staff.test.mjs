// Staff accounts: create, validate, patch, deactivate, photo, window assignments.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, countOf, listAll, uniq, newPassword,
  createStaff, createNode, makePng,
} from './helpers.mjs';

let admin;
let nodes;

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
});

const STAFF_KEYS = ['id', 'login', 'name', 'badge_no', 'post', 'party_member', 'role', 'node_id', 'node_name',
  'has_photo', 'active', 'created_at', 'updated_at'];

function assertStaffShape(s) {
  for (const k of STAFF_KEYS) assert.ok(k in s, `staff lacks ${k}: ${JSON.stringify(s)}`);
  assert.equal(s.password, undefined, 'password echoed');
  assert.equal(s.password_hash, undefined, 'password_hash echoed');
  assert.equal(typeof s.party_member, 'boolean');
  assert.equal(typeof s.has_photo, 'boolean');
  assert.equal(typeof s.active, 'boolean');
}

test('create staff → 201, fields echoed, password never echoed; the account can log in', async () => {
  const login = uniq('zhang');
  const password = newPassword();
  const before = await countOf(admin, '/api/staff', { node_id: nodes.hallA.id });
  const r = await admin.post('/api/staff', {
    login, name: '张三', password, role: 'staff', node_id: nodes.hallA.id,
    badge_no: 'A-001', post: '综合窗口', party_member: true,
  });
  assertStatus(r, 201, 'create staff');
  assert.ok(!r.text.includes(password), 'password appears in the response');
  const s = r.json;
  assertStaffShape(s);
  assert.equal(s.login, login);
  assert.equal(s.name, '张三');
  assert.equal(s.badge_no, 'A-001');
  assert.equal(s.post, '综合窗口');
  assert.equal(s.party_member, true);
  assert.equal(s.role, 'staff');
  assert.equal(s.node_id, nodes.hallA.id);
  assert.equal(s.node_name, '区政务服务中心');
  assert.equal(s.has_photo, false);
  assert.equal(s.active, true);
  const g = await admin.get(`/api/staff/${s.id}`);
  assertStatus(g, 200);
  assert.deepEqual(g.json, s);
  assert.ok(!g.text.includes(password));
  assert.equal(await countOf(admin, '/api/staff', { node_id: nodes.hallA.id }), before + 1);
  const c = new Client();
  assertStatus(await c.login(login, password), 200, 'new account logs in');
  assert.equal(c.user.id, s.id);
});

test('optional staff fields default to empty / false', async () => {
  const { staff } = await createStaff(admin, nodes.hallA.id);
  assert.equal(staff.badge_no, '');
  assert.equal(staff.post, '');
  assert.equal(staff.party_member, false);
});

test('role is validated → 400 naming role, nothing created', async () => {
  const before = await countOf(admin, '/api/staff');
  for (const role of ['root', 'device', '', 'ADMIN']) {
    const login = uniq('r');
    const r = await admin.post('/api/staff', { login, name: 'x', password: newPassword(), role, node_id: nodes.hallA.id });
    assertError(r, 400, 'invalid', 'role');
  }
  assert.equal(await countOf(admin, '/api/staff'), before);
});

test('every role the contract names can be created', async () => {
  for (const role of ['admin', 'leader', 'supervisor', 'staff']) {
    const { staff } = await createStaff(admin, nodes.hallB.id, { role });
    assert.equal(staff.role, role);
  }
});

test('missing required fields / bad node → 400 naming the field, nothing created', async () => {
  const before = await countOf(admin, '/api/staff');
  const base = () => ({ login: uniq('m'), name: '某人', password: newPassword(), role: 'staff', node_id: nodes.hallA.id });
  for (const f of ['login', 'name', 'password', 'role', 'node_id']) {
    const body = base();
    delete body[f];
    assertError(await admin.post('/api/staff', body), 400, 'invalid', f);
  }
  assertError(await admin.post('/api/staff', { ...base(), node_id: '1' }), 400, 'invalid', 'node_id');
  assertError(await admin.post('/api/staff', { ...base(), party_member: 1 }), 400, 'invalid', 'party_member');
  assertError(await admin.post('/api/staff', { ...base(), password: '' }), 400, 'invalid', 'password');
  const r = await admin.post('/api/staff', { ...base(), node_id: 987654321 });
  assert.ok([400, 404].includes(r.status), `unknown node: ${r.status} ${r.text}`);
  assert.equal(await countOf(admin, '/api/staff'), before);
});

test('login is unique → 409 conflict, nothing created, the original untouched', async () => {
  const { staff, login, password } = await createStaff(admin, nodes.hallA.id, { name: '原来的' });
  const before = await countOf(admin, '/api/staff');
  const r = await admin.post('/api/staff', { login, name: '冒名', password: newPassword(), role: 'admin', node_id: nodes.dist.id });
  assertError(r, 409, 'conflict');
  assert.equal(await countOf(admin, '/api/staff'), before);
  const g = await admin.get(`/api/staff/${staff.id}`);
  assert.deepEqual(g.json, staff);
  assertStatus(await new Client().login(login, password), 200, 'original password still works');
  // the demo/run.sh logins are taken too
  assertError(await admin.post('/api/staff', { login: 't_staff_a', name: 'x', password: newPassword(), role: 'staff', node_id: nodes.hallA.id }), 409, 'conflict');
});

test('list staff: filters node_id, role, active, q and pagination', async () => {
  const tag = uniq('姓名');
  const hall = await createNode(admin, nodes.dist, 'hall');
  const a = (await createStaff(admin, hall.id, { name: `甲${tag}`, role: 'staff' })).staff;
  const b = (await createStaff(admin, hall.id, { name: `乙${tag}`, role: 'supervisor' })).staff;
  const c = (await createStaff(admin, hall.id, { name: '丙 other', role: 'staff' })).staff;
  assertStatus(await admin.patch(`/api/staff/${c.id}`, { active: false }), 200);
  const byNode = await admin.get('/api/staff', { query: { node_id: hall.id } });
  assertStatus(byNode, 200);
  assert.equal(byNode.json.total, 3);
  assert.equal(byNode.json.page, 1);
  assert.equal(byNode.json.per_page, 50);
  for (const s of byNode.json.items) assertStaffShape(s);
  assert.deepEqual(byNode.json.items.map((s) => s.id).sort(), [a.id, b.id, c.id].sort());
  const sup = await admin.get('/api/staff', { query: { node_id: hall.id, role: 'supervisor' } });
  assert.deepEqual(sup.json.items.map((s) => s.id), [b.id]);
  const act = await admin.get('/api/staff', { query: { node_id: hall.id, active: 0 } });
  assert.deepEqual(act.json.items.map((s) => s.id), [c.id]);
  const q = await admin.get('/api/staff', { query: { q: tag } });
  assert.deepEqual(q.json.items.map((s) => s.id).sort(), [a.id, b.id].sort());
  const p2 = await admin.get('/api/staff', { query: { node_id: hall.id, page: 2, per_page: 2 } });
  assert.equal(p2.json.items.length, 1);
  assert.equal(p2.json.total, 3);
  assertError(await admin.get('/api/staff', { query: { per_page: 501 } }), 400, 'invalid', 'per_page');
});

test('patch staff → 200, changes persisted, password change works, password not echoed', async () => {
  const { staff, login, password } = await createStaff(admin, nodes.hallA.id);
  const pw2 = newPassword();
  const r = await admin.patch(`/api/staff/${staff.id}`, { name: '李四', badge_no: 'A-9', post: '首席', party_member: true, role: 'supervisor', password: pw2 });
  assertStatus(r, 200, 'patch staff');
  assertStaffShape(r.json);
  assert.ok(!r.text.includes(pw2));
  assert.equal(r.json.name, '李四');
  assert.equal(r.json.badge_no, 'A-9');
  assert.equal(r.json.post, '首席');
  assert.equal(r.json.party_member, true);
  assert.equal(r.json.role, 'supervisor');
  assert.equal(r.json.login, login);
  assert.deepEqual((await admin.get(`/api/staff/${staff.id}`)).json, r.json);
  assertError(await new Client().login(login, password), 401, 'unauthorized');
  assertStatus(await new Client().login(login, pw2), 200, 'new password');
  // moving to another node
  const m = await admin.patch(`/api/staff/${staff.id}`, { node_id: nodes.hallB.id });
  assertStatus(m, 200, 'move');
  assert.equal(m.json.node_id, nodes.hallB.id);
  assert.equal(m.json.node_name, '示范镇便民服务中心');
});

test('patch staff with bad values → 400 naming the field, unchanged; login cannot be patched', async () => {
  const { staff } = await createStaff(admin, nodes.hallA.id);
  assertError(await admin.patch(`/api/staff/${staff.id}`, { role: 'king' }), 400, 'invalid', 'role');
  assertError(await admin.patch(`/api/staff/${staff.id}`, { name: '' }), 400, 'invalid', 'name');
  assertError(await admin.patch(`/api/staff/${staff.id}`, { party_member: 'true' }), 400, 'invalid', 'party_member');
  assertError(await admin.patch(`/api/staff/${staff.id}`, { login: 'renamed' }), 400, 'invalid', 'login');
  assertError(await admin.patch(`/api/staff/${staff.id}`, { has_photo: true }), 400, 'invalid', 'has_photo');
  assert.deepEqual((await admin.get(`/api/staff/${staff.id}`)).json, staff);
  assertError(await admin.patch('/api/staff/987654321', { name: 'x' }), 404, 'not_found');
  assertError(await admin.get('/api/staff/987654321'), 404, 'not_found');
});

test('deactivated staff → active:false, still listed, cannot log in (401); reactivated can', async () => {
  const { staff, login, password } = await createStaff(admin, nodes.hallA.id);
  const r = await admin.patch(`/api/staff/${staff.id}`, { active: false });
  assertStatus(r, 200, 'deactivate');
  assert.equal(r.json.active, false);
  assert.equal((await admin.get(`/api/staff/${staff.id}`)).json.active, false);
  const { items } = await listAll(admin, '/api/staff', { node_id: nodes.hallA.id });
  assert.equal(items.find((s) => s.id === staff.id)?.active, false);
  assertError(await new Client().login(login, password), 401, 'unauthorized');
  assertStatus(await admin.patch(`/api/staff/${staff.id}`, { active: true }), 200);
  assertStatus(await new Client().login(login, password), 200, 'reactivated login');
});

test('photo: a real PNG → has_photo true and GET returns the same bytes as image/png', async () => {
  const { staff } = await createStaff(admin, nodes.hallA.id);
  assertError(await admin.get(`/api/staff/${staff.id}/photo`), 404, 'not_found');
  const png = makePng({ w: 3, h: 2 });
  const r = await admin.put(`/api/staff/${staff.id}/photo`, { body: png, headers: { 'Content-Type': 'image/png' } });
  assertStatus(r, 200, 'put photo');
  assert.equal(r.json.id, staff.id);
  assert.equal(r.json.has_photo, true);
  assert.equal((await admin.get(`/api/staff/${staff.id}`)).json.has_photo, true);
  const g = await admin.get(`/api/staff/${staff.id}/photo`);
  assertStatus(g, 200, 'get photo');
  assert.match(g.headers.get('content-type') || '', /^image\/png/);
  assert.ok(g.buf.equals(png), `photo bytes differ (${g.buf.length} vs ${png.length})`);
  // staff of the same hall may read it
  const sa = await loginAs('t_staff_a');
  const g2 = await sa.get(`/api/staff/${staff.id}/photo`);
  assertStatus(g2, 200, 'staff reads photo');
  assert.ok(g2.buf.equals(png));
});

test('photo: exactly 512 KiB is accepted; 512 KiB + 1 → 413 too_large and the old photo stays', async () => {
  const { staff } = await createStaff(admin, nodes.hallA.id);
  const big = makePng({ totalSize: 512 * 1024 });
  assert.equal(big.length, 524288);
  assertStatus(await admin.put(`/api/staff/${staff.id}/photo`, { body: big, headers: { 'Content-Type': 'image/png' } }), 200, '512 KiB photo');
  const small = makePng();
  assertStatus(await admin.put(`/api/staff/${staff.id}/photo`, { body: small, headers: { 'Content-Type': 'image/png' } }), 200, 'small photo');
  const over = makePng({ totalSize: 512 * 1024 + 1 });
  const r = await admin.put(`/api/staff/${staff.id}/photo`, { body: over, headers: { 'Content-Type': 'image/png' } });
  assertError(r, 413, 'too_large');
  const g = await admin.get(`/api/staff/${staff.id}/photo`);
  assert.ok(g.buf.equals(small), 'photo changed by a refused upload');
});

test('photo: text labelled image/png → 400/415; other media types → 415; nothing stored', async () => {
  const { staff } = await createStaff(admin, nodes.hallA.id);
  const r = await admin.put(`/api/staff/${staff.id}/photo`, { body: 'this is not a picture at all', headers: { 'Content-Type': 'image/png' } });
  assert.ok([400, 415].includes(r.status), `text as png: ${r.status} ${r.text}`);
  assertError(r, r.status, r.status === 400 ? 'invalid' : 'unsupported');
  assertError(await admin.put(`/api/staff/${staff.id}/photo`, { body: makePng(), headers: { 'Content-Type': 'image/gif' } }), 415, 'unsupported');
  assertError(await admin.put(`/api/staff/${staff.id}/photo`, { body: makePng(), headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported');
  const empty = await admin.put(`/api/staff/${staff.id}/photo`, { body: '', headers: { 'Content-Type': 'image/png' } });
  assert.ok([400, 415].includes(empty.status), `empty body as png: ${empty.status} ${empty.text}`);
  assert.equal((await admin.get(`/api/staff/${staff.id}`)).json.has_photo, false);
  assertError(await admin.get(`/api/staff/${staff.id}/photo`), 404, 'not_found');
});

test('assignments: assign to a window of its hall → 201; duplicate open → 409; end → ended_at set; reassign → 201', async () => {
  const { staff } = await createStaff(admin, nodes.hallA.id, { name: '王五' });
  const r = await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: nodes.winA.id });
  assertStatus(r, 201, 'assign');
  const a = r.json;
  for (const k of ['id', 'staff_id', 'staff_name', 'window_id', 'window_name', 'is_chief', 'started_at', 'ended_at']) assert.ok(k in a, `assignment lacks ${k}`);
  assert.equal(a.staff_id, staff.id);
  assert.equal(a.staff_name, '王五');
  assert.equal(a.window_id, nodes.winA.id);
  assert.equal(a.window_name, nodes.winA.name);
  assert.equal(a.is_chief, false);
  assert.ok(Number.isInteger(a.started_at) && a.started_at > 1.6e9);
  assert.equal(a.ended_at, null);

  const list = await admin.get(`/api/staff/${staff.id}/assignments`);
  assertStatus(list, 200);
  assert.deepEqual(list.json.items, [a]);

  const dup = await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: nodes.winA.id, is_chief: true });
  assertError(dup, 409, 'conflict');
  assert.deepEqual((await admin.get(`/api/staff/${staff.id}/assignments`)).json.items, [a]);

  const win = (await admin.get(`/api/org/nodes/${nodes.hallA.id}/windows`)).json.items.find((w) => w.id === nodes.winA.id);
  assert.ok(win.staff.some((s) => s.id === staff.id), 'assigned staff missing from the windows list');

  const e = await admin.post(`/api/assignments/${a.id}/end`);
  assertStatus(e, 200, 'end');
  assert.equal(e.json.id, a.id);
  assert.ok(Number.isInteger(e.json.ended_at), `ended_at: ${e.json.ended_at}`);
  assert.ok(e.json.ended_at >= a.started_at);
  assert.equal(e.json.started_at, a.started_at);
  const win2 = (await admin.get(`/api/org/nodes/${nodes.hallA.id}/windows`)).json.items.find((w) => w.id === nodes.winA.id);
  assert.ok(!win2.staff.some((s) => s.id === staff.id), 'ended assignment still shown on the window');

  // ending twice is a state conflict and changes nothing
  const e2 = await admin.post(`/api/assignments/${a.id}/end`);
  assertError(e2, 409, 'conflict');
  const after = (await admin.get(`/api/staff/${staff.id}/assignments`)).json.items.find((x) => x.id === a.id);
  assert.equal(after.ended_at, e.json.ended_at);

  const again = await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: nodes.winA.id, is_chief: true });
  assertStatus(again, 201, 'reassign after end');
  assert.equal(again.json.is_chief, true);
  assert.notEqual(again.json.id, a.id);
  assert.equal((await admin.get(`/api/staff/${staff.id}/assignments`)).json.items.length, 2);
  assertError(await admin.post('/api/assignments/987654321/end'), 404, 'not_found');
});

test('assignments: a window of another hall, or a node that is not a window → 400 window_id, nothing created', async () => {
  const { staff } = await createStaff(admin, nodes.hallA.id);
  assertError(await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: nodes.winB.id }), 400, 'invalid', 'window_id');
  assertError(await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: nodes.hallA.id }), 400, 'invalid', 'window_id');
  assertError(await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: String(nodes.winA.id) }), 400, 'invalid', 'window_id');
  assertError(await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: nodes.winA.id, is_chief: 'yes' }), 400, 'invalid', 'is_chief');
  assertError(await admin.post(`/api/staff/${staff.id}/assignments`, {}), 400, 'invalid', 'window_id');
  assert.deepEqual((await admin.get(`/api/staff/${staff.id}/assignments`)).json.items, []);
  assertError(await admin.post('/api/staff/987654321/assignments', { window_id: nodes.winA.id }), 404, 'not_found');
});

test('a cached session ends at once when the role changes or the account is deactivated', async () => {
  const { staff, login, password } = await createStaff(admin, nodes.hallA.id);
  const c = new Client(login);
  assertStatus(await c.login(login, password), 200, 'login');
  // used a few times, so the server has it cached
  const stats = `/api/halls/${nodes.hallA.id}/stats`;
  for (let i = 0; i < 3; i++) assertError(await c.get(stats), 403, 'forbidden'); // a clerk's session, cached
  assertStatus(await admin.patch(`/api/staff/${staff.id}`, { role: 'leader' }), 200, 'new role');
  assertError(await c.get(stats), 401, 'unauthorized'); // a new role ends the sessions at once
  assertStatus(await c.login(login, password), 200, 'login again');
  assertStatus(await c.get(stats), 200, 'now as a leader');
  assertStatus(await c.get(stats), 200, 'cached');
  assertStatus(await admin.patch(`/api/staff/${staff.id}`, { active: false }), 200, 'deactivate');
  assertError(await c.get('/api/auth/me'), 401, 'unauthorized');
});
