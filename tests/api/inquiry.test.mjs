// First inquiries (首问登记): recording (bad phone, empty question, bad
// channel, unknown item → 400 naming the field, nothing written), the boxes
// (mine, inbox, scope), answer, handover to a colleague → their inbox →
// accept (owner and node move, the first owner stays), handover to a node →
// decline, handover to oneself, a second handover while one waits,
// non-receiver accept, refer, actions in the wrong status, the actions list,
// scope (another subtree's admin → 403), and the conversion into a case (the
// owner, nothing pending, in one step). Every phone used is recorded as a
// secret: run.sh checks none reaches the server log.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createStaff, recordSecret, countOf,
} from './helpers.mjs';

const anon = new Client('anon');
let admin; // t_admin, /dist
let adminB; // t_admin_b, /dist/town/hall-t
let staffA; // t_staff_a, home /dist/hall-d
let colleague; // staff at /dist/hall-d/w02
let colleagueId;
let townStaff; // staff at /dist/town/hall-t/w01 (same region, outside staffA's scope)
let townStaffId;
let nodes;

let phoneSeq = 0;
function phone() {
  const p = `137${String(Date.now() % 1000000).padStart(6, '0')}${String(phoneSeq++ % 100).padStart(2, '0')}`;
  recordSecret(p);
  return p;
}

function body(extra = {}) {
  return { citizen_name: '张三', phone: phone(), question: '个体工商户登记需要带什么材料？', channel: 'window', ...extra };
}

async function create(client = staffA, extra = {}) {
  const r = await client.post('/api/inquiries', body(extra));
  assertStatus(r, 201, 'create inquiry');
  return r.json;
}

async function staffClient(nodeId) {
  const s = await createStaff(admin, nodeId);
  const c = await loginAs(s.login, s.password);
  return { c, id: s.staff.id };
}

before(async () => {
  admin = await loginAs('t_admin');
  adminB = await loginAs('t_admin_b');
  staffA = await loginAs('t_staff_a');
  nodes = await demoNodes(admin);
  ({ c: colleague, id: colleagueId } = await staffClient(nodes.winA2.id));
  ({ c: townStaff, id: townStaffId } = await staffClient(nodes.winB.id));
});

test('record: the recorder owns it at their home node; masked phone; a recorded event', async () => {
  const p = phone();
  const r = await staffA.post('/api/inquiries', body({ phone: p, channel: 'phone', item_code: 'RS-YL-001' }));
  assertStatus(r, 201);
  const q = r.json;
  assert.equal(q.owner_id, staffA.user.id);
  assert.equal(q.first_owner_id, staffA.user.id);
  assert.equal(q.owner_name, staffA.user.name);
  assert.equal(q.node_id, nodes.hallA.id);
  assert.equal(q.node_name, nodes.hallA.name);
  assert.equal(q.status, 'open');
  assert.equal(q.channel, 'phone');
  assert.equal(q.item_code, 'RS-YL-001');
  assert.equal(q.phone_mask, `${p.slice(0, 3)}****${p.slice(7)}`);
  assert.ok(!r.text.includes(p), 'the full phone is never returned');
  assert.equal(q.pending, null);
  assert.equal(q.escalated, false);
  assert.equal(q.answer, null);
  assert.equal(q.case_id, null);
  assert.equal(q.closed_at, null);
  assert.deepEqual(q.events.map((e) => e.kind), ['recorded']);
  assert.equal(q.events[0].staff_id, staffA.user.id);
  assert.equal(q.events[0].actor, 't_staff_a');
  assert.deepEqual([...q.actions].sort(), ['answer', 'case', 'handover', 'refer']);

  const g = await staffA.get(`/api/inquiries/${q.id}`);
  assertStatus(g, 200);
  assert.deepEqual(g.json, q);
  // a landline, and no item
  recordSecret('010-12345678');
  const l = await staffA.post('/api/inquiries', body({ phone: '010-12345678', item_code: null }));
  assertStatus(l, 201);
  assert.equal(l.json.phone_mask.startsWith('010-'), true);
  assert.equal(l.json.item_code, null);
});

