// The simulator (`chuangkou simulate`, src/sim): it drives a demo hall over the
// public HTTP API; afterwards the hall's figures for today show tickets issued
// and served, the windows are closed again, and it made one staff account per
// window. With slots open today it books appointments (web and phone) and
// checks them in when their window opens, so appointment tickets reach the
// hall screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  ACCOUNTS, BASE, Client, loginAs, assertStatus, demoNodes, listAll, shanghaiNow, makeWorkday, openEventStream,
} from './helpers.mjs';

const run = promisify(execFile);

// the demo's appointable items served at hall-d
const APPOINTABLE = ['SCJG-GT-001', 'BDC-SC-001', 'GA-SFZ-001', 'GJJ-TQ-001'];

async function simulate(hallId, extra = ['--rate', '60', '--minutes', '1', '--seed', '7'], timeout = 14000) {
  const args = ['simulate', '--url', BASE, '--hall', String(hallId), '--speed', '30', '--login', 't_admin', ...extra];
  return run(resolve(process.env.CK_BIN), args, {
    env: { ...process.env, CHUANGKOU_SIM_PASSWORD: ACCOUNTS.t_admin },
    timeout,
  });
}

async function hallFigures(admin, hallId) {
  const r = await admin.get(`/api/halls/${hallId}/stats`, { query: { by: 'hall' } });
  assertStatus(r, 200, 'stats');
  return r.json.rows[0] || { issued: 0, served: 0 };
}

test('simulate issues and serves tickets in a live hall', async (t) => {
  if (!process.env.CK_BIN) return t.skip('CK_BIN not set');
  const admin = await loginAs('t_admin');
  const { hallA } = await demoNodes(admin);
  const before = await hallFigures(admin, hallA.id);

  const { stdout } = await simulate(hallA.id);
  assert.match(stdout, /issued \d+\s+served \d+/, 'a progress line');
  assert.doesNotMatch(stdout, new RegExp(ACCOUNTS.t_admin.replace(/[!]/g, '\\!')), 'no password printed');
  const after = await hallFigures(admin, hallA.id);
  assert.ok(after.issued >= before.issued + 20, `issued ${before.issued} → ${after.issued}`);
  assert.ok(after.served > before.served, `served ${before.served} → ${after.served}`);

  // every window is closed again, and the simulation staff are one per window
  const status = await admin.get(`/api/halls/${hallA.id}/windows/status`);
  assertStatus(status, 200, 'windows');
  for (const w of status.json.items) assert.equal(w.status, 'closed', `${w.code} closed`);
  const sims = async () => (await listAll(admin, '/api/staff', { q: `sim-h${hallA.id}-` })).items.length;
  assert.equal(await sims(), status.json.items.length, 'one simulation account per window');
});

/** Active bookings (booked or checked in) in today's slots of the appointable items. */
async function bookedToday(hallId, day) {
  let n = 0;
  for (const item of APPOINTABLE) {
    const r = await new Client().get(`/api/halls/${hallId}/slots`, { query: { item_code: item, day } });
    assertStatus(r, 200, `slots of ${item}`);
    for (const s of r.json.items) n += s.booked;
  }
  return n;
}

test('simulate books appointments for today and checks them in, onto the hall screen', async (t) => {
  if (!process.env.CK_BIN) return t.skip('CK_BIN not set');
  const { day: today, minute } = shanghaiNow();
  if (minute > 1420) return t.skip('too close to midnight for a check-in window today');
  const admin = await loginAs('t_admin');
  const { hallA } = await demoNodes(admin);
  const workday = await makeWorkday(admin, today);
  if (!workday.known) return t.skip(`no calendar for ${today.slice(0, 4)}`);
  const stream = openEventStream(`/api/halls/${hallA.id}/events`);
  try {
    // one slot per appointable item with its check-in window open now; the slots
    // there already stay (the server keeps slots that hold bookings)
    const slot = { start: Math.min(minute, 1400), end: Math.min(minute + 30, 1440), capacity: 200 };
    for (const item of APPOINTABLE) {
      const had = await new Client().get(`/api/halls/${hallA.id}/slots`, { query: { item_code: item, day: today } });
      assertStatus(had, 200, `slots of ${item}`);
      const old = had.json.items.map(({ start, end, capacity }) => ({ start, end, capacity }));
      const usable = old.find((x) => x.start <= slot.start + 30 && slot.start < x.start + 15);
      const slots = usable
        ? old.map((x) => (x === usable ? { ...x, capacity: 200 } : x))
        : [...old.filter((x) => x.end <= slot.start || x.start >= slot.end), slot];
      const r = await admin.put(`/api/halls/${hallA.id}/slots`, { json: { item_code: item, slots } });
      assertStatus(r, 200, `slots ${item}`);
    }
    const before = await bookedToday(hallA.id, today);
    assert.equal((await stream.ready).status, 200, 'the hall screen stream');

    const { stdout } = await simulate(hallA.id, ['--rate', '40', '--minutes', '4', '--seed', '11'], 40000);
    assert.match(stdout, new RegExp(`\\d+ appointment slots of ${today} open for booking`));
    const m = stdout.match(/appointments: booked (\d+) \(web (\d+), phone (\d+)\)\s+checked in (\d+)\s+cancelled (\d+)/);
    assert.ok(m, `an appointment summary in:\n${stdout}`);
    const [booked, web, phone, checkedIn, cancelled] = m.slice(1).map(Number);
    t.diagnostic(`booked ${booked} (web ${web}, phone ${phone}), checked in ${checkedIn}, cancelled ${cancelled}`);
    assert.ok(booked >= 3, `booked ${booked}`);
    assert.equal(web + phone, booked);
    assert.ok(checkedIn >= 1, `checked in ${checkedIn}`);
    assert.ok(checkedIn + cancelled <= booked);
    // the server holds them in today's slots (a cancelled place is free again)
    assert.equal(await bookedToday(hallA.id, today) - before, booked - cancelled, 'active bookings');

    // each check-in put an appointment ticket on the hall screen
    await stream.waitFor((e) => e.event === 'ticket.issued' && JSON.parse(e.data).channel === 'appointment', 5000);
    const tickets = stream.events.filter((e) => e.event === 'ticket.issued').map((e) => JSON.parse(e.data));
    const appt = tickets.filter((x) => x.channel === 'appointment');
    assert.ok(appt.length >= 1 && appt.length <= checkedIn, `${appt.length} appointment tickets, ${checkedIn} check-ins`);
    for (const x of appt) {
      assert.equal(x.priority, 'appointment');
      assert.equal(x.service_day, today);
      assert.ok(APPOINTABLE.includes(x.item_code), x.item_code);
      assert.match(x.display_name, /^\S\*+$/, 'the name masked');
    }
    assert.ok(tickets.some((x) => x.channel !== 'appointment'), 'walk-ins too');
  } finally {
    stream.close();
    await stream.done;
    await workday.restore();
  }
});
