// Unit checks (no browser, no server) of the appointment slot helpers in
// web/src/utils/slotTimes.js (times as minutes after midnight, the editor's "generate")
// and of the counter's buttons while a window is paused (utils/queue.js).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const src = (p) => pathToFileURL(path.resolve(here, '../../web/src/utils', p))
const s = await import(src('slotTimes.js'))
const q = await import(src('queue.js'))

test('slot times read and write as HH:MM, 24:00 ends the day', () => {
  assert.equal(s.minutesToHHMM(0), '00:00')
  assert.equal(s.minutesToHHMM(570), '09:30')
  assert.equal(s.minutesToHHMM(1440), '24:00')
  assert.equal(s.minutesToHHMM(1441), '')
  assert.equal(s.minutesToHHMM(1.5), '')
  assert.equal(s.parseHHMM('09:30'), 570)
  assert.equal(s.parseHHMM('9:05'), 545)
  assert.equal(s.parseHHMM(' 13：30 '), 810)
  assert.equal(s.parseHHMM('24:00'), 1440)
  for (const bad of ['24:01', '25:00', '09:60', '0930', '', null, '9:5']) assert.equal(s.parseHHMM(bad), null, String(bad))
  assert.equal(s.slotLabel({ start: 540, end: 600 }), '09:00–10:00')
  assert.equal(s.slotIndexOf('slots[12]'), 12)
  assert.equal(s.slotIndexOf('item_code'), null)
  assert.equal(s.addDays('2026-12-31', 1), '2027-01-01')
  assert.equal(s.addDays('2026-03-01', -1), '2026-02-28')
})

test('generate: every n minutes, no slot across the lunch break, at most 48', () => {
  const { slots, truncated } = s.generateSlots({ from: 540, to: 1020, every: 30, capacity: 4, breakFrom: 720, breakTo: 810 })
  assert.equal(truncated, false)
  assert.equal(slots.length, 13) // 09:00–12:00 (6) and 13:30–17:00 (7)
  assert.deepEqual(slots[0], { start: 540, end: 570, capacity: 4 })
  assert.deepEqual(slots[5], { start: 690, end: 720, capacity: 4 })
  assert.deepEqual(slots[6], { start: 810, end: 840, capacity: 4 })
  assert.ok(slots.every((x) => x.end <= 720 || x.start >= 810), 'nothing in the break')
  // a break that cuts a slot leaves the whole slot out; a short last piece is not made
  const hourly = s.generateSlots({ from: 540, to: 1030, every: 60, capacity: 1, breakFrom: 720, breakTo: 810 }).slots
  assert.deepEqual(hourly.map((x) => x.start), [540, 600, 660, 840, 900, 960])
  const many = s.generateSlots({ from: 0, to: 1440, every: 15, capacity: 1 })
  assert.equal(many.slots.length, s.SLOTS_MAX)
  assert.equal(many.truncated, true)
  assert.deepEqual(s.generateSlots({ from: 600, to: 540, every: 30, capacity: 1 }).slots, [])
  const sorted = s.sortByStart([{ start: 600 }, { start: null }, { start: 540 }, { start: 600, x: 1 }])
  assert.deepEqual(sorted, [{ start: 540 }, { start: 600 }, { start: 600, x: 1 }, { start: null }])
})

test('a paused window calls nobody new but serves the ticket at the window', () => {
  const idle = q.allowedActions({ open: true, paused: true, current: null, parked: { status: 'parked' } })
  assert.ok(Object.values(idle).every((v) => v === false), 'no calling, no walk-in, no resuming a parked ticket')
  const called = q.allowedActions({ open: true, paused: true, current: { status: 'called' }, parked: null })
  assert.deepEqual(
    Object.keys(called).filter((k) => called[k]).sort(),
    ['noShow', 'recall', 'start', 'transfer', 'withdraw'],
  )
  const serving = q.allowedActions({ open: true, paused: true, current: { status: 'serving' }, parked: null })
  assert.deepEqual(
    Object.keys(serving).filter((k) => serving[k]).sort(),
    ['finish', 'park', 'transfer', 'withdraw'],
  )
  assert.equal(q.SHORTCUTS.F8, 'togglePause')
})
