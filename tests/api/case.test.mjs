// Cases (办件): registration with validated, protected citizen data; the state
// machine (补正 once, acceptance needs the materials, 409 on a wrong step,
// 403 for one who does not hold the case); clocks equal to the calendar
// engine; transfer; extensions bounded by the legal date and decided by a
// leader; warnings raised by the sweep; accountability on a late
// completion; the public status by number and query code; the audited
// contact read; immediate items completed on the spot.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createStaff, createNode, shanghaiNow, sleep,
} from './helpers.mjs';

const anon = new Client('anon');
const PHONE = '13800138000'; // run.sh lists it as a secret: it must never reach a log
const ID_NUMBER = '11010519491231002X';
const PROMISED = 'GJJ-TQ-001'; // 承诺件: 1 working day promised, 3 natural days legal
const LONG = 'BDC-SC-001'; // 承诺件 with six required materials
const IMMEDIATE = 'RS-YL-001'; // 即办件
let admin;
let staff; // t_staff_a at hall-d
let other; // another staff member of hall-d
let leader; // a leader over the district
let townLeader; // t_leader_t: the town, not hall-d
let nodes;
let today;

function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const person = (extra = {}) => ({ name: '张三', phone: PHONE, id_number: ID_NUMBER, ...extra });

async function register(client, body) {
  const r = await client.post('/api/cases', { applicant: person(), ...body });
  assertStatus(r, 201, `register ${JSON.stringify(body)}`);
  return r.json;
}

async function act(client, id, action, body = {}, status = 200) {
  const r = await client.post(`/api/cases/${id}/${action}`, body);
  assertStatus(r, status, `${action} on case ${id}`);
  return r.json;
}

async function engineDue(from, n, unit = 'workdays', pauses) {
  const r = await anon.get('/api/calendar/due', { query: { from, [unit]: n, pauses } });
  assertStatus(r, 200, 'calendar due');
  return r.json;
}

async function total(client) {
  const r = await client.get('/api/cases', { query: { view: 'scope', per_page: 1 } });
  assertStatus(r, 200, 'case list');
  return r.json.total;
}

async function materialsOf(code) {
  const v = await anon.get(`/api/catalog/items/${code}`);
  assertStatus(v, 200, 'catalogue item');
  return v.json.materials;
}

before(async () => {
  admin = await loginAs('t_admin');
  staff = await loginAs('t_staff_a');
  townLeader = await loginAs('t_leader_t');
  nodes = await demoNodes(admin);
  const o = await createStaff(admin, nodes.hallA.id);
  other = await loginAs(o.login, o.password);
  const l = await createStaff(admin, nodes.dist.id, { role: 'leader' });
  leader = await loginAs(l.login, l.password);
  today = shanghaiNow().day;
});

test('registration: number, query code, masks, and clocks equal to the engine', async () => {
  const out = await register(staff, { item_code: PROMISED, modes: ['home_visit', 'full_agency'] });
  const c = out.case;
  assert.match(c.number, new RegExp(`^${today.slice(0, 4)}-${today.slice(5, 7)}${today.slice(8, 10)}-\\d{6}$`));
  assert.match(out.query_code, /^[A-HJ-NP-Z2-9]{6}$/);
  assert.equal(c.state, 'received');
  assert.equal(c.phone_mask, '138****8000');
  assert.equal(c.id_mask, '110105********002X');
  assert.ok(!JSON.stringify(out).includes(PHONE), 'the full phone is not in the answer');
  assert.deepEqual(c.modes, ['home_visit', 'full_agency']);
  assert.equal(c.handler_name, c.first_owner_name);
  const due = await engineDue(today, 1);
  assert.equal(c.clock.promised_due, due.due);
  const legal = await engineDue(today, 3, 'days');
  assert.equal(c.clock.legal_due, legal.due);
  assert.equal(c.clock.remaining, 1);
  assert.ok(c.actions === undefined || Array.isArray(c.actions));
  const got = await staff.get(`/api/cases/${c.id}`);
  assertStatus(got, 200, 'get case');
  assert.ok(got.json.actions.includes('supplement_request'));
  assert.equal(got.json.events[0].kind, 'registered');
});

