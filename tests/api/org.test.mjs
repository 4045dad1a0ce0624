// The org tree: create, list with filters and pagination, patch, deactivate, windows.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  loginAs, assertError, assertStatus, demoNodes, countOf, listAll, uniq, createNode, createStaff, childByCode,
} from './helpers.mjs';

let admin;
let nodes;

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
});

function assertNodeShape(n) {
  for (const k of ['id', 'kind', 'code', 'name', 'path', 'depth', 'address', 'phone', 'active', 'created_at', 'updated_at']) {
    assert.ok(k in n, `node lacks ${k}: ${JSON.stringify(n)}`);
  }
  assert.ok('parent_id' in n, 'node lacks parent_id');
  assert.ok(Number.isInteger(n.id));
  assert.ok(Number.isInteger(n.depth));
  assert.ok(Number.isInteger(n.created_at) && n.created_at > 1.6e9 && n.created_at < 4e9, `created_at epoch s: ${n.created_at}`);
  assert.ok(Number.isInteger(n.updated_at));
  assert.equal(typeof n.active, 'boolean');
  assert.match(n.path, /^\/(\d+\/)+$/);
  assert.ok(n.path.endsWith(`/${n.id}/`), `path ${n.path} must end with /${n.id}/`);
}

test('the demo tree has the documented shape', async () => {
  const { dist, hallA, town, hallB } = nodes;
  assert.equal(dist.kind, 'region');
  assert.equal(dist.name, '示范区');
  assert.equal(dist.parent_id, null);
  assert.equal(dist.path, `/${dist.id}/`);
  assert.equal(hallA.kind, 'hall');
  assert.equal(hallA.name, '区政务服务中心');
  assert.equal(hallA.parent_id, dist.id);
  assert.equal(hallA.path, `${dist.path}${hallA.id}/`);
  assert.equal(hallA.depth, dist.depth + 1);
  assert.equal(town.kind, 'region');
  assert.equal(town.name, '示范镇');
  assert.equal(hallB.kind, 'hall');
  assert.equal(hallB.name, '示范镇便民服务中心');
  assert.equal(hallB.path, `${town.path}${hallB.id}/`);
  for (const n of Object.values(nodes)) assertNodeShape(n);
  const winsA = await listAll(admin, '/api/org/nodes', { parent_id: hallA.id, kind: 'window' });
  const codesA = winsA.items.map((n) => n.code);
  for (const c of ['w01', 'w02', 'w03', 'w04', 'w05', 'w06', 'w07']) assert.ok(codesA.includes(c), `hall A lacks ${c}`);
  const winsB = await listAll(admin, '/api/org/nodes', { parent_id: hallB.id, kind: 'window' });
  const codesB = winsB.items.map((n) => n.code);
  for (const c of ['w01', 'w02', 'w03', 'w04', 'w05']) assert.ok(codesB.includes(c), `hall B lacks ${c}`);
});

test('GET /api/org/nodes/{id} returns the node; unknown id → 404 not_found', async () => {
  const r = await admin.get(`/api/org/nodes/${nodes.hallA.id}`);
  assertStatus(r, 200);
  assert.deepEqual(r.json, nodes.hallA);
  assertError(await admin.get('/api/org/nodes/987654321'), 404, 'not_found');
});

test('admin creates a window under hall A → 201 with path, depth and parent_id', async () => {
  const before = await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id });
  const code = uniq('w');
  const r = await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: '测试窗口', phone: '0571-1234567' });
  assertStatus(r, 201, 'create window');
  assert.match(r.headers.get('content-type') || '', /application\/json/);
  const n = r.json;
  assertNodeShape(n);
  assert.equal(n.parent_id, nodes.hallA.id);
  assert.equal(n.kind, 'window');
  assert.equal(n.code, code);
  assert.equal(n.name, '测试窗口');
  assert.equal(n.phone, '0571-1234567');
  assert.equal(n.address, '');
  assert.equal(n.active, true);
  assert.equal(n.depth, nodes.hallA.depth + 1);
  assert.equal(n.path, `${nodes.hallA.path}${n.id}/`);
  const g = await admin.get(`/api/org/nodes/${n.id}`);
  assertStatus(g, 200);
  assert.deepEqual(g.json, n);
  assert.equal(await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id }), before + 1);
});

