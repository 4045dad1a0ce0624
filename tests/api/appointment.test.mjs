// Appointments (预约): slots, booking on working days only, full slots, one
// booking per person and item and a daily limit per person, status and cancel
// by code and phone, staff booking by phone, check-in at the hall's kiosk
// within the window (a ticket of the appointment class), used twice, outside
// the window, and scope (another hall's kiosk → 403).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, deviceClient, assertError, assertStatus, demoNodes, createStaff, recordSecret,
  shanghaiNow, calendarDay, makeWorkday,
} from './helpers.mjs';

const anon = new Client('anon');
let admin;
let nodes;
let kioskA; // a kiosk of hall-d
let kioskB; // a kiosk of hall-t
let staffA; // staff of hall-d
let today; // the Shanghai date
let minute; // minutes after Shanghai midnight now
let nextDay; // the next working day after today
let slotNow; // a slot starting now (every day)
let slotOther; // a slot far from now, capacity 1
let calendarRestore = async () => {}; // undoes the calendar edit that makes today a working day
let todayOk = false;

const ITEM = 'GA-SFZ-001'; // appointable, served at hall-d
const MORE = ['SCJG-GT-001', 'BDC-SC-001', 'GJJ-TQ-001']; // appointable at hall-d too
let phoneSeq = 0;
const phone = () => `139${String(Date.now() % 100000).padStart(5, '0')}${String(phoneSeq++).padStart(3, '0')}`;

function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

async function setSlots(item, slots) {
  const r = await admin.put(`/api/halls/${nodes.hallA.id}/slots`, { json: { item_code: item, slots } });
  assertStatus(r, 200, `slots ${item}`);
  return r.json;
}

function bookBody(extra = {}) {
  return { hall_id: nodes.hallA.id, item_code: ITEM, day: nextDay, slot_start: slotNow.start, name: '张三', phone: phone(), ...extra };
}

before(async () => {
  admin = await loginAs('t_admin');
  nodes = await demoNodes(admin);
  ({ day: today, minute } = shanghaiNow());
  if (minute > 1400) minute = 1400; // keep the slot inside the day
  slotNow = { start: minute, end: Math.min(minute + 30, 1440), capacity: 50 };
  slotOther = minute >= 720 ? { start: 60, end: 120, capacity: 1 } : { start: 1380, end: 1440, capacity: 1 };
  for (const item of [ITEM, ...MORE]) await setSlots(item, [slotNow, slotOther]);
  for (let i = 1; i <= 30; i++) {
    const d = addDays(today, i);
    const info = await calendarDay(d);
    if (info?.workday) { nextDay = d; break; }
  }
  assert.ok(nextDay, 'a working day within 30 days');
  // today must be a working day to check in: make it one for the test, undone after
  const wd = await makeWorkday(admin, today);
  calendarRestore = wd.restore;
  todayOk = wd.known;
  const dA = await admin.post('/api/devices', { kind: 'kiosk', name: '预约签到机', node_id: nodes.hallA.id });
  assertStatus(dA, 201, 'kiosk A');
  recordSecret(dA.json.token);
  kioskA = deviceClient(dA.json.token);
  const dB = await admin.post('/api/devices', { kind: 'kiosk', name: '预约签到机', node_id: nodes.hallB.id });
  assertStatus(dB, 201, 'kiosk B');
  recordSecret(dB.json.token);
  kioskB = deviceClient(dB.json.token);
  const { login, password } = await createStaff(admin, nodes.hallA.id);
  staffA = new Client(login);
  assertStatus(await staffA.login(login, password), 200, 'staff login');
});

after(async () => {
  await calendarRestore();
});

test('a slot whose check-in has closed takes no more bookings, though it has not ended', async (t) => {
  if (!todayOk || minute < 20) {
    t.skip('today is not a working day the test can make, or it is too early in the day');
    return;
  }
  const item = MORE[0];
  // started 20 minutes ago, ends in 10: check-in closed 5 minutes ago (first test: nothing is booked yet)
  const closed = { start: minute - 20, end: minute + 10, capacity: 5 };
  await setSlots(item, [closed]);
  try {
    const slots = await anon.get(`/api/halls/${nodes.hallA.id}/slots`, { query: { item_code: item, day: today } });
    assertStatus(slots, 200);
    assert.equal(slots.json.items[0].open, false, 'not open: nobody could check in any more');
    assertError(await anon.post('/api/appointments', bookBody({ item_code: item, day: today, slot_start: closed.start })),
      409, 'conflict', 'slot_start');
  } finally {
    await setSlots(item, [slotNow, slotOther]);
  }
});