test('bad input: 400 naming the field, nothing written', async () => {
  const before = await total(staff);
  const bad = [
    [{ item_code: 'NO-SUCH' }, 'item_code'],
    [{ version_id: 999999 }, 'version_id'],
    [{ item_code: PROMISED, applicant: person({ phone: '12345' }) }, 'applicant.phone'],
    [{ item_code: PROMISED, applicant: person({ phone: '23800138000' }) }, 'applicant.phone'],
    [{ item_code: PROMISED, applicant: person({ id_number: '110105194912310021' }) }, 'applicant.id_number'],
    [{ item_code: PROMISED, applicant: person({ name: '' }) }, 'applicant.name'],
    [{ item_code: PROMISED, applicant: { kind: 'org', name: '某公司', phone: PHONE } }, 'applicant.org_code'],
    [{ item_code: PROMISED, applicant: { kind: 'org', name: '某公司', phone: PHONE, org_code: '91350100M000100Y44' } }, 'applicant.org_code'],
    [{ item_code: PROMISED, agent: { name: '李四', phone: '1391234' } }, 'agent.phone'],
    [{ item_code: PROMISED, modes: ['teleport'] }, 'modes'],
    [{ item_code: PROMISED, materials: [999999] }, 'materials'],
    [{ item_code: PROMISED, received_day: addDays(today, 1) }, 'received_day'],
    [{ item_code: PROMISED, received_day: addDays(today, -31) }, 'received_day'],
    [{ item_code: PROMISED, complete_now: true }, 'complete_now'],
    [{ item_code: PROMISED, ticket_id: 999999 }, 'ticket_id'],
    [{ item_code: PROMISED, colour: 'red' }, 'colour'],
  ];
  for (const [body, field] of bad) {
    const r = await staff.post('/api/cases', { applicant: person(), ...body });
    assertError(r, 400, 'invalid', field);
  }
  assert.equal(await total(staff), before, 'no case was written');
  // an organisation with a valid unified social credit code and a landline
  const org = await register(staff, {
    item_code: PROMISED,
    applicant: { kind: 'org', name: '某某有限公司', phone: '010-62345678', org_code: '91350100M000100Y43' },
    agent: { name: '李四', phone: '13912345678' },
  });
  assert.equal(org.case.phone_mask, '010-****5678');
  assert.equal(org.case.agent.phone_mask, '139****5678');
  assert.equal(org.case.org_code, '91350100M000100Y43');
});

test('补正 once, supplement, accept, start, decide, complete; wrong steps are 409', async () => {
  const mats = await materialsOf(LONG);
  assert.ok(mats && mats.length >= 2, 'the item lists materials');
  const ids = mats.map((m) => m.id);
  const { case: c } = await register(staff, { item_code: LONG, materials: [ids[0]] });
  assert.equal(c.state, 'received');
  assertError(await staff.post(`/api/cases/${c.id}/accept`, {}), 409, 'conflict', 'materials');
  assertError(await staff.post(`/api/cases/${c.id}/complete`, {}), 409, 'conflict', 'state');
  assertError(await staff.post(`/api/cases/${c.id}/supplement`, { materials: ids }), 409, 'conflict', 'state');
  assertError(await staff.post(`/api/cases/${c.id}/supplement-request`, { materials: [123456789] }), 400, 'invalid', 'materials');
  const sr = await act(staff, c.id, 'supplement-request', { materials: ids.slice(1), note: '请补齐其余材料' });
  assert.equal(sr.state, 'supplement_requested');
  assert.equal(sr.clock.paused, true);
  assert.equal(sr.clock.level, 'paused');
  assert.equal(sr.clock.promised_due, null);
  assert.equal(sr.pauses.length, 1);
  assert.ok(sr.materials.filter((m) => m.requested).length === ids.length - 1);
  const sp = await act(staff, c.id, 'supplement', { materials: ids });
  assert.equal(sp.state, 'supplemented');
  assert.equal(sp.clock.paused, false);
  // the engine with the same pause gives the same date
  const due = await engineDue(c.received_day, 5, 'workdays', `${today}:${today}`);
  assert.equal(sp.clock.promised_due, due.due);
  assertError(await staff.post(`/api/cases/${c.id}/supplement-request`, { note: 'again' }), 409, 'conflict', 'state');
  assert.equal((await act(staff, c.id, 'accept')).state, 'accepted');
  assert.equal((await act(staff, c.id, 'start')).state, 'in_progress');
  assertError(await staff.post(`/api/cases/${c.id}/pause`, { kind: 'nap', note: 'x' }), 400, 'invalid', 'kind');
  const p = await act(staff, c.id, 'pause', { kind: 'testing', note: '送检' });
  assert.equal(p.clock.paused, true);
  assertError(await staff.post(`/api/cases/${c.id}/decide`, { decision: 'approve' }), 409, 'conflict', 'state');
  assert.equal((await act(staff, c.id, 'resume')).clock.paused, false);
  assertError(await staff.post(`/api/cases/${c.id}/decide`, { decision: 'maybe' }), 400, 'invalid', 'decision');
  const d = await act(staff, c.id, 'decide', { decision: 'approve' });
  assert.equal(d.state, 'decided');
  assert.equal(d.decision, 'approve');
  const done = await act(staff, c.id, 'complete', { note: '已办结' });
  assert.equal(done.state, 'completed');
  assert.equal(done.open, false);
  assert.equal(done.outcome, 'early');
  assert.equal(done.clock.level, 'done');
  assert.deepEqual(done.events.map((e) => e.kind),
    ['registered', 'supplement_request', 'supplement', 'accept', 'start', 'pause', 'resume', 'decide', 'complete']);
  assertError(await staff.post(`/api/cases/${c.id}/withdraw`, { note: 'x' }), 409, 'conflict', 'state');
});