test('duplicate code under the same parent → 409 conflict, nothing created; same code elsewhere is fine', async () => {
  const code = uniq('dup');
  await createNode(admin, nodes.hallA, 'window', { code });
  const before = await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id });
  const r = await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: '重复' });
  assertError(r, 409, 'conflict');
  assert.equal(await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id }), before);
  // the demo codes are reused across halls: w01 exists in both halls
  const r2 = await admin.post('/api/org/nodes', { parent_id: nodes.hallB.id, kind: 'window', code, name: '另一个厅' });
  assertStatus(r2, 201, 'same code under another parent');
});

test('kind rules: window under a window, hall under a hall, region under a hall → 400; nothing created', async () => {
  const before = await countOf(admin, '/api/org/nodes');
  const cases = [
    [nodes.winA, 'window'],
    [nodes.hallA, 'hall'],
    [nodes.hallA, 'region'],
    [nodes.hallA, 'unit'],
    [nodes.winA, 'hall'],
  ];
  for (const [parent, kind] of cases) {
    const code = uniq('bad');
    const r = await admin.post('/api/org/nodes', { parent_id: parent.id, kind, code, name: 'bad' });
    assertError(r, 400, 'invalid', ['kind', 'parent_id']);
    assert.equal(await childByCode(admin, parent.id, code), undefined);
  }
  const r = await admin.post('/api/org/nodes', { parent_id: nodes.dist.id, kind: 'kiosk', code: uniq('bad'), name: 'bad' });
  assertError(r, 400, 'invalid', 'kind');
  assert.equal(await countOf(admin, '/api/org/nodes'), before);
});

test('allowed kinds: unit under region, unit under unit, hall under unit, region under region', async () => {
  const unit = await createNode(admin, nodes.dist, 'unit');
  const sub = await createNode(admin, unit, 'unit');
  const hall = await createNode(admin, sub, 'hall');
  const win = await createNode(admin, hall, 'window');
  assert.equal(win.depth, nodes.dist.depth + 4);
  assert.equal(win.path, `${nodes.dist.path}${unit.id}/${sub.id}/${hall.id}/${win.id}/`);
  const reg = await createNode(admin, nodes.dist, 'region');
  assert.equal(reg.parent_id, nodes.dist.id);
});

test('create: missing or empty required fields and unknown parent → 400/404, nothing created', async () => {
  const before = await countOf(admin, '/api/org/nodes');
  assertError(await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code: uniq('m') }), 400, 'invalid', 'name');
  assertError(await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', name: 'x' }), 400, 'invalid', 'code');
  assertError(await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, code: uniq('m'), name: 'x' }), 400, 'invalid', 'kind');
  assertError(await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code: uniq('m'), name: '' }), 400, 'invalid', 'name');
  assertError(await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code: '', name: 'x' }), 400, 'invalid', 'code');
  const r = await admin.post('/api/org/nodes', { parent_id: 987654321, kind: 'window', code: uniq('m'), name: 'x' });
  assert.ok([400, 404].includes(r.status), `unknown parent: ${r.status} ${r.text}`);
  if (r.status === 400) assertError(r, 400, 'invalid', 'parent_id');
  else assertError(r, 404, 'not_found');
  assert.equal(await countOf(admin, '/api/org/nodes'), before);
});