test('record: bad input → 400 naming the field, nothing written', async () => {
  const before = await countOf(staffA, '/api/inquiries', { box: 'mine' });
  const cases = [
    [{ phone: '12345' }, 'phone'],
    [{ phone: '1381234567' }, 'phone'],
    [{ question: '' }, 'question'],
    [{ question: '   ' }, 'question'],
    [{ channel: 'fax' }, 'channel'],
    [{ citizen_name: '' }, 'citizen_name'],
    [{ citizen_name: '张\n三' }, 'citizen_name'],
    [{ citizen_name: 'x'.repeat(101) }, 'citizen_name'],
    [{ question: 'x'.repeat(2001) }, 'question'],
    [{ item_code: 'NO-SUCH-ITEM' }, 'item_code'],
    [{ extra: 1 }, 'extra'],
  ];
  for (const [extra, field] of cases) {
    const r = await staffA.post('/api/inquiries', body(extra));
    assertError(r, 400, 'invalid', field);
  }
  const { phone: _p, ...noPhone } = body();
  assertError(await staffA.post('/api/inquiries', noPhone), 400, 'invalid', 'phone');
  assert.equal(await countOf(staffA, '/api/inquiries', { box: 'mine' }), before);
  assertError(await anon.post('/api/inquiries', body()), 401, 'unauthorized');
});

test('lists: mine, inbox, scope, status filter; bad box or status → 400', async () => {
  const q = await create();
  const mine = await staffA.get('/api/inquiries', { query: { box: 'mine', per_page: 500 } });
  assertStatus(mine, 200);
  assert.ok(mine.json.items.some((x) => x.id === q.id));
  assert.ok(mine.json.items.every((x) => x.owner_id === staffA.user.id));
  assert.equal(mine.json.items[0].events, undefined, 'the list form has no events');
  assert.equal(mine.json.page, 1);
  const dflt = await staffA.get('/api/inquiries');
  assertStatus(dflt, 200);
  assert.equal(dflt.json.total, mine.json.total, 'mine is the default box');
  const open = await staffA.get('/api/inquiries', { query: { status: 'open', per_page: 500 } });
  assert.ok(open.json.items.every((x) => x.status === 'open'));
  const answered = await staffA.get('/api/inquiries', { query: { status: 'answered', per_page: 500 } });
  assert.ok(!answered.json.items.some((x) => x.id === q.id));
  const scope = await admin.get('/api/inquiries', { query: { box: 'scope', per_page: 500 } });
  assert.ok(scope.json.items.some((x) => x.id === q.id));
  const inbox = await staffA.get('/api/inquiries', { query: { box: 'inbox', per_page: 500 } });
  assert.ok(!inbox.json.items.some((x) => x.id === q.id));
  const scopeB = await adminB.get('/api/inquiries', { query: { box: 'scope', per_page: 500 } });
  assertStatus(scopeB, 200);
  assert.ok(!scopeB.json.items.some((x) => x.id === q.id), 'another subtree does not list it');
  assertError(await staffA.get('/api/inquiries', { query: { box: 'all' } }), 400, 'invalid', 'box');
  assertError(await staffA.get('/api/inquiries', { query: { status: 'closed' } }), 400, 'invalid', 'status');
  assertError(await staffA.get('/api/inquiries', { query: { per_page: 501 } }), 400, 'invalid', 'per_page');
  assertError(await staffA.get('/api/inquiries', { query: { nope: 1 } }), 400, 'invalid', 'nope');
});

test('answer: the owner closes it; again, or any action after → 409 status', async () => {
  const q = await create();
  assertError(await staffA.post(`/api/inquiries/${q.id}/answer`, { answer: '' }), 400, 'invalid', 'answer');
  assertError(await admin.post(`/api/inquiries/${q.id}/answer`, { answer: '不是我的' }), 403, 'forbidden');
  const r = await staffA.post(`/api/inquiries/${q.id}/answer`, { answer: '需要身份证和经营场所证明。' });
  assertStatus(r, 200);
  assert.equal(r.json.status, 'answered');
  assert.equal(r.json.answer, '需要身份证和经营场所证明。');
  assert.ok(r.json.closed_at > 0);
  assert.deepEqual(r.json.actions, []);
  assert.deepEqual(r.json.events.map((e) => e.kind), ['recorded', 'answered']);
  assertError(await staffA.post(`/api/inquiries/${q.id}/answer`, { answer: '再答一次' }), 409, 'conflict', 'status');
  assertError(await staffA.post(`/api/inquiries/${q.id}/handover`, { staff_id: colleagueId }), 409, 'conflict', 'status');
  assertError(await staffA.post(`/api/inquiries/${q.id}/refer`, { department: '市场监管局' }), 409, 'conflict', 'status');
  assertError(await admin.post(`/api/inquiries/${q.id}/accept`, {}), 409, 'conflict', 'status');
  assertError(await admin.post(`/api/inquiries/${q.id}/decline`, { note: 'x' }), 409, 'conflict', 'status');
  // outside the colleague's scope and not handed to them: not theirs to see
  assertError(await colleague.post(`/api/inquiries/${q.id}/accept`, {}), 403, 'forbidden');
});

