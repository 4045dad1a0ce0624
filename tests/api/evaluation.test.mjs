// 好差评: tokens bound to service events (pending until the service ends, once,
// 追评 once), the window tablet (invitation over the window's stream, its own
// window only), the public page by token / case number / window QR, staff
// entry (not for one's own service), 差评 reasons, dims of the current set,
// the chain head, lists in scope, the audited identity, and settings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createStaff, createNode, deviceClient,
  recordSecret, openEventStream, shanghaiNow, BASE,
} from './helpers.mjs';

const anon = new Client('anon');
const PHONE = '13800138000'; // run.sh lists it as a secret
const ITEM = 'RS-YL-001'; // 即办件
const DIMS = { efficiency: 5, competence: 4, attitude: 5 };

let admin;
let leader; // t_leader_t: another tree
let nodes;
let hall;
let win;
let clerk; // works at win
let clerkId;
let clerkLogin;
let clerkPassword;
let colleague; // staff in the same hall
let tablet; // the evaluator device of win
let tabletToken;

async function service(who = clerk) {
  const t = await who.post(`/api/halls/${hall.id}/tickets`, { item_code: ITEM });
  assertStatus(t, 201, 'issue');
  assert.match(t.json.eval_token, /^[A-Za-z0-9_-]{24}$/, 'the answer carries the token');
  recordSecret(t.json.eval_token);
  return t.json;
}

async function serve(ticket) {
  const c = await clerk.post(`/api/windows/${win.id}/call`, { code: ticket.code });
  assertStatus(c, 200, 'call');
  assertStatus(await clerk.post(`/api/tickets/${ticket.id}/start`, {}), 200, 'start');
  const f = await clerk.post(`/api/tickets/${ticket.id}/finish`, {});
  assertStatus(f, 200, 'finish');
  assert.equal(f.json.eval_token, undefined, 'only the issuing answer carries a token');
  return f.json;
}

before(async () => {
  admin = await loginAs('t_admin');
  leader = await loginAs('t_leader_t');
  nodes = await demoNodes(admin);
  hall = await createNode(admin, nodes.dist, 'hall', { name: '评价测试厅' });
  win = await createNode(admin, hall, 'window', { code: 'e1', name: '评价1号窗口' });
  const series = await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'P', name: '评价', item_codes: [ITEM] });
  assertStatus(series, 201, 'series');
  assertStatus(await admin.put(`/api/windows/${win.id}/profile`, { json: { series_ids: [series.json.id], mode: 'longest_wait' } }), 200);
  const s = await createStaff(admin, hall.id, { name: '窗口评价员', badge_no: 'PJ-001', party_member: true });
  clerkId = s.staff.id;
  clerkLogin = s.login;
  clerkPassword = s.password;
  assertStatus(await admin.post(`/api/staff/${clerkId}/assignments`, { window_id: win.id }), 201, 'assign');
  clerk = await loginAs(s.login, s.password);
  const o = await createStaff(admin, hall.id);
  colleague = await loginAs(o.login, o.password);
  assertStatus(await clerk.post(`/api/windows/${win.id}/open`, {}), 200, 'open');
  const d = await admin.post('/api/devices', { kind: 'evaluator', name: '评价器', node_id: win.id });
  assertStatus(d, 201, 'device');
  tabletToken = d.json.token;
  recordSecret(tabletToken);
  tablet = deviceClient(tabletToken);
});

test('a token is not yet valid before the service ends; unknown tokens are 404', async () => {
  const t = await service();
  const g = await anon.get(`/api/public/evaluations/token/${t.eval_token}`);
  assertStatus(g, 200, 'event');
  assert.equal(g.json.state, 'pending');
  assert.equal(g.json.can_evaluate, false);
  assertError(await anon.post('/api/public/evaluations', { token: t.eval_token, level: 5 }), 409, 'conflict', 'token');
  assertError(await anon.get('/api/public/evaluations/token/AAAAAAAAAAAAAAAAAAAAAAAA'), 404, 'not_found', 'token');
  assertError(await anon.get('/api/public/evaluations/token/short'), 404, 'not_found', 'token');
  assertError(await anon.post('/api/public/evaluations', { token: 'AAAAAAAAAAAAAAAAAAAAAAAA', level: 5 }), 404, 'not_found', 'token');
  // a no-show: never delivered, nothing to evaluate
  await clerk.post(`/api/windows/${win.id}/call`, { code: t.code });
  for (let i = 0; i < 5; i++) {
    const r = await clerk.post(`/api/tickets/${t.id}/no-show`, {});
    if (r.status === 200) break;
    assertStatus(await clerk.post(`/api/tickets/${t.id}/recall`, {}), 200, 'recall');
  }
  assertError(await anon.post('/api/public/evaluations', { token: t.eval_token, level: 5 }), 410, 'gone', 'token');
});

