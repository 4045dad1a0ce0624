// What follows a case: the region's case settings (admin at the root only,
// ranges named), notifications (one's own only), accountability decisions
// (leader in scope, once; dismissal), follow-up calls (result and
// satisfaction rules, once), the efficiency statistics (grouping arithmetic,
// period checks, scope) and the route order of /api/cases/stats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  loginAs, assertError, assertStatus, demoNodes,
} from './helpers.mjs';

let admin; // t_admin, admin at /dist (the region's root)
let adminB; // t_admin_b, admin at /dist/town/hall-t
let leaderT; // t_leader_t, leader at /dist/town
let staffA; // t_staff_a, staff at /dist/hall-d
let nodes;
let settingsBefore;

before(async () => {
  admin = await loginAs('t_admin');
  adminB = await loginAs('t_admin_b');
  leaderT = await loginAs('t_leader_t');
  staffA = await loginAs('t_staff_a');
  nodes = await demoNodes(admin);
  const r = await admin.get('/api/case-settings');
  assertStatus(r, 200, 'settings');
  settingsBefore = r.json;
});

after(async () => {
  if (!settingsBefore) return;
  const { region_id: _, ...body } = settingsBefore;
  await admin.put('/api/case-settings', { json: body });
});

// ---------------------------------------------------------------- settings

test('case settings: anyone reads the region; only an admin at the root writes; ranges named', async () => {
  for (const c of [admin, adminB, leaderT, staffA]) {
    const r = await c.get('/api/case-settings');
    assertStatus(r, 200, `GET settings as ${c.name}`);
    assert.equal(r.json.region_id, nodes.dist.id);
    for (const k of ['yellow_pct', 'escalate_minutes', 'followup_sample_pct', 'followup_days']) {
      assert.equal(typeof r.json[k], 'number', k);
    }
  }
  const body = { yellow_pct: 75, escalate_minutes: 60, followup_sample_pct: 20, followup_days: 5 };
  let r = await admin.put('/api/case-settings', { json: body });
  assertStatus(r, 200, 'PUT settings');
  assert.deepEqual(r.json, { region_id: nodes.dist.id, ...body });
  r = await staffA.get('/api/case-settings');
  assert.deepEqual(r.json, { region_id: nodes.dist.id, ...body });

  assertError(await leaderT.put('/api/case-settings', { json: body }), 403, 'forbidden');
  assertError(await adminB.put('/api/case-settings', { json: body }), 403, 'forbidden');
  assertError(await staffA.put('/api/case-settings', { json: body }), 403, 'forbidden');

  const bad = [
    ['yellow_pct', 49], ['yellow_pct', 100], ['escalate_minutes', 4], ['escalate_minutes', 10081],
    ['followup_sample_pct', -1], ['followup_sample_pct', 101], ['followup_days', 0], ['followup_days', 31],
  ];
  for (const [k, v] of bad) {
    assertError(await admin.put('/api/case-settings', { json: { ...body, [k]: v } }), 400, 'invalid', k);
  }
  const { followup_days: _, ...missing } = body;
  assertError(await admin.put('/api/case-settings', { json: missing }), 400, 'invalid', 'followup_days');
  assertError(await admin.put('/api/case-settings', { json: { ...body, region_id: 1 } }), 400, 'invalid', 'region_id');
  assertError(await admin.put('/api/case-settings', { json: { ...body, yellow_pct: '80' } }), 400, 'invalid', 'yellow_pct');
  r = await admin.get('/api/case-settings');
  assert.deepEqual(r.json, { region_id: nodes.dist.id, ...body }, 'nothing changed by the failures');
  // audited
  const a = await admin.get('/api/audit', { query: { entity: 'org_node', entity_id: nodes.dist.id } });
  assertStatus(a, 200, 'audit');
  assert.ok(a.json.items.some((x) => x.action === 'case.settings'), 'case.settings audited');
});

// ---------------------------------------------------------------- input checks without cases

test('notifications: the caller\'s own page with an unread count; another id is 404', async () => {
  const r = await staffA.get('/api/notifications');
  assertStatus(r, 200, 'notifications');
  assert.equal(typeof r.json.unread, 'number');
  assert.ok(Array.isArray(r.json.items));
  assert.equal(r.json.page, 1);
  assertError(await staffA.get('/api/notifications', { query: { unread: 2 } }), 400, 'invalid', 'unread');
  assertError(await staffA.post('/api/notifications/99999999/read', {}), 404, 'not_found');
});

