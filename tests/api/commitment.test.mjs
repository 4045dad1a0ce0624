// Commitments 亮承诺 (docs/api.md "Commitments 亮承诺 (issue 7)"): who may make them
// (staff for themselves, leaders within their subtree), the input checks (400 naming the
// field, nothing written), editing until the first report, the report → confirm cycle
// (nobody confirms their own report; re-reporting after 'missed' until the due day),
// withdrawal with a reason, overdue at read, scope, the 践诺率 figures, the audit trail,
// the regions' publication period and the public page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createStaff, createNode, shanghaiNow,
  DB, BACKEND,
} from './helpers.mjs';

const anon = new Client('anon');
let admin; // t_admin, admin at /dist (the region's root)
let nodes;
let unit; let hall; let win; let win2;
let clerk; let clerkId; // staff at the hall (inside unit)
let leader; let leaderId; let leader2; // leaders at the unit
let outsider; // staff at another hall
let today; let year;

async function login(s) {
  return loginAs(s.login, s.password);
}

function runSql(sql) {
  if (BACKEND === 'sqlite') {
    execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 5000', DB.replace(/^sqlite:(\/\/)?/, ''), sql]);
  } else {
    execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', DB, '-c', sql]);
  }
}

async function total(client, query = {}) {
  const r = await client.get('/api/commitments', { query: { per_page: 1, ...query } });
  assertStatus(r, 200, 'list');
  return r.json.total;
}

async function create(client, body, status = 201) {
  const r = await client.post('/api/commitments', body);
  assertStatus(r, status, 'create commitment');
  return r.json;
}

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
  today = shanghaiNow().day;
  year = today.slice(0, 4);
  unit = await createNode(admin, nodes.dist, 'unit', { name: '承诺测试局' });
  hall = await createNode(admin, unit, 'hall', { name: '承诺测试厅' });
  win = await createNode(admin, hall, 'window', { code: 'w1', name: '1号窗口' });
  win2 = await createNode(admin, hall, 'window', { code: 'w2', name: '2号窗口' });
  const c = await createStaff(admin, hall.id);
  clerkId = c.staff.id;
  clerk = await login(c);
  const l = await createStaff(admin, unit.id, { role: 'leader' });
  leaderId = l.staff.id;
  leader = await login(l);
  leader2 = await login(await createStaff(admin, unit.id, { role: 'leader' }));
  outsider = await login(await createStaff(admin, nodes.hallB.id));
});

after(async () => {
  // the region publishes yearly again (other files read the default)
  await admin.put('/api/commitment-settings', { json: { publish_period: 'year' } });
});

test('staff make commitments for themselves; leaders for owners in their subtree', async () => {
  const mine = await create(clerk, {
    owner_kind: 'staff', owner_id: clerkId, text: '首问负责，一次性告知', category: 'service',
    target_text: '群众满意率', target_value: 99.5, target_unit: '%', period: year,
  });
  assert.equal(mine.state, 'open');
  assert.equal(mine.due_day, `${year}-12-31`);
  assert.equal(mine.period, year);
  assert.equal(mine.visibility, 'public');
  assert.equal(mine.target_value, 99.5);
  assert.equal(mine.owner_name, '测试员');
  assert.equal(mine.overdue, false);
  assert.deepEqual(mine.actions, { edit: true, report: true, confirm: false, withdraw: true });
  assert.deepEqual(mine.history, []);

  // not for a window, nor for a colleague
  assertError(await clerk.post('/api/commitments', {
    owner_kind: 'window', owner_id: win.id, text: 'x', category: 'service', due_day: today,
  }), 403, 'forbidden');
  const w = await create(leader, {
    owner_kind: 'window', owner_id: win.id, text: '办件提速', category: 'efficiency',
    target_value: 3, target_unit: '工作日', due_day: today, visibility: 'internal',
  });
  assert.equal(w.owner_name, '1号窗口');
  assert.equal(w.target_value, 3);
  assert.equal(w.period, null);
  const u = await create(leader, { owner_kind: 'unit', owner_id: unit.id, text: '廉洁自律', category: 'integrity', period: `${year}-Q4` });
  assert.equal(u.due_day, `${year}-12-31`);
  // a leader of another subtree may not
  assertError(await outsider.post('/api/commitments', {
    owner_kind: 'unit', owner_id: unit.id, text: 'x', category: 'service', due_day: today,
  }), 403, 'forbidden');
  // the outsider neither sees them
  assertError(await outsider.get(`/api/commitments/${w.id}`), 403, 'forbidden');
  const seen = await outsider.get('/api/commitments', { query: { per_page: 500 } });
  assert.ok(!seen.json.items.some((i) => i.id === w.id || i.id === mine.id));
  // and an anonymous caller nothing
  assertError(await anon.get('/api/commitments'), 401, 'unauthorized');
});

