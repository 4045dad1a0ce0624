// Queue and calling (排队叫号): series and profiles, a ticket's whole life over
// HTTP, the board and waiting counts, the errors (409 naming the state, 403 for a
// window not assigned, 404 when nobody waits), and eight windows calling at once.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import {
  BASE, DB, Client, loginAs, deviceClient, assertError, assertStatus, demoNodes, createNode, createStaff,
  recordSecret,
} from './helpers.mjs';

let admin;
let nodes;
let hall; // a hall of our own, so the demo halls stay as they are
let windows; // its windows w1..w3
let seriesA;
let seriesB;
let staff1; // assigned to w1
let staff2; // assigned to w2
let outsider; // staff of the hall, assigned nowhere
let kiosk;

async function staffClient(nodeId, windowIds = []) {
  const { staff, login, password } = await createStaff(admin, nodeId);
  for (const w of windowIds) {
    assertStatus(await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: w }), 201, 'assign');
  }
  const c = new Client(login);
  assertStatus(await c.login(login, password), 200, 'login');
  c.staff = staff;
  return c;
}

async function makeHall(nWindows, name = '排队测试厅') {
  const h = await createNode(admin, nodes.dist, 'hall', { name });
  const ws = [];
  for (let i = 1; i <= nWindows; i++) {
    ws.push(await createNode(admin, h, 'window', { code: `w${i}`, name: `${i}号窗口` }));
  }
  return { hall: h, windows: ws };
}

async function makeSeries(h, prefix, name, itemCodes) {
  const body = { prefix, name };
  if (itemCodes) body.item_codes = itemCodes;
  const r = await admin.post(`/api/halls/${h.id}/series`, body);
  assertStatus(r, 201, `series ${prefix}`);
  return r.json;
}

async function setProfile(w, seriesIds, mode = 'longest_wait') {
  const r = await admin.put(`/api/windows/${w.id}/profile`, { json: { series_ids: seriesIds, mode } });
  assertStatus(r, 200, 'profile');
  return r.json;
}

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
  ({ hall, windows } = await makeHall(3));
  seriesA = await makeSeries(hall, 'A', '户籍证件', ['GA-SFZ-001']);
  seriesB = await makeSeries(hall, 'B', '社保医保');
  for (const w of windows) await setProfile(w, [seriesA.id, seriesB.id]);
  staff1 = await staffClient(hall.id, [windows[0].id]);
  staff2 = await staffClient(hall.id, [windows[1].id]);
  outsider = await staffClient(hall.id);
  const d = await admin.post('/api/devices', { kind: 'kiosk', name: '自助取号机', node_id: hall.id });
  assertStatus(d, 201, 'kiosk');
  recordSecret(d.json.token);
  kiosk = deviceClient(d.json.token);
});