test('follow-ups and accountability: filters are checked', async () => {
  let r = await staffA.get('/api/followups');
  assertStatus(r, 200, 'followups');
  r = await leaderT.get('/api/followups', { query: { status: 'scheduled', overdue: 1, node_id: nodes.town.id } });
  assertStatus(r, 200, 'followups filtered');
  assertError(await staffA.get('/api/followups', { query: { status: 'called' } }), 400, 'invalid', 'status');
  assertError(await staffA.get('/api/followups', { query: { overdue: 'yes' } }), 400, 'invalid', 'overdue');
  assertError(await leaderT.get('/api/followups', { query: { node_id: nodes.hallA.id } }), 403, 'forbidden');
  assertError(await staffA.get('/api/followups', { query: { node_id: 99999999 } }), 400, 'invalid', 'node_id');
  assertError(await staffA.post('/api/followups/99999999', { result: 'reached', satisfaction: 5 }), 404, 'not_found');
  assertError(await staffA.post('/api/followups/99999999', { result: 'reached', mood: 5 }), 400, 'invalid', 'mood');

  r = await staffA.get('/api/accountability', { query: { status: 'pending' } });
  assertStatus(r, 200, 'accountability');
  assertError(await staffA.get('/api/accountability', { query: { status: 'open' } }), 400, 'invalid', 'status');
  assertError(await leaderT.post('/api/accountability/99999999/decide', { grade: 'reminder', note: 'x' }), 404, 'not_found');
  assertError(await leaderT.post('/api/accountability/99999999/decide', { grade: 5, note: 'x' }), 400, 'invalid', 'grade');
  assertError(await leaderT.post('/api/accountability/99999999/decide', { grade: null }), 400, 'invalid', 'note');
});

test('stats: group, period and scope are checked; /api/cases/stats is its own route', async () => {
  const q = { group: 'item', from: '2026-01-01', to: '2026-01-31' };
  const r = await leaderT.get('/api/cases/stats', { query: q });
  assertStatus(r, 200, 'stats');
  assert.equal(r.json.group, 'item');
  assert.equal(r.json.from, '2026-01-01');
  assert.equal(r.json.to, '2026-01-31');
  assert.ok(Array.isArray(r.json.items));
  for (const k of ['completed', 'early', 'on_time', 'late', 'early_rate', 'on_time_rate', 'late_rate', 'avg_used', 'avg_promised']) {
    assert.equal(typeof r.json.total[k], 'number', k);
  }
  assertError(await leaderT.get('/api/cases/stats', { query: { ...q, group: 'region' } }), 400, 'invalid', 'group');
  assertError(await leaderT.get('/api/cases/stats', { query: { group: 'item', to: '2026-01-31' } }), 400, 'invalid', 'from');
  assertError(await leaderT.get('/api/cases/stats', { query: { group: 'item', from: '2026-01-01' } }), 400, 'invalid', 'to');
  assertError(await leaderT.get('/api/cases/stats', { query: { ...q, from: '2026-02-30' } }), 400, 'invalid', 'from');
  assertError(await leaderT.get('/api/cases/stats', { query: { ...q, from: '2026-02-01' } }), 400, 'invalid', 'to');
  assertError(await leaderT.get('/api/cases/stats', { query: { ...q, from: '2025-01-01', to: '2026-01-02' } }), 400, 'invalid', 'to');
  assertStatus(await leaderT.get('/api/cases/stats', { query: { ...q, from: '2024-01-01', to: '2024-12-31' } }), 200, '366 days');
  assertError(await leaderT.get('/api/cases/stats', { query: { ...q, node_id: nodes.hallA.id } }), 403, 'forbidden');
  assertError(await leaderT.get('/api/cases/stats', { query: { ...q, node_id: 99999999 } }), 400, 'invalid', 'node_id');
  assertError(await leaderT.get('/api/cases/stats', { query: { ...q, sort: 'x' } }), 400, 'invalid', 'sort');
  const p = await leaderT.post('/api/cases/stats', {});
  assert.equal(p.status, 405, `POST stats: ${p.status} ${p.text}`);
});
