// The audit log: every write leaves a hash-chained record; scope and roles apply.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  loginAs, assertError, assertStatus, demoNodes, countOf, listAll, uniq, createNode, createStaff,
} from './helpers.mjs';

let admin;
let nodes;

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
});

const AUDIT_KEYS = ['id', 'ts', 'actor', 'action', 'entity', 'entity_id', 'node_id', 'ip', 'request_id', 'before', 'after', 'hash'];

async function findAudit(client, pred) {
  const { items } = await listAll(client, '/api/audit');
  return items.filter(pred);
}

test('a node creation and a rename leave audit records with actor, action, entity, hash and request id', async () => {
  const code = uniq('aud');
  const c = await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code, name: '审计窗口' });
  assertStatus(c, 201, 'create');
  const node = c.json;
  const createRid = c.headers.get('x-request-id');
  const p = await admin.patch(`/api/org/nodes/${node.id}`, { name: '审计窗口二' });
  assertStatus(p, 200, 'patch');
  const patchRid = p.headers.get('x-request-id');

  const recs = await findAudit(admin, (a) => a.entity_id === node.id && (a.request_id === createRid || a.request_id === patchRid));
  assert.equal(recs.length, 2, `expected 2 audit records for node ${node.id}, got ${JSON.stringify(recs)}`);
  const created = recs.find((a) => a.request_id === createRid);
  const renamed = recs.find((a) => a.request_id === patchRid);
  assert.ok(created && renamed);
  for (const a of [created, renamed]) {
    for (const k of AUDIT_KEYS) assert.ok(k in a, `audit record lacks ${k}: ${JSON.stringify(a)}`);
    assert.ok(a.actor === 't_admin' || String(a.actor).includes('t_admin') || a.actor === '测试管理员', `actor: ${a.actor}`);
    assert.equal(typeof a.action, 'string');
    assert.ok(a.action.length > 0);
    assert.equal(typeof a.entity, 'string');
    assert.ok(a.entity.length > 0);
    assert.match(a.hash, /^[0-9a-f]{64}$/, `hash: ${a.hash}`);
    assert.ok(Number.isInteger(a.ts) && a.ts > 1.6e9);
    assert.equal(a.ip, '127.0.0.1');
    assert.ok(a.node_id === node.id || a.node_id === nodes.hallA.id, `audit node_id ${a.node_id}`);
  }
  assert.equal(created.entity, renamed.entity);
  assert.notEqual(created.action, renamed.action);
  assert.notEqual(created.hash, renamed.hash);
  assert.ok(renamed.id > created.id, 'records are appended in order');
  assert.equal(created.before, null);
  assert.equal(created.after?.code, code);
  assert.equal(created.after?.name, '审计窗口');
  assert.equal(renamed.before?.name, '审计窗口');
  assert.equal(renamed.after?.name, '审计窗口二');

  // filtering by entity and entity_id
  const f = await admin.get('/api/audit', { query: { entity: created.entity, entity_id: node.id } });
  assertStatus(f, 200);
  assert.equal(f.json.total, 2);
  assert.deepEqual(f.json.items.map((a) => a.id).sort((x, y) => x - y), [created.id, renamed.id]);
  assert.ok(f.json.items.every((a) => a.entity === created.entity && a.entity_id === node.id));
  assert.equal(f.json.page, 1);
  assert.equal(f.json.per_page, 50);
});

test('staff, device and assignment writes are audited too; passwords and tokens never appear in audit', async () => {
  const { staff, password } = await createStaff(admin, nodes.hallA.id, { name: '被审计' });
  const d = await admin.post('/api/devices', { kind: 'evaluator', name: '审计评价器', node_id: nodes.winA.id });
  assertStatus(d, 201);
  const a = await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: nodes.winA.id });
  assertStatus(a, 201);
  const { items } = await listAll(admin, '/api/audit');
  const text = JSON.stringify(items);
  assert.ok(items.some((r) => r.entity_id === staff.id && r.after?.login === staff.login), 'no audit record for the staff creation');
  assert.ok(items.some((r) => r.entity_id === d.json.device.id && r.after?.name === '审计评价器'), 'no audit record for the device creation');
  assert.ok(items.some((r) => r.entity_id === a.json.id && r.after?.window_id === nodes.winA.id), 'no audit record for the assignment');
  assert.ok(!text.includes(password), 'a password is in the audit log');
  assert.ok(!text.includes(d.json.token), 'a device token is in the audit log');
  assert.ok(!/password_hash|token_hash/.test(text), 'hashes of secrets are in the audit log');
});

test('a refused write leaves no audit record', async () => {
  const w = await createNode(admin, nodes.hallA, 'window');
  const before = await countOf(admin, '/api/audit');
  assertError(await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code: w.code, name: 'dup' }), 409, 'conflict');
  assertError(await admin.patch(`/api/org/nodes/${w.id}`, { name: '' }), 400, 'invalid', 'name');
  assertError(await admin.post('/api/org/nodes', { parent_id: nodes.hallA.id, kind: 'window', code: uniq('c'), name: 'x' }, { csrf: false }), 403, 'csrf');
  assert.equal(await countOf(admin, '/api/audit'), before);
});

test('audit list pagination and per_page limit', async () => {
  const r = await admin.get('/api/audit', { query: { page: 1, per_page: 3 } });
  assertStatus(r, 200);
  assert.equal(r.json.per_page, 3);
  assert.ok(r.json.items.length <= 3);
  assert.ok(r.json.total >= 3);
  assertError(await admin.get('/api/audit', { query: { per_page: 501 } }), 400, 'invalid', 'per_page');
});

test('staff and leaders cannot read the audit log → 403', async () => {
  const sa = await loginAs('t_staff_a');
  assertError(await sa.get('/api/audit'), 403, 'forbidden');
  const lt = await loginAs('t_leader_t');
  assertError(await lt.get('/api/audit'), 403, 'forbidden');
});

test('a supervisor reads the audit log of its subtree', async () => {
  const { login, password } = await createStaff(admin, nodes.hallA.id, { role: 'supervisor' });
  const sup = await loginAs(login, password);
  const r = await sup.get('/api/audit');
  assertStatus(r, 200, 'supervisor audit');
});

test('hall B admin sees only audit records of its subtree', async () => {
  const w = await createNode(admin, nodes.hallA, 'window');
  const b = await loginAs('t_admin_b');
  const wb = await b.post('/api/org/nodes', { parent_id: nodes.hallB.id, kind: 'window', code: uniq('ab'), name: 'B 审计' });
  assertStatus(wb, 201);
  const { items } = await listAll(b, '/api/audit');
  assert.ok(!items.some((a) => a.entity_id === w.id && a.after?.code === w.code), 'hall A record visible to hall B admin');
  assert.ok(items.some((a) => a.entity_id === wb.json.id), 'own record not visible to hall B admin');
  const all = await listAll(admin, '/api/org/nodes');
  const byId = new Map(all.items.map((n) => [n.id, n]));
  for (const a of items) {
    const n = byId.get(a.node_id);
    assert.ok(n && n.path.startsWith(nodes.hallB.path), `audit ${a.id} at node ${a.node_id} outside hall B`);
  }
});