function assertTicketShape(t) {
  for (const k of ['id', 'hall_id', 'service_day', 'code', 'series_id', 'series_prefix', 'item_code', 'item_name',
    'priority', 'status', 'window_id', 'window_name', 'staff_id', 'recalls', 'issued_at', 'called_at', 'started_at',
    'finished_at', 'display_name', 'position', 'eta_minutes', 'channel', 'version_id']) {
    assert.ok(k in t, `ticket lacks ${k}: ${JSON.stringify(t)}`);
  }
  assert.match(t.service_day, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(t.code, /^[A-Z]{1,2}\d{3,4}$/);
  assert.equal(t.phone, undefined);
  assert.equal(t.phone_hash, undefined);
}

test('series: list, create, duplicates and bad input, patch; only administrators write', async () => {
  const list = await staff1.get(`/api/halls/${hall.id}/series`);
  assertStatus(list, 200);
  assert.deepEqual(list.json.items.map((s) => s.prefix), ['A', 'B']);
  assert.deepEqual(list.json.items[0].item_codes, ['GA-SFZ-001']);
  assertStatus(await kiosk.get(`/api/halls/${hall.id}/series`), 200, 'the kiosk reads its series');
  assertError(await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'A', name: '重复' }), 409, 'conflict', 'prefix');
  assertError(await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'a', name: '小写' }), 400, 'invalid', 'prefix');
  assertError(await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'ABC', name: '太长' }), 400, 'invalid', 'prefix');
  assertError(await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'K', name: '未知', item_codes: ['NO-SUCH-ITEM'] }),
    400, 'invalid', 'item_codes[0]');
  assertError(await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'K', name: '重复事项', item_codes: ['GA-SFZ-001'] }),
    409, 'conflict', 'item_codes[0]');
  assertError(await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'K', name: 'x', extra: 1 }), 400, 'invalid', 'extra');
  assertError(await staff1.post(`/api/halls/${hall.id}/series`, { prefix: 'K', name: '员工' }), 403, 'forbidden');
  assertError(await admin.post(`/api/halls/${windows[0].id}/series`, { prefix: 'K', name: '窗口' }), 404, 'not_found');
  const k = await makeSeries(hall, 'K', '临时');
  const p = await admin.patch(`/api/series/${k.id}`, { name: '临时业务', active: false, item_codes: [] });
  assertStatus(p, 200);
  assert.equal(p.json.name, '临时业务');
  assert.equal(p.json.active, false);
  assertError(await kiosk.post(`/api/halls/${hall.id}/tickets`, { series_id: k.id }), 409, 'conflict', 'series_id');
  // a profile names series of the window's hall
  assertError(await admin.put(`/api/windows/${windows[2].id}/profile`, { json: { series_ids: [seriesA.id, seriesA.id] } }),
    400, 'invalid', 'series_ids[1]');
  assertError(await admin.put(`/api/windows/${windows[2].id}/profile`, { json: { series_ids: [seriesA.id], mode: 'random' } }),
    400, 'invalid', 'mode');
  const demoSeries = (await admin.get(`/api/halls/${nodes.hallA.id}/series`)).json.items[0];
  assertError(await admin.put(`/api/windows/${windows[2].id}/profile`, { json: { series_ids: [demoSeries.id] } }),
    400, 'invalid', 'series_ids[0]');
  assertError(await staff1.put(`/api/windows/${windows[0].id}/profile`, { json: { series_ids: [] } }), 403, 'forbidden');
});

