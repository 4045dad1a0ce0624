// The working-day calendar and the deadline calculator over HTTP, and the
// command line giving the same answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client, loginAs, assertError, assertStatus, DB } from './helpers.mjs';

const anon = new Client('anon');

async function due(query) {
  return anon.get('/api/calendar/due', { query });
}

test('the shipped calendars are loaded and public', async () => {
  const r = await anon.get('/api/calendar/years');
  assertStatus(r, 200);
  const years = Object.fromEntries(r.json.items.map((y) => [y.year, y]));
  assert.ok(years[2025] && years[2026], 'both shipped years are known');
  assert.equal(years[2026].workdays, 6, '2026 has six make-up working days');
  const y = await anon.get('/api/calendar/2026');
  assertStatus(y, 200);
  assert.equal(y.json.known, true);
  const byDate = Object.fromEntries(y.json.days.map((d) => [d.date, d]));
  assert.equal(byDate['2026-02-16'].is_off, true);
  assert.equal(byDate['2026-02-14'].is_off, false);
  assert.equal(byDate['2026-02-16'].name, '春节');
  const unknown = await anon.get('/api/calendar/2031');
  assertStatus(unknown, 200);
  assert.equal(unknown.json.known, false);
});

test('due dates across the 2026 holidays', async () => {
  const cases = [
    ['2026-02-13', 1, '2026-02-14'],
    ['2026-02-13', 2, '2026-02-24'],
    ['2026-09-30', 1, '2026-10-08'],
    ['2025-12-31', 1, '2026-01-04'],
  ];
  for (const [from, n, want] of cases) {
    const r = await due({ from, workdays: n });
    assertStatus(r, 200, `${from}+${n}`);
    assert.equal(r.json.due, want, `${from} + ${n} working days`);
    assert.equal(r.json.from, from);
  }
  const nat = await due({ from: '2026-02-10', days: 7 });
  assertStatus(nat, 200);
  assert.equal(nat.json.due, '2026-02-24', 'a natural-day limit ending in the holiday moves');
});

test('a limit in hours runs on the clock', async () => {
  const r = await due({ hours: 2, at: 1795947762 });
  assertStatus(r, 200);
  assert.equal(r.json.due_at, 1795947762 + 7200);
  assertError(await due({ hours: 2 }), 400, 'invalid', 'at');
});

test('pauses move the due date by the working days the clock stood still', async () => {
  const r = await due({ from: '2026-02-02', workdays: 10, pauses: '2026-02-06:2026-02-25' });
  assertStatus(r, 200);
  assert.equal(r.json.due, '2026-03-04');
  assert.equal(r.json.paused_workdays, 8);
  const open = await due({ from: '2026-03-02', workdays: 5, pauses: '2026-03-04:' });
  assertStatus(open, 200);
  assert.equal(open.json.due, null);
  assert.equal(open.json.paused, true);
  assert.equal(open.json.remaining, 3);
});

test('bad input is refused with the field named', async () => {
  assertError(await due({ from: '2026-02-30', workdays: 3 }), 400, 'invalid', 'from');
  assertError(await due({ from: '2026-2-3', workdays: 3 }), 400, 'invalid', 'from');
  assertError(await due({ from: '2026-02-03', workdays: -1 }), 400, 'invalid', 'workdays');
  assertError(await due({ from: '2026-02-03', workdays: 99999 }), 400, 'invalid', 'workdays');
  assertError(await due({ from: '2026-02-03' }), 400, 'invalid', 'workdays');
  assertError(await due({ from: '2026-02-03', workdays: 1, days: 1 }), 400, 'invalid', 'workdays');
  assertError(await due({ from: '2026-02-03', workdays: 1, pauses: 'soon' }), 400, 'invalid', 'pauses');
  assertError(await due({ from: '2026-02-03', workdays: 1, color: 'red' }), 400, 'invalid', 'color');
});

test('a year without a calendar is an error, not weekends only', async () => {
  const r = await due({ from: '2026-12-30', workdays: 5 });
  assertError(r, 422, 'calendar_missing', 'workdays');
  assert.match(r.json.error.message, /2027/);
});

