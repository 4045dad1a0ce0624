// 差评 work orders (docs/api.md "差评 work orders"): a 差评 given through the public
// evaluation API opens an order assigned to the item's unit and the clerk who served;
// the steps in order only (409 `state`), their input checks (400 naming the field),
// access (outsiders 403), lists, counts, appeal and review (once; not decided by the
// appellant; upheld takes the 差评 out of scoring and closes the order), and the
// regions' deadline profiles (admin at the root; checks; one default).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createStaff, createNode, uniq, shanghaiNow,
  sleep, DB, BACKEND,
} from './helpers.mjs';

const anon = new Client('anon');
let admin; // t_admin, admin at /dist (the region's root)
let adminB; // t_admin_b, admin at /dist/town/hall-t
let staffA; // t_staff_a, staff at /dist/hall-d
let nodes;
let unit; let unit2; let hall; let win; let itemCode;
let clerk; let clerkId; // serves at win (staff at hall, inside unit)
let colleague; // staff at hall, not the one who served
let unitLeader; let sup; let outsider; let supId;
let today;

const BUILTIN = {
  contact: { n: 1, unit: 'workdays' },
  verify: { n: 1, unit: 'workdays' },
  classify: { n: 1, unit: 'workdays' },
  fix_now: { n: 2, unit: 'workdays' },
  listed_max: { n: 3, unit: 'workdays' },
  explain: { n: 2, unit: 'workdays' },
  followup: { n: 1, unit: 'workdays' },
  rate: { n: 1, unit: 'workdays' },
};

async function login(s) {
  return loginAs(s.login, s.password);
}

async function dueDay(from, workdays) {
  const r = await anon.get('/api/calendar/due', { query: { from, workdays } });
  assertStatus(r, 200, 'calendar due');
  return r.json.due;
}

before(async () => {
  admin = await loginAs('t_admin');
  adminB = await loginAs('t_admin_b');
  staffA = await loginAs('t_staff_a');
  nodes = await demoNodes(admin);
  today = shanghaiNow().day;
  unit = await createNode(admin, nodes.dist, 'unit', { name: '差评测试局' });
  unit2 = await createNode(admin, nodes.dist, 'unit', { name: '另一个局' });
  hall = await createNode(admin, unit, 'hall', { name: '差评测试厅' });
  win = await createNode(admin, hall, 'window', { code: 'w1', name: '1号窗口' });
  // an item of the unit, served at the window
  itemCode = uniq('BR').replace(/[^A-Za-z0-9._-]/g, '');
  const item = await admin.post('/api/admin/catalog/items', {
    code: itemCode,
    unit_id: unit.id,
    name: '差评测试事项',
    kind: 'immediate',
    legal_limit: { value: 1, unit: 'workdays' },
    promised_limit: { value: 1, unit: 'workdays' },
    basis: '《测试办法》',
    conditions: '无',
    remedies: '可以依法申请行政复议',
    fee: { free: true, amount_cents: 0, basis: '' },
    appointable: false,
    ticket_prefix: 'C',
    online: 'none',
    phone: '0000-12345',
    materials: [{ name: '居民身份证', form: 'original', copies: 1, issuer: '公安机关', required: true, notes: '' }],
    steps: [{ title: '申请', description: '提交材料' }],
    places: [win.id],
  });
  assertStatus(item, 201, 'create item');
  assertStatus(await admin.post(`/api/admin/catalog/items/${item.json.item_id}/publish`, undefined), 200, 'publish');
  const series = await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'C', name: '差评测试', item_codes: [itemCode] });
  assertStatus(series, 201, 'series');
  assertStatus(await admin.put(`/api/windows/${win.id}/profile`, { json: { series_ids: [series.json.id], mode: 'longest_wait' } }), 200);
  const c = await createStaff(admin, hall.id);
  clerkId = c.staff.id;
  assertStatus(await admin.post(`/api/staff/${clerkId}/assignments`, { window_id: win.id }), 201, 'assign');
  clerk = await login(c);
  assertStatus(await clerk.post(`/api/windows/${win.id}/open`, {}), 200, 'open window');
  colleague = await login(await createStaff(admin, win.id));
  unitLeader = await login(await createStaff(admin, unit.id, { role: 'leader' }));
  const s = await createStaff(admin, nodes.dist.id, { role: 'supervisor' });
  supId = s.staff.id;
  sup = await login(s);
  outsider = await login(await createStaff(admin, unit2.id));
});

