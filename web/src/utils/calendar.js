// Working-day calendar helpers: ISO dates without time zones, the weekend rule and a
// month laid out in weeks (Monday first, as Chinese calendars are printed).
//
// A day is one of:
//   off      statutory day off (放假), from the calendar's exceptions
//   work     make-up working day on a weekend (调休上班), from the exceptions
//   weekend  Saturday or Sunday with no exception
//   workday  Monday–Friday with no exception

function pad(n) {
  return String(n).padStart(2, '0')
}

/** 'YYYY-MM-DD' for a year, month (1–12) and day. */
export function isoDate(year, month, day) {
  return `${year}-${pad(month)}-${pad(day)}`
}

/** Today in the browser's time zone, 'YYYY-MM-DD'. */
export function today() {
  const d = new Date()
  return isoDate(d.getFullYear(), d.getMonth() + 1, d.getDate())
}

/** Strict 'YYYY-MM-DD' → { year, month, day } or null (2026-02-30 is null). */
export function parseIso(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s || ''))
  if (!m) return null
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  return { year, month, day }
}

export function daysInMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(year, month, day) {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay()
}

/** Weekday of an ISO date, 0 = Sunday. */
export function weekdayOf(iso) {
  const p = parseIso(iso)
  return p ? weekday(p.year, p.month, p.day) : null
}

export function isWeekend(year, month, day) {
  const w = weekday(year, month, day)
  return w === 0 || w === 6
}

/** Calendar exceptions [{date, is_off, name}] → Map date → {is_off, name}. */
export function exceptionMap(days) {
  const map = new Map()
  for (const d of days || []) map.set(d.date, { is_off: !!d.is_off, name: d.name || '' })
  return map
}

/** The state of a day given the exceptions map (see the top of this file). */
export function dayState(year, month, day, exceptions) {
  const ex = exceptions.get(isoDate(year, month, day))
  if (ex) return ex.is_off ? 'off' : 'work'
  return isWeekend(year, month, day) ? 'weekend' : 'workday'
}

/**
 * A month as weeks of 7 cells (Monday first); cells outside the month are null, the
 * others { day, date, state, name, weekend }.
 */
export function monthWeeks(year, month, exceptions) {
  const first = (weekday(year, month, 1) + 6) % 7 // Monday = 0
  const n = daysInMonth(year, month)
  const cells = []
  for (let i = 0; i < first; i++) cells.push(null)
  for (let day = 1; day <= n; day++) {
    const date = isoDate(year, month, day)
    const ex = exceptions.get(date)
    cells.push({
      day,
      date,
      state: dayState(year, month, day, exceptions),
      name: ex ? ex.name : '',
      weekend: isWeekend(year, month, day),
    })
  }
  while (cells.length % 7) cells.push(null)
  const weeks = []
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7))
  return weeks
}

/** Counts of a year's exceptions: { off, work }. */
export function countExceptions(days) {
  let off = 0
  let work = 0
  for (const d of days || []) {
    if (d.is_off) off++
    else work++
  }
  return { off, work }
}

/** The Content-Type to send for a calendar file, from its name or type. */
export function calendarFileType(file) {
  const name = String(file?.name || '').toLowerCase()
  if (name.endsWith('.ics') || name.endsWith('.ical') || file?.type === 'text/calendar') return 'text/calendar'
  if (name.endsWith('.json') || file?.type === 'application/json') return 'application/json'
  return null
}