test('a ticket from kiosk to finish: issue, wait, call, recall, start, park, resume, finish, timeline', async () => {
  const t0 = Math.floor(Date.now() / 1000);
  const issued = await kiosk.post(`/api/halls/${hall.id}/tickets`, { item_code: 'GA-SFZ-001', name: '张三丰', phone: '13800138000' });
  assertStatus(issued, 201, 'issue');
  const t = issued.json;
  assertTicketShape(t);
  assert.equal(t.series_id, seriesA.id);
  assert.equal(t.series_prefix, 'A');
  assert.equal(t.item_code, 'GA-SFZ-001');
  assert.equal(t.item_name, '居民身份证换领');
  assert.equal(t.channel, 'kiosk');
  assert.equal(t.status, 'waiting');
  assert.equal(t.priority, 'normal');
  assert.equal(t.display_name, '张**');
  assert.equal(t.position, 1);
  assert.ok(t.eta_minutes === null || Number.isInteger(t.eta_minutes));
  assert.ok(t.issued_at >= t0 - 2);
  // the public waiting counts and the board
  const waiting = await new Client().get(`/api/halls/${hall.id}/waiting`);
  assertStatus(waiting, 200);
  const wa = waiting.json.series.find((s) => s.series_id === seriesA.id);
  assert.equal(wa.waiting, 1);
  assert.equal(waiting.json.total_waiting, 1);

  const w1 = windows[0];
  assertError(await staff1.post(`/api/windows/${w1.id}/call-next`, {}), 409, 'conflict', 'status');
  const opened = await staff1.post(`/api/windows/${w1.id}/open`, {});
  assertStatus(opened, 200, 'open');
  assert.equal(opened.json.status, 'open');
  assert.equal(opened.json.staff_id, staff1.staff.id);
  assert.deepEqual(opened.json.series_ids, [seriesA.id, seriesB.id]);
  const called = await staff1.post(`/api/windows/${w1.id}/call-next`);
  assertStatus(called, 200, 'call-next');
  assert.equal(called.json.id, t.id);
  assert.equal(called.json.status, 'called');
  assert.equal(called.json.window_id, w1.id);
  assert.equal(called.json.window_name, '1号窗口');
  assert.equal(called.json.staff_id, staff1.staff.id);
  assert.equal(called.json.position, null);

  const board = await new Client().get(`/api/halls/${hall.id}/board`);
  assertStatus(board, 200);
  assert.match(board.headers.get('content-type'), /application\/json/);
  assert.equal(board.json.hall_id, hall.id);
  assert.equal(board.json.hall_name, hall.name);
  assert.equal(board.json.current.length, 1);
  assert.deepEqual(
    { window_id: board.json.current[0].window_id, code: board.json.current[0].code, display_name: board.json.current[0].display_name },
    { window_id: w1.id, code: t.code, display_name: '张**' },
  );
  assert.equal(board.json.recent[0].code, t.code);
  assert.equal(board.json.total_waiting, 0);
  // served from memory until something changes (SQLite; PostgreSQL, shared by
  // several nodes, renders each time): the same board again
  const again = await new Client().get(`/api/halls/${hall.id}/board`);
  assert.deepEqual({ ...again.json, generated_at: 0 }, { ...board.json, generated_at: 0 });

  const recalled = await staff1.post(`/api/tickets/${t.id}/recall`);
  assertStatus(recalled, 200);
  assert.equal(recalled.json.recalls, 1);
  const started = await staff1.post(`/api/tickets/${t.id}/start`, {});
  assertStatus(started, 200);
  assert.equal(started.json.status, 'serving');
  const parked = await staff1.post(`/api/tickets/${t.id}/park`);
  assertStatus(parked, 200);
  assert.equal(parked.json.status, 'parked');
  const queue = await staff1.get(`/api/windows/${w1.id}/queue`);
  assertStatus(queue, 200);
  assert.equal(queue.json.window.current, null);
  assert.deepEqual(queue.json.parked.map((x) => x.id), [t.id]);
  const resumed = await staff1.post(`/api/tickets/${t.id}/resume`);
  assertStatus(resumed, 200);
  assert.equal(resumed.json.status, 'serving');
  const status = await staff1.get(`/api/halls/${hall.id}/windows/status`);
  assertStatus(status, 200);
  const ws = status.json.items.find((x) => x.window_id === w1.id);
  assert.equal(ws.current.id, t.id);
  assert.equal(ws.status, 'open');
  const finished = await staff1.post(`/api/tickets/${t.id}/finish`);
  assertStatus(finished, 200);
  assert.equal(finished.json.status, 'done');
  assert.ok(finished.json.finished_at >= finished.json.started_at);

  const tl = await staff1.get(`/api/tickets/${t.id}/timeline`);
  assertStatus(tl, 200);
  assert.equal(tl.json.ticket.id, t.id);
  assert.deepEqual(tl.json.events.map((e) => e.type),
    ['issued', 'called', 'recalled', 'started', 'parked', 'resumed', 'finished']);
  assert.equal(tl.json.events[0].detail.channel, 'kiosk');
  assert.equal(tl.json.events[1].window_id, w1.id);
  assert.equal(tl.json.events[2].detail.recalls, 1);

  const q2 = await staff1.get(`/api/windows/${w1.id}/queue`);
  assertStatus(q2, 200);
  assert.equal(q2.json.today.served, 1);
  assert.ok(Number.isInteger(q2.json.today.avg_service_s));

  const stats = await admin.get(`/api/halls/${hall.id}/stats`, { query: { by: 'window' } });
  assertStatus(stats, 200);
  assert.equal(stats.json.by, 'window');
  assert.equal(stats.json.day, t.service_day);
  const row = stats.json.rows.find((x) => x.key === w1.id);
  assert.equal(row.served, 1);
  assert.equal(row.name, '1号窗口');
  for (const k of ['issued', 'served', 'no_shows', 'withdrawn', 'avg_wait_s', 'p90_wait_s', 'avg_service_s',
    'p90_service_s', 'wait_timeouts', 'service_timeouts']) assert.ok(Number.isInteger(row[k]), k);
  assert.ok(Number.isInteger(stats.json.live_waiting));
  const byStaff = await admin.get(`/api/halls/${hall.id}/stats`, { query: { by: 'staff' } });
  assertStatus(byStaff, 200);
  const mine = byStaff.json.rows.find((x) => x.key === staff1.staff.id);
  assert.equal(mine.served, 1);
  assert.equal(mine.name, staff1.staff.name);
  const bySeries = await admin.get(`/api/halls/${hall.id}/stats`, { query: { by: 'series' } });
  assert.equal(bySeries.json.rows.find((x) => x.key === seriesA.id).served, 1);
  assertError(await staff1.get(`/api/halls/${hall.id}/stats`), 403, 'forbidden');
  assertError(await admin.get(`/api/halls/${hall.id}/stats`, { query: { by: 'unit' } }), 400, 'invalid', 'by');
  assertError(await admin.get(`/api/halls/${hall.id}/stats`, { query: { day: '2026-02-30' } }), 400, 'invalid', 'day');
  const leaderT = await loginAs('t_leader_t');
  assertError(await leaderT.get(`/api/halls/${hall.id}/stats`), 403, 'forbidden');
  const none = await admin.get(`/api/halls/${hall.id}/stats`, { query: { day: '2020-01-01' } });
  assertStatus(none, 200);
  assert.deepEqual(none.json.rows, []);
  assertStatus(await staff1.post(`/api/windows/${w1.id}/close`), 200);
});