test('the command line computes the same dates', async (t) => {
  const bin = process.env.CK_BIN;
  if (!bin) return t.skip('CK_BIN not set');
  for (const [from, n] of [['2026-02-13', 2], ['2025-01-24', 2], ['2026-04-30', 7]]) {
    const out = execFileSync(resolve(bin), ['calendar', 'due', '--db', DB, '--from', from, '--workdays', String(n)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const api = await due({ from, workdays: n });
    assert.equal(out, `${api.json.due}\n`, `${from}+${n}: CLI and API agree, CLI prints only the date`);
  }
});

test('editing a day: admin of the root only, audited, and the answer follows', async () => {
  const admin = await loginAs('t_admin');
  const adminB = await loginAs('t_admin_b');
  const staff = await loginAs('t_staff_a');
  // 2026-03-06 (Fri) becomes a day off, so 3/5 + 1 working day is 3/9
  assertError(await adminB.put('/api/calendar/days/2026-03-06', { json: { is_off: true, name: '临时' } }), 403, 'forbidden');
  assertError(await staff.put('/api/calendar/days/2026-03-06', { json: { is_off: true, name: '临时' } }), 403, 'forbidden');
  assertError(await anon.put('/api/calendar/days/2026-03-06', { json: { is_off: true, name: '临时' } }), 401, 'unauthorized');
  assertError(await admin.put('/api/calendar/days/2026-02-30', { json: { is_off: true, name: 'x' } }), 400, 'invalid', 'date');
  assertError(await admin.put('/api/calendar/days/2031-03-06', { json: { is_off: true, name: 'x' } }), 409, 'conflict', 'date');
  assertError(await admin.put('/api/calendar/days/2026-03-04', { json: { is_off: false, name: '补班' } }), 400, 'invalid', 'is_off');
  const before = await due({ from: '2026-03-05', workdays: 1 });
  assert.equal(before.json.due, '2026-03-06');
  const set = await admin.put('/api/calendar/days/2026-03-06', { json: { is_off: true, name: '临时放假' } });
  assertStatus(set, 200);
  assert.deepEqual(set.json, { date: '2026-03-06', is_off: true, name: '临时放假' });
  try {
    const after = await due({ from: '2026-03-05', workdays: 1 });
    assert.equal(after.json.due, '2026-03-09', 'the calculator sees the edit at once');
    const audit = await admin.get('/api/audit', { query: { entity: 'calendar_day' } });
    assertStatus(audit, 200);
    assert.ok(audit.json.items.some((a) => a.action === 'set_day' && a.after?.date === '2026-03-06'));
  } finally {
    const clear = await admin.req('DELETE', '/api/calendar/days/2026-03-06');
    assert.equal(clear.status, 204);
  }
  const restored = await due({ from: '2026-03-05', workdays: 1 });
  assert.equal(restored.json.due, '2026-03-06');
  assertError(await admin.req('DELETE', '/api/calendar/days/2026-03-06'), 404, 'not_found', 'date');
});

test('importing a year: JSON and ICS, a bad entry changes nothing', async () => {
  const admin = await loginAs('t_admin');
  const good = {
    year: 2031,
    days: [
      { name: '元旦', date: '2031-01-01', isOffDay: true },
      { name: '春节', date: '2031-01-22', isOffDay: true },
      { name: '春节', date: '2031-01-26', isOffDay: false },
    ],
  };
  const bad = { year: 2031, days: [...good.days, { name: '劳动节', date: '2031-02-30', isOffDay: true }] };
  const rb = await admin.req('POST', '/api/calendar/import', { body: JSON.stringify(bad), headers: { 'Content-Type': 'application/json' } });
  assertError(rb, 400, 'invalid', 'days[3].date');
  assert.equal((await anon.get('/api/calendar/2031')).json.known, false, 'nothing imported');

  const r = await admin.req('POST', '/api/calendar/import', { body: JSON.stringify(good), headers: { 'Content-Type': 'application/json' } });
  assertStatus(r, 200);
  assert.deepEqual(r.json, { years: [2031], days: 3 });
  const y = await anon.get('/api/calendar/2031');
  assert.equal(y.json.known, true);
  assert.equal(y.json.days.length, 3);

  // the same year again from ICS replaces it
  const ics = [
    'BEGIN:VCALENDAR', 'VERSION:2.0',
    'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20310101', 'DTEND;VALUE=DATE:20310103', 'SUMMARY:元旦', 'END:VEVENT',
    'END:VCALENDAR', '',
  ].join('\r\n');
  const ri = await admin.req('POST', '/api/calendar/import', { body: ics, headers: { 'Content-Type': 'text/calendar' } });
  assertStatus(ri, 200);
  const y2 = await anon.get('/api/calendar/2031');
  assert.deepEqual(y2.json.days.map((d) => d.date), ['2031-01-01', '2031-01-02']);
  const badIcs = ics.replace('20310103', '20311340');
  assertError(await admin.req('POST', '/api/calendar/import', { body: badIcs, headers: { 'Content-Type': 'text/calendar' } }), 400, 'invalid', 'line 5');
  assert.equal((await anon.get('/api/calendar/2031')).json.days.length, 2, 'the bad file changed nothing');
  assertError(await admin.req('POST', '/api/calendar/import', { body: 'x', headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported');
  const adminB = await loginAs('t_admin_b');
  assertError(await adminB.req('POST', '/api/calendar/import', { body: JSON.stringify(good), headers: { 'Content-Type': 'application/json' } }), 403, 'forbidden');
});