test('handover to a colleague → their inbox → accept: the owner and node move', async () => {
  const q = await create();
  const h = await staffA.post(`/api/inquiries/${q.id}/handover`, { staff_id: colleagueId, note: '社保问题请李娜处理' });
  assertStatus(h, 200);
  assert.equal(h.json.owner_id, staffA.user.id, 'the owner stays owner while pending');
  assert.equal(h.json.pending.staff_id, colleagueId);
  assert.equal(h.json.pending.node_id, null);
  assert.equal(typeof h.json.pending.staff_name, 'string');
  assert.ok(h.json.pending.since > 0);
  assert.deepEqual([...h.json.actions].sort(), ['answer', 'refer']);
  const ev = h.json.events.at(-1);
  assert.equal(ev.kind, 'handover');
  assert.equal(ev.target_staff_id, colleagueId);
  assert.equal(ev.detail, '社保问题请李娜处理');

  // one handover at a time; nobody else accepts
  assertError(await staffA.post(`/api/inquiries/${q.id}/handover`, { staff_id: townStaffId }), 409, 'conflict', 'pending');
  assertError(await staffA.post(`/api/inquiries/${q.id}/accept`, {}), 403, 'forbidden');
  assertError(await admin.post(`/api/inquiries/${q.id}/accept`, {}), 403, 'forbidden');
  assertError(await townStaff.post(`/api/inquiries/${q.id}/accept`, {}), 403, 'forbidden');

  const inbox = await colleague.get('/api/inquiries', { query: { box: 'inbox', per_page: 500 } });
  assertStatus(inbox, 200);
  assert.ok(inbox.json.items.some((x) => x.id === q.id));
  const seen = await colleague.get(`/api/inquiries/${q.id}`);
  assertStatus(seen, 200);
  assert.deepEqual([...seen.json.actions].sort(), ['accept', 'decline']);

  const a = await colleague.post(`/api/inquiries/${q.id}/accept`, {});
  assertStatus(a, 200);
  assert.equal(a.json.owner_id, colleagueId);
  assert.equal(a.json.first_owner_id, staffA.user.id);
  assert.equal(a.json.node_id, nodes.winA2.id);
  assert.equal(a.json.pending, null);
  assert.equal(a.json.status, 'open');
  assert.deepEqual([...a.json.actions].sort(), ['answer', 'case', 'handover', 'refer']);
  assert.deepEqual(a.json.events.map((e) => e.kind), ['recorded', 'handover', 'accepted']);
  assert.equal(a.json.events.at(-1).staff_id, colleagueId);

  const inbox2 = await colleague.get('/api/inquiries', { query: { box: 'inbox', per_page: 500 } });
  assert.ok(!inbox2.json.items.some((x) => x.id === q.id));
  const mine = await colleague.get('/api/inquiries', { query: { box: 'mine', per_page: 500 } });
  assert.ok(mine.json.items.some((x) => x.id === q.id));
  // the former owner no longer acts, but still sees it (first owner)
  assertError(await staffA.post(`/api/inquiries/${q.id}/answer`, { answer: '我来答' }), 403, 'forbidden');
  const still = await staffA.get(`/api/inquiries/${q.id}`);
  assertStatus(still, 200);
  assert.deepEqual(still.json.actions, []);
  // the new owner answers
  const ans = await colleague.post(`/api/inquiries/${q.id}/answer`, { answer: '已答复' });
  assertStatus(ans, 200);
  assert.equal(ans.json.status, 'answered');
});

test('handover to a staff member elsewhere in the region: they see it and take it over', async () => {
  const q = await create();
  assertError(await townStaff.get(`/api/inquiries/${q.id}`), 403, 'forbidden');
  assertStatus(await staffA.post(`/api/inquiries/${q.id}/handover`, { staff_id: townStaffId, node_id: null }), 200);
  const seen = await townStaff.get(`/api/inquiries/${q.id}`);
  assertStatus(seen, 200);
  const a = await townStaff.post(`/api/inquiries/${q.id}/accept`);
  assertStatus(a, 200);
  assert.equal(a.json.node_id, nodes.winB.id);
  // now in hall-t's subtree: its admin sees it
  assertStatus(await adminB.get(`/api/inquiries/${q.id}`), 200);
});

