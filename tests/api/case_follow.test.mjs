// What follows a case: the region's case settings (admin at the root only,
// ranges named), notifications (one's own only), accountability decisions
// (leader in scope, once; dismissal), follow-up calls (result and
// satisfaction rules, once), the efficiency statistics (grouping arithmetic,
// period checks, scope) and the route order of /api/cases/stats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createStaff, createNode, shanghaiNow,
} from './helpers.mjs';

const anon = new Client('anon');
const PHONE = '13800138000'; // run.sh lists it as a secret
const PROMISED = 'GJJ-TQ-001'; // 承诺件: 1 working day promised, every material listed
const IMMEDIATE = 'RS-YL-001'; // 即办件
let today;
let promisedMaterials;

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
  today = shanghaiNow().day;
  const m = await anon.get(`/api/catalog/items/${PROMISED}`);
  assertStatus(m, 200, 'catalogue item');
  promisedMaterials = m.json.materials.map((x) => x.id);
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
  const { region_id: _r, ...restore } = settingsBefore;
  assertStatus(await admin.put('/api/case-settings', { json: restore }), 200, 'restore settings');
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

// ---------------------------------------------------------------- with cases

function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Register a 承诺件 as client (every material received), answer the case. */
async function register(client, extra = {}) {
  const r = await client.post('/api/cases', {
    item_code: PROMISED, applicant: { name: '王五', phone: PHONE }, materials: promisedMaterials, ...extra,
  });
  assertStatus(r, 201, `register ${JSON.stringify(extra)}`);
  return r.json.case;
}

/** accept → decide → complete; answers the completed case. */
async function complete(client, c) {
  for (const [action, body] of [['accept', {}], ['decide', { decision: 'approve' }], ['complete', {}]]) {
    const r = await client.post(`/api/cases/${c.id}/${action}`, body);
    assertStatus(r, 200, `${action} case ${c.id}`);
    if (action === 'complete') return r.json;
  }
  return null;
}

/** A late completion by a new staff member of the town's hall: answers
 * { staff, client, done }. */
async function lateTownCase() {
  const s = await createStaff(admin, nodes.hallB.id, { name: '镇窗口员' });
  const client = await loginAs(s.login, s.password);
  const c = await register(client, { received_day: addDays(today, -20) });
  const done = await complete(client, c);
  assert.equal(done.outcome, 'late');
  return { staff: s.staff, client, done };
}

async function acctOf(client, caseId, query = {}) {
  const r = await client.get('/api/accountability', { query: { per_page: 500, ...query } });
  assertStatus(r, 200, 'accountability list');
  return r.json.items.filter((a) => a.case_id === caseId);
}

test('accountability: a late completion opens one; a leader in scope decides once; notices go to the person', async () => {
  const { staff: sT, client: cT, done } = await lateTownCase();
  let [rec] = await acctOf(leaderT, done.id);
  assert.ok(rec, 'the town leader sees the record');
  assert.equal(rec.status, 'pending');
  assert.equal(rec.source, 'overdue');
  assert.equal(rec.staff_id, sT.id);
  assert.equal(rec.staff_name, '镇窗口员');
  assert.equal(rec.case_number, done.number);
  assert.equal(rec.grade, null);
  assert.equal(rec.decided_at, null);
  // the person sees their own; hall-d's staff does not
  assert.equal((await acctOf(cT, done.id, { staff_id: sT.id })).length, 1);
  assert.equal((await acctOf(staffA, done.id)).length, 0);
  // the nearest leader was told
  const ln = await leaderT.get('/api/notifications', { query: { unread: 1, per_page: 500 } });
  assertStatus(ln, 200, 'leader notifications');
  const note = ln.json.items.find((n) => n.kind === 'accountability' && n.case_id === done.id);
  assert.ok(note, 'the leader has an accountability notice');
  assert.equal(note.case_number, done.number);
  assert.ok(ln.json.unread >= 1);

  const body = { grade: 'criticism', note: '超期办结，通报批评' };
  assertError(await cT.post(`/api/accountability/${rec.id}/decide`, body), 403, 'forbidden');
  assertError(await admin.post(`/api/accountability/${rec.id}/decide`, body), 403, 'forbidden');
  const l = await createStaff(admin, nodes.hallA.id, { role: 'leader' });
  const hallLeader = await loginAs(l.login, l.password);
  assertError(await hallLeader.post(`/api/accountability/${rec.id}/decide`, body), 403, 'forbidden');
  assertError(await leaderT.post(`/api/accountability/${rec.id}/decide`, { ...body, grade: 'warning' }), 400, 'invalid', 'grade');
  assertError(await leaderT.post(`/api/accountability/${rec.id}/decide`, { grade: 'formal', dismiss: true, note: 'x' }), 400, 'invalid', 'grade');
  assertError(await leaderT.post(`/api/accountability/${rec.id}/decide`, { grade: 'formal', note: '' }), 400, 'invalid', 'note');
  assertError(await leaderT.post(`/api/accountability/${rec.id}/decide`, { grade: 'formal' }), 400, 'invalid', 'note');

  const d = await leaderT.post(`/api/accountability/${rec.id}/decide`, body);
  assertStatus(d, 200, 'decide');
  assert.equal(d.json.status, 'decided');
  assert.equal(d.json.grade, 'criticism');
  assert.equal(d.json.decision_note, body.note);
  assert.equal(d.json.decided_by_name, '测试镇领导');
  assert.equal(typeof d.json.decided_at, 'number');
  assertError(await leaderT.post(`/api/accountability/${rec.id}/decide`, { grade: 'formal', note: '再议' }), 409, 'conflict', 'status');
  [rec] = await acctOf(cT, done.id);
  assert.equal(rec.grade, 'criticism');

  // the person hears of the decision
  const sn = await cT.get('/api/notifications');
  assertStatus(sn, 200, 'staff notifications');
  const mine = sn.json.items.find((n) => n.kind === 'accountability' && n.case_id === done.id);
  assert.ok(mine, 'the person has the decision');
  assert.equal(sn.json.unread, sn.json.items.filter((n) => n.read_at === null).length);
  const audit = await admin.get('/api/audit', { query: { entity: 'accountability', entity_id: rec.id } });
  assert.ok(audit.json.items.some((a) => a.action === 'accountability.decide'));
});

