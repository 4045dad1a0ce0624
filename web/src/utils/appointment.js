// Appointments (预约): booking codes, the hall's days and slot times, the check-in window.
// Pure module (no Vue, no DOM), so it can be checked outside the browser
// (tests/e2e/appointment.test.mjs).
import { formatHallTime, hallClock } from './queue.js'

/** The server's code alphabet (no 0/O, 1/I) and the code's length (docs/api.md). */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'
export const CODE_LEN = 8
/** Bookings are taken from today to this many days ahead. */
export const HORIZON_DAYS = 30

/** One typed character as a code character (upper case), or '' when it cannot be one. */
export function codeChar(ch) {
  const c = String(ch || '').toUpperCase()
  return c.length === 1 && CODE_ALPHABET.includes(c) ? c : ''
}

/** Typed or pasted text → the code characters in it, upper case, at most CODE_LEN. */
export function normalizeCode(text) {
  let out = ''
  for (const ch of String(text || '')) {
    const c = codeChar(ch)
    if (c && out.length < CODE_LEN) out += c
  }
  return out
}

/** Whether text is a whole booking code (any case). */
export function isCode(text) {
  const s = String(text || '')
  return s.length === CODE_LEN && normalizeCode(s) === s.toUpperCase()
}

/** A code in two groups of four for reading aloud or copying by hand: ABCD EFGH. */
export function groupCode(code) {
  const s = String(code || '')
  return s.length === CODE_LEN ? `${s.slice(0, 4)} ${s.slice(4)}` : s
}

/** The hall's date and minute of the day at a moment (ms): { day: 'YYYY-MM-DD', minute }. */
export function hallNow(ms = Date.now()) {
  const p = Object.fromEntries(hallClock().formatToParts(new Date(ms)).map((x) => [x.type, x.value]))
  return { day: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute) }
}

/** 'YYYY-MM-DD' plus n days (calendar arithmetic, no time zone). */
export function addDays(iso, n) {
  const [y, m, d] = String(iso).split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + n))
  return t.toISOString().slice(0, 10)
}

/** The days a booking may be made for: today (the hall's) and the next HORIZON_DAYS. */
export function bookingDays(today, horizon = HORIZON_DAYS) {
  const out = []
  for (let i = 0; i <= horizon; i++) out.push(addDays(today, i))
  return out
}

/** Minutes after midnight → 'HH:MM' (1440 → '24:00'). */
export function minuteText(m) {
  const n = Number(m)
  if (!Number.isInteger(n) || n < 0 || n > 1440) return ''
  return `${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`
}

/** A slot of GET /api/halls/{id}/slots: 'over' (not open any more), 'full' or 'free'. */
export function slotState(slot) {
  if (!slot || slot.open === false) return 'over'
  return Number(slot.remaining) > 0 ? 'free' : 'full'
}

/**
 * The check-in window of an appointment as the hall's clock shows it:
 * { from: 'YYYY-MM-DD HH:mm', until: 'HH:mm' or, on another day, 'YYYY-MM-DD HH:mm' }.
 */
export function checkinWindow(appt) {
  const from = formatHallTime(appt && appt.checkin_from)
  const until = formatHallTime(appt && appt.checkin_until)
  if (!from || !until) return null
  return { from, until: from.slice(0, 10) === until.slice(0, 10) ? until.slice(11) : until }
}

/** Appointment states the pages know (anything else shows as it is). */
export const APPT_STATUSES = ['booked', 'checked_in', 'cancelled', 'no_show']