test('handover to a node → decline (a note is required): back to the owner', async () => {
  const q = await create();
  const h = await staffA.post(`/api/inquiries/${q.id}/handover`, { node_id: nodes.winA2.id });
  assertStatus(h, 200);
  assert.equal(h.json.pending.node_id, nodes.winA2.id);
  assert.equal(h.json.pending.node_name, nodes.winA2.name);
  assert.equal(h.json.pending.staff_id, null);
  const inbox = await colleague.get('/api/inquiries', { query: { box: 'inbox', status: 'open', per_page: 500 } });
  assert.ok(inbox.json.items.some((x) => x.id === q.id), 'staff of the node see it in their inbox');
  assertError(await colleague.post(`/api/inquiries/${q.id}/decline`, {}), 400, 'invalid', 'note');
  assertError(await colleague.post(`/api/inquiries/${q.id}/decline`, { note: '  ' }), 400, 'invalid', 'note');
  assertError(await townStaff.post(`/api/inquiries/${q.id}/decline`, { note: '不归我' }), 403, 'forbidden');
  const d = await colleague.post(`/api/inquiries/${q.id}/decline`, { note: '不属于本窗口职责' });
  assertStatus(d, 200);
  assert.equal(d.json.pending, null);
  assert.equal(d.json.owner_id, staffA.user.id);
  assert.equal(d.json.node_id, nodes.hallA.id);
  assert.deepEqual(d.json.actions, []);
  const ev = d.json.events.at(-1);
  assert.equal(ev.kind, 'declined');
  assert.equal(ev.detail, '不属于本窗口职责');
  assertError(await admin.post(`/api/inquiries/${q.id}/accept`, {}), 409, 'conflict', 'pending');
  assertError(await colleague.get(`/api/inquiries/${q.id}`), 403, 'forbidden', undefined);
  const back = await staffA.get(`/api/inquiries/${q.id}`);
  assert.deepEqual([...back.json.actions].sort(), ['answer', 'case', 'handover', 'refer']);
});

test('handover: not to oneself, one target, an active node of the region', async () => {
  const q = await create();
  const url = `/api/inquiries/${q.id}/handover`;
  assertError(await staffA.post(url, { staff_id: staffA.user.id }), 400, 'invalid', 'staff_id');
  assertError(await staffA.post(url, { node_id: nodes.hallA.id }), 400, 'invalid', 'node_id');
  assertError(await staffA.post(url, {}), 400, 'invalid', 'staff_id');
  assertError(await staffA.post(url, { staff_id: colleagueId, node_id: nodes.winA2.id }), 400, 'invalid', 'staff_id');
  assertError(await staffA.post(url, { staff_id: 999999999 }), 400, 'invalid', 'staff_id');
  assertError(await staffA.post(url, { node_id: nodes.town.id }), 400, 'invalid', 'node_id');
  assertError(await staffA.post(url, { node_id: 999999999 }), 400, 'invalid', 'node_id');
  assertError(await staffA.post(url, { staff_id: 'x' }), 400, 'invalid', 'staff_id');
  assertError(await colleague.post(url, { staff_id: townStaffId }), 403, 'forbidden');
  const g = await staffA.get(`/api/inquiries/${q.id}`);
  assert.equal(g.json.pending, null);
  assert.deepEqual(g.json.events.map((e) => e.kind), ['recorded']);
});

test('refer: outside the department; department required', async () => {
  const q = await create();
  assertError(await staffA.post(`/api/inquiries/${q.id}/refer`, {}), 400, 'invalid', 'department');
  assertError(await staffA.post(`/api/inquiries/${q.id}/refer`, { department: 'x'.repeat(201) }), 400, 'invalid', 'department');
  const r = await staffA.post(`/api/inquiries/${q.id}/refer`, { department: '区公安分局出入境管理大队', note: '护照业务' });
  assertStatus(r, 200);
  assert.equal(r.json.status, 'referred');
  assert.equal(r.json.referred_to, '区公安分局出入境管理大队');
  assert.ok(r.json.closed_at > 0);
  assert.equal(r.json.events.at(-1).kind, 'referred');
  assertError(await staffA.post(`/api/inquiries/${q.id}/answer`, { answer: '晚了' }), 409, 'conflict', 'status');
});

test('answering while a handover waits: the handover lapses', async () => {
  const q = await create();
  assertStatus(await staffA.post(`/api/inquiries/${q.id}/handover`, { staff_id: colleagueId }), 200);
  const r = await staffA.post(`/api/inquiries/${q.id}/answer`, { answer: '我自己答复了' });
  assertStatus(r, 200);
  assert.equal(r.json.pending, null);
  const inbox = await colleague.get('/api/inquiries', { query: { box: 'inbox', per_page: 500 } });
  assert.ok(!inbox.json.items.some((x) => x.id === q.id));
  assertError(await colleague.post(`/api/inquiries/${q.id}/accept`, {}), 403, 'forbidden');
  assertError(await admin.post(`/api/inquiries/${q.id}/accept`, {}), 409, 'conflict', 'status');
});