test('accountability: a finding by a leader or supervisor; dismissal with no grade', async () => {
  const s = await createStaff(admin, nodes.hallB.id, { name: '被查人员' });
  const body = { staff_id: s.staff.id, reason: '明查暗访发现脱岗' };
  assertError(await staffA.post('/api/accountability', body), 403, 'forbidden');
  assertError(await admin.post('/api/accountability', body), 403, 'forbidden');
  assertError(await leaderT.post('/api/accountability', { ...body, staff_id: staffA.user.id }), 403, 'forbidden');
  assertError(await leaderT.post('/api/accountability', { ...body, staff_id: leaderT.user.id }), 400, 'invalid', 'staff_id');
  assertError(await leaderT.post('/api/accountability', { staff_id: s.staff.id }), 400, 'invalid', 'reason');
  assertError(await leaderT.post('/api/accountability', { ...body, source: 'overdue' }), 400, 'invalid', 'source');
  const r = await leaderT.post('/api/accountability', body);
  assertStatus(r, 201, 'finding');
  assert.equal(r.json.source, 'finding');
  assert.equal(r.json.status, 'pending');
  assert.equal(r.json.case_id, null);
  assert.equal(r.json.created_by_name, '测试镇领导');
  const d = await leaderT.post(`/api/accountability/${r.json.id}/decide`, { grade: null, dismiss: true, note: '经核实为公务外出' });
  assertStatus(d, 200, 'dismiss');
  assert.equal(d.json.status, 'dismissed');
  assert.equal(d.json.grade, null);
  const list = await leaderT.get('/api/accountability', { query: { staff_id: s.staff.id, status: 'dismissed' } });
  assertStatus(list, 200, 'list');
  assert.deepEqual(list.json.items.map((x) => x.id), [r.json.id]);
  const pending = await leaderT.get('/api/accountability', { query: { staff_id: s.staff.id, status: 'pending' } });
  assert.equal(pending.json.total, 0);
});

test('notifications: only one\'s own; read once', async () => {
  const { client: cT, done } = await lateTownCase();
  await leaderT.post(`/api/accountability/${(await acctOf(leaderT, done.id))[0].id}/decide`, { grade: 'reminder', note: '提醒' });
  const r = await cT.get('/api/notifications', { query: { unread: 1 } });
  assertStatus(r, 200, 'notifications');
  const n = r.json.items.find((x) => x.case_id === done.id);
  assert.ok(n);
  assert.equal(n.read_at, null);
  const unread = r.json.unread;
  // someone else's: 404, and it stays unread
  assertError(await staffA.post(`/api/notifications/${n.id}/read`, {}), 404, 'not_found');
  assertError(await leaderT.post(`/api/notifications/${n.id}/read`, {}), 404, 'not_found');
  assert.ok(!(await staffA.get('/api/notifications', { query: { per_page: 500 } })).json.items.some((x) => x.id === n.id));
  const rd = await cT.post(`/api/notifications/${n.id}/read`, {});
  assertStatus(rd, 200, 'read');
  assert.equal(rd.json.id, n.id);
  assert.equal(typeof rd.json.read_at, 'number');
  const again = await cT.post(`/api/notifications/${n.id}/read`, {});
  assertStatus(again, 200, 'read again');
  assert.equal(again.json.read_at, rd.json.read_at, 'read_at is set once');
  const after = await cT.get('/api/notifications', { query: { unread: 1 } });
  assert.equal(after.json.unread, unread - 1);
  assert.ok(!after.json.items.some((x) => x.id === n.id));
});

