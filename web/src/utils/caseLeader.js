// Cases (办件) as leaders, supervisors and the public see them: the board's warning
// levels, efficiency statistics (rates, periods, CSV), follow-up and accountability
// vocabularies, the settings' bounds and the public status look-up's inputs.
// Pure module (no Vue, no DOM), so it can be checked outside the browser
// (tests/e2e/case-leader.test.mjs). docs/api.md "Cases 办件 …".
import { addDays, hallNow } from './appointment.js'

/** Case states (docs/api.md), in lifecycle order: the console's list (utils/cases.js). */
export { CASE_STATES } from './cases.js'

/** Clock levels and their tag colours (Element Plus tag types). */
export const LEVELS = ['none', 'yellow', 'red', 'overdue', 'paused', 'done']
export const LEVEL_TAG = { none: 'info', yellow: 'warning', red: 'danger', overdue: 'danger', paused: 'info', done: 'success' }

/** The board's counters, in the order shown, with the list each one leads to. */
export const BOARD_COUNTS = [
  { key: 'overdue', tab: 'overdue', tone: 'danger' },
  { key: 'red', tab: 'red', tone: 'danger' },
  { key: 'yellow', tab: 'yellow', tone: 'warning' },
  { key: 'open', tab: null, tone: 'primary' },
  { key: 'extensions_pending', tab: 'extensions', tone: 'primary' },
  { key: 'accountability_pending', tab: 'accountability', tone: 'warning' },
  { key: 'followups_overdue', tab: null, tone: 'danger' },
]

/** Accountability: grades a leader decides, sources, statuses. */
export const ACCT_GRADES = ['reminder', 'criticism', 'formal']
export const ACCT_SOURCES = ['overdue', 'complaint', 'finding']
export const ACCT_STATUSES = ['pending', 'decided', 'dismissed']
export const ACCT_STATUS_TAG = { pending: 'warning', decided: 'danger', dismissed: 'info' }
export const ACCT_GRADE_TAG = { reminder: 'info', criticism: 'warning', formal: 'danger' }

/** Follow-up calls: results and the list's tabs (status + overdue filter). */
export const FOLLOWUP_RESULTS = ['reached', 'unreachable', 'declined']
export const FOLLOWUP_TABS = {
  scheduled: { status: 'scheduled' },
  overdue: { status: 'scheduled', overdue: 1 },
  done: { status: 'done' },
}

/** Statistics groupings. */
export const STAT_GROUPS = ['item', 'window', 'unit', 'staff']

/** Region settings and their bounds (src/domain/case.h). */
export const SETTINGS_BOUNDS = {
  yellow_pct: { min: 50, max: 99 },
  escalate_minutes: { min: 5, max: 10080 },
  followup_sample_pct: { min: 0, max: 100 },
  followup_days: { min: 1, max: 30 },
}
export const SETTINGS_FIELDS = Object.keys(SETTINGS_BOUNDS)

/** Whether v is a whole number within the field's bounds. */
export function settingInRange(field, v) {
  const b = SETTINGS_BOUNDS[field]
  return !!b && Number.isInteger(v) && v >= b.min && v <= b.max
}

/** The hall's (Asia/Shanghai) today and this month so far: { from, to }. */
export function thisMonth(ms = Date.now()) {
  const today = hallNow(ms).day
  return { from: `${today.slice(0, 8)}01`, to: today }
}

/** The previous calendar month of a day: { from, to }. */
export function lastMonth(ms = Date.now()) {
  const first = `${hallNow(ms).day.slice(0, 8)}01`
  const end = addDays(first, -1)
  return { from: `${end.slice(0, 8)}01`, to: end }
}

/** This year so far: { from, to }. */
export function thisYear(ms = Date.now()) {
  const today = hallNow(ms).day
  return { from: `${today.slice(0, 4)}-01-01`, to: today }
}

/** A share 0-1 → '85.0%' ('—' when there is none). */
export function percent(x, digits = 1) {
  if (x === null || x === undefined || !Number.isFinite(Number(x))) return '—'
  return `${(Number(x) * 100).toFixed(digits)}%`
}

