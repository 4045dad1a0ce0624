// What the appointment pages read from the server: the hall's appointable items, the
// working-day calendar (which days can be booked) and the hall's today.
import { api } from '../api.js'
import { dayState, exceptionMap, parseIso } from './calendar.js'
import { formatHallTime } from './queue.js'
import { addDays } from './slotTimes.js'

/** Today in the hall's time zone (Asia/Shanghai), 'YYYY-MM-DD'. */
export function hallToday() {
  return formatHallTime(Math.floor(Date.now() / 1000)).slice(0, 10)
}

const DETAIL_CONCURRENCY = 4

/**
 * The published items served at a hall that take appointments, [{code, name}] by code.
 * The list endpoint (GET /api/catalog/items?hall_id=) does not say which items are
 * appointable, so each item's public version is read (four at a time). Throws the
 * ApiError of the list request; an item whose details fail is left out.
 */
export async function appointableItems(hallId, opts = {}) {
  const res = await api.get('/api/catalog/items', { hall_id: hallId, per_page: 500 }, { quiet: !!opts.quiet })
  const items = (res && res.items) || []
  const out = new Array(items.length).fill(null)
  let next = 0
  async function worker() {
    while (next < items.length) {
      const i = next++
      try {
        const v = await api.get(`/api/catalog/items/${encodeURIComponent(items[i].code)}`, null, { quiet: true })
        if (v && v.appointable) out[i] = { code: items[i].code, name: v.name || items[i].name }
      } catch {
        /* left out */
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, items.length) }, worker))
  return out.filter(Boolean)
}

/**
 * The working-day calendar as the booking pages need it: years are read once
 * (GET /api/calendar/{year}) and kept.
 *   workdayOf(iso)   true / false, or null while the year is not loaded or not known
 *   load(isos)       read the years of these dates (resolves when done)
 *   nextWorkday(iso, { includeSelf, within }) the first working day from iso (itself
 *                    when includeSelf) within `within` days, or '' (years read as needed)
 */
export function workdayCalendar() {
  const years = new Map() // year → Map of exceptions, or null when not known
  const pending = new Map()

  async function loadYear(year) {
    if (years.has(year)) return
    if (!pending.has(year)) {
      pending.set(
        year,
        api
          .get(`/api/calendar/${year}`, null, { quiet: true })
          .then((res) => years.set(year, res && res.known ? exceptionMap(res.days) : null))
          .catch(() => years.set(year, null))
          .finally(() => pending.delete(year)),
      )
    }
    await pending.get(year)
  }

  function workdayOf(iso) {
    const p = parseIso(iso)
    if (!p || !years.has(p.year)) return null
    const ex = years.get(p.year)
    if (!ex) return null
    const s = dayState(p.year, p.month, p.day, ex)
    return s === 'workday' || s === 'work'
  }

  async function load(isos) {
    const ys = new Set()
    for (const iso of isos) {
      const p = parseIso(iso)
      if (p) ys.add(p.year)
    }
    await Promise.all([...ys].map(loadYear))
  }

  async function nextWorkday(iso, { includeSelf = true, within = 40 } = {}) {
    let d = includeSelf ? iso : addDays(iso, 1)
    for (let i = 0; i < within && d; i++, d = addDays(d, 1)) {
      await load([d])
      if (workdayOf(d)) return d
    }
    return ''
  }

  return { workdayOf, load, nextWorkday }
}