test('follow-ups: scheduled at completion; result and satisfaction rules; once; scope', async () => {
  const { client: cT, done } = await lateTownCase();
  const r = await leaderT.get('/api/followups', { query: { status: 'scheduled', per_page: 500 } });
  assertStatus(r, 200, 'followups');
  const f = r.json.items.find((x) => x.case_id === done.id);
  assert.ok(f, 'a follow-up was scheduled for the completed 承诺件');
  assert.equal(f.case_number, done.number);
  assert.equal(f.item_name, done.item_name);
  assert.equal(f.applicant_name, '王五');
  assert.equal(f.phone_mask, '138****8000');
  assert.ok(f.due_day > today, `due after today: ${f.due_day}`);
  assert.equal(f.overdue, false);
  assert.equal(f.result, null);
  assert.ok(!JSON.stringify(r.json).includes(PHONE), 'no full phone in the list');
  const od = await leaderT.get('/api/followups', { query: { overdue: 1, per_page: 500 } });
  assert.ok(!od.json.items.some((x) => x.id === f.id), 'not overdue yet');
  assert.ok(!(await staffA.get('/api/followups', { query: { per_page: 500 } })).json.items.some((x) => x.id === f.id),
    'hall-d does not see the town\'s');

  const url = `/api/followups/${f.id}`;
  assertError(await staffA.post(url, { result: 'reached', satisfaction: 5 }), 403, 'forbidden');
  assertError(await cT.post(url, { result: 'reached' }), 400, 'invalid', 'satisfaction');
  assertError(await cT.post(url, { result: 'reached', satisfaction: 6 }), 400, 'invalid', 'satisfaction');
  assertError(await cT.post(url, { result: 'unreachable', satisfaction: 3 }), 400, 'invalid', 'satisfaction');
  assertError(await cT.post(url, { result: 'busy' }), 400, 'invalid', 'result');
  assertError(await cT.post(url, { result: 'reached', satisfaction: 4, notes: 'x'.repeat(2001) }), 400, 'invalid', 'notes');
  const ok = await cT.post(url, { result: 'reached', satisfaction: 4, notes: '满意，建议延长午间服务' });
  assertStatus(ok, 200, 'record');
  assert.equal(ok.json.status, 'done');
  assert.equal(ok.json.result, 'reached');
  assert.equal(ok.json.satisfaction, 4);
  assert.equal(ok.json.called_by_name, '镇窗口员');
  assert.equal(typeof ok.json.called_at, 'number');
  assert.equal(ok.json.overdue, false);
  assertError(await cT.post(url, { result: 'declined' }), 409, 'conflict', 'status');
  const doneList = await leaderT.get('/api/followups', { query: { status: 'done', node_id: nodes.hallB.id, per_page: 500 } });
  assert.ok(doneList.json.items.some((x) => x.id === f.id));
  // unreachable: satisfaction may be null
  const second = await lateTownCase();
  const f2 = (await leaderT.get('/api/followups', { query: { per_page: 500 } })).json.items.find((x) => x.case_id === second.done.id);
  const un = await second.client.post(`/api/followups/${f2.id}`, { result: 'unreachable', satisfaction: null });
  assertStatus(un, 200, 'unreachable');
  assert.equal(un.json.satisfaction, null);
});