test('wrong state → 409 naming the state; nobody waiting → 404; bad input → 400', async () => {
  const w2 = windows[1];
  assertStatus(await staff2.post(`/api/windows/${w2.id}/open`), 200);
  assertError(await staff2.post(`/api/windows/${w2.id}/call-next`), 404, 'not_found', 'queue');
  const t = (await staff2.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesB.id, priority: 'green' })).json;
  assert.equal(t.channel, 'staff');
  assert.equal(t.priority, 'green');
  for (const action of ['recall', 'start', 'finish', 'no-show', 'park', 'resume']) {
    const r = await staff2.post(`/api/tickets/${t.id}/${action}`);
    assertError(r, 409, 'conflict', 'status');
    assert.match(r.json.error.message, /waiting/, `${action}: ${r.json.error.message}`);
  }
  const called = await staff2.post(`/api/windows/${w2.id}/call`, { code: t.code });
  assertStatus(called, 200);
  // the window holds a called ticket: no second call
  const t2 = (await staff2.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesB.id })).json;
  const busy = await staff2.post(`/api/windows/${w2.id}/call-next`);
  assertError(busy, 409, 'conflict', 'status');
  assert.match(busy.json.error.message, new RegExp(t.code));
  const finishCalled = await staff2.post(`/api/tickets/${t.id}/finish`);
  assertError(finishCalled, 409, 'conflict', 'status');
  assert.match(finishCalled.json.error.message, /called/);
  assertError(await staff2.post(`/api/windows/${w2.id}/call`, { code: t.code }), 409, 'conflict', 'status');
  assertError(await staff2.post(`/api/windows/${w2.id}/call`, {}), 400, 'invalid', 'code');
  // recall limit (2), then no-show
  assertError(await staff2.post(`/api/tickets/${t.id}/no-show`), 409, 'conflict', 'recalls');
  assertStatus(await staff2.post(`/api/tickets/${t.id}/recall`), 200);
  assertStatus(await staff2.post(`/api/tickets/${t.id}/recall`), 200);
  assertError(await staff2.post(`/api/tickets/${t.id}/recall`), 409, 'conflict', 'recalls');
  const ns = await staff2.post(`/api/tickets/${t.id}/no-show`);
  assertStatus(ns, 200);
  assert.equal(ns.json.status, 'no_show');
  // the window is free again: an unknown number is not found
  assertError(await staff2.post(`/api/windows/${w2.id}/call`, { code: 'Z999' }), 404, 'not_found', 'code');
  assertError(await staff2.post(`/api/tickets/${t.id}/withdraw`, { reason: '重复' }), 409, 'conflict', 'status');
  // withdraw a waiting ticket
  const wd = await staff2.post(`/api/tickets/${t2.id}/withdraw`, { reason: '群众离开' });
  assertStatus(wd, 200);
  assert.equal(wd.json.status, 'withdrawn');
  // bad input
  assertError(await staff2.post(`/api/halls/${hall.id}/tickets`, {}), 400, 'invalid', 'item_code');
  assertError(await staff2.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesB.id, priority: 'vip' }), 400, 'invalid', 'priority');
  assertError(await staff2.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesB.id, phone: '12ab' }), 400, 'invalid', 'phone');
  assertError(await staff2.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesB.id, priority: 'appointment' }), 400, 'invalid', 'priority');
  assertError(await staff2.post(`/api/halls/${hall.id}/tickets`, { item_code: 'RS-YL-001' }), 400, 'invalid', 'item_code');
  assertError(await staff2.post(`/api/tickets/999999999/start`), 404, 'not_found');
  assertError(await staff2.post(`/api/windows/${hall.id}/open`), 404, 'not_found');
  assertError(await staff2.post(`/api/windows/${w2.id}/call-next`, { x: 1 }), 400, 'invalid', 'x');
  assertStatus(await staff2.post(`/api/windows/${w2.id}/close`), 200);
});