test('bad input: 400 naming the field, nothing written', async () => {
  const n0 = await total(admin);
  const base = { owner_kind: 'staff', owner_id: clerkId, text: '承诺', category: 'service', due_day: today };
  const cases = [
    [{ ...base, owner_kind: 'hall' }, 'owner_kind'],
    [{ ...base, owner_id: 999999999 }, 'owner_id'],
    [{ ...base, owner_kind: 'unit', owner_id: win.id }, 'owner_id'],
    [{ ...base, text: '' }, 'text'],
    [{ ...base, text: 'x'.repeat(1001) }, 'text'],
    [{ ...base, category: 'fun' }, 'category'],
    [{ ...base, due_day: '2020-01-01' }, 'due_day'],
    [{ ...base, due_day: '2026-02-30' }, 'due_day'],
    [{ ...base, period: year }, 'period'],
    [{ ...base, due_day: undefined }, 'due_day'],
    [{ ...base, due_day: undefined, period: `${year}-Q5` }, 'period'],
    [{ ...base, due_day: undefined, period: '2019' }, 'period'],
    [{ ...base, target_value: 'abc' }, 'target_value'],
    [{ ...base, target_value: 1e15 }, 'target_value'],
    [{ ...base, visibility: 'secret' }, 'visibility'],
    [{ ...base, extra: 1 }, 'extra'],
  ];
  for (const [body, field] of cases) {
    assertError(await clerk.post('/api/commitments', body), 400, 'invalid', field);
  }
  assert.equal(await total(admin), n0, 'nothing written');
});

test('edit until the first report; report, confirm, history and audit', async () => {
  const c = await create(clerk, { owner_kind: 'staff', owner_id: clerkId, text: '当日办结', category: 'efficiency', due_day: today });
  let r = await clerk.patch(`/api/commitments/${c.id}`, { text: '当日受理当日办结', target_value: null, visibility: 'public' });
  assertStatus(r, 200, 'edit');
  assert.equal(r.json.text, '当日受理当日办结');
  assertError(await clerk.patch(`/api/commitments/${c.id}`, { category: 'x' }), 400, 'invalid', 'category');
  // a leader may not report a staff member's commitment; bad input
  assertError(await leader.post(`/api/commitments/${c.id}/report`, { evidence: '已办结' }), 403, 'forbidden');
  assertError(await clerk.post(`/api/commitments/${c.id}/report`, {}), 400, 'invalid', 'evidence');
  assertError(await clerk.post(`/api/commitments/${c.id}/report`, { evidence: 'x', links: ['ftp://x'] }), 400, 'invalid', 'links');
  assertError(await clerk.post(`/api/commitments/${c.id}/report`, { evidence: 'x', links: 'https://a' }), 400, 'invalid', 'links');
  r = await clerk.post(`/api/commitments/${c.id}/report`, { evidence: '本月办件全部当日办结', links: ['https://example.org/a'] });
  assertStatus(r, 200, 'report');
  assert.equal(r.json.state, 'reported');
  assert.equal(r.json.reports, 1);
  assert.deepEqual(r.json.history[0].links, ['https://example.org/a']);
  assert.equal(r.json.actions.edit, false);
  // no more edits, no second report while one waits
  assertError(await clerk.patch(`/api/commitments/${c.id}`, { text: 'y' }), 409, 'conflict', 'state');
  assertError(await clerk.post(`/api/commitments/${c.id}/report`, { evidence: 'x' }), 409, 'conflict', 'state');
  // the owner does not confirm; input checks
  assertError(await clerk.post(`/api/commitments/${c.id}/confirm`, { result: 'fulfilled', note: 'ok' }), 403, 'forbidden');
  assertError(await leader.post(`/api/commitments/${c.id}/confirm`, { result: 'great', note: 'ok' }), 400, 'invalid', 'result');
  assertError(await leader.post(`/api/commitments/${c.id}/confirm`, { result: 'fulfilled' }), 400, 'invalid', 'note');
  r = await leader.get(`/api/commitments/${c.id}`);
  assert.equal(r.json.actions.confirm, true);
  r = await leader.post(`/api/commitments/${c.id}/confirm`, { result: 'fulfilled', note: '经核查属实' });
  assertStatus(r, 200, 'confirm');
  assert.equal(r.json.state, 'fulfilled');
  assert.equal(r.json.history[0].result, 'fulfilled');
  assert.equal(r.json.confirm_note, '经核查属实');
  // fulfilled is final
  assertError(await leader.post(`/api/commitments/${c.id}/confirm`, { result: 'missed', note: 'x' }), 409, 'conflict', 'state');
  assertError(await clerk.post(`/api/commitments/${c.id}/report`, { evidence: 'x' }), 409, 'conflict', 'state');
  assertError(await clerk.post(`/api/commitments/${c.id}/withdraw`, { reason: 'x' }), 409, 'conflict', 'state');
  const audit = await admin.get('/api/audit', { query: { entity: 'commitment', entity_id: c.id } });
  assertStatus(audit, 200, 'audit');
  const actions = audit.json.items.map((a) => a.action).sort();
  assert.deepEqual(actions, ['commitment.confirm', 'commitment.create', 'commitment.report', 'commitment.update']);
});