after(async () => {
  // leave the region on the built-in rule's figures for other suites
  if (admin) await admin.post('/api/bad-review-profiles', { name: '1-2-3', default: true, steps: BUILTIN });
});

/** A ticket served by the clerk and rated `level` through its QR token; returns
 * {evaluation, order} (order null when none opened). */
async function rate(level = 1) {
  const t = await clerk.post(`/api/halls/${hall.id}/tickets`, { item_code: itemCode });
  assertStatus(t, 201, 'issue');
  const token = t.json.eval_token;
  assert.equal(typeof token, 'string', 'the ticket carries its evaluation token');
  assertStatus(await clerk.post(`/api/windows/${win.id}/call-next`, {}), 200, 'call');
  assertStatus(await clerk.post(`/api/tickets/${t.json.id}/start`, {}), 200, 'start');
  assertStatus(await clerk.post(`/api/tickets/${t.json.id}/finish`, {}), 200, 'finish');
  const ev = await anon.get(`/api/public/evaluations/token/${token}`);
  assertStatus(ev, 200, 'event');
  const body = { token, level, text: '办事人员态度差' };
  if (level <= 2) body.reasons = [ev.json.reasons[0].code];
  const r = await anon.post('/api/public/evaluations', body);
  assertStatus(r, 201, 'evaluate');
  const list = await sup.get('/api/bad-reviews', { query: { node_id: unit.id, per_page: 500 } });
  assertStatus(list, 200, 'list');
  const order = list.json.items.find((o) => o.evaluation_id === r.json.id) ?? null;
  return { evaluation: r.json, order };
}

/** Run one SQL statement on the server's database from another process. */
function runSql(sql) {
  if (BACKEND === 'sqlite') {
    execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 5000', DB.replace(/^sqlite:(\/\/)?/, ''), sql]);
  } else {
    execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', DB, '-c', sql]);
  }
}

async function step(client, id, name, body, status = 200) {
  const r = await client.post(`/api/bad-reviews/${id}/${name}`, body);
  assertStatus(r, status, `${name}`);
  return r.json;
}

// ---------------------------------------------------------------- without orders