test('a window not assigned → 403; a kiosk of another hall → 403; devices and the public may not act', async () => {
  const w1 = windows[0];
  assertError(await outsider.post(`/api/windows/${w1.id}/open`), 403, 'forbidden');
  assertError(await staff2.post(`/api/windows/${w1.id}/call-next`), 403, 'forbidden');
  assertStatus(await staff1.post(`/api/windows/${w1.id}/open`), 200);
  const t = (await kiosk.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesA.id })).json;
  const c = await staff1.post(`/api/windows/${w1.id}/call`, { code: t.code });
  assertStatus(c, 200);
  assertError(await staff2.post(`/api/tickets/${t.id}/start`), 403, 'forbidden');
  assertError(await outsider.post(`/api/tickets/${t.id}/transfer`, { series_id: seriesB.id }), 403, 'forbidden');
  // an administrator in scope may act at any window of the hall
  assertStatus(await admin.post(`/api/tickets/${t.id}/start`), 200);
  assertStatus(await staff1.post(`/api/tickets/${t.id}/finish`), 200);
  // devices: the kiosk issues only at its hall, and does nothing else
  const other = await admin.post('/api/devices', { kind: 'kiosk', name: '别处取号机', node_id: nodes.hallB.id });
  assertStatus(other, 201);
  recordSecret(other.json.token);
  const otherKiosk = deviceClient(other.json.token);
  assertError(await otherKiosk.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesA.id }), 403, 'forbidden');
  const display = await admin.post('/api/devices', { kind: 'display', name: '显示屏', node_id: hall.id });
  recordSecret(display.json.token);
  assertError(await deviceClient(display.json.token).post(`/api/halls/${hall.id}/tickets`, { series_id: seriesA.id }),
    403, 'forbidden');
  assertError(await kiosk.post(`/api/windows/${w1.id}/call-next`), 401, 'unauthorized');
  assertError(await new Client().post(`/api/halls/${hall.id}/tickets`, { series_id: seriesA.id }), 401, 'unauthorized');
  // accounts of another subtree see nothing
  const leader = await loginAs('t_leader_t');
  assertError(await leader.get(`/api/halls/${hall.id}/series`), 403, 'forbidden');
  const adminB = await loginAs('t_admin_b');
  assertError(await adminB.get(`/api/windows/${w1.id}/queue`), 403, 'forbidden');
  assertError(await adminB.post(`/api/windows/${w1.id}/open`), 403, 'forbidden');
  assertStatus(await staff1.post(`/api/windows/${w1.id}/close`), 200);
});