test('a window: leaders report, another confirms; missed → report again → partly', async () => {
  const c = await create(leader, { owner_kind: 'window', owner_id: win2.id, text: '延时服务', category: 'service', due_day: today });
  assertError(await clerk.post(`/api/commitments/${c.id}/report`, { evidence: 'x' }), 403, 'forbidden');
  assertStatus(await leader.post(`/api/commitments/${c.id}/report`, { evidence: '已开展延时服务' }), 200);
  // nobody confirms their own report
  assertError(await leader.post(`/api/commitments/${c.id}/confirm`, { result: 'fulfilled', note: 'x' }), 403, 'forbidden');
  let r = await leader2.post(`/api/commitments/${c.id}/confirm`, { result: 'missed', note: '未见台账' });
  assertStatus(r, 200, 'confirm missed');
  assert.equal(r.json.state, 'missed');
  assert.equal(r.json.actions.report, true, 'after missed, a report is taken until the due day');
  r = await leader.post(`/api/commitments/${c.id}/report`, { evidence: '补充台账' });
  assertStatus(r, 200, 'report again');
  assert.equal(r.json.reports, 2);
  assert.equal(r.json.confirm_note, null);
  r = await leader2.post(`/api/commitments/${c.id}/confirm`, { result: 'partly', note: '部分落实' });
  assert.equal(r.json.state, 'partly');
  assert.deepEqual(r.json.history.map((h) => h.result), ['missed', 'partly']);
  // past the due day the confirmation stands
  runSql(`UPDATE commitment SET due_day = '2020-06-30' WHERE id = ${c.id}`);
  assertError(await leader.post(`/api/commitments/${c.id}/report`, { evidence: 'x' }), 409, 'conflict', 'state');
});

test('withdrawal keeps history; overdue is computed and filterable', async () => {
  const c = await create(leader, { owner_kind: 'unit', owner_id: unit.id, text: '撤回测试', category: 'conduct', due_day: today });
  assertError(await leader.post(`/api/commitments/${c.id}/withdraw`, {}), 400, 'invalid', 'reason');
  assertError(await outsider.post(`/api/commitments/${c.id}/withdraw`, { reason: 'x' }), 403, 'forbidden');
  let r = await leader.post(`/api/commitments/${c.id}/withdraw`, { reason: '机构调整' });
  assertStatus(r, 200, 'withdraw');
  assert.equal(r.json.state, 'withdrawn');
  assert.equal(r.json.withdraw_reason, '机构调整');
  assertError(await leader.post(`/api/commitments/${c.id}/withdraw`, { reason: 'x' }), 409, 'conflict', 'state');
  assertError(await leader.post(`/api/commitments/${c.id}/report`, { evidence: 'x' }), 409, 'conflict', 'state');
  assertStatus(await leader.get(`/api/commitments/${c.id}`), 200, 'still there');

  const late = await create(leader, { owner_kind: 'unit', owner_id: unit.id, text: '逾期测试', category: 'service', due_day: today });
  runSql(`UPDATE commitment SET due_day = '2021-03-31' WHERE id = ${late.id}`);
  r = await leader.get(`/api/commitments/${late.id}`);
  assert.equal(r.json.overdue, true);
  assert.equal(r.json.actions.withdraw, false);
  assertError(await leader.post(`/api/commitments/${late.id}/withdraw`, { reason: 'x' }), 409, 'conflict', 'state');
  const list = await leader.get('/api/commitments', { query: { overdue: 1, node_id: unit.id, per_page: 500 } });
  assertStatus(list, 200);
  assert.ok(list.json.items.some((i) => i.id === late.id));
  assert.ok(list.json.items.every((i) => i.overdue));
  // a late report is still taken
  assertStatus(await leader.post(`/api/commitments/${late.id}/report`, { evidence: '补报' }), 200);
  r = await leader.get(`/api/commitments/${late.id}`);
  assert.equal(r.json.state, 'reported');
  assert.equal(r.json.overdue, true, 'reported but unconfirmed past due is overdue');
  // filters check their values
  for (const [k, v] of [['state', 'x'], ['category', 'x'], ['owner_kind', 'x'], ['overdue', '2'], ['from', '2020-13-01'], ['visibility', 'x']]) {
    assertError(await leader.get('/api/commitments', { query: { [k]: v } }), 400, 'invalid', k);
  }
  const byKind = await leader.get('/api/commitments', { query: { owner_kind: 'unit', state: 'withdrawn', per_page: 500 } });
  assert.ok(byKind.json.items.some((i) => i.id === c.id));
  assert.ok(byKind.json.items.every((i) => i.owner_kind === 'unit' && i.state === 'withdrawn'));
  const mine = await clerk.get('/api/commitments', { query: { mine: 1, per_page: 500 } });
  assert.ok(mine.json.items.length >= 2);
  assert.ok(mine.json.items.every((i) => i.owner_kind === 'staff' && i.owner_id === clerkId));
});