test('list filters: parent_id, kind, q, active; ordered by path', async () => {
  const tag = uniq('标签');
  const hall = await createNode(admin, nodes.dist, 'hall', { name: `过滤厅${tag}` });
  const w1 = await createNode(admin, hall, 'window', { name: `一号${tag}` });
  const w2 = await createNode(admin, hall, 'window', { name: `二号${tag}` });
  const w3 = await createNode(admin, hall, 'window', { name: `三号 other` });
  assertStatus(await admin.patch(`/api/org/nodes/${w3.id}`, { active: false }), 200, 'deactivate w3');

  const byParent = await admin.get('/api/org/nodes', { query: { parent_id: hall.id } });
  assertStatus(byParent, 200);
  assert.equal(byParent.json.total, 3);
  assert.deepEqual(byParent.json.items.map((n) => n.id).sort(), [w1.id, w2.id, w3.id].sort());
  const paths = byParent.json.items.map((n) => n.path);
  assert.deepEqual(paths, [...paths].sort(), 'items must be ordered by path');

  const act = await admin.get('/api/org/nodes', { query: { parent_id: hall.id, active: 1 } });
  assert.deepEqual(act.json.items.map((n) => n.id).sort(), [w1.id, w2.id].sort());
  assert.equal(act.json.total, 2);
  const inact = await admin.get('/api/org/nodes', { query: { parent_id: hall.id, active: 0 } });
  assert.deepEqual(inact.json.items.map((n) => n.id), [w3.id]);
  assert.equal(inact.json.items[0].active, false);

  const q = await admin.get('/api/org/nodes', { query: { q: tag } });
  assertStatus(q, 200);
  assert.deepEqual(q.json.items.map((n) => n.id).sort(), [hall.id, w1.id, w2.id].sort(), 'q matches names');
  assert.equal(q.json.total, 3);

  const qk = await admin.get('/api/org/nodes', { query: { q: tag, kind: 'window' } });
  assert.deepEqual(qk.json.items.map((n) => n.id).sort(), [w1.id, w2.id].sort());

  const halls = await listAll(admin, '/api/org/nodes', { kind: 'hall' });
  assert.ok(halls.items.every((n) => n.kind === 'hall'));
  const ids = halls.items.map((n) => n.id);
  for (const h of [nodes.hallA, nodes.hallB, hall]) assert.ok(ids.includes(h.id), `hall ${h.id} missing from kind=hall`);

  const all = await listAll(admin, '/api/org/nodes');
  const allPaths = all.items.map((n) => n.path);
  assert.deepEqual(allPaths, [...allPaths].sort(), 'full list ordered by path');
  assert.equal(all.items.length, all.total);
});

test('list filter values are validated: bad kind / active / parent_id → 400 naming the parameter', async () => {
  assertError(await admin.get('/api/org/nodes', { query: { kind: 'castle' } }), 400, 'invalid', 'kind');
  assertError(await admin.get('/api/org/nodes', { query: { active: 'yes' } }), 400, 'invalid', 'active');
  assertError(await admin.get('/api/org/nodes', { query: { parent_id: 'abc' } }), 400, 'invalid', 'parent_id');
});

test('pagination: total, page, per_page; defaults; per_page over 500 → 400', async () => {
  const hall = await createNode(admin, nodes.dist, 'hall');
  const made = [];
  for (let i = 0; i < 5; i++) made.push(await createNode(admin, hall, 'window'));
  const d = await admin.get('/api/org/nodes', { query: { parent_id: hall.id } });
  assertStatus(d, 200);
  assert.equal(d.json.page, 1);
  assert.equal(d.json.per_page, 50);
  assert.equal(d.json.total, 5);
  const seen = [];
  for (const page of [1, 2, 3]) {
    const r = await admin.get('/api/org/nodes', { query: { parent_id: hall.id, page, per_page: 2 } });
    assertStatus(r, 200);
    assert.equal(r.json.total, 5);
    assert.equal(r.json.page, page);
    assert.equal(r.json.per_page, 2);
    assert.equal(r.json.items.length, page < 3 ? 2 : 1);
    seen.push(...r.json.items.map((n) => n.id));
  }
  assert.deepEqual([...seen].sort(), made.map((n) => n.id).sort(), 'pages cover every item exactly once');
  assert.deepEqual(seen, d.json.items.map((n) => n.id), 'pages follow the same order');
  const past = await admin.get('/api/org/nodes', { query: { parent_id: hall.id, page: 9, per_page: 2 } });
  assertStatus(past, 200);
  assert.deepEqual(past.json.items, []);
  assert.equal(past.json.total, 5);
  assertStatus(await admin.get('/api/org/nodes', { query: { per_page: 500 } }), 200, 'per_page=500');
  assertError(await admin.get('/api/org/nodes', { query: { per_page: 501 } }), 400, 'invalid', 'per_page');
  assertError(await admin.get('/api/org/nodes', { query: { per_page: 0 } }), 400, 'invalid', 'per_page');
  assertError(await admin.get('/api/org/nodes', { query: { per_page: 'ten' } }), 400, 'invalid', 'per_page');
  assertError(await admin.get('/api/org/nodes', { query: { page: 0 } }), 400, 'invalid', 'page');
  assertError(await admin.get('/api/org/nodes', { query: { page: -1 } }), 400, 'invalid', 'page');
});