test('only the holder acts; scope; transfer keeps the first-inquiry owner', async () => {
  const { case: c } = await register(staff, { item_code: PROMISED });
  assertError(await other.post(`/api/cases/${c.id}/return`, { note: '不符合条件' }), 403, 'forbidden');
  assertError(await townLeader.get(`/api/cases/${c.id}`), 403, 'forbidden');
  assertError(await staff.post(`/api/cases/${c.id}/transfer`, { staff_id: staff.user.id }), 400, 'invalid', 'staff_id');
  const t = await act(staff, c.id, 'transfer', { staff_id: other.user.id, note: '转交窗口办理' });
  assert.equal(t.handler_id, other.user.id);
  assert.equal(t.first_owner_id, staff.user.id);
  assert.equal(t.clock.promised_due, c.clock.promised_due, 'the clock moves with the case');
  assertError(await staff.post(`/api/cases/${c.id}/return`, { note: 'x' }), 403, 'forbidden');
  const mine = await other.get('/api/cases', { query: { view: 'mine' } });
  assert.ok(mine.json.items.some((x) => x.id === c.id));
  const first = await staff.get('/api/cases', { query: { view: 'first' } });
  assert.ok(first.json.items.some((x) => x.id === c.id));
  assertError(await other.post(`/api/cases/${c.id}/return`, {}), 400, 'invalid', 'note');
  assert.equal((await act(other, c.id, 'return', { note: '材料不符合法定形式' })).state, 'returned');
});

