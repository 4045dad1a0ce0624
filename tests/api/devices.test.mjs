// Devices: create with a one-time token, device auth, token rotation, deactivation.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  loginAs, deviceClient, assertError, assertStatus, demoNodes, countOf, listAll, createNode, recordSecret,
} from './helpers.mjs';

let admin;
let nodes;

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
});

function assertDeviceShape(d) {
  for (const k of ['id', 'kind', 'name', 'node_id', 'node_name', 'active', 'last_seen_at', 'created_at', 'updated_at']) {
    assert.ok(k in d, `device lacks ${k}: ${JSON.stringify(d)}`);
  }
  assert.equal(d.token, undefined, 'token inside the device object');
  assert.equal(d.token_hash, undefined, 'token_hash exposed');
}

async function createDevice(body) {
  const r = await admin.post('/api/devices', body);
  assertStatus(r, 201, 'create device');
  recordSecret(r.json.token);
  return r.json;
}

test('create an evaluator on a window → 201 with a token; device/me answers with device and node', async () => {
  const before = await countOf(admin, '/api/devices', { node_id: nodes.winA.id });
  const r = await admin.post('/api/devices', { kind: 'evaluator', name: '一号窗评价器', node_id: nodes.winA.id });
  assertStatus(r, 201, 'create device');
  const { device, token } = r.json;
  recordSecret(token);
  assertDeviceShape(device);
  assert.equal(typeof token, 'string');
  assert.ok(token.length >= 32, `token too short: ${token.length}`);
  assert.equal(device.kind, 'evaluator');
  assert.equal(device.name, '一号窗评价器');
  assert.equal(device.node_id, nodes.winA.id);
  assert.equal(device.node_name, nodes.winA.name);
  assert.equal(device.active, true);
  assert.equal(device.last_seen_at, null);

  const g = await admin.get(`/api/devices/${device.id}`);
  assertStatus(g, 200);
  assert.equal(g.json.id, device.id);
  assert.ok(!g.text.includes(token), 'token shown again by GET');
  assert.equal(await countOf(admin, '/api/devices', { node_id: nodes.winA.id }), before + 1);
  const list = await listAll(admin, '/api/devices', { node_id: nodes.winA.id, kind: 'evaluator' });
  assert.ok(list.items.some((d) => d.id === device.id));
  assert.ok(list.items.every((d) => d.kind === 'evaluator' && d.node_id === nodes.winA.id));
  assert.ok(!JSON.stringify(list.items).includes(token), 'token shown again by the list');

  const dev = deviceClient(token);
  const me = await dev.get('/api/device/me');
  assertStatus(me, 200, 'device/me');
  assert.equal(me.json.device.id, device.id);
  assert.equal(me.json.device.kind, 'evaluator');
  assert.equal(me.json.node.id, nodes.winA.id);
  assert.equal(me.json.node.kind, 'window');
  assert.equal(me.json.node.path, nodes.winA.path);
  assert.ok(me.headers.get('x-request-id'));
});

test('device auth: bad token, wrong scheme, no header → 401', async () => {
  const { token } = await createDevice({ kind: 'display', name: '大厅屏', node_id: nodes.hallA.id });
  assertError(await deviceClient('x'.repeat(43)).get('/api/device/me'), 401, 'unauthorized');
  const wrongScheme = deviceClient(null);
  assertError(await wrongScheme.get('/api/device/me', { headers: { Authorization: `Bearer ${token}` } }), 401, 'unauthorized');
  assertError(await deviceClient(null).get('/api/device/me'), 401, 'unauthorized');
});

test('a device is not a user: a device token cannot read org/staff endpoints', async () => {
  const { token } = await createDevice({ kind: 'kiosk', name: '取号机', node_id: nodes.hallA.id });
  const dev = deviceClient(token);
  const r = await dev.get('/api/staff');
  assert.ok([401, 403].includes(r.status), `device reading /api/staff: ${r.status} ${r.text}`);
  const before = await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id });
  const w = await dev.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code: 'dev-x', name: 'x' });
  assert.ok([401, 403].includes(w.status), `device creating a node: ${w.status} ${w.text}`);
  assert.equal(await countOf(admin, '/api/org/nodes', { parent_id: nodes.hallA.id }), before);
  // and a user session is not a device
  assert.ok([401, 403].includes((await admin.get('/api/device/me')).status), 'user session on /api/device/me');
});

test('rotate token → old token 401, new token works', async () => {
  const { device, token: oldToken } = await createDevice({ kind: 'evaluator', name: '轮换', node_id: nodes.winA2.id });
  assertStatus(await deviceClient(oldToken).get('/api/device/me'), 200, 'old token before rotation');
  const r = await admin.post(`/api/devices/${device.id}/token`);
  assertStatus(r, 200, 'rotate');
  recordSecret(r.json.token);
  assert.equal(r.json.device.id, device.id);
  assert.equal(typeof r.json.token, 'string');
  assert.notEqual(r.json.token, oldToken);
  assertError(await deviceClient(oldToken).get('/api/device/me'), 401, 'unauthorized');
  const me = await deviceClient(r.json.token).get('/api/device/me');
  assertStatus(me, 200, 'new token');
  assert.equal(me.json.device.id, device.id);
  assertError(await admin.post('/api/devices/987654321/token'), 404, 'not_found');
});