test('finishing invites the tablet; 差评 needs a reason; once only; the 差评 is listed', async () => {
  const t = await service();
  const stream = openEventStream(`/api/windows/${win.id}/events`, { Authorization: `Device ${tabletToken}` });
  await stream.ready;
  await serve(t);
  const inv = await stream.waitFor((e) => e.event === 'evaluation.invite', 5000);
  stream.close();
  const ev = JSON.parse(inv.data).event;
  assert.equal(ev.state, 'open');
  assert.equal(ev.ticket_code, t.code);
  assert.equal(ev.staff.name, '窗口评价员');
  assert.equal(ev.staff.badge_no, 'PJ-001');
  assert.equal(ev.staff.party_member, true);
  assert.ok(ev.reasons.length >= 3, 'the reason list comes with it');
  assert.deepEqual(ev.indicators.items.map((i) => i.code), ['efficiency', 'competence', 'attitude']);
  assert.ok(!inv.data.includes(t.eval_token), 'the stream never carries the token');
  const st = await tablet.get('/api/evaluator/state');
  assertStatus(st, 200, 'state');
  assert.equal(st.json.pending.id, ev.id);
  assert.equal(st.json.staff.staff_id, clerkId);

  assertError(await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 2 }), 400, 'invalid', 'reasons');
  assertError(await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 2, reasons: ['nonsense'] }), 400, 'invalid', 'reasons[0]');
  assertError(await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 6 }), 400, 'invalid', 'level');
  assertError(await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 0 }), 400, 'invalid', 'level');
  assertError(await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 5, reasons: ['slow'] }), 400, 'invalid', 'reasons');
  assertError(await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 4, dims: { efficiency: 5 } }), 400, 'invalid', 'dims');
  assertError(await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 4, dims: { ...DIMS, attitude: 7 } }), 400, 'invalid', 'dims');
  const ok = await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 2, reasons: ['slow', 'wait'], text: '等了很久' });
  assertStatus(ok, 201, 'a 差评 with its reasons');
  assert.equal(ok.json.bad, true);
  assert.equal(ok.json.channel, 'tablet');
  assert.deepEqual(ok.json.reasons, ['slow', 'wait']);
  // replays: the first stands
  assertError(await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 5 }), 409, 'conflict', 'token');
  assertError(await anon.post('/api/public/evaluations', { token: t.eval_token, level: 5 }), 409, 'conflict', 'token');
  const mine = await clerk.get('/api/evaluations', { query: { mine: 1 } });
  assertStatus(mine, 200, 'mine');
  const got = mine.json.items.filter((v) => v.event_id === ev.id);
  assert.equal(got.length, 1, 'one evaluation for the service');
  assert.equal(got[0].level, 2);
  assert.equal(got[0].staff_id, clerkId);
  const bad = await admin.get('/api/evaluations', { query: { node_id: hall.id, bad: 1 } });
  assert.ok(bad.json.items.some((v) => v.id === ok.json.id));
  // the 差评 opened its work order in the same transaction
  const detail = await admin.get(`/api/evaluations/${ok.json.id}`);
  assertStatus(detail, 200, 'detail');
  assert.ok(detail.json.bad_review, 'a work order');
  assert.equal(detail.json.bad_review.state, 'assigned');
  assert.equal(detail.json.event.id, ev.id);
});

test('the tablet evaluates only its own window', async () => {
  const other = await createNode(admin, hall, 'window', { code: 'e2', name: '评价2号窗口' });
  const d = await admin.post('/api/devices', { kind: 'evaluator', name: '评价器2', node_id: other.id });
  recordSecret(d.json.token);
  const t = await service();
  await serve(t);
  const ev = (await anon.get(`/api/public/evaluations/token/${t.eval_token}`)).json;
  assertError(await deviceClient(d.json.token).post('/api/evaluator/evaluations', { event_id: ev.id, level: 5 }), 404, 'not_found', 'event_id');
});