test('extension: before the deadline, within the legal date, decided by a leader', async () => {
  const { case: c } = await register(staff, { item_code: PROMISED });
  if (!c.clock.legal_due) return; // the legal date needs a year the calendar lacks
  // the longest extension that keeps within the legal date, by the engine
  let fits = 0;
  while (fits < 5 && (await engineDue(c.received_day, 2 + fits)).due <= c.clock.legal_due) fits++;
  const over = await staff.post(`/api/cases/${c.id}/extensions`, { days: fits + 1, reason: '需要勘查' });
  if (over.status !== 422) assertError(over, 400, 'invalid', 'days'); // 422: the date falls in a year not yet imported
  assertError(await staff.post(`/api/cases/${c.id}/extensions`, { days: 1 }), 400, 'invalid', 'reason');
  if (fits === 0) return; // today the promised and legal dates meet: no room to extend
  const x = await act(staff, c.id, 'extensions', { days: 1, reason: '需要现场勘查' }, 201);
  assert.equal(x.extensions.length, 1);
  assert.equal(x.extensions[0].status, 'pending');
  assertError(await staff.post(`/api/cases/${c.id}/extensions`, { days: 1, reason: 'again' }), 409, 'conflict', 'state');
  const ext = x.extensions[0].id;
  assertError(await staff.post(`/api/extensions/${ext}/approve`, {}), 403, 'forbidden');
  assertError(await townLeader.post(`/api/extensions/${ext}/approve`, {}), 403, 'forbidden');
  const board = await leader.get('/api/cases/board');
  assertStatus(board, 200, 'board');
  assert.ok(board.json.extensions.some((e) => e.id === ext));
  const ok = await leader.post(`/api/extensions/${ext}/approve`, { note: '同意' });
  assertStatus(ok, 200, 'approve');
  assert.equal(ok.json.clock.extension_days, 1);
  const due = await engineDue(c.received_day, 2);
  assert.equal(ok.json.clock.promised_due, due.due);
  assert.equal(ok.json.extensions[0].status, 'approved');
  assert.equal(ok.json.extensions[0].citizen_notified, true);
  assertError(await leader.post(`/api/extensions/${ext}/reject`, { note: 'x' }), 409, 'conflict', 'status');
});

test('a back-dated case is overdue: the sweep warns, a late completion is recorded', async () => {
  const mats = await materialsOf(PROMISED);
  const { case: c } = await register(staff, {
    item_code: PROMISED, received_day: addDays(today, -20), materials: mats.map((m) => m.id),
  });
  assert.equal(c.clock.level, 'overdue');
  assert.ok(c.clock.remaining < 0);
  const warn = await staff.get('/api/cases', { query: { view: 'warn', level: 'overdue' } });
  assert.ok(warn.json.items.some((x) => x.id === c.id));
  const mineWarn = await staff.get('/api/cases', { query: { view: 'warn', mine: 1 } });
  assert.ok(mineWarn.json.items.some((x) => x.id === c.id));
  assert.ok(mineWarn.json.items.every((x) => x.handler_id === staff.user.id));
  const othersWarn = await other.get('/api/cases', { query: { view: 'warn', mine: 1 } });
  assert.ok(!othersWarn.json.items.some((x) => x.id === c.id), 'not in another clerk\'s list');
  assertError(await staff.get('/api/cases', { query: { view: 'warn', mine: 'yes' } }), 400, 'invalid', 'mine');
  let events = [];
  for (let i = 0; i < 50; i++) {
    events = (await staff.get(`/api/cases/${c.id}`)).json.events;
    if (events.some((e) => e.kind === 'warning')) break;
    await sleep(100);
  }
  const w = events.filter((e) => e.kind === 'warning');
  assert.equal(w.length, 1, 'one warning, at the level reached');
  assert.equal(w[0].detail, 'overdue');
  // board counts
  const board = await leader.get('/api/cases/board');
  assert.ok(board.json.counts.overdue >= 1);
  assert.ok(board.json.overdue.some((x) => x.id === c.id));
  // overdue: no extension any more
  assertError(await staff.post(`/api/cases/${c.id}/extensions`, { days: 1, reason: 'late' }), 409, 'conflict', 'state');
  await act(staff, c.id, 'accept');
  // past the promised date the clock can no longer be stopped
  assert.ok(!(await staff.get(`/api/cases/${c.id}`)).json.actions.includes('pause'));
  assertError(await staff.post(`/api/cases/${c.id}/pause`, { kind: 'testing', note: '送检' }), 409, 'conflict', 'state');
  await act(staff, c.id, 'decide', { decision: 'deny', note: '不符合条件' });
  const done = await act(staff, c.id, 'complete');
  assert.equal(done.outcome, 'late');
  assert.ok(done.clock.used > done.clock.promised_limit);
  // the late completion opens an accountability record against the handler, on the board
  const after = await leader.get('/api/cases/board');
  const rec = after.json.accountability.find((a) => a.case_id === c.id);
  assert.ok(rec, 'a pending accountability record for the late case');
  assert.equal(rec.staff_id, staff.user.id);
  assert.equal(rec.source, 'overdue');
  assert.ok(after.json.counts.accountability_pending >= 1);
});