test('lists, counts and one order: filters checked, unknown ids 404', async () => {
  let r = await staffA.get('/api/bad-reviews');
  assertStatus(r, 200, 'list');
  assert.ok(Array.isArray(r.json.items));
  assert.equal(r.json.page, 1);
  r = await sup.get('/api/bad-reviews', { query: { state: 'open', overdue: 1, mine: 0, appeal: 'pending', node_id: unit.id } });
  assertStatus(r, 200, 'filtered');
  assertError(await staffA.get('/api/bad-reviews', { query: { state: 'lost' } }), 400, 'invalid', 'state');
  assertError(await staffA.get('/api/bad-reviews', { query: { appeal: 'maybe' } }), 400, 'invalid', 'appeal');
  assertError(await staffA.get('/api/bad-reviews', { query: { overdue: 2 } }), 400, 'invalid', 'overdue');
  assertError(await staffA.get('/api/bad-reviews', { query: { node_id: 99999999 } }), 400, 'invalid', 'node_id');
  assertError(await staffA.get('/api/bad-reviews', { query: { node_id: nodes.town.id } }), 403, 'forbidden');
  assertError(await staffA.get('/api/bad-reviews', { query: { colour: 'red' } }), 400, 'invalid');
  r = await sup.get('/api/bad-reviews/stats', { query: { node_id: unit.id } });
  assertStatus(r, 200, 'stats');
  assert.equal(r.json.node_id, unit.id);
  for (const k of ['assigned', 'contacted', 'verified', 'classified', 'rectified', 'followed_up', 'closed', 'appeal_upheld']) {
    assert.equal(typeof r.json.states[k], 'number', k);
  }
  for (const k of ['open', 'overdue', 'appeals_pending', 'late_steps']) assert.equal(typeof r.json[k], 'number', k);
  assertError(await staffA.get('/api/bad-reviews/stats', { query: { node_id: nodes.town.id } }), 403, 'forbidden');
  assertError(await staffA.get('/api/bad-reviews/99999999'), 404, 'not_found');
  assertError(await staffA.post('/api/bad-reviews/99999999/contact', { method: 'phone' }), 404, 'not_found');
  assertError(await staffA.post('/api/bad-reviews/99999999/dance', {}), 404, 'not_found');
  assertError(await staffA.post('/api/bad-reviews/99999999/appeal', { reason: '误评' }), 404, 'not_found');
  assertError(await sup.post('/api/bad-reviews/99999999/appeal/decide', { decision: 'upheld', note: '核实' }), 404, 'not_found');
  assertError(await anon.get('/api/bad-reviews'), 401, 'unauthorized');
});

// ---------------------------------------------------------------- the loop

