// Appointment slots (预约时段): times of the day as minutes after the hall's local
// midnight, as the API has them (docs/api.md, "Appointments"), and the editor's
// "generate" helper. Pure module (no Vue, no DOM), so it can be checked outside the
// browser.

/** At most this many slots per item and hall (APPT_SLOTS_MAX on the server). */
export const SLOTS_MAX = 48
/** Bookings per slot (APPT_CAPACITY_MAX on the server). */
export const CAPACITY_MAX = 1000
/** A day has 1440 minutes; a slot may end at 24:00. */
export const DAY_MINUTES = 1440

function pad(n) {
  return String(n).padStart(2, '0')
}

/** Minutes after midnight → 'HH:MM' (1440 → '24:00'); '' for anything else. */
export function minutesToHHMM(m) {
  const n = Number(m)
  if (!Number.isInteger(n) || n < 0 || n > DAY_MINUTES) return ''
  return `${pad(Math.floor(n / 60))}:${pad(n % 60)}`
}

/**
 * 'HH:MM' (also 'H:MM' and the full-width colon) → minutes after midnight, or null.
 * 24:00 is the end of the day; other hours 0–23, minutes 0–59.
 */
export function parseHHMM(s) {
  const m = /^\s*(\d{1,2})\s*[:：]\s*(\d{2})\s*$/.exec(String(s ?? ''))
  if (!m) return null
  const h = Number(m[1])
  const min = Number(m[2])
  if (min > 59) return null
  if (h === 24 && min === 0) return DAY_MINUTES
  if (h > 23) return null
  return h * 60 + min
}

/** '09:00–09:30' for a slot {start, end} (the en dash the UI uses for ranges). */
export function slotLabel(slot) {
  return `${minutesToHHMM(slot.start)}–${minutesToHHMM(slot.end)}`
}

/**
 * Slots from `from` to `to` (minutes) every `every` minutes with `capacity` each,
 * leaving out any slot that overlaps the break [breakFrom, breakTo) when one is given.
 * A last piece shorter than `every` is not made. Returns { slots, truncated }: at most
 * SLOTS_MAX slots, truncated true when more would have been made.
 */
export function generateSlots({ from, to, every, capacity, breakFrom = null, breakTo = null }) {
  const slots = []
  let truncated = false
  const step = Number(every)
  if (!Number.isInteger(from) || !Number.isInteger(to) || !Number.isInteger(step) || step <= 0) {
    return { slots, truncated }
  }
  const hasBreak = Number.isInteger(breakFrom) && Number.isInteger(breakTo) && breakFrom < breakTo
  for (let start = from; start + step <= Math.min(to, DAY_MINUTES); start += step) {
    const end = start + step
    if (hasBreak && start < breakTo && breakFrom < end) continue
    if (slots.length >= SLOTS_MAX) {
      truncated = true
      break
    }
    slots.push({ start, end, capacity })
  }
  return { slots, truncated }
}

/** The row a server field such as 'slots[3]' names (3), or null. */
export function slotIndexOf(field) {
  const m = /^slots\[(\d+)\]/.exec(String(field || ''))
  return m ? Number(m[1]) : null
}

/** Rows ordered by start time (rows without a valid start go last, in their order). */
export function sortByStart(rows, startOf = (r) => r.start) {
  return rows
    .map((row, i) => ({ row, i, s: startOf(row) }))
    .sort((a, b) => {
      const as = Number.isInteger(a.s) ? a.s : Infinity
      const bs = Number.isInteger(b.s) ? b.s : Infinity
      return as === bs ? a.i - b.i : as - bs
    })
    .map((x) => x.row)
}

/** 'YYYY-MM-DD' plus n days (n may be negative). */
export function addDays(iso, n) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso || ''))
  if (!m) return ''
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n))
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}