test('PATCH name/address/phone → 200 and persisted; other fields untouched', async () => {
  const w = await createNode(admin, nodes.hallA, 'window');
  const r = await admin.patch(`/api/org/nodes/${w.id}`, { name: '改名窗口', address: '一楼东侧', phone: '12345' });
  assertStatus(r, 200, 'patch');
  assert.equal(r.json.name, '改名窗口');
  assert.equal(r.json.address, '一楼东侧');
  assert.equal(r.json.phone, '12345');
  for (const k of ['id', 'parent_id', 'kind', 'code', 'path', 'depth', 'active', 'created_at']) assert.deepEqual(r.json[k], w[k], k);
  assert.ok(r.json.updated_at >= w.updated_at);
  const g = await admin.get(`/api/org/nodes/${w.id}`);
  assert.deepEqual(g.json, r.json);
});

test('PATCH code to a sibling\'s code → 409 conflict, unchanged', async () => {
  const a = await createNode(admin, nodes.hallA, 'window');
  const b = await createNode(admin, nodes.hallA, 'window');
  assertError(await admin.patch(`/api/org/nodes/${b.id}`, { code: a.code }), 409, 'conflict');
  assert.equal((await admin.get(`/api/org/nodes/${b.id}`)).json.code, b.code);
});

test('PATCH with invalid values → 400 naming the field, unchanged; unknown node → 404', async () => {
  const w = await createNode(admin, nodes.hallA, 'window');
  assertError(await admin.patch(`/api/org/nodes/${w.id}`, { name: '' }), 400, 'invalid', 'name');
  assertError(await admin.patch(`/api/org/nodes/${w.id}`, { active: 'no' }), 400, 'invalid', 'active');
  assertError(await admin.patch(`/api/org/nodes/${w.id}`, { active: 0 }), 400, 'invalid', 'active');
  assertError(await admin.patch(`/api/org/nodes/${w.id}`, { kind: 'hall' }), 400, 'invalid', 'kind');
  assertError(await admin.patch(`/api/org/nodes/${w.id}`, { parent_id: nodes.hallB.id }), 400, 'invalid', 'parent_id');
  assert.deepEqual((await admin.get(`/api/org/nodes/${w.id}`)).json, w);
  assertError(await admin.patch('/api/org/nodes/987654321', { name: 'x' }), 404, 'not_found');
});

test('deactivate via PATCH active:false → listed with active:false, not gone; reactivate works', async () => {
  const w = await createNode(admin, nodes.hallA, 'window');
  const total = await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id });
  const r = await admin.patch(`/api/org/nodes/${w.id}`, { active: false });
  assertStatus(r, 200, 'deactivate');
  assert.equal(r.json.active, false);
  const g = await admin.get(`/api/org/nodes/${w.id}`);
  assertStatus(g, 200);
  assert.equal(g.json.active, false);
  assert.equal(await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id }), total, 'deactivated node vanished from the list');
  const listed = await childByCode(admin, nodes.hallA.id, w.code);
  assert.equal(listed?.active, false);
  const inactive = await listAll(admin, '/api/org/nodes', { parent_id: nodes.hallA.id, active: 0 });
  assert.ok(inactive.items.some((n) => n.id === w.id));
  const active = await listAll(admin, '/api/org/nodes', { parent_id: nodes.hallA.id, active: 1 });
  assert.ok(!active.items.some((n) => n.id === w.id));
  const back = await admin.patch(`/api/org/nodes/${w.id}`, { active: true });
  assertStatus(back, 200, 'reactivate');
  assert.equal(back.json.active, true);
});

test('a node with active children cannot be deactivated → 409; after the children are off it can', async () => {
  const hall = await createNode(admin, nodes.dist, 'hall');
  const w = await createNode(admin, hall, 'window');
  assertError(await admin.patch(`/api/org/nodes/${hall.id}`, { active: false }), 409, 'conflict');
  assert.equal((await admin.get(`/api/org/nodes/${hall.id}`)).json.active, true);
  assertError(await admin.patch(`/api/org/nodes/${nodes.hallA.id}`, { active: false }), 409, 'conflict');
  assert.equal((await admin.get(`/api/org/nodes/${nodes.hallA.id}`)).json.active, true);
  assertStatus(await admin.patch(`/api/org/nodes/${w.id}`, { active: false }), 200, 'child off');
  const r = await admin.patch(`/api/org/nodes/${hall.id}`, { active: false });
  assertStatus(r, 200, 'hall off once the window is off');
  assert.equal(r.json.active, false);
});