test('a 差评 opens an order for the unit and the clerk; the steps in order to the citizen\'s rating', async () => {
  const before = await sup.get('/api/bad-reviews/stats', { query: { node_id: unit.id } });
  const { evaluation, order } = await rate(1);
  assert.ok(order, 'the 差评 opened a work order');
  assert.equal(order.state, 'assigned');
  assert.equal(order.unit_id, unit.id);
  assert.equal(order.staff_id, clerkId);
  assert.equal(order.window_id, win.id);
  assert.equal(order.level, 1);
  assert.equal(order.step, 'contact');
  assert.equal(order.open, true);
  assert.equal(order.overdue, false);
  assert.equal(order.opened_day, today);
  assert.equal(order.due_day, await dueDay(today, 1));
  assert.equal(order.profile_name, '1-2-3');
  assert.equal(order.appeal_state, null);
  const id = order.id;

  // who sees it: the clerk (own), a colleague of the unit, the unit's leader, the supervisor above
  let full = await clerk.get(`/api/bad-reviews/${id}`);
  assertStatus(full, 200, 'clerk reads');
  assert.deepEqual(full.json.actions, ['contact', 'appeal']);
  assert.equal(full.json.evaluation.id, evaluation.id);
  assert.equal(full.json.evaluation.level, 1);
  assert.equal(full.json.evaluation.text, '办事人员态度差');
  assert.equal(full.json.evaluation.excluded, false);
  assert.equal(full.json.evaluation.real_name, false);
  assert.ok(!('phone' in full.json.evaluation) && !('evaluator_name' in full.json.evaluation), 'no phone, no name');
  assert.equal(full.json.steps.length, 1);
  assert.equal(full.json.appeal, null);
  assert.equal(full.json.contact, null);
  for (const c of [colleague, unitLeader, sup, admin]) assertStatus(await c.get(`/api/bad-reviews/${id}`), 200, `read as ${c.name}`);
  assertError(await outsider.get(`/api/bad-reviews/${id}`), 403, 'forbidden');
  assertError(await adminB.get(`/api/bad-reviews/${id}`), 403, 'forbidden');
  const mine = await clerk.get('/api/bad-reviews', { query: { mine: 1, state: 'open', per_page: 500 } });
  assert.ok(mine.json.items.some((o) => o.id === id));
  assert.ok(mine.json.items.every((o) => o.staff_id === clerkId));
  const outs = await outsider.get('/api/bad-reviews', { query: { per_page: 500 } });
  assert.ok(!outs.json.items.some((o) => o.id === id), 'outsiders do not list it');

  // out of order, outsiders, bad input: nothing changes
  assertError(await clerk.post(`/api/bad-reviews/${id}/verify`, { finding: 'true', note: '属实' }), 409, 'conflict', 'state');
  assertError(await outsider.post(`/api/bad-reviews/${id}/contact`, { method: 'phone' }), 403, 'forbidden');
  assertError(await clerk.post(`/api/bad-reviews/${id}/contact`, { method: 'fax' }), 400, 'invalid', 'method');
  assertError(await clerk.post(`/api/bad-reviews/${id}/contact`, {}), 400, 'invalid', 'method');
  assertError(await clerk.post(`/api/bad-reviews/${id}/contact`, { method: 'phone', finding: 'true' }), 400, 'invalid', 'finding');
  assertError(await clerk.post(`/api/bad-reviews/${id}/contact`, { method: 'phone', contacted_at: 1000 }), 400, 'invalid', 'contacted_at');
  assertError(await clerk.post(`/api/bad-reviews/${id}/contact`, { method: 'phone', contacted_at: '1000' }), 400, 'invalid', 'contacted_at');
  full = await clerk.get(`/api/bad-reviews/${id}`);
  assert.equal(full.json.state, 'assigned');

  // contact
  let o = await step(clerk, id, 'contact', { method: 'phone', note: '已电话联系群众，致歉并了解情况' });
  assert.equal(o.state, 'contacted');
  assert.equal(o.contact.method, 'phone');
  assert.equal(o.steps[0].done_by, clerkId);
  assert.equal(o.steps[0].late, false);
  assert.equal(o.steps[0].note, '已电话联系群众，致歉并了解情况');
  assert.equal(o.step, 'verify');
  assert.deepEqual(o.actions, ['verify', 'appeal']);
  // a replay
  assertError(await clerk.post(`/api/bad-reviews/${id}/contact`, { method: 'phone' }), 409, 'conflict', 'state');
  // verify (a member of the unit may do it)
  assertError(await colleague.post(`/api/bad-reviews/${id}/verify`, { finding: 'true' }), 400, 'invalid', 'note');
  assertError(await colleague.post(`/api/bad-reviews/${id}/verify`, { finding: 'maybe', note: '核实' }), 400, 'invalid', 'finding');
  o = await step(colleague, id, 'verify', { finding: 'partly', note: '部分属实：等候时间较长' });
  assert.equal(o.finding, 'partly');
  // classify
  assertError(await unitLeader.post(`/api/bad-reviews/${id}/classify`, { classification: 'ignore' }), 400, 'invalid', 'classification');
  assertError(await unitLeader.post(`/api/bad-reviews/${id}/classify`, { classification: 'listed' }), 400, 'invalid', 'deadline');
  assertError(await unitLeader.post(`/api/bad-reviews/${id}/classify`, { classification: 'listed', deadline: '2099-01-01' }), 400, 'invalid', 'deadline');
  assertError(await unitLeader.post(`/api/bad-reviews/${id}/classify`, { classification: 'listed', deadline: 'soon' }), 400, 'invalid', 'deadline');
  assertError(await unitLeader.post(`/api/bad-reviews/${id}/classify`, { classification: 'fix_now', deadline: today }), 400, 'invalid', 'deadline');
  o = await step(unitLeader, id, 'classify', { classification: 'fix_now', note: '立行立改' });
  assert.equal(o.classification, 'fix_now');
  assert.equal(o.step, 'rectify');
  assert.equal(o.due_day, await dueDay(today, 2));
  // rectify, follow up
  assertError(await clerk.post(`/api/bad-reviews/${id}/rectify`, {}), 400, 'invalid', 'note');
  o = await step(clerk, id, 'rectify', { note: '增开窗口，缩短等候' });
  assert.equal(o.state, 'rectified');
  assert.equal(o.due_day, await dueDay(today, 1));
  o = await step(clerk, id, 'followup', { note: '回访群众，已知晓整改情况' });
  assert.equal(o.state, 'followed_up');
  // the citizen's rating closes it
  assertError(await clerk.post(`/api/bad-reviews/${id}/rate`, { rating: 'great' }), 400, 'invalid', 'rating');
  o = await step(clerk, id, 'rate', { rating: 'satisfied' });
  assert.equal(o.state, 'closed');
  assert.equal(o.open, false);
  assert.equal(o.rating, 'satisfied');
  assert.equal(o.step, null);
  assert.equal(o.due_day, null);
  assert.ok(Number.isInteger(o.closed_at));
  assert.deepEqual(o.steps.map((s) => s.step), ['contact', 'verify', 'classify', 'rectify', 'followup', 'rate']);
  assert.ok(o.steps.every((s) => s.done_at && !s.late && !s.overdue));
  assert.deepEqual(o.actions, []);
  assertError(await clerk.post(`/api/bad-reviews/${id}/rate`, { rating: 'satisfied' }), 409, 'conflict', 'state');
  assertError(await clerk.post(`/api/bad-reviews/${id}/appeal`, { reason: '误评' }), 409, 'conflict', 'state');

  const after = await sup.get('/api/bad-reviews/stats', { query: { node_id: unit.id } });
  assert.equal(after.json.states.closed, before.json.states.closed + 1);
  const closed = await sup.get('/api/bad-reviews', { query: { node_id: unit.id, state: 'closed', per_page: 500 } });
  assert.ok(closed.json.items.some((x) => x.id === id));
});