test('public status by number and query code; a new code retires the old one', async () => {
  const out = await register(staff, { item_code: PROMISED });
  const n = out.case.number;
  const r = await anon.get(`/api/public/cases/${n}`, { query: { code: out.query_code.toLowerCase() } });
  assertStatus(r, 200, 'public status');
  assert.equal(r.json.state, 'received');
  assert.equal(r.json.expected_day, out.case.clock.promised_due);
  for (const k of ['phone_mask', 'applicant_name', 'id_mask', 'handler_name']) assert.ok(!(k in r.json), `no ${k}`);
  assertError(await anon.get(`/api/public/cases/${n}`, { query: { code: 'AAAAAA' } }), 404, 'not_found');
  assertError(await anon.get(`/api/public/cases/${n}`), 400, 'invalid', 'code');
  const nc = await staff.post(`/api/cases/${out.case.id}/query-code`, {});
  assertStatus(nc, 200, 'new code');
  assertError(await anon.get(`/api/public/cases/${n}`, { query: { code: out.query_code } }), 404, 'not_found');
  assertStatus(await anon.get(`/api/public/cases/${n}`, { query: { code: nc.json.query_code } }), 200, 'new code works');
});

test('the full number is read by staff in scope only, and audited', async () => {
  const { case: c } = await register(staff, { item_code: PROMISED, agent: { name: '李四', phone: '13912345678' } });
  const r = await staff.post(`/api/cases/${c.id}/contact`, {});
  assertStatus(r, 200, 'contact');
  assert.equal(r.json.phone, PHONE);
  assert.equal(r.json.agent_phone, '13912345678');
  assertError(await townLeader.post(`/api/cases/${c.id}/contact`, {}), 403, 'forbidden');
  const audit = await admin.get('/api/audit', { query: { entity: 'case', entity_id: c.id } });
  assertStatus(audit, 200, 'audit');
  assert.ok(audit.json.items.some((a) => a.action === 'case.contact'));
  assert.ok(!JSON.stringify(audit.json).includes(PHONE), 'the audit record holds no number');
});

test('a withdrawn case is no longer paused; an immediate item keeps its 补正 pause', async () => {
  const { case: c } = await register(staff, { item_code: LONG });
  const sr = await act(staff, c.id, 'supplement-request', { note: '请补齐全部材料' });
  assert.equal(sr.paused, true);
  const w = await act(staff, c.id, 'withdraw', { note: '申请人撤回' });
  assert.equal(w.state, 'withdrawn');
  assert.equal(w.paused, false);
  const { case: i } = await register(staff, { item_code: IMMEDIATE });
  const isr = await act(staff, i.id, 'supplement-request', { note: '请补交身份证复印件' });
  assert.equal(isr.pauses.length, 1);
  const sup = await act(staff, i.id, 'supplement', {});
  assert.ok(!sup.actions.includes('supplement_request'), '补正 is asked once');
});

test('an immediate item is completed on the spot, without a clock', async () => {
  const out = await register(staff, { item_code: IMMEDIATE, complete_now: true });
  assert.equal(out.case.state, 'completed');
  assert.equal(out.case.clock.has_clock, false);
  assert.equal(out.case.outcome, null);
  assert.equal(out.case.closed_day, today);
});