test('scope: another subtree cannot see or act; unknown → 404', async () => {
  const q = await create();
  assertError(await adminB.get(`/api/inquiries/${q.id}`), 403, 'forbidden');
  assertError(await adminB.post(`/api/inquiries/${q.id}/answer`, { answer: 'x' }), 403, 'forbidden');
  assertError(await adminB.post(`/api/inquiries/${q.id}/accept`, {}), 403, 'forbidden');
  assertError(await staffA.get('/api/inquiries/999999999'), 404, 'not_found');
  assertError(await staffA.post('/api/inquiries/999999999/answer', { answer: 'x' }), 404, 'not_found');
  assertError(await staffA.get('/api/inquiries/abc'), 404, 'not_found');
  const g = await admin.get(`/api/inquiries/${q.id}`);
  assertStatus(g, 200);
  assert.deepEqual(g.json.actions, [], 'an admin in scope sees it but does not act for the owner');
});

test('case: the owner turns it into a case in one step; the case remembers the inquiry', async () => {
  const q = await create(staffA, { item_code: 'GJJ-TQ-001' });
  const url = `/api/inquiries/${q.id}/case`;
  const applicant = { name: '张三', phone: phone() };
  // bad bodies and the wrong person change nothing
  assertError(await staffA.post(url, {}), 400, 'invalid', 'applicant');
  assertError(await staffA.post(url, { applicant, ticket_id: 1 }), 400, 'invalid', 'ticket_id');
  assertError(await staffA.post(url, { applicant: { ...applicant, phone: '123' } }), 400, 'invalid', 'applicant.phone');
  assertError(await staffA.post(url, { applicant, item_code: 'NO-SUCH-ITEM' }), 400, 'invalid', 'item_code');
  assertError(await admin.post(url, { applicant }), 403, 'forbidden');
  assertError(await adminB.post(url, { applicant }), 403, 'forbidden');
  const still = await staffA.get(`/api/inquiries/${q.id}`);
  assert.equal(still.json.status, 'open');
  assert.deepEqual(still.json.events.map((e) => e.kind), ['recorded']);

  // without an item the inquiry's is taken
  const r = await staffA.post(url, { applicant, modes: ['full_agency'] });
  assertStatus(r, 201);
  const { case: c, query_code: code, inquiry } = r.json;
  assert.match(code, /^[A-Z0-9]{6}$/);
  assert.equal(c.inquiry_id, q.id);
  assert.equal(c.item_code, 'GJJ-TQ-001');
  assert.equal(c.first_owner_id, staffA.user.id);
  assert.equal(c.handler_id, staffA.user.id);
  assert.equal(c.state, 'received');
  assert.ok(!r.text.includes(applicant.phone), 'the full phone is never returned');
  assert.equal(inquiry.status, 'converted');
  assert.equal(inquiry.case_id, c.id);
  assert.ok(inquiry.closed_at > 0);
  assert.deepEqual(inquiry.actions, []);
  const ev = inquiry.events.at(-1);
  assert.equal(ev.kind, 'converted');
  assert.equal(ev.detail, c.number);
  const got = await staffA.get(`/api/cases/${c.id}`);
  assertStatus(got, 200);
  assert.equal(got.json.inquiry_id, q.id);
  assertError(await staffA.post(url, { applicant }), 409, 'conflict', 'status');
});

test('case: not while a handover waits; after an accepted handover the new owner is the first owner', async () => {
  const q = await create(staffA, { item_code: 'RS-YL-001' });
  const url = `/api/inquiries/${q.id}/case`;
  const applicant = { name: '李四', phone: phone() };
  assertStatus(await staffA.post(`/api/inquiries/${q.id}/handover`, { staff_id: colleagueId }), 200);
  assertError(await staffA.post(url, { applicant }), 409, 'conflict', 'pending');
  assertError(await colleague.post(url, { applicant }), 403, 'forbidden');
  assertStatus(await colleague.post(`/api/inquiries/${q.id}/accept`, {}), 200);
  const r = await colleague.post(url, { applicant });
  assertStatus(r, 201);
  assert.equal(r.json.case.first_owner_id, colleagueId);
  assert.equal(r.json.case.node_id, nodes.winA2.id);
  assert.equal(r.json.inquiry.status, 'converted');
  assert.equal(r.json.inquiry.first_owner_id, staffA.user.id, 'the inquiry keeps who recorded it');
});
