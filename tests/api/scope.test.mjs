// Org-subtree scope and roles: staff of hall A, admin of hall B, leader of the town.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  loginAs, assertError, assertStatus, demoNodes, countOf, listAll, uniq, newPassword, createStaff, childByCode,
} from './helpers.mjs';

let admin;
let staffA;
let adminB;
let leaderT;
let nodes;

before(async () => {
  admin = await loginAs('t_admin');
  staffA = await loginAs('t_staff_a');
  adminB = await loginAs('t_admin_b');
  leaderT = await loginAs('t_leader_t');
  nodes = await demoNodes(admin);
});

const under = (n, root) => n.path.startsWith(root.path);

// A list filtered by a node outside the caller's subtree: 403, or (filters
// intersect with the scope) an empty page. docs/api.md allows either reading.
function assertNothingOutside(r, what) {
  assert.ok(r.status === 403 || (r.status === 200 && r.json.items.length === 0 && r.json.total === 0),
    `${what}: expected 403 or an empty page, got ${r.status} ${r.text.slice(0, 200)}`);
  if (r.status === 403) assertError(r, 403, 'forbidden');
}

test('the run.sh accounts have their documented roles and home nodes', () => {
  assert.equal(staffA.user.role, 'staff');
  assert.equal(staffA.user.node_id, nodes.hallA.id);
  assert.equal(adminB.user.role, 'admin');
  assert.equal(adminB.user.node_id, nodes.hallB.id);
  assert.equal(leaderT.user.role, 'leader');
  assert.equal(leaderT.user.node_id, nodes.town.id);
});

test('hall A staff reads hall A and its windows', async () => {
  const r = await staffA.get(`/api/org/nodes/${nodes.hallA.id}`);
  assertStatus(r, 200, 'hall A');
  assert.equal(r.json.id, nodes.hallA.id);
  assertStatus(await staffA.get(`/api/org/nodes/${nodes.winA.id}`), 200, 'window of hall A');
  const w = await staffA.get(`/api/org/nodes/${nodes.hallA.id}/windows`);
  assertStatus(w, 200, 'windows of hall A');
  assert.ok(w.json.items.length >= 7);
});

test('hall A staff: hall B, the town and the district root → 403 forbidden', async () => {
  for (const n of [nodes.hallB, nodes.winB, nodes.town, nodes.dist]) {
    assertError(await staffA.get(`/api/org/nodes/${n.id}`), 403, 'forbidden');
  }
  assertError(await staffA.get(`/api/org/nodes/${nodes.hallB.id}/windows`), 403, 'forbidden');
});

test('hall A staff: the node list holds exactly hall A\'s subtree', async () => {
  const mine = await listAll(staffA, '/api/org/nodes');
  assert.ok(mine.items.length > 0);
  for (const n of mine.items) assert.ok(under(n, nodes.hallA), `node ${n.id} ${n.path} outside hall A (${nodes.hallA.path})`);
  const all = await listAll(admin, '/api/org/nodes');
  const expected = all.items.filter((n) => under(n, nodes.hallA)).map((n) => n.id).sort();
  assert.deepEqual(mine.items.map((n) => n.id).sort(), expected);
  assert.equal(mine.total, expected.length);
  // filters cannot widen the scope
  assertNothingOutside(await staffA.get('/api/org/nodes', { query: { parent_id: nodes.hallB.id } }), 'nodes of hall B');
});

