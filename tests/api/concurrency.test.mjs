// Group commit: many concurrent writes are all acknowledged, durable and counted.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, assertStatus, demoNodes, listAll, createNode, parseMetrics, metricSum,
} from './helpers.mjs';

let admin;
let nodes;

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
});

async function batchMetrics() {
  const r = await new Client().get('/metrics');
  assertStatus(r, 200, 'metrics');
  const m = parseMetrics(r.text);
  return {
    count: metricSum(m, 'ck_db_commit_batch_size_count'),
    sum: metricSum(m, 'ck_db_commit_batch_size_sum'),
    hasCount: m.some((x) => x.name === 'ck_db_commit_batch_size_count'),
  };
}

test('50 concurrent node creations → all 201, distinct ids, all readable; commit batches counted', async () => {
  const hall = await createNode(admin, nodes.dist, 'hall', { name: '并发厅' });
  const m0 = await batchMetrics();
  assert.ok(m0.hasCount, 'ck_db_commit_batch_size_count missing from /metrics');
  const codes = Array.from({ length: 50 }, (_, i) => `c${String(i).padStart(2, '0')}`);
  const rs = await Promise.all(codes.map((code) => admin.post('/api/org/nodes', {
    parent_id: hall.id, kind: 'window', code, name: `并发窗口${code}`,
  })));
  const bad = rs.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.text.slice(0, 120)}`);
  assert.deepEqual(bad, [], `non-201 answers: ${bad.length}`);
  const ids = rs.map((r) => r.json.id);
  assert.equal(new Set(ids).size, 50, 'ids repeat');
  const paths = rs.map((r) => r.json.path);
  assert.equal(new Set(paths).size, 50, 'paths repeat');
  for (const r of rs) {
    assert.equal(r.json.parent_id, hall.id);
    assert.equal(r.json.path, `${hall.path}${r.json.id}/`);
  }
  const { items, total } = await listAll(admin, '/api/org/nodes', { parent_id: hall.id });
  assert.equal(total, 50);
  assert.deepEqual(items.map((n) => n.code).sort(), codes);
  const got = await Promise.all(ids.map((id) => admin.get(`/api/org/nodes/${id}`)));
  for (const [i, g] of got.entries()) {
    assertStatus(g, 200, `GET node ${ids[i]}`);
    assert.deepEqual(g.json, rs[i].json);
  }
  const m1 = await batchMetrics();
  assert.ok(m1.count > m0.count, `ck_db_commit_batch_size_count did not increase (${m0.count} → ${m1.count})`);
  assert.ok(m1.sum - m0.sum >= 50, `ck_db_commit_batch_size_sum grew by ${m1.sum - m0.sum}, expected ≥ 50 writes`);
  // each of the 50 writes left exactly one audit record
  const audit = await listAll(admin, '/api/audit');
  const idSet = new Set(ids);
  const recs = audit.items.filter((a) => idSet.has(a.entity_id) && a.after?.parent_id === hall.id);
  assert.equal(recs.length, 50, `audit records for the 50 nodes: ${recs.length}`);
});

test('concurrent creations with the same code: exactly one 201, the rest 409', async () => {
  const hall = await createNode(admin, nodes.dist, 'hall');
  const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => admin.post('/api/org/nodes', {
    parent_id: hall.id, kind: 'window', code: 'same', name: `同号${i}`,
  })));
  const statuses = rs.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, ...Array(9).fill(409)], `statuses: ${statuses}`);
  const { total } = await listAll(admin, '/api/org/nodes', { parent_id: hall.id });
  assert.equal(total, 1);
});