test('a node with active staff cannot be deactivated → 409', async () => {
  const hall = await createNode(admin, nodes.dist, 'hall');
  const { staff } = await createStaff(admin, hall.id);
  assertError(await admin.patch(`/api/org/nodes/${hall.id}`, { active: false }), 409, 'conflict');
  assert.equal((await admin.get(`/api/org/nodes/${hall.id}`)).json.active, true);
  assertStatus(await admin.patch(`/api/staff/${staff.id}`, { active: false }), 200, 'staff off');
  assertStatus(await admin.patch(`/api/org/nodes/${hall.id}`, { active: false }), 200, 'hall off');
});

test('a node with active devices cannot be deactivated → 409', async () => {
  const hall = await createNode(admin, nodes.dist, 'hall');
  const w = await createNode(admin, hall, 'window');
  const d = await admin.post('/api/devices', { kind: 'evaluator', name: '评价器', node_id: w.id });
  assertStatus(d, 201, 'device');
  assertError(await admin.patch(`/api/org/nodes/${w.id}`, { active: false }), 409, 'conflict');
  assert.equal((await admin.get(`/api/org/nodes/${w.id}`)).json.active, true);
  assertStatus(await admin.patch(`/api/devices/${d.json.device.id}`, { active: false }), 200, 'device off');
  assertStatus(await admin.patch(`/api/org/nodes/${w.id}`, { active: false }), 200, 'window off');
});

test('no child can be created under an inactive node', async () => {
  const hall = await createNode(admin, nodes.dist, 'hall');
  assertStatus(await admin.patch(`/api/org/nodes/${hall.id}`, { active: false }), 200);
  const code = uniq('w');
  const r = await admin.post('/api/org/nodes', { parent_id: hall.id, kind: 'window', code, name: 'x' });
  assert.ok([400, 409].includes(r.status), `child under inactive parent: ${r.status} ${r.text}`);
  assert.equal(await childByCode(admin, hall.id, code), undefined);
});

test('GET /api/org/nodes/{hall}/windows lists the windows of the hall with staff arrays', async () => {
  const r = await admin.get(`/api/org/nodes/${nodes.hallA.id}/windows`);
  assertStatus(r, 200);
  assert.ok(Array.isArray(r.json.items));
  const codes = r.json.items.map((n) => n.code);
  for (const c of ['w01', 'w02', 'w03', 'w04', 'w05', 'w06', 'w07']) assert.ok(codes.includes(c), `windows lack ${c}`);
  for (const w of r.json.items) {
    assertNodeShape(w);
    assert.equal(w.kind, 'window');
    assert.equal(w.parent_id, nodes.hallA.id);
    assert.ok(Array.isArray(w.staff), `window ${w.code} lacks a staff array`);
    for (const s of w.staff) {
      assert.ok(Number.isInteger(s.id));
      assert.equal(typeof s.name, 'string');
      assert.equal(typeof s.badge_no, 'string');
      assert.equal(typeof s.is_chief, 'boolean');
    }
  }
  // a fresh window with one assigned staff member shows exactly that person
  const w = await createNode(admin, nodes.hallA, 'window');
  const { staff } = await createStaff(admin, nodes.hallA.id, { name: '窗口人员', badge_no: 'B-77' });
  assertStatus(await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: w.id, is_chief: true }), 201, 'assign');
  const r2 = await admin.get(`/api/org/nodes/${nodes.hallA.id}/windows`);
  const mine = r2.json.items.find((x) => x.id === w.id);
  assert.ok(mine, 'new window missing');
  assert.deepEqual(mine.staff, [{ id: staff.id, name: '窗口人员', badge_no: 'B-77', is_chief: true }]);
  // hall B's windows are hall B's only
  const rb = await admin.get(`/api/org/nodes/${nodes.hallB.id}/windows`);
  assertStatus(rb, 200);
  assert.ok(rb.json.items.length >= 5);
  assert.ok(rb.json.items.every((x) => x.parent_id === nodes.hallB.id));
  assertError(await admin.get('/api/org/nodes/987654321/windows'), 404, 'not_found');
});