test('the public page by token with dims, then one 追评; real-name data is masked', async () => {
  const t = await service();
  await serve(t);
  const r = await anon.post('/api/public/evaluations', {
    token: t.eval_token, level: 5, dims: DIMS, text: '服务很好', evaluator: { name: '张三', phone: PHONE }, device: 'browser-1',
  });
  assertStatus(r, 201, 'evaluate');
  assert.equal(r.json.channel, 'qr');
  assert.equal(r.json.phone_mask, undefined, 'the public answer carries no identity');
  const g = await anon.get(`/api/public/evaluations/token/${t.eval_token}`);
  assert.equal(g.json.state, 'rated');
  assert.equal(g.json.can_evaluate, false);
  assert.equal(g.json.can_followup, true);
  const f = await anon.post('/api/public/evaluations', { token: t.eval_token, level: 4, followup: true, text: '追加评价' });
  assertStatus(f, 201, '追评');
  assert.equal(f.json.kind, 'followup');
  assertError(await anon.post('/api/public/evaluations', { token: t.eval_token, level: 3, followup: true }), 409, 'conflict', 'token');
  const list = await admin.get('/api/evaluations', { query: { node_id: hall.id } });
  const row = list.json.items.find((v) => v.id === r.json.id);
  assert.equal(row.phone_mask, '138****8000');
  assert.equal(row.evaluator_name, '张*', 'the name is masked too');
  assert.deepEqual(row.dims, DIMS);
  assert.ok(!JSON.stringify(list.json).includes(PHONE), 'lists show masks only');
  // the identity: a leader in scope, audited; staff may not
  assertError(await clerk.post(`/api/evaluations/${r.json.id}/identity`, {}), 403, 'forbidden');
  const id = await admin.post(`/api/evaluations/${r.json.id}/identity`, {});
  assertStatus(id, 200, 'identity');
  assert.equal(id.json.phone, PHONE);
  assert.equal(id.json.name, '张三');
  // nobody reads who evaluated their own service, whatever their role
  assertStatus(await admin.patch(`/api/staff/${clerkId}`, { role: 'supervisor' }), 200, 'promote');
  const sup = await loginAs(clerkLogin, clerkPassword);
  assertError(await sup.post(`/api/evaluations/${r.json.id}/identity`, {}), 403, 'forbidden');
  assertStatus(await admin.patch(`/api/staff/${clerkId}`, { role: 'staff' }), 200, 'demote');
  clerk = await loginAs(clerkLogin, clerkPassword);
  const audit = await admin.get('/api/audit', { query: { entity: 'evaluation', entity_id: r.json.id } });
  assert.ok(audit.json.items.some((a) => a.action === 'evaluation.identity'));
  assertError(await leader.get(`/api/evaluations/${r.json.id}`), 404, 'not_found');
});

test('a staff member cannot evaluate a service they delivered; a colleague enters a hotline one', async () => {
  const t = await service();
  await serve(t);
  assertError(await clerk.post('/api/evaluations/entry', { ticket_id: t.id, channel: 'hotline', level: 5 }), 403, 'forbidden', 'staff_id');
  // nor through the public page from their own logged-in browser
  const own = await clerk.post('/api/public/evaluations', { token: t.eval_token, level: 5 });
  assertError(own, 403, 'forbidden', 'staff_id');
  assertError(await colleague.post('/api/evaluations/entry', { ticket_id: t.id, channel: 'fax', level: 5 }), 400, 'invalid', 'channel');
  const e = await colleague.post('/api/evaluations/entry', { ticket_id: t.id, channel: 'hotline', level: 4 });
  assertStatus(e, 201, 'hotline entry');
  assert.equal(e.json.channel, 'hotline');
  assert.ok(e.json.entered_by > 0);
});

