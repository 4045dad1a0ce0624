// Live events (SSE): what a hall screen and a window tablet receive, replay
// after a reconnect with Last-Event-ID, heartbeats, and scope.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createStaff, openEventStream as openStream,
} from './helpers.mjs';

let admin;
let nodes;

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
});

async function staffAtWindow(win) {
  const { staff, login, password } = await createStaff(admin, nodes.hallA.id);
  assertStatus(await admin.post(`/api/staff/${staff.id}/assignments`, { window_id: win.id }), 201);
  const c = new Client(login);
  assertStatus(await c.login(login, password), 200);
  return c;
}

test('a hall screen sees tickets issued and called, as they happen', async () => {
  const stream = openStream(`/api/halls/${nodes.hallA.id}/events`);
  const res = await stream.ready;
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const staff = await staffAtWindow(nodes.winA);
  assertStatus(await staff.post(`/api/windows/${nodes.winA.id}/open`, {}), 200);
  const issued = await staff.post(`/api/halls/${nodes.hallA.id}/tickets`, { series_id: undefined, ...(await firstSeries(staff)) });
  assertStatus(issued, 201);
  const code = issued.json.code;
  const ev = await stream.waitFor((e) => e.event === 'ticket.issued' && JSON.parse(e.data).code === code);
  assert.ok(Number(ev.id) > 0, 'events carry ids');
  const called = await staff.post(`/api/windows/${nodes.winA.id}/call`, { code });
  assertStatus(called, 200);
  const t0 = Date.now();
  const ce = await stream.waitFor((e) => e.event === 'ticket.called' && JSON.parse(e.data).code === code);
  assert.ok(Date.now() - t0 < 1000, 'the call reaches the screen within a second');
  assert.ok(Number(ce.id) > Number(ev.id), 'ids grow');
  stream.close();
  await stream.done;

  // a screen that reconnects with Last-Event-ID gets what it missed, in order
  const finished = await staff.post(`/api/tickets/${called.json.id}/start`, {});
  assertStatus(finished, 200);
  assertStatus(await staff.post(`/api/tickets/${called.json.id}/finish`, {}), 200);
  const again = openStream(`/api/halls/${nodes.hallA.id}/events`, { 'Last-Event-ID': ce.id });
  assert.equal((await again.ready).status, 200);
  await again.waitFor((e) => e.event === 'ticket.finished' && JSON.parse(e.data).code === code);
  assert.ok(again.events.every((e) => Number(e.id) > Number(ce.id)), 'only what came after');
  again.close();
  await again.done;
});

async function firstSeries(client) {
  const r = await client.get(`/api/halls/${nodes.hallA.id}/series`);
  assertStatus(r, 200);
  assert.ok(r.json.items.length > 0, 'the demo hall has series');
  return { series_id: r.json.items[0].id };
}

test('a reconnect from before a restart or too far back is told to resync', async () => {
  const s = openStream(`/api/halls/${nodes.hallA.id}/events`, { 'Last-Event-ID': '5' });
  assert.equal((await s.ready).status, 200);
  const ev = await s.waitFor((e) => e.event === 'board.changed');
  assert.deepEqual(JSON.parse(ev.data), { resync: true });
  s.close();
  await s.done;
});

test('heartbeats keep idle streams alive', async () => {
  // run.sh starts the server with CHUANGKOU_SSE_HEARTBEAT_S=2
  const s = openStream(`/api/halls/${nodes.hallB.id}/events`);
  assert.equal((await s.ready).status, 200);
  await new Promise((r) => setTimeout(r, 2600));
  const ping = s.events.find((e) => e.event === 'ping');
  assert.ok(ping, 'a ping event arrived');
  assert.equal(ping.id, null, 'pings carry no id, so Last-Event-ID stays');
  s.close();
  await s.done;
});

test('streams: unknown halls 404, window streams need a login in scope', async () => {
  const anon = new Client('anon');
  assertError(await anon.get(`/api/halls/${nodes.winA.id}/events`), 404, 'not_found');
  assertError(await anon.get(`/api/halls/99999999/events`), 404, 'not_found');
  assertError(await anon.get(`/api/windows/${nodes.winA.id}/events`), 401, 'unauthorized');
  assertError(await anon.get(`/api/halls/${nodes.hallA.id}/events`, { query: { last_event_id: 'x' } }), 400, 'invalid', 'last_event_id');
  const adminB = await loginAs('t_admin_b');
  assertError(await adminB.get(`/api/windows/${nodes.winA.id}/events`), 403, 'forbidden');
  const s = openStream(`/api/windows/${nodes.winA.id}/events`, { Cookie: `ck_session=${admin.session}` });
  assert.equal((await s.ready).status, 200);
  s.close();
  await s.done;
});

test('board.changed is coalesced: a burst of writes ends in the board GET shows, never the same board twice in a row', async () => {
  const stream = openStream(`/api/halls/${nodes.hallA.id}/events`);
  assert.equal((await stream.ready).status, 200);
  const staff = await staffAtWindow(nodes.winA);
  const series = await firstSeries(staff);
  assertStatus(await staff.post(`/api/windows/${nodes.winA.id}/open`, {}), 200);
  const ids = [];
  try {
    for (let i = 0; i < 8; i++) {
      const t = await staff.post(`/api/halls/${nodes.hallA.id}/tickets`, series);
      assertStatus(t, 201);
      ids.push(t.json.id);
    }
    const board = await staff.get(`/api/halls/${nodes.hallA.id}/board`);
    assertStatus(board, 200);
    const shown = (b) => JSON.stringify({ ...b, generated_at: 0 });
    const want = shown(board.json);
    // the last change arrives as the board itself, soon after the burst
    await stream.waitFor((e) => e.event === 'board.changed' && shown(JSON.parse(e.data)) === want, 3000);
    // writes that change nothing on the screen send no board
    const before = stream.events.filter((e) => e.event === 'board.changed').length;
    assertStatus(await staff.post(`/api/windows/${nodes.winA.id}/open`, {}), 200);
    assertStatus(await staff.post(`/api/windows/${nodes.winA.id}/open`, {}), 200);
    await new Promise((r) => setTimeout(r, 500));
    const boards = stream.events.filter((e) => e.event === 'board.changed').map((e) => shown(JSON.parse(e.data)));
    assert.equal(boards.length, before, 'no board.changed for writes that left the board as it was');
    assert.ok(boards.length >= 1 && boards.length <= ids.length, `one board per change at most: ${boards.length}`);
    for (let i = 1; i < boards.length; i++) assert.notEqual(boards[i], boards[i - 1], `board ${i} repeats the one before`);
  } finally {
    for (const id of ids) await staff.post(`/api/tickets/${id}/withdraw`, {});
    stream.close();
    await stream.done;
  }
});