test('stats: counts, shares and averages by item, window, unit and staff', async () => {
  const hall = await createNode(admin, nodes.dist.id, 'hall');
  const w1 = await createNode(admin, hall.id, 'window');
  const w2 = await createNode(admin, hall.id, 'window');
  const s1 = await createStaff(admin, hall.id, { name: '统计甲' });
  const s2 = await createStaff(admin, hall.id, { name: '统计乙' });
  const c1 = await loginAs(s1.login, s1.password);
  const c2 = await loginAs(s2.login, s2.password);
  const made = [];
  const run = async (client, staff, extra) => {
    const c = await register(client, extra);
    const d = await complete(client, c);
    made.push({ staff: staff.staff.id, window: extra.node_id === w1.id ? w1.id : extra.node_id === w2.id ? w2.id : 0, d });
  };
  await run(c1, s1, { node_id: w1.id });
  await run(c1, s1, { node_id: w1.id, received_day: addDays(today, -20) });
  await run(c2, s2, { node_id: w2.id });
  await run(c2, s2, { received_day: addDays(today, -20) });
  // an on-time one when some recent day makes today the promised day
  for (let back = 1; back <= 7; back++) {
    const probe = await register(c2, { node_id: w2.id, received_day: addDays(today, -back) });
    if (probe.clock.remaining === 0) {
      made.push({ staff: s2.staff.id, window: w2.id, d: await complete(c2, probe) });
      break;
    }
    assertStatus(await c2.post(`/api/cases/${probe.id}/withdraw`, { note: '测试撤回' }), 200, 'withdraw probe');
  }
  // not counted: an immediate item, an open case
  const imm = await c1.post('/api/cases', { item_code: IMMEDIATE, applicant: { name: '赵六', phone: PHONE }, complete_now: true });
  assertStatus(imm, 201, 'immediate');
  await register(c1, { node_id: w1.id });

  const day = made[0].d.closed_day;
  assert.ok(made.every((m) => m.d.closed_day === day));
  const sum = (list) => {
    const n = list.length;
    const early = list.filter((m) => m.d.outcome === 'early').length;
    const onTime = list.filter((m) => m.d.outcome === 'on_time').length;
    const late = list.filter((m) => m.d.outcome === 'late').length;
    const used = list.reduce((a, m) => a + m.d.clock.used, 0);
    const promised = list.reduce((a, m) => a + m.d.clock.promised_limit + m.d.clock.extension_days, 0);
    return { completed: n, early, on_time: onTime, late, used, promised };
  };
  const check = (row, list, what) => {
    const x = sum(list);
    assert.equal(row.completed, x.completed, `${what} completed`);
    assert.equal(row.early, x.early, `${what} early`);
    assert.equal(row.on_time, x.on_time, `${what} on_time`);
    assert.equal(row.late, x.late, `${what} late`);
    const share = (p) => (x.completed ? Math.round((p / x.completed) * 10000) / 10000 : 0);
    assert.equal(row.early_rate, share(x.early), `${what} early_rate`);
    assert.equal(row.on_time_rate, share(x.early + x.on_time), `${what} on_time_rate counts early + on time`);
    assert.equal(row.late_rate, share(x.late), `${what} late_rate`);
    assert.ok(Math.abs(row.avg_used - x.used / x.completed) < 0.006, `${what} avg_used ${row.avg_used}`);
    assert.ok(Math.abs(row.avg_promised - x.promised / x.completed) < 0.006, `${what} avg_promised`);
  };
  const get = async (group) => {
    const r = await admin.get('/api/cases/stats', { query: { group, from: day, to: day, node_id: hall.id } });
    assertStatus(r, 200, `stats ${group}`);
    check(r.json.total, made, `${group} total`);
    return r.json;
  };
  assert.ok(made.some((m) => m.d.outcome === 'early') && made.some((m) => m.d.outcome === 'late'));

  const byItem = await get('item');
  assert.equal(byItem.items.length, 1);
  assert.equal(byItem.items[0].key, PROMISED);
  assert.equal(byItem.items[0].label, made[0].d.item_name);
  check(byItem.items[0], made, 'item');

  const byWindow = await get('window');
  for (const w of [w1, w2]) {
    const row = byWindow.items.find((x) => x.key_id === w.id);
    assert.equal(row.label, w.name);
    assert.equal(row.key, w.code);
    check(row, made.filter((m) => m.window === w.id), `window ${w.code}`);
  }
  const none = byWindow.items.find((x) => x.key_id === 0);
  check(none, made.filter((m) => m.window === 0), 'no window');
  assert.equal(byWindow.items.length, 3);

  const byUnit = await get('unit');
  const units = new Map(byUnit.items.map((x) => [x.key_id, x]));
  assert.equal(units.get(hall.id).label, hall.name);
  check(units.get(hall.id), made.filter((m) => m.window === 0), 'unit hall');
  check(units.get(w1.id), made.filter((m) => m.window === w1.id), 'unit w1');

  const byStaff = await get('staff');
  assert.equal(byStaff.items.length, 2);
  for (const s of [s1, s2]) {
    const row = byStaff.items.find((x) => x.key_id === s.staff.id);
    assert.equal(row.label, s.staff.name);
    check(row, made.filter((m) => m.staff === s.staff.id), `staff ${s.staff.name}`);
  }
  // scope: the town's leader may not look at this hall; t_staff_a's hall holds none of them
  assertError(await leaderT.get('/api/cases/stats', { query: { group: 'item', from: day, to: day, node_id: hall.id } }), 403, 'forbidden');
  const other = await staffA.get('/api/cases/stats', { query: { group: 'staff', from: day, to: day } });
  assertStatus(other, 200, 'stats of hall-d');
  assert.ok(!other.json.items.some((x) => x.key_id === s1.staff.id || x.key_id === s2.staff.id));
});