test('hall A staff cannot write anything → 403, nothing changed', async () => {
  const before = await countOf(admin, '/api/org/nodes');
  assertError(await staffA.patch(`/api/org/nodes/${nodes.winA.id}`, { name: 'staff-edit' }), 403, 'forbidden');
  assertError(await staffA.patch(`/api/org/nodes/${nodes.hallA.id}`, { phone: '110' }), 403, 'forbidden');
  assertError(await staffA.patch(`/api/org/nodes/${nodes.hallB.id}`, { name: 'x' }), 403, 'forbidden');
  const code = uniq('sw');
  assertError(await staffA.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: 'x' }), 403, 'forbidden');
  assert.equal(await childByCode(admin, nodes.hallA.id, code), undefined);
  assert.equal(await countOf(admin, '/api/org/nodes'), before);
  const g = await admin.get(`/api/org/nodes/${nodes.winA.id}`);
  assert.equal(g.json.name, nodes.winA.name);
  assert.equal((await admin.get(`/api/org/nodes/${nodes.hallA.id}`)).json.phone, nodes.hallA.phone);

  const staffBefore = await countOf(admin, '/api/staff');
  const login = uniq('s');
  assertError(await staffA.post('/api/staff', { login, name: 'x', password: newPassword(), role: 'admin', node_id: nodes.hallA.id }), 403, 'forbidden');
  assertError(await staffA.patch(`/api/staff/${staffA.user.id}`, { role: 'admin' }), 403, 'forbidden');
  assert.equal((await admin.get(`/api/staff/${staffA.user.id}`)).json.role, 'staff');
  assert.equal(await countOf(admin, '/api/staff'), staffBefore);

  const devBefore = await countOf(admin, '/api/devices');
  assertError(await staffA.post('/api/devices', { kind: 'display', name: 'x', node_id: nodes.hallA.id }), 403, 'forbidden');
  assert.equal(await countOf(admin, '/api/devices'), devBefore);

  const { staff } = await createStaff(admin, nodes.hallA.id);
  assertError(await staffA.post(`/api/staff/${staff.id}/assignments`, { window_id: nodes.winA.id }), 403, 'forbidden');
  assert.deepEqual((await admin.get(`/api/staff/${staff.id}/assignments`)).json.items, []);
  assertError(await staffA.put(`/api/staff/${staff.id}/photo`, { body: Buffer.from('x'), headers: { 'Content-Type': 'image/png' } }), 403, 'forbidden');
  assert.equal((await admin.get(`/api/staff/${staff.id}`)).json.has_photo, false);
});

test('hall A staff reads hall A staff and devices only', async () => {
  const staff = await listAll(staffA, '/api/staff');
  assert.ok(staff.items.some((s) => s.id === staffA.user.id));
  const { byId } = await (async () => {
    const all = await listAll(admin, '/api/org/nodes');
    return { byId: new Map(all.items.map((n) => [n.id, n])) };
  })();
  for (const s of staff.items) assert.ok(under(byId.get(s.node_id), nodes.hallA), `staff ${s.id} at node ${s.node_id} outside hall A`);
  assertError(await staffA.get(`/api/staff/${adminB.user.id}`), 403, 'forbidden');
  assertNothingOutside(await staffA.get('/api/staff', { query: { node_id: nodes.hallB.id } }), 'staff of hall B');
  assertNothingOutside(await staffA.get('/api/devices', { query: { node_id: nodes.hallB.id } }), 'devices of hall B');
  const devs = await listAll(staffA, '/api/devices');
  for (const d of devs.items) assert.ok(under(byId.get(d.node_id), nodes.hallA), `device ${d.id} outside hall A`);
});

test('hall B admin creates under hall B, but not under hall A (403, nothing created)', async () => {
  const r = await adminB.post('/api/org/nodes', { parent_id: nodes.hallB.id, kind: 'window', code: uniq('bw'), name: 'B 新窗口' });
  assertStatus(r, 201, 'admin B under hall B');
  assert.equal(r.json.parent_id, nodes.hallB.id);
  const before = await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id });
  const code = uniq('aw');
  assertError(await adminB.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: 'x' }), 403, 'forbidden');
  assert.equal(await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id }), before);
  assert.equal(await childByCode(admin, nodes.hallA.id, code), undefined);
  // nor above its home node, nor edit its own home node's parent
  assertError(await adminB.post('/api/org/nodes', { parent_id: nodes.town.id, kind: 'hall', code: uniq('th'), name: 'x' }), 403, 'forbidden');
  assertError(await adminB.patch(`/api/org/nodes/${nodes.town.id}`, { name: 'x' }), 403, 'forbidden');
  assertError(await adminB.patch(`/api/org/nodes/${nodes.winA.id}`, { name: 'x' }), 403, 'forbidden');
  assert.equal((await admin.get(`/api/org/nodes/${nodes.town.id}`)).json.name, '示范镇');
  assert.equal((await admin.get(`/api/org/nodes/${nodes.winA.id}`)).json.name, nodes.winA.name);
});