test('a good evaluation opens no order; an untrue 差评 can only be explained', async () => {
  const good = await rate(4);
  assert.equal(good.order, null);
  const { order } = await rate(2);
  assert.ok(order);
  const id = order.id;
  await step(clerk, id, 'contact', { method: 'visit' });
  await step(clerk, id, 'verify', { finding: 'false', note: '经调取录像核实，不属实' });
  assertError(await clerk.post(`/api/bad-reviews/${id}/classify`, { classification: 'fix_now' }), 400, 'invalid', 'classification');
  const o = await step(clerk, id, 'classify', { classification: 'explain', note: '向群众解释政策' });
  assert.equal(o.due_day, await dueDay(today, 2));
  // listed within the profile's max
  const { order: o2 } = await rate(1);
  await step(clerk, o2.id, 'contact', { method: 'sms' });
  await step(clerk, o2.id, 'verify', { finding: 'true', note: '属实' });
  const max = await dueDay(today, 3);
  const l = await step(clerk, o2.id, 'classify', { classification: 'listed', deadline: max });
  assert.equal(l.deadline_day, max);
  assert.equal(l.due_day, max);
});

// ---------------------------------------------------------------- appeals

test('appeal and review: by the unit once; a supervisor, not the appellant, upholds it and the 差评 leaves scoring', async () => {
  const { evaluation, order } = await rate(1);
  const id = order.id;
  assertError(await outsider.post(`/api/bad-reviews/${id}/appeal`, { reason: '误评' }), 403, 'forbidden');
  assertError(await sup.post(`/api/bad-reviews/${id}/appeal`, { reason: '误评' }), 403, 'forbidden');
  assertError(await clerk.post(`/api/bad-reviews/${id}/appeal`, {}), 400, 'invalid', 'reason');
  assertError(await clerk.post(`/api/bad-reviews/${id}/appeal`, { reason: 'x'.repeat(2001) }), 400, 'invalid', 'reason');
  assertError(await sup.post(`/api/bad-reviews/${id}/appeal/decide`, { decision: 'upheld', note: '核实' }), 409, 'conflict', 'appeal');
  const r = await clerk.post(`/api/bad-reviews/${id}/appeal`, { reason: '群众误触评价器，系误评', evidence: '评价器日志' });
  assertStatus(r, 201, 'appeal');
  assert.equal(r.json.appeal_state, 'pending');
  assert.equal(r.json.appeal.state, 'pending');
  assert.equal(r.json.appeal.appealed_by, clerkId);
  assert.equal(r.json.appeal.evidence, '评价器日志');
  assert.ok(!r.json.actions.includes('appeal'));
  assertError(await unitLeader.post(`/api/bad-reviews/${id}/appeal`, { reason: '再次申诉' }), 409, 'conflict', 'appeal');
  // the steps go on meanwhile
  await step(clerk, id, 'contact', { method: 'phone' });
  const pending = await sup.get('/api/bad-reviews', { query: { appeal: 'pending', per_page: 500 } });
  assert.ok(pending.json.items.some((o) => o.id === id));
  // who decides
  assertError(await clerk.post(`/api/bad-reviews/${id}/appeal/decide`, { decision: 'upheld', note: '自己定' }), 403, 'forbidden');
  assertError(await unitLeader.post(`/api/bad-reviews/${id}/appeal/decide`, { decision: 'upheld', note: '同意' }), 403, 'forbidden');
  assertError(await sup.post(`/api/bad-reviews/${id}/appeal/decide`, { decision: 'maybe', note: '核实' }), 400, 'invalid', 'decision');
  assertError(await sup.post(`/api/bad-reviews/${id}/appeal/decide`, { decision: 'upheld' }), 400, 'invalid', 'note');
  const sees = await sup.get(`/api/bad-reviews/${id}`);
  assert.deepEqual(sees.json.actions, ['verify', 'decide_appeal']);
  const d = await sup.post(`/api/bad-reviews/${id}/appeal/decide`, { decision: 'upheld', note: '经调取日志，系误评' });
  assertStatus(d, 200, 'decide');
  assert.equal(d.json.state, 'appeal_upheld');
  assert.equal(d.json.open, false);
  assert.equal(d.json.appeal_state, 'upheld');
  assert.equal(d.json.appeal.decided_by, supId);
  assert.equal(d.json.appeal.decision_note, '经调取日志，系误评');
  assert.equal(d.json.evaluation.excluded, true);
  assert.equal(d.json.evaluation.id, evaluation.id, 'the evaluation stays');
  // a replay, and no more steps
  assertError(await sup.post(`/api/bad-reviews/${id}/appeal/decide`, { decision: 'rejected', note: '改判' }), 409, 'conflict', 'appeal');
  assertError(await clerk.post(`/api/bad-reviews/${id}/verify`, { finding: 'true', note: '属实' }), 409, 'conflict', 'state');
  // audited
  const a = await admin.get('/api/audit', { query: { entity: 'bad_review', entity_id: id } });
  assertStatus(a, 200, 'audit');
  const actions = a.json.items.map((x) => x.action);
  assert.ok(actions.includes('bad_review.appeal') && actions.includes('bad_review.appeal_decide'), actions.join());
  const upheld = await sup.get('/api/bad-reviews', { query: { state: 'appeal_upheld', per_page: 500 } });
  assert.ok(upheld.json.items.some((o) => o.id === id));
});