test('rotation needs CSRF: refused rotation keeps the old token', async () => {
  const { device, token } = await createDevice({ kind: 'evaluator', name: '不轮换', node_id: nodes.winA2.id });
  assertError(await admin.post(`/api/devices/${device.id}/token`, undefined, { csrf: false }), 403, 'csrf');
  assertStatus(await deviceClient(token).get('/api/device/me'), 200, 'token still valid');
});

test('device/me records last_seen_at', async () => {
  const { device, token } = await createDevice({ kind: 'display', name: '看见', node_id: nodes.hallA.id });
  assertStatus(await deviceClient(token).get('/api/device/me'), 200);
  const g = await admin.get(`/api/devices/${device.id}`);
  assert.ok(Number.isInteger(g.json.last_seen_at) && g.json.last_seen_at >= device.created_at,
    `last_seen_at after device/me: ${g.json.last_seen_at}`);
});

test('patch name / node_id; deactivated device → 401 on device/me', async () => {
  const { device, token } = await createDevice({ kind: 'evaluator', name: '旧名', node_id: nodes.winA.id });
  const p = await admin.patch(`/api/devices/${device.id}`, { name: '新名', node_id: nodes.winA2.id });
  assertStatus(p, 200, 'patch device');
  assert.equal(p.json.name, '新名');
  assert.equal(p.json.node_id, nodes.winA2.id);
  assert.equal(p.json.node_name, nodes.winA2.name);
  assert.equal((await deviceClient(token).get('/api/device/me')).json.node.id, nodes.winA2.id);
  const d = await admin.patch(`/api/devices/${device.id}`, { active: false });
  assertStatus(d, 200, 'deactivate device');
  assert.equal(d.json.active, false);
  assert.equal((await admin.get(`/api/devices/${device.id}`)).json.active, false);
  assertError(await deviceClient(token).get('/api/device/me'), 401, 'unauthorized');
  const inactive = await listAll(admin, '/api/devices', { node_id: nodes.winA2.id, active: 0 });
  assert.ok(inactive.items.some((x) => x.id === device.id), 'deactivated device not listed with active=0');
});

test('device validation: bad kind / missing name / bad node → 400 naming the field, nothing created', async () => {
  const before = await countOf(admin, '/api/devices');
  assertError(await admin.post('/api/devices', { kind: 'toaster', name: 'x', node_id: nodes.winA.id }), 400, 'invalid', 'kind');
  assertError(await admin.post('/api/devices', { kind: 'display', node_id: nodes.winA.id }), 400, 'invalid', 'name');
  assertError(await admin.post('/api/devices', { kind: 'display', name: 'x' }), 400, 'invalid', 'node_id');
  assertError(await admin.post('/api/devices', { kind: 'display', name: 'x', node_id: `${nodes.winA.id}` }), 400, 'invalid', 'node_id');
  assertError(await admin.post('/api/devices', { kind: 'display', name: 'x', node_id: nodes.winA.id, token: 'mine' }), 400, 'invalid', 'token');
  const r = await admin.post('/api/devices', { kind: 'display', name: 'x', node_id: 987654321 });
  assert.ok([400, 404].includes(r.status), `unknown node: ${r.status}`);
  assert.equal(await countOf(admin, '/api/devices'), before);
  const { device } = await createDevice({ kind: 'display', name: '不变', node_id: nodes.hallA.id });
  assertError(await admin.patch(`/api/devices/${device.id}`, { kind: 'kiosk' }), 400, 'invalid', 'kind');
  assertError(await admin.patch(`/api/devices/${device.id}`, { active: 'false' }), 400, 'invalid', 'active');
  assertError(await admin.patch(`/api/devices/${device.id}`, { name: '' }), 400, 'invalid', 'name');
  const g = await admin.get(`/api/devices/${device.id}`);
  assert.equal(g.json.name, '不变');
  assert.equal(g.json.kind, 'display');
  assert.equal(g.json.active, true);
  assertError(await admin.get('/api/devices/987654321'), 404, 'not_found');
});

test('devices on an inactive node cannot be created', async () => {
  const hall = await createNode(admin, nodes.dist, 'hall');
  assertStatus(await admin.patch(`/api/org/nodes/${hall.id}`, { active: false }), 200);
  const before = await countOf(admin, '/api/devices', { node_id: hall.id });
  const r = await admin.post('/api/devices', { kind: 'display', name: 'x', node_id: hall.id });
  assert.ok([400, 409].includes(r.status), `device on inactive node: ${r.status} ${r.text}`);
  assert.equal(await countOf(admin, '/api/devices', { node_id: hall.id }), before);
});