test('hall B admin cannot read or manage hall A staff and devices', async () => {
  assertNothingOutside(await adminB.get('/api/staff', { query: { node_id: nodes.hallA.id } }), 'staff of hall A');
  assertError(await adminB.get(`/api/staff/${staffA.user.id}`), 403, 'forbidden');
  assertError(await adminB.get(`/api/staff/${staffA.user.id}/photo`), 403, 'forbidden');
  assertError(await adminB.get(`/api/staff/${staffA.user.id}/assignments`), 403, 'forbidden');
  assertError(await adminB.patch(`/api/staff/${staffA.user.id}`, { name: '被改' }), 403, 'forbidden');
  assert.equal((await admin.get(`/api/staff/${staffA.user.id}`)).json.active, true);
  const list = await listAll(adminB, '/api/staff');
  assert.ok(!list.items.some((s) => s.id === staffA.user.id), 'hall A staff in hall B admin\'s list');

  // creating staff in hall A or moving own staff there → 403
  const before = await countOf(admin, '/api/staff');
  assertError(await adminB.post('/api/staff', { login: uniq('b'), name: 'x', password: newPassword(), role: 'staff', node_id: nodes.hallA.id }), 403, 'forbidden');
  assert.equal(await countOf(admin, '/api/staff'), before);
  const own = await adminB.post('/api/staff', { login: uniq('b'), name: 'B 员工', password: newPassword(), role: 'staff', node_id: nodes.hallB.id });
  assertStatus(own, 201, 'admin B creates hall B staff');
  assertError(await adminB.patch(`/api/staff/${own.json.id}`, { node_id: nodes.hallA.id }), 403, 'forbidden');
  assert.equal((await admin.get(`/api/staff/${own.json.id}`)).json.node_id, nodes.hallB.id);
  // an admin cannot mint an account above its own home
  assertError(await adminB.post('/api/staff', { login: uniq('b'), name: 'x', password: newPassword(), role: 'admin', node_id: nodes.town.id }), 403, 'forbidden');

  const devBefore = await countOf(admin, '/api/devices');
  assertError(await adminB.post('/api/devices', { kind: 'display', name: 'x', node_id: nodes.hallA.id }), 403, 'forbidden');
  assert.equal(await countOf(admin, '/api/devices'), devBefore);
  const d = await admin.post('/api/devices', { kind: 'display', name: 'A 屏', node_id: nodes.hallA.id });
  assertStatus(d, 201);
  assertError(await adminB.get(`/api/devices/${d.json.device.id}`), 403, 'forbidden');
  assertError(await adminB.post(`/api/devices/${d.json.device.id}/token`), 403, 'forbidden');
  assertError(await adminB.patch(`/api/devices/${d.json.device.id}`, { active: false }), 403, 'forbidden');
  assert.equal((await admin.get(`/api/devices/${d.json.device.id}`)).json.active, true);
});

test('town leader sees the town subtree only and cannot write', async () => {
  const mine = await listAll(leaderT, '/api/org/nodes');
  const all = await listAll(admin, '/api/org/nodes');
  const expected = all.items.filter((n) => under(n, nodes.town)).map((n) => n.id).sort();
  assert.deepEqual(mine.items.map((n) => n.id).sort(), expected);
  assert.ok(mine.items.some((n) => n.id === nodes.town.id));
  assert.ok(mine.items.some((n) => n.id === nodes.hallB.id));
  assert.ok(mine.items.some((n) => n.id === nodes.winB.id));
  assertStatus(await leaderT.get(`/api/org/nodes/${nodes.hallB.id}`), 200, 'hall B');
  assertStatus(await leaderT.get(`/api/org/nodes/${nodes.hallB.id}/windows`), 200, 'hall B windows');
  assertError(await leaderT.get(`/api/org/nodes/${nodes.hallA.id}`), 403, 'forbidden');
  assertError(await leaderT.get(`/api/org/nodes/${nodes.dist.id}`), 403, 'forbidden');
  const code = uniq('lw');
  assertError(await leaderT.post('/api/org/nodes', { parent_id: nodes.hallB.id, kind: 'window', code, name: 'x' }), 403, 'forbidden');
  assert.equal(await childByCode(admin, nodes.hallB.id, code), undefined);
  assertError(await leaderT.patch(`/api/org/nodes/${nodes.town.id}`, { name: 'x' }), 403, 'forbidden');
  assert.equal((await admin.get(`/api/org/nodes/${nodes.town.id}`)).json.name, '示范镇');
  const staff = await listAll(leaderT, '/api/staff');
  const byId = new Map(all.items.map((n) => [n.id, n]));
  for (const s of staff.items) assert.ok(under(byId.get(s.node_id), nodes.town), `staff ${s.id} outside the town`);
  assert.ok(staff.items.some((s) => s.id === adminB.user.id));
});

test('district admin reaches everything below /dist', async () => {
  assertStatus(await admin.get(`/api/org/nodes/${nodes.hallB.id}`), 200);
  assertStatus(await admin.get(`/api/staff/${staffA.user.id}`), 200);
  assertStatus(await admin.get(`/api/staff/${adminB.user.id}`), 200);
});