test('transfer keeps the issue time; walk-direct serves at once', async () => {
  const [w1, w2] = windows;
  assertStatus(await staff1.post(`/api/windows/${w1.id}/open`), 200);
  assertStatus(await staff2.post(`/api/windows/${w2.id}/open`), 200);
  await setProfile(w2, [seriesB.id], 'strict_priority');
  try {
    const a = (await kiosk.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesA.id })).json;
    await new Promise((r) => setTimeout(r, 1100));
    const b = (await kiosk.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesB.id })).json;
    assertStatus(await staff1.post(`/api/windows/${w1.id}/call`, { code: a.code }), 200);
    const tr = await staff1.post(`/api/tickets/${a.id}/transfer`, { series_id: seriesB.id, raise_priority: false });
    assertStatus(tr, 200, 'transfer');
    assert.equal(tr.json.status, 'waiting');
    assert.equal(tr.json.code, a.code);
    assert.equal(tr.json.series_id, seriesB.id);
    assert.equal(tr.json.issued_at, a.issued_at);
    const bNow = (await staff1.get(`/api/tickets/${b.id}/timeline`)).json.ticket;
    assert.equal(bNow.position, tr.json.position + 1, 'ahead of the later B ticket');
    const next = await staff2.post(`/api/windows/${w2.id}/call-next`);
    assertStatus(next, 200);
    assert.equal(next.json.id, a.id);
    assertStatus(await staff2.post(`/api/tickets/${a.id}/start`), 200);
    assertStatus(await staff2.post(`/api/tickets/${a.id}/finish`), 200);
    // walk-direct: a ticket serving at once
    const wd = await staff1.post(`/api/windows/${w1.id}/walk-direct`, { name: '李四' });
    assertStatus(wd, 201, 'walk-direct');
    assert.equal(wd.json.status, 'serving');
    assert.equal(wd.json.channel, 'walk_direct');
    assert.equal(wd.json.display_name, '李*');
    assert.equal(wd.json.window_id, w1.id);
    assertError(await staff1.post(`/api/windows/${w1.id}/walk-direct`, {}), 409, 'conflict', 'status');
    assertStatus(await staff1.post(`/api/tickets/${wd.json.id}/finish`), 200);
    assertStatus(await staff1.post(`/api/tickets/${b.id}/withdraw`), 200);
  } finally {
    await setProfile(w2, [seriesA.id, seriesB.id]);
    await staff1.post(`/api/windows/${w1.id}/close`);
    await staff2.post(`/api/windows/${w2.id}/close`);
  }
});

// ---- a second server node on the same database ----

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Start `chuangkou serve` on the suite's database; resolves to {base, stop()}. */
async function secondNode() {
  const dir = mkdtempSync(join(tmpdir(), 'ck-node2-'));
  const port = await freePort();
  let err = '';
  const p = spawn(process.env.CK_BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--db', DB, '--web', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CHUANGKOU_BUSY_TIMEOUT_MS: '5000' },
  });
  p.stderr.on('data', (d) => { err += d.toString(); });
  const exited = new Promise((resolve) => p.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    async stop() {
      p.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      assert.doesNotMatch(err, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/, 'node 2 sanitizer report');
      assert.equal(code, 0, `node 2 exit ${code}: ${err.slice(-500)}`);
    },
  };
}

/** POST as a logged-in client, to another node. */
async function postAt(base, c, path) {
  const res = await fetch(base + path, { method: 'POST', headers: { Cookie: `ck_session=${c.session}`, 'X-CSRF-Token': c.csrf } });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json, headers: res.headers };
}