test('new slots keep the bookings of the old; items not appointable take none; an empty ID number is none', async () => {
  assertError(await admin.put(`/api/halls/${nodes.hallA.id}/slots`,
    { json: { item_code: 'RS-YL-001', slots: [{ start: 540, end: 600, capacity: 1 }] } }), 400, 'invalid', 'item_code');
  // the public list says which items take appointments
  const list = await anon.get('/api/catalog/items', { query: { hall_id: nodes.hallA.id, per_page: 100 } });
  assertStatus(list, 200);
  const byCode = Object.fromEntries(list.json.items.map((i) => [i.code, i.appointable]));
  assert.equal(byCode[ITEM], true);
  assert.equal(byCode['RS-YL-001'], false);
  const item = MORE[2];
  const body = bookBody({ item_code: item, id_number: '' });
  const b = await anon.post('/api/appointments', body);
  assertStatus(b, 201, 'an empty ID number is no ID number');
  // dropping the booked slot is refused, naming it; moving its end is fine
  const r = await admin.put(`/api/halls/${nodes.hallA.id}/slots`, { json: { item_code: item, slots: [slotOther] } });
  assertError(r, 409, 'conflict', 'slots');
  assert.match(r.json.error.message, /has 1 booking/);
  const still = await anon.get(`/api/halls/${nodes.hallA.id}/slots`, { query: { item_code: item, day: nextDay } });
  assert.equal(still.json.items.length, 2, 'nothing changed');
  await setSlots(item, [{ ...slotNow, capacity: 60 }, slotOther]);
  // once cancelled, the slot may go
  assertStatus(await anon.post('/api/appointments/cancel', { code: b.json.code, phone: body.phone }), 200, 'cancel');
  await setSlots(item, [slotOther]);
  await setSlots(item, [slotNow, slotOther]);
});

test('slots: public with what remains; admin sets them; bad days refused', async () => {
  const r = await anon.get(`/api/halls/${nodes.hallA.id}/slots`, { query: { item_code: ITEM, day: nextDay } });
  assertStatus(r, 200);
  assert.equal(r.json.items.length, 2);
  const s = r.json.items.find((x) => x.start === slotOther.start);
  assert.equal(s.capacity, 1);
  assert.equal(s.remaining, 1);
  assertError(await anon.get(`/api/halls/${nodes.hallA.id}/slots`, { query: { item_code: ITEM, day: '2026-02-16' } }),
    409, 'conflict', 'day');
  assertError(await anon.get(`/api/halls/${nodes.hallA.id}/slots`, { query: { item_code: ITEM, day: '2099-03-03' } }),
    422, 'calendar_missing', 'day');
  assertError(await anon.get(`/api/halls/${nodes.hallA.id}/slots`, { query: { item_code: ITEM } }), 400, 'invalid', 'day');
  // writes: admin only, slots must not overlap
  assertError(await staffA.put(`/api/halls/${nodes.hallA.id}/slots`, { json: { item_code: ITEM, slots: [] } }), 403, 'forbidden');
  assertError(await anon.put(`/api/halls/${nodes.hallA.id}/slots`, { json: { item_code: ITEM, slots: [] } }), 401, 'unauthorized');
  assertError(await admin.put(`/api/halls/${nodes.hallA.id}/slots`,
    { json: { item_code: ITEM, slots: [{ start: 540, end: 600, capacity: 1 }, { start: 570, end: 630, capacity: 1 }] } }),
  400, 'invalid', 'slots[1]');
  assertError(await admin.put(`/api/halls/${nodes.hallA.id}/slots`,
    { json: { item_code: ITEM, slots: [{ start: 540, end: 600 }] } }), 400, 'invalid', 'slots[0]');
  assertError(await admin.put(`/api/halls/${nodes.hallB.id}/slots`, { json: { item_code: ITEM, slots: [] } }),
    400, 'invalid', 'item_code');
});

test('booking: code shown once, status by code and phone, full slot and bad input', async () => {
  const body = bookBody({ slot_start: slotOther.start });
  const r = await anon.post('/api/appointments', body);
  assertStatus(r, 201, 'book');
  assert.match(r.json.code, /^[2-9A-HJ-NP-Z]{8}$/);
  assert.equal(r.json.status, 'booked');
  assert.equal(r.json.channel, 'web');
  assert.equal(r.json.phone, undefined);
  assert.equal(r.json.day, nextDay);
  const g = await anon.get(`/api/appointments/${r.json.code}`, { query: { phone: body.phone } });
  assertStatus(g, 200);
  assert.equal(g.json.code, undefined, 'the code is not shown again');
  assert.equal(g.json.item_name, '居民身份证换领');
  assertError(await anon.get(`/api/appointments/${r.json.code}`, { query: { phone: '13000000000' } }), 404, 'not_found', 'code');
  // full
  assertError(await anon.post('/api/appointments', bookBody({ slot_start: slotOther.start })), 409, 'conflict', 'slot_start');
  // a day off (Spring Festival 2026), an unknown year, not appointable, not served here, no such slot
  assertError(await anon.post('/api/appointments', bookBody({ day: '2026-02-16' })), 409, 'conflict', 'day');
  assertError(await anon.post('/api/appointments', bookBody({ day: '2099-03-03' })), 422, 'calendar_missing', 'day');
  assertError(await anon.post('/api/appointments', bookBody({ item_code: 'RS-YL-001' })), 400, 'invalid', 'item_code');
  assertError(await anon.post('/api/appointments', bookBody({ hall_id: nodes.hallB.id })), 400, 'invalid', 'item_code');
  assertError(await anon.post('/api/appointments', bookBody({ slot_start: 7 })), 400, 'invalid', 'slot_start');
  assertError(await anon.post('/api/appointments', bookBody({ phone: '12ab' })), 400, 'invalid', 'phone');
  assertError(await anon.post('/api/appointments', bookBody({ extra: 1 })), 400, 'invalid', 'extra');
});