test('a window QR asks for today\'s ticket code; a case by number and applicant name', async () => {
  const t = await service();
  await serve(t);
  const l = await anon.get('/api/public/evaluations/lookup', { query: { window_id: win.id, ticket: t.code } });
  assertStatus(l, 200, 'lookup');
  assert.equal(l.json.ticket_code, t.code);
  assertError(await anon.get('/api/public/evaluations/lookup', { query: { window_id: win.id, ticket: 'Z999' } }), 404, 'not_found', 'ticket');
  assertError(await anon.get('/api/public/evaluations/lookup', { query: { ticket: t.code } }), 400, 'invalid', 'ticket');
  const w = await anon.post('/api/public/evaluations', { window_id: win.id, ticket: t.code, level: 5 });
  assertStatus(w, 201, 'by window QR');
  assert.equal(w.json.channel, 'window_qr');

  const reg = await clerk.post('/api/cases', { item_code: ITEM, applicant: { kind: 'person', name: '李四', phone: PHONE }, complete_now: true });
  assertStatus(reg, 201, 'case');
  assert.match(reg.json.eval_token, /^[A-Za-z0-9_-]{24}$/);
  recordSecret(reg.json.eval_token);
  assertError(await anon.get('/api/public/evaluations/lookup', { query: { case_number: reg.json.case.number, name: '王五' } }), 404, 'not_found');
  const c = await anon.get('/api/public/evaluations/lookup', { query: { case_number: reg.json.case.number, name: '李四' } });
  assertStatus(c, 200, 'case lookup');
  assert.equal(c.json.state, 'open');
  assert.equal(c.json.node, 'complete');
  const v = await anon.post('/api/public/evaluations', { case_number: reg.json.case.number, name: '李四', level: 1, reasons: ['attitude'] });
  assertStatus(v, 201, 'by case number');
  assert.equal(v.json.channel, 'web');
  assertError(await anon.post('/api/public/evaluations', { token: reg.json.eval_token, level: 5 }), 409, 'conflict', 'token');
});

test('the chain head of today names the last evaluation and its hash', async () => {
  const t = await service();
  await serve(t);
  const r = await anon.post('/api/public/evaluations', { token: t.eval_token, level: 3 });
  assertStatus(r, 201);
  const h = await anon.get('/api/public/evaluations/chain-head', { query: { date: shanghaiNow().day } });
  assertStatus(h, 200, 'head');
  assert.ok(h.json.count >= 1);
  const last = await admin.get(`/api/evaluations/${h.json.last_id}`);
  assertStatus(last, 200, 'last');
  assert.equal(last.json.hash, h.json.head);
  assert.match(h.json.head, /^[0-9a-f]{64}$/);
  const empty = await anon.get('/api/public/evaluations/chain-head', { query: { date: '2001-01-01' } });
  assert.equal(empty.json.count, 0);
  assert.equal(empty.json.head, null);
  assertError(await anon.get('/api/public/evaluations/chain-head', { query: { date: 'yesterday' } }), 400, 'invalid', 'date');
});

test('settings: everyone in the region reads them, an admin writes them, ranges named', async () => {
  const g = await clerk.get('/api/eval-settings');
  assertStatus(g, 200, 'read');
  assert.equal(g.json.window_days, 7);
  assert.equal(g.json.unrated_mode, 'unrated');
  const body = { ...g.json, window_days: 10 };
  assertError(await clerk.put('/api/eval-settings', { json: body }), 403, 'forbidden');
  assertError(await admin.put('/api/eval-settings', { json: { ...body, window_days: 0 } }), 400, 'invalid', 'window_days');
  assertError(await admin.put('/api/eval-settings', { json: { ...body, unrated_mode: 'maybe' } }), 400, 'invalid', 'unrated_mode');
  assertError(await admin.put('/api/eval-settings', { json: { ...body, case_nodes: 'accept' } }), 400, 'invalid', 'case_nodes');
  const p = await admin.put('/api/eval-settings', { json: body });
  assertStatus(p, 200, 'write');
  assert.equal((await clerk.get('/api/eval-settings')).json.window_days, 10);
  assertStatus(await admin.put('/api/eval-settings', { json: g.json }), 200, 'restore');
});

test('lists: filters checked, staff see their own only', async () => {
  assertError(await admin.get('/api/evaluations', { query: { level: 9 } }), 400, 'invalid', 'level');
  assertError(await admin.get('/api/evaluations', { query: { from: '2026-13-01' } }), 400, 'invalid', 'from');
  assertError(await admin.get('/api/evaluations', { query: { channel: 'pigeon' } }), 400, 'invalid', 'channel');
  assertError(await colleague.get('/api/evaluations', { query: { staff_id: clerkId } }), 403, 'forbidden', 'staff_id');
  const c = await colleague.get('/api/evaluations');
  assert.ok(c.json.items.every((v) => v.staff_id !== clerkId));
  void BASE;
});