test('a rejected appeal leaves the order going', async () => {
  const { order } = await rate(2);
  const id = order.id;
  assertStatus(await unitLeader.post(`/api/bad-reviews/${id}/appeal`, { reason: '恶意差评' }), 201, 'appeal');
  const d = await admin.post(`/api/bad-reviews/${id}/appeal/decide`, { decision: 'rejected', note: '证据不足' });
  assertStatus(d, 200, 'decide');
  assert.equal(d.json.state, 'assigned');
  assert.equal(d.json.open, true);
  assert.equal(d.json.appeal_state, 'rejected');
  assert.equal(d.json.evaluation.excluded, false);
  assertError(await clerk.post(`/api/bad-reviews/${id}/appeal`, { reason: '再申诉' }), 409, 'conflict', 'appeal');
  const o = await step(clerk, id, 'contact', { method: 'phone' });
  assert.equal(o.state, 'contacted');
});

// ---------------------------------------------------------------- the sweep

test('the sweep warns the clerk and escalates to the unit\'s leader once per overdue step', async () => {
  const { order } = await rate(1);
  const id = order.id;
  const overdue = async (client) => {
    const r = await client.get('/api/notifications', { query: { per_page: 500 } });
    assertStatus(r, 200, 'notifications');
    return r.json.items.filter((n) => n.kind === 'bad_review_overdue' && n.message.includes(`#${id}`));
  };
  const fresh = await overdue(clerk);
  assert.equal(fresh.length, 0);
  const news = (await clerk.get('/api/notifications', { query: { per_page: 500 } })).json.items
    .filter((n) => n.kind === 'bad_review_new' && n.message.includes(`#${id}`));
  assert.equal(news.length, 1, 'the clerk was told of the new order');
  // the contact step's due time moves into the past (as if days went by)
  runSql(`UPDATE bad_review_step SET due_at = due_at - 864000 WHERE review_id = ${id} AND open = 1`);
  runSql(`UPDATE bad_review SET due_at = due_at - 864000 WHERE id = ${id}`);
  let mine = [];
  for (let i = 0; i < 100 && mine.length === 0; i++) {
    await sleep(100);
    mine = await overdue(clerk);
  }
  assert.equal(mine.length, 1, 'the clerk is warned');
  await sleep(1000); // several more sweeps
  assert.equal((await overdue(clerk)).length, 1, 'once');
  assert.equal((await overdue(unitLeader)).length, 1, 'the unit\'s leader, once');
  const o = await clerk.get(`/api/bad-reviews/${id}`);
  assert.equal(o.json.overdue, true);
  assert.equal(o.json.steps[0].warned, true);
  assert.equal(o.json.steps[0].overdue, true);
  const list = await sup.get('/api/bad-reviews', { query: { overdue: 1, node_id: unit.id, per_page: 500 } });
  assert.ok(list.json.items.some((x) => x.id === id));
  const stats = await sup.get('/api/bad-reviews/stats', { query: { node_id: unit.id } });
  assert.ok(stats.json.overdue >= 1);
  // done late: recorded so
  const c = await step(clerk, id, 'contact', { method: 'phone' });
  assert.equal(c.steps[0].late, true);
  assert.equal(c.overdue, false, 'the verify step is due by the opening\'s count, not yet passed');
});