test('践诺率 per owner: fulfilled / due, due days reached only', async () => {
  const r = await leader.get('/api/commitments/figures', { query: { node_id: unit.id } });
  assertStatus(r, 200, 'figures');
  assert.equal(r.json.period, year);
  assert.equal(r.json.to, today);
  const staff = r.json.items.find((o) => o.owner_kind === 'staff' && o.owner_id === clerkId);
  // the clerk: one fulfilled today; the yearly one (due 12-31) is not due yet unless today is
  const yearly = today.endsWith('-12-31') ? 1 : 0;
  assert.equal(staff.due, 1 + yearly);
  assert.equal(staff.fulfilled, 1);
  assert.equal(staff.rate, 1 / (1 + yearly));
  const w1 = r.json.items.find((o) => o.owner_kind === 'window' && o.owner_id === win.id);
  assert.deepEqual([w1.due, w1.fulfilled, w1.pending, w1.rate], [1, 0, 1, 0]);
  // the window whose commitment was moved to 2020 is out of this year
  assert.ok(!r.json.items.some((o) => o.owner_kind === 'window' && o.owner_id === win2.id));
  const u = r.json.items.find((o) => o.owner_kind === 'unit' && o.owner_id === unit.id);
  assert.equal(u, undefined, 'withdrawn does not count; the overdue one lies in 2021');
  const old = await leader.get('/api/commitments/figures', { query: { node_id: unit.id, period: '2021-Q1' } });
  const u21 = old.json.items.find((o) => o.owner_kind === 'unit');
  assert.deepEqual([u21.due, u21.pending, u21.rate], [1, 1, 0]);
  assert.equal(old.json.totals.due, 1);
  assertError(await leader.get('/api/commitments/figures', { query: { period: '2021-13' } }), 400, 'invalid', 'period');
  assertError(await outsider.get('/api/commitments/figures', { query: { node_id: unit.id } }), 403, 'forbidden');
});

test('the public page: public commitments and owners\' 践诺率 of a subtree, at the published period', async () => {
  let r = await anon.get('/api/public/commitments', { query: { node_id: unit.id } });
  assertStatus(r, 200, 'public');
  assert.equal(r.json.node.name, '承诺测试局');
  assert.equal(r.json.publish_period, 'year');
  assert.ok(r.json.items.length >= 2);
  assert.ok(r.json.items.every((i) => i.text && !('visibility' in i) && !('confirm_note' in i)));
  assert.ok(!r.json.items.some((i) => i.text === '办件提速'), 'internal ones stay internal');
  assert.ok(!r.json.items.some((i) => i.text === '撤回测试'), 'withdrawn ones are gone');
  const staff = r.json.owners.find((o) => o.owner_kind === 'staff' && o.owner_id === clerkId);
  assert.equal(staff.fulfilled, 1);
  assert.ok(!r.json.owners.some((o) => o.owner_kind === 'window' && o.owner_id === win.id), 'internal figures stay internal');
  assertError(await anon.get('/api/public/commitments', { query: { node_id: unit.id, period: `${year}-11` } }), 400, 'invalid', 'period');
  assertError(await anon.get('/api/public/commitments'), 400, 'invalid', 'node_id');
  assertError(await anon.get('/api/public/commitments', { query: { node_id: 999999999 } }), 404, 'not_found');
  // the region publishes monthly: months are allowed
  assertError(await leader.put('/api/commitment-settings', { json: { publish_period: 'month' } }), 403, 'forbidden');
  assertError(await admin.put('/api/commitment-settings', { json: { publish_period: 'week' } }), 400, 'invalid', 'publish_period');
  r = await admin.put('/api/commitment-settings', { json: { publish_period: 'month' } });
  assertStatus(r, 200, 'settings');
  assert.equal(r.json.publish_period, 'month');
  r = await leader.get('/api/commitment-settings');
  assert.equal(r.json.publish_period, 'month');
  r = await anon.get('/api/public/commitments', { query: { node_id: unit.id, period: today.slice(0, 7) } });
  assertStatus(r, 200, 'monthly');
  assert.equal(r.json.from, `${today.slice(0, 7)}-01`);
  assert.ok(r.json.items.every((i) => i.due_day.startsWith(today.slice(0, 7))));
});