/** Working days with one decimal ('—' for none). */
export function days1(x) {
  if (x === null || x === undefined || !Number.isFinite(Number(x))) return '—'
  return Number(x).toFixed(1)
}

/** The stacked bar of a stats row: widths in % of early / on time / late (sum 100). */
export function outcomeBar(row) {
  const n = Number(row && row.completed) || 0
  if (n <= 0) return { early: 0, on_time: 0, late: 0 }
  const early = (100 * (Number(row.early) || 0)) / n
  const late = (100 * (Number(row.late) || 0)) / n
  return { early, on_time: Math.max(0, 100 - early - late), late }
}

/** One CSV cell: quoted when it holds a comma, quote or line break; formulas defused. */
export function csvCell(v) {
  let s = v === null || v === undefined ? '' : String(v)
  // a cell starting with = + - @ would run as a formula in a spreadsheet (not numbers)
  if (/^[=+\-@]/.test(s) && !/^-?\d+(\.\d+)?%?$/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Rows of cells → CSV text with CRLF line ends and a BOM (Excel reads it as UTF-8). */
export function toCsv(rows) {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`
}

/**
 * The statistics table as CSV: a header row, one row per group, the total last.
 * head: the column titles in the current language, in the order of STATS_COLUMNS.
 */
export const STATS_COLUMNS = [
  (r) => r.label || r.key || '',
  (r) => r.completed,
  (r) => r.early,
  (r) => percent(r.early_rate),
  (r) => r.on_time,
  (r) => percent(r.on_time_rate),
  (r) => r.late,
  (r) => percent(r.late_rate),
  (r) => days1(r.avg_used),
  (r) => days1(r.avg_promised),
]
export function statsCsv(head, items, total, totalLabel) {
  const rows = [head]
  for (const r of items || []) rows.push(STATS_COLUMNS.map((f) => f(r)))
  if (total) rows.push(STATS_COLUMNS.map((f, i) => (i === 0 ? totalLabel : f(total))))
  return toCsv(rows)
}

// ---- the public status look-up ----

/** Query codes: letters and digits, upper case (the receipt's code, e.g. K7Q2PX). */
export const QUERY_CODE_LEN = 6
export function normalizeQueryCode(text) {
  return String(text || '')
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .slice(0, 12)
}

/**
 * A case number as typed → the form on the receipt: 2026-1129-000123. Spaces go; 14
 * bare digits get their hyphens; anything else is kept as typed (the server decides).
 */
export function normalizeCaseNumber(text) {
  const s = String(text || '').replace(/[\s\u3000]/g, '').replace(/[—–－]/g, '-')
  const bare = /^(\d{4})(\d{4})(\d{6})$/.exec(s)
  return bare ? `${bare[1]}-${bare[2]}-${bare[3]}` : s
}

export const CASE_NUMBER_RE = /^\d{4}-\d{4}-\d{6}$/

// ---- words (the translator is passed in) ----

/** A case's time left in words: 剩 3 个工作日 / 今日到期 / 超期 2 个工作日 / 暂停计时. */
export function clockText(t, clock) {
  if (!clock || !clock.has_clock) return t('caseClock.none')
  if (clock.paused || clock.level === 'paused') return t('caseClock.paused')
  const unit = ['workdays', 'days', 'hours'].includes(clock.unit) ? clock.unit : 'workdays'
  const n = Number(clock.remaining)
  if (!Number.isFinite(n)) return t('caseClock.none')
  if (n === 0) return t('caseClock.dueToday')
  return n > 0 ? t(`caseClock.left.${unit}`, { n }) : t(`caseClock.over.${unit}`, { n: -n })
}

/** A word from a closed list, or the raw value when the list does not know it. */
export function known(t, te, prefix, value) {
  if (value === null || value === undefined || value === '') return ''
  const key = `${prefix}.${value}`
  return te(key) ? t(key) : String(value)
}