// ---------------------------------------------------------------- profiles

test('deadline profiles: the built-in rule; checks; an admin at the root stores them; one default', async () => {
  let r = await staffA.get('/api/bad-review-profiles');
  assertStatus(r, 200, 'profiles');
  assert.equal(r.json.region_id, nodes.dist.id);
  assert.ok(Array.isArray(r.json.items));
  if (r.json.items.length === 0) {
    assert.equal(r.json.current.builtin, true);
    assert.equal(r.json.current.id, null);
    assert.deepEqual(r.json.current.steps, BUILTIN);
  }
  assertError(await staffA.get('/api/bad-review-profiles', { query: { region_id: nodes.town.id } }), 400, 'invalid', 'region_id');
  const body = { name: '当日联系', steps: { ...BUILTIN, contact: { n: 0, unit: 'workdays' }, listed_max: { n: 15, unit: 'workdays' } } };
  assertError(await staffA.post('/api/bad-review-profiles', body), 403, 'forbidden');
  assertError(await sup.post('/api/bad-review-profiles', body), 403, 'forbidden');
  assertError(await adminB.post('/api/bad-review-profiles', body), 403, 'forbidden');
  const bad = [
    [{ ...body, steps: { ...body.steps, contact: { n: -1, unit: 'workdays' } } }, 'steps.contact.n'],
    [{ ...body, steps: { ...body.steps, verify: { n: 181, unit: 'days' } } }, 'steps.verify.n'],
    [{ ...body, steps: { ...body.steps, rate: { n: 0, unit: 'hours' } } }, 'steps.rate.n'],
    [{ ...body, steps: { ...body.steps, listed_max: { n: 5, unit: 'hours' } } }, 'steps.listed_max.unit'],
    [{ ...body, steps: { ...body.steps, explain: { n: 2, unit: 'weeks' } } }, 'steps.explain.unit'],
    [{ ...body, steps: { ...body.steps, fix_now: { n: 2 } } }, 'steps.fix_now.unit'],
    [{ ...body, steps: { ...body.steps, fix_now: { n: 2, unit: 'days', extra: 1 } } }, 'steps.fix_now.extra'],
    [{ ...body, steps: { ...body.steps, weekly: { n: 1, unit: 'days' } } }, 'steps.weekly'],
    [{ ...body, steps: (({ rate: _, ...rest }) => rest)(body.steps) }, 'steps.rate'],
    [{ ...body, steps: [] }, 'steps'],
    [{ name: '无步骤' }, 'steps'],
    [{ ...body, name: '' }, 'name'],
    [{ ...body, region_id: nodes.town.id }, 'region_id'],
    [{ ...body, default: 'yes' }, 'default'],
  ];
  for (const [b, field] of bad) assertError(await admin.post('/api/bad-review-profiles', b), 400, 'invalid', field);

  r = await admin.post('/api/bad-review-profiles', body);
  assertStatus(r, 201, 'create');
  const p1 = r.json;
  assert.equal(p1.name, '当日联系');
  assert.equal(p1.default, false);
  assert.equal(p1.builtin, false);
  assert.equal(p1.region_id, nodes.dist.id);
  assert.deepEqual(p1.steps, body.steps);
  assert.ok(p1.created_by_name);
  r = await admin.post('/api/bad-review-profiles', { ...body, name: '十五个工作日', default: true, steps: { ...body.steps, contact: { n: 2, unit: 'hours' } } });
  assertStatus(r, 201, 'create default');
  const p2 = r.json;
  assert.equal(p2.default, true);
  r = await staffA.get('/api/bad-review-profiles');
  assert.equal(r.json.current.id, p2.id);
  assert.equal(r.json.items[0].id, p2.id, 'newest first');
  assert.equal(r.json.items.filter((p) => p.default).length, 1);

  // a new order takes the default in force: same-day contact
  r = await admin.post(`/api/bad-review-profiles/${p1.id}/default`, undefined);
  assertStatus(r, 200, 'make default');
  assert.equal(r.json.default, true);
  assertError(await adminB.post(`/api/bad-review-profiles/${p1.id}/default`, undefined), 403, 'forbidden');
  assertError(await admin.post('/api/bad-review-profiles/99999999/default', undefined), 404, 'not_found');
  r = await staffA.get('/api/bad-review-profiles');
  assert.equal(r.json.current.id, p1.id);
  assert.equal(r.json.items.filter((p) => p.default).length, 1);
  const { order } = await rate(1);
  assert.equal(order.profile_id, p1.id);
  assert.equal(order.profile_name, '当日联系');
  assert.equal(order.due_day, await sameDay());
  // audited
  const a = await admin.get('/api/audit', { query: { entity: 'bad_review_profile', entity_id: p1.id } });
  assert.ok(a.json.items.some((x) => x.action === 'bad_review.profile'));
  assert.ok(a.json.items.some((x) => x.action === 'bad_review.profile_default'));
});

/** Today when it is a working day, else the next working day: the first working
 * day after yesterday. */
async function sameDay() {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return dueDay(d.toISOString().slice(0, 10), 1);
}