test('40 tickets, 8 windows calling at once: every ticket called exactly once', async () => {
  const { hall: h, windows: ws } = await makeHall(8, '并发叫号厅');
  const s = await makeSeries(h, 'A', '综合');
  const clerks = [];
  for (const w of ws) {
    await setProfile(w, [s.id]);
    const c = await staffClient(h.id, [w.id]);
    assertStatus(await c.post(`/api/windows/${w.id}/open`), 200, 'open');
    clerks.push(c);
  }
  const issued = await Promise.all(Array.from({ length: 40 }, () => admin.post(`/api/halls/${h.id}/tickets`, { series_id: s.id })));
  for (const r of issued) assertStatus(r, 201, 'issue');
  const codes = issued.map((r) => r.json.code);
  assert.equal(new Set(codes).size, 40, 'numbers repeat');
  assert.deepEqual([...codes].sort(), Array.from({ length: 40 }, (_, i) => `A${String(i + 1).padStart(3, '0')}`));

  // half the windows call through a second server node on the same database
  // (own writer, own connections): the claim in the database keeps them apart
  const node2 = process.env.CK_BIN ? await secondNode() : null;
  const calls = ws.map(() => []);
  try {
    await Promise.all(ws.map(async (w, i) => {
      const base = node2 && i % 2 ? node2.base : BASE;
      for (let n = 0; n < 100; n++) {
        const r = await postAt(base, clerks[i], `/api/windows/${w.id}/call-next`);
        if (r.status === 404) {
          assertError(r, 404, 'not_found', 'queue');
          return;
        }
        assertStatus(r, 200, `call-next at window ${i + 1}`);
        assert.equal(r.json.window_id, w.id);
        calls[i].push(r.json.id);
        assertStatus(await postAt(base, clerks[i], `/api/tickets/${r.json.id}/start`), 200, 'start');
        assertStatus(await postAt(base, clerks[i], `/api/tickets/${r.json.id}/finish`), 200, 'finish');
      }
      assert.fail('a window kept calling');
    }));
  } finally {
    if (node2) await node2.stop();
  }
  const all = calls.flat();
  assert.equal(all.length, 40, `calls: ${all.length}`);
  assert.equal(new Set(all).size, 40, 'a ticket was called twice');
  for (const list of calls) assert.equal(new Set(list).size, list.length, 'a window got a ticket twice');
  assert.ok(calls.filter((l) => l.length > 0).length >= 2, 'the calls were shared between windows');
  // each ticket's timeline holds exactly one call, by the window that got it
  const byId = new Map();
  calls.forEach((list, i) => list.forEach((id) => byId.set(id, ws[i].id)));
  const timelines = await Promise.all(all.map((id) => admin.get(`/api/tickets/${id}/timeline`)));
  for (const tl of timelines) {
    assertStatus(tl, 200);
    const callEvents = tl.json.events.filter((e) => e.type === 'called');
    assert.equal(callEvents.length, 1, `ticket ${tl.json.ticket.code} called ${callEvents.length} times`);
    assert.equal(callEvents[0].window_id, byId.get(tl.json.ticket.id));
    assert.equal(tl.json.ticket.status, 'done');
  }
  const stats = await admin.get(`/api/halls/${h.id}/stats`, { query: { by: 'hall' } });
  assertStatus(stats, 200);
  assert.equal(stats.json.rows[0].served, 40);
  assert.equal(stats.json.live_waiting, 0);
  const board = await new Client().get(`/api/halls/${h.id}/board`);
  assert.equal(board.json.total_waiting, 0);
  assert.equal(board.json.recent.length, 10);
  assert.equal(board.json.current.length, 0);
  for (const [i, w] of ws.entries()) assertStatus(await clerks[i].post(`/api/windows/${w.id}/close`), 200);
});