test('one booking per person, item and day; at most three a day', async () => {
  const p = phone();
  assertStatus(await anon.post('/api/appointments', bookBody({ phone: p })), 201);
  assertError(await anon.post('/api/appointments', bookBody({ phone: p })), 409, 'conflict', 'item_code');
  assertStatus(await anon.post('/api/appointments', bookBody({ phone: p, item_code: MORE[0] })), 201);
  assertStatus(await anon.post('/api/appointments', bookBody({ phone: p, item_code: MORE[1] })), 201);
  assertError(await anon.post('/api/appointments', bookBody({ phone: p, item_code: MORE[2] })), 409, 'conflict', 'phone');
});

test('cancel by code and phone; a cancelled place is free again', async () => {
  const p = phone();
  const r = await anon.post('/api/appointments', bookBody({ phone: p }));
  assertStatus(r, 201);
  assertError(await anon.post('/api/appointments/cancel', { code: r.json.code, phone: '13000000000' }), 404, 'not_found', 'code');
  const c = await anon.post('/api/appointments/cancel', { code: r.json.code, phone: p });
  assertStatus(c, 200);
  assert.equal(c.json.status, 'cancelled');
  assertError(await anon.post('/api/appointments/cancel', { code: r.json.code, phone: p }), 409, 'conflict', 'code');
  assertStatus(await anon.post('/api/appointments', bookBody({ phone: p })), 201, 'again after cancel');
});

test('staff book for a caller by phone', async () => {
  const body = bookBody();
  delete body.hall_id;
  const r = await staffA.post(`/api/halls/${nodes.hallA.id}/appointments`, body);
  assertStatus(r, 201);
  assert.equal(r.json.channel, 'phone');
  assertError(await anon.post(`/api/halls/${nodes.hallA.id}/appointments`, bookBody()), 401, 'unauthorized');
  const adminB = await loginAs('t_admin_b');
  const other = { ...body, phone: phone() };
  assertError(await adminB.post(`/api/halls/${nodes.hallA.id}/appointments`, other), 403, 'forbidden');
});

test('check-in: a ticket of the appointment class, once, within the window, at its hall', async (t) => {
  if (!todayOk) {
    t.skip(`no calendar for ${today.slice(0, 4)}`);
    return;
  }
  const p = phone();
  const r = await anon.post('/api/appointments', bookBody({ phone: p, day: today }));
  assertStatus(r, 201, 'book today');
  const code = r.json.code;
  assertError(await kioskB.post(`/api/halls/${nodes.hallA.id}/checkin`, { code }), 403, 'forbidden');
  assertError(await kioskB.post(`/api/halls/${nodes.hallB.id}/checkin`, { code }), 404, 'not_found', 'code');
  assertError(await anon.post(`/api/halls/${nodes.hallA.id}/checkin`, { code }), 401, 'unauthorized');
  const c = await kioskA.post(`/api/halls/${nodes.hallA.id}/checkin`, { code: code.toLowerCase() });
  assertStatus(c, 201, 'check in');
  assert.equal(c.json.ticket.priority, 'appointment');
  assert.equal(c.json.ticket.channel, 'appointment');
  assert.equal(c.json.ticket.item_code, ITEM);
  assert.equal(c.json.appointment.status, 'checked_in');
  assert.equal(c.json.appointment.ticket_id, c.json.ticket.id);
  // the printed ticket's QR code: its evaluation, valid once the service ends
  assert.match(c.json.eval_token, /^[A-Za-z0-9_-]{24}$/);
  recordSecret(c.json.eval_token);
  const ev = await anon.get(`/api/public/evaluations/token/${c.json.eval_token}`);
  assertStatus(ev, 200, 'its evaluation event');
  assert.equal(ev.json.state, 'pending');
  const again = await kioskA.post(`/api/halls/${nodes.hallA.id}/checkin`, { code });
  assertError(again, 409, 'conflict', 'code');
  assert.match(again.json.error.message, /already checked in/);
  const g = await anon.get(`/api/appointments/${code}`, { query: { phone: p } });
  assert.equal(g.json.status, 'checked_in');
  // the ticket is in the queue as an appointment
  const tl = await admin.get(`/api/tickets/${c.json.ticket.id}/timeline`);
  assertStatus(tl, 200);
  // a booking for another day: outside its window
  const f = await anon.post('/api/appointments', bookBody());
  assertStatus(f, 201);
  const out = await staffA.post(`/api/halls/${nodes.hallA.id}/checkin`, { code: f.json.code });
  assertError(out, 409, 'conflict', 'code');
  assert.match(out.json.error.message, new RegExp(`open \\d\\d:\\d\\d-\\d\\d:\\d\\d on ${nextDay}`));
  assertError(await kioskA.post(`/api/halls/${nodes.hallA.id}/checkin`, { code: 'ZZZZZZZZ' }), 404, 'not_found', 'code');
});