test('from the ticket at the window: item and window from the ticket, held by the caller only', async () => {
  const hall = await createNode(admin, nodes.dist, 'hall', { name: '办件测试厅' });
  const win = await createNode(admin, hall, 'window', { code: 'w1', name: '1号窗口' });
  const series = await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'G', name: '公积金', item_codes: [PROMISED] });
  assertStatus(series, 201, 'series');
  assertStatus(await admin.put(`/api/windows/${win.id}/profile`, { json: { series_ids: [series.json.id], mode: 'longest_wait' } }), 200);
  const s = await createStaff(admin, hall.id);
  assertStatus(await admin.post(`/api/staff/${s.staff.id}/assignments`, { window_id: win.id }), 201, 'assign');
  const clerk = await loginAs(s.login, s.password);
  const o = await createStaff(admin, hall.id);
  const bystander = await loginAs(o.login, o.password);
  assertStatus(await clerk.post(`/api/windows/${win.id}/open`, {}), 200, 'open');
  const t = await clerk.post(`/api/halls/${hall.id}/tickets`, { item_code: PROMISED });
  assertStatus(t, 201, 'issue');
  // waiting, not yet called: not at anyone's window
  assertError(await clerk.post('/api/cases', { ticket_id: t.json.id, applicant: person() }), 409, 'conflict', 'ticket_id');
  const called = await clerk.post(`/api/windows/${win.id}/call-next`, {});
  assertStatus(called, 200, 'call');
  assertError(await bystander.post('/api/cases', { ticket_id: t.json.id, applicant: person() }), 409, 'conflict', 'ticket_id');
  const out = await register(clerk, { ticket_id: t.json.id });
  assert.equal(out.case.item_code, PROMISED);
  assert.equal(out.case.ticket_id, t.json.id);
  assert.equal(out.case.window_id, win.id);
  assert.equal(out.case.node_id, win.id);
  // one stop: a second item on the same ticket
  const second = await register(clerk, { ticket_id: t.json.id, item_code: IMMEDIATE, complete_now: true });
  assert.equal(second.case.ticket_id, t.json.id);
  assert.equal(second.case.state, 'completed');
});

test('lists: by number or name prefix, state, open; bad filters are 400', async () => {
  const out = await register(staff, { item_code: PROMISED, applicant: person({ name: '欧阳列表' }) });
  const byNumber = await staff.get('/api/cases', { query: { view: 'scope', q: out.case.number } });
  assertStatus(byNumber, 200, 'by number');
  assert.deepEqual(byNumber.json.items.map((c) => c.id), [out.case.id]);
  const byName = await staff.get('/api/cases', { query: { view: 'scope', q: '欧阳' } });
  assert.ok(byName.json.items.some((c) => c.id === out.case.id));
  assert.ok(byName.json.items.every((c) => c.applicant_name.startsWith('欧阳')));
  const received = await staff.get('/api/cases', { query: { view: 'scope', state: 'received', per_page: 500 } });
  assert.ok(received.json.items.every((c) => c.state === 'received'));
  const open = await staff.get('/api/cases', { query: { view: 'scope', state: 'open', per_page: 500 } });
  assert.ok(open.json.items.every((c) => c.open));
  assert.ok(open.json.items.some((c) => c.id === out.case.id));
  assertError(await staff.get('/api/cases', { query: { view: 'everything' } }), 400, 'invalid', 'view');
  assertError(await staff.get('/api/cases', { query: { state: 'lost' } }), 400, 'invalid', 'state');
  assertError(await staff.get('/api/cases', { query: { level: 'red' } }), 400, 'invalid', 'level');
  assertError(await staff.get('/api/cases', { query: { view: 'warn', level: 'pink' } }), 400, 'invalid', 'level');
  const townView = await townLeader.get('/api/cases', { query: { view: 'scope', q: out.case.number } });
  assert.equal(townView.json.total, 0, 'another tree does not see it');
  assertError(await townLeader.get('/api/cases', { query: { view: 'scope', node_id: nodes.hallA.id } }), 403, 'forbidden', 'node_id');
});

test('many registrations at once: each answered after its commit, numbers unique', async () => {
  // each write takes the request's calendar to the writer thread while other
  // commits drop the read cache it came from (a use-after-free once)
  const mats = (await materialsOf(PROMISED)).map((m) => m.id);
  const clerks = [staff, other];
  const outs = await Promise.all(Array.from({ length: 300 }, (_, i) =>
    clerks[i % 2].post('/api/cases', { item_code: PROMISED, applicant: person(), materials: mats })));
  for (const r of outs) assertStatus(r, 201, 'concurrent register');
  const numbers = new Set(outs.map((r) => r.json.case.number));
  assert.equal(numbers.size, outs.length, 'every number once');
  const accepted = await Promise.all(outs.map((r, i) => clerks[i % 2].post(`/api/cases/${r.json.case.id}/accept`, {})));
  for (const r of accepted) {
    assertStatus(r, 200, 'concurrent accept');
    assert.equal(r.json.clock.promised_due, outs[0].json.case.clock.promised_due);
  }
});