test('the recall limit is a hall setting: read by staff, set by an admin', async () => {
  const admin = await loginAs('t_admin');
  const nodesNow = await demoNodes(admin);
  const hall = nodesNow.hallA.id;
  const before = await admin.get(`/api/halls/${hall}/queue-settings`);
  assertStatus(before, 200);
  assert.equal(typeof before.json.recall_limit, 'number');
  const staff = await loginAs('t_staff_a');
  assertError(await staff.put(`/api/halls/${hall}/queue-settings`, { json: { recall_limit: 3 } }), 403, 'forbidden');
  assertError(await admin.put(`/api/halls/${hall}/queue-settings`, { json: { recall_limit: 99 } }), 400, 'invalid', 'recall_limit');
  const set = await admin.put(`/api/halls/${hall}/queue-settings`, { json: { recall_limit: 3 } });
  assertStatus(set, 200);
  assert.equal(set.json.recall_limit, 3);
  assert.equal((await staff.get(`/api/halls/${hall}/queue-settings`)).json.recall_limit, 3);
  assertStatus(await admin.put(`/api/halls/${hall}/queue-settings`, { json: { recall_limit: before.json.recall_limit } }), 200);
  const adminB = await loginAs('t_admin_b');
  assertError(await adminB.put(`/api/halls/${hall}/queue-settings`, { json: { recall_limit: 1 } }), 403, 'forbidden');
});

test('pause (暂停服务): a paused window calls nobody but finishes what it holds; open resumes it', async () => {
  const [w1] = windows;
  assertError(await staff1.post(`/api/windows/${w1.id}/pause`), 409, 'conflict', 'status'); // closed
  assertError(await outsider.post(`/api/windows/${w1.id}/pause`), 403, 'forbidden');
  assertStatus(await staff1.post(`/api/windows/${w1.id}/open`), 200);
  const a = (await kiosk.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesA.id })).json;
  const b = (await kiosk.post(`/api/halls/${hall.id}/tickets`, { series_id: seriesA.id })).json;
  try {
    const called = await staff1.post(`/api/windows/${w1.id}/call-next`);
    assertStatus(called, 200);
    assert.equal(called.json.id, a.id);
    const p = await staff1.post(`/api/windows/${w1.id}/pause`);
    assertStatus(p, 200, 'pause');
    assert.equal(p.json.status, 'paused');
    assert.equal(p.json.current.id, a.id, 'the called ticket stays with the paused window');
    assertStatus(await staff1.post(`/api/windows/${w1.id}/pause`), 200, 'pausing twice changes nothing');
    const list = (await staff1.get(`/api/halls/${hall.id}/windows/status`)).json.items;
    assert.equal(list.find((w) => w.window_id === w1.id).status, 'paused');
    // what it holds is still served and finished
    assertStatus(await staff1.post(`/api/tickets/${a.id}/start`), 200);
    assertStatus(await staff1.post(`/api/tickets/${a.id}/finish`), 200);
    // but it calls nobody
    const refused = await staff1.post(`/api/windows/${w1.id}/call-next`);
    assertError(refused, 409, 'conflict', 'status');
    assert.equal(refused.json.error.message, 'the window is paused');
    assertError(await staff1.post(`/api/windows/${w1.id}/call`, { code: b.code }), 409, 'conflict', 'status');
    assertError(await staff1.post(`/api/windows/${w1.id}/walk-direct`, {}), 409, 'conflict', 'status');
    const still = (await staff1.get(`/api/tickets/${b.id}/timeline`)).json.ticket;
    assert.equal(still.status, 'waiting', 'nothing was called while paused');
    // opening it again resumes calling
    const o = await staff1.post(`/api/windows/${w1.id}/open`);
    assertStatus(o, 200);
    assert.equal(o.json.status, 'open');
    const next = await staff1.post(`/api/windows/${w1.id}/call-next`);
    assertStatus(next, 200);
    assert.equal(next.json.id, b.id);
    assertStatus(await staff1.post(`/api/tickets/${b.id}/start`), 200);
    assertStatus(await staff1.post(`/api/tickets/${b.id}/finish`), 200);
  } finally {
    await staff1.post(`/api/windows/${w1.id}/open`);
    await staff1.post(`/api/windows/${w1.id}/close`);
  }
});
