// 好差评 (issue 6) as leaders, supervisors and administrators see it: the dashboard's
// metrics and their bases, the level distribution, groupings and drill-down; 差评 work
// orders (steps, deadlines, appeals); fraud flags and their evidence; the region's
// settings, reasons, indicator sets, deadline profiles and the upstream push.
// Pure module (no Vue, no DOM), so it can be checked outside the browser
// (tests/e2e/evaluation-sup.test.mjs). docs/api.md "好差评 evaluations …".
export { percent, thisMonth, lastMonth, thisYear } from './caseLeader.js'
import { hallNow } from './appointment.js'

/** Levels, best first (5 非常满意 … 1 非常不满意); 1–2 are 差评. */
export const LEVELS = [5, 4, 3, 2, 1]
export const LEVEL_TAG = { 5: 'success', 4: 'success', 3: 'info', 2: 'warning', 1: 'danger' }
/** Bar colours of the distribution, by level. */
export const LEVEL_COLOR = { 5: '#2e9d5b', 4: '#7cc86b', 3: '#a9b4c2', 2: '#f0a33a', 1: '#e2574c' }
export const isBad = (level) => Number(level) >= 1 && Number(level) <= 2

/** Channels (docs/api.md). */
export const CHANNELS = ['tablet', 'qr', 'web', 'window_qr', 'staff_qr', 'hotline', 'paper', 'sms', 'system']

// ---- metrics ----

/**
 * The six metrics of a metrics row, in the order shown: the rate (0..1 or null) and its
 * base — what the rate is taken over, read back from the row's counts (docs/api.md
 * "Metrics": excluded 差评 leave every base they sit in).
 */
export const METRICS = [
  { key: 'good_rate', base: 'rated' },
  { key: 'active_good_rate', base: 'active' },
  { key: 'unrated_rate', base: 'services' },
  { key: 'bad_reply_rate', base: 'bad' },
  { key: 'rectify_rate', base: 'bad' },
  { key: 'rectify_satisfaction_rate', base: 'rectified' },
]

const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0)

/** The base (denominator) of a metric for a row: { kind, n }. */
export function metricBase(row, key) {
  const r = row || {}
  const excluded = num(r.excluded)
  switch (key) {
    case 'good_rate':
      return { kind: 'rated', n: Math.max(0, num(r.total) - excluded) }
    case 'active_good_rate':
      return { kind: 'active', n: Math.max(0, num(r.active) - excluded) }
    case 'unrated_rate':
      return { kind: 'services', n: Math.max(0, num(r.services) - excluded) }
    case 'bad_reply_rate':
    case 'rectify_rate':
      return { kind: 'bad', n: num(r.bad) }
    case 'rectify_satisfaction_rate':
      return { kind: 'rectified', n: rectifiedCount(r) }
    default:
      return { kind: '', n: 0 }
  }
}

/** How many 差评 were rectified (回访整改): rectify_rate × bad, rounded. */
export function rectifiedCount(row) {
  const r = row || {}
  if (r.rectify_rate === null || r.rectify_rate === undefined) return 0
  return Math.round(num(r.rectify_rate) * num(r.bad))
}

/** The numerator behind a rate: rate × base, rounded (null when the rate is null). */
export function metricCount(row, key) {
  const rate = row ? row[key] : null
  if (rate === null || rate === undefined || !Number.isFinite(Number(rate))) return null
  return Math.round(Number(rate) * metricBase(row, key).n)
}

/** A row's level counts, best first: [{ level, n, share }] (share 0..1 of the total). */
export function levelCounts(row) {
  const lv = (row && row.levels) || {}
  const total = LEVELS.reduce((s, l) => s + num(lv[l] ?? lv[String(l)]), 0)
  return LEVELS.map((level) => {
    const n = num(lv[level] ?? lv[String(level)])
    return { level, n, share: total ? n / total : 0 }
  })
}

/** Groupings of the dashboard's table (the metrics API's `by`). */
export const GROUPS = ['window', 'staff', 'hall', 'unit', 'item', 'channel', 'day']

/**
 * The query of GET /api/evaluations that lists a metrics row's evaluations: the row's
 * `drill` as the API gives it (period, node, key), first evaluations only.
 */
export function drillQuery(drill, extra = {}) {
  const out = {}
  const allowed = ['from', 'to', 'node_id', 'staff_id', 'window_id', 'item_id', 'channel', 'level', 'bad']
  for (const k of allowed) {
    const v = drill ? drill[k] : undefined
    if (v !== undefined && v !== null && v !== '') out[k] = v
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null && v !== '') out[k] = v
  return out
}

/** A row's label in a table: the API's label, the channel's or '—' for none. */
export function rowLabel(row, by, t, te) {
  if (!row) return ''
  if (by === 'channel') return channelText(t, te, row.key)
  if (row.label) return row.label
  if (row.key === null || row.key === undefined) return t('evalSup.dash.noKey')
  return String(row.key)
}

export function channelText(t, te, ch) {
  if (!ch) return '—'
  return te(`evalSup.channel.${ch}`) ? t(`evalSup.channel.${ch}`) : String(ch)
}

export function levelText(t, te, level) {
  return te(`evalSup.level.${level}`) ? t(`evalSup.level.${level}`) : String(level ?? '—')
}

/** A 2-decimal average ('—' when none). */
export function avg2(x) {
  if (x === null || x === undefined || !Number.isFinite(Number(x))) return '—'
  return Number(x).toFixed(2)
}

/** YYYY-MM of the hall's today. */
export function thisMonthKey(ms = Date.now()) {
  return hallNow(ms).day.slice(0, 7)
}

// ---- 差评 work orders ----

export const BR_STATES = ['assigned', 'contacted', 'verified', 'classified', 'rectified', 'followed_up', 'closed', 'appeal_upheld']
export const BR_STATE_TAG = {
  assigned: 'danger',
  contacted: 'warning',
  verified: 'warning',
  classified: 'primary',
  rectified: 'primary',
  followed_up: 'primary',
  closed: 'success',
  appeal_upheld: 'info',
}
/** The steps in order, each with the route that records it. */
export const BR_STEPS = ['contact', 'verify', 'classify', 'rectify', 'followup', 'rate']
export const CONTACT_METHODS = ['phone', 'sms', 'visit', 'other']
export const FINDINGS = ['true', 'partly', 'false']
export const CLASSIFICATIONS = ['fix_now', 'listed', 'explain']
export const RATINGS = ['satisfied', 'basic', 'unsatisfied']
export const APPEAL_STATES = ['pending', 'upheld', 'rejected']
export const APPEAL_TAG = { pending: 'warning', upheld: 'success', rejected: 'info' }
export const APPEAL_DECISIONS = ['upheld', 'rejected']
export const NOTE_MAX = 2000

/** The step actions of an order's `actions` (appeal and its decision apart). */
export function stepActions(order) {
  const a = (order && Array.isArray(order.actions) && order.actions) || []
  return BR_STEPS.filter((s) => a.includes(s))
}
export const canAppeal = (order) => !!order && Array.isArray(order.actions) && order.actions.includes('appeal')
export const canDecideAppeal = (order) => !!order && Array.isArray(order.actions) && order.actions.includes('decide_appeal')

/**
 * The timeline of an order: every step in order, those reached with what the API says
 * of them (due, done, by whom, late, overdue, note), the rest still to come; on a closed
 * order (办结, or an upheld appeal) the steps never done are `skipped`.
 */
export function timeline(order) {
  const got = new Map(((order && order.steps) || []).map((s) => [s.step, s]))
  const closed = !!order && (order.open === false || order.state === 'closed' || order.state === 'appeal_upheld')
  return BR_STEPS.map((step) => {
    const s = got.get(step)
    if (s) {
      const status = s.done_at ? (s.late ? 'late' : 'done') : closed ? 'skipped' : s.overdue ? 'overdue' : 'current'
      return { ...s, step, status }
    }
    return { step, status: closed ? 'skipped' : 'todo', due_at: null, due_day: null, done_at: null, note: '' }
  })
}

/** The step body a dialog sends (only the fields the step takes; empty optional ones left out). */
export function stepBody(step, form) {
  const f = form || {}
  const note = typeof f.note === 'string' ? f.note.trim() : ''
  switch (step) {
    case 'contact': {
      const b = { method: f.method }
      if (Number.isInteger(f.contacted_at)) b.contacted_at = f.contacted_at
      if (note) b.note = note
      return b
    }
    case 'verify':
      return { finding: f.finding, note }
    case 'classify': {
      const b = { classification: f.classification }
      if (f.classification === 'listed') b.deadline = f.deadline
      if (note) b.note = note
      return b
    }
    case 'rectify':
    case 'followup':
      return { note }
    case 'rate': {
      const b = { rating: f.rating }
      if (note) b.note = note
      return b
    }
    default:
      return {}
  }
}

/** Which fields a step's form asks for, and which of them must be filled. */
export const STEP_FIELDS = {
  contact: { fields: ['method', 'contacted_at', 'note'], required: ['method'] },
  verify: { fields: ['finding', 'note'], required: ['finding', 'note'] },
  classify: { fields: ['classification', 'deadline', 'note'], required: ['classification'] },
  rectify: { fields: ['note'], required: ['note'] },
  followup: { fields: ['note'], required: ['note'] },
  rate: { fields: ['rating', 'note'], required: ['rating'] },
}

/** Classifications open after a finding: an untrue 差评 can only be explained. */
export function classificationsFor(finding) {
  return finding === 'false' ? ['explain'] : CLASSIFICATIONS
}

// ---- fraud flags ----

export const FLAG_KINDS = ['burst_device', 'burst_ip', 'streak', 'fast_console']
export const FLAG_STATUSES = ['open', 'confirmed', 'dismissed']
export const FLAG_STATUS_TAG = { open: 'warning', confirmed: 'danger', dismissed: 'info' }
export const FLAG_DECISIONS = ['confirmed', 'dismissed']
export const FLAG_NOTE_MAX = 500

/** A flag's evidence in one sentence (the translator is passed in). */
export function evidenceText(t, flag) {
  const ev = (flag && flag.evidence) || {}
  switch (flag && flag.kind) {
    case 'burst_device':
      return t('evalSup.flags.evidence.burst_device', { device: ev.device || '?', count: ev.count ?? '?', window_s: ev.window_s ?? '?', threshold: ev.threshold ?? '?' })
    case 'burst_ip':
      return t('evalSup.flags.evidence.burst_ip', { ip: ev.ip || '?', count: ev.count ?? '?', window_s: ev.window_s ?? '?', threshold: ev.threshold ?? '?' })
    case 'streak':
      return t('evalSup.flags.evidence.streak', { count: ev.count ?? '?', within_s: ev.within_s ?? '?', threshold: ev.threshold ?? '?' })
    case 'fast_console':
      return t('evalSup.flags.evidence.fast_console', { seconds: ev.seconds ?? '?', fast_s: ev.fast_s ?? '?' })
    default:
      return ''
  }
}

/** The evaluations an evidence names: [{ id, created_at, … }] (at most 50). */
export function evidenceEvaluations(flag) {
  const list = flag && flag.evidence && flag.evidence.evaluations
  return Array.isArray(list) ? list : []
}

// ---- settings ----

/** The region's evaluation settings and their bounds (src/domain/evaluation.c). */
export const SETTING_BOUNDS = {
  window_days: { min: 1, max: 90 },
  default_level: { min: 1, max: 5 },
  burst_n: { min: 2, max: 1000 },
  burst_s: { min: 10, max: 86400 },
  fast_s: { min: 1, max: 600 },
  streak_n: { min: 5, max: 1000 },
}
export const SETTING_NUMBERS = Object.keys(SETTING_BOUNDS)
export const UNRATED_MODES = ['unrated', 'default']
export const CASE_NODES = ['complete', 'accept,complete']

export function settingOk(field, v) {
  const b = SETTING_BOUNDS[field]
  return !!b && Number.isInteger(v) && v >= b.min && v <= b.max
}

/** The PUT body of /api/eval-settings from a form. */
export function settingsBody(region_id, form) {
  const f = form || {}
  return {
    region_id,
    window_days: f.window_days,
    unrated_mode: f.unrated_mode,
    default_level: f.default_level,
    followup: !!f.followup,
    case_nodes: f.case_nodes,
    burst_n: f.burst_n,
    burst_s: f.burst_s,
    fast_s: f.fast_s,
    streak_n: f.streak_n,
  }
}

/** Reason and indicator codes: 1–32 of a-z 0-9 _. */
export const CODE_RE = /^[a-z0-9_]{1,32}$/
export const LABEL_MAX = 40
export const INDICATORS_MAX = 8
export const INDICATOR_KINDS = ['offline', 'online']

/** A reason's label in the current language (the code when there is none). */
export function reasonLabel(reasons, code, locale) {
  const r = (reasons || []).find((x) => x.code === code)
  if (!r) return String(code)
  return (locale === 'en' ? r.label_en : r.label_zh) || r.label_zh || r.label_en || String(code)
}

/** An indicator's name in the current language. */
export function indicatorName(item, locale) {
  if (!item) return ''
  return (locale === 'en' ? item.name_en : item.name_zh) || item.name_zh || item.name_en || item.code
}

/** Problems of an indicator set's items before publishing: [{ index, field }] (none: ok). */
export function indicatorProblems(items) {
  const out = []
  const list = items || []
  if (list.length < 1 || list.length > INDICATORS_MAX) out.push({ index: -1, field: 'items' })
  const seen = new Set()
  list.forEach((it, i) => {
    const code = String(it.code || '').trim()
    if (!CODE_RE.test(code) || seen.has(code)) out.push({ index: i, field: 'code' })
    seen.add(code)
    for (const f of ['name_zh', 'name_en']) {
      const v = String(it[f] || '').trim()
      if (!v || [...v].length > LABEL_MAX || /[\r\n]/.test(v)) out.push({ index: i, field: f })
    }
  })
  return out
}

// ---- 差评 deadline profiles ----

/** The eight step profiles of a deadline profile, in the order of the work order. */
export const PROFILE_STEPS = ['contact', 'verify', 'classify', 'fix_now', 'listed_max', 'explain', 'followup', 'rate']
export const STEP_UNITS = ['workdays', 'days', 'hours']

/** Whether a step profile is allowed (docs/api.md "step profile"). */
export function stepProfileOk(step, p) {
  if (!p || !Number.isInteger(p.n) || !STEP_UNITS.includes(p.unit)) return false
  if (step === 'listed_max') return p.unit !== 'hours' && p.n >= 1 && p.n <= 180
  if (p.unit === 'hours') return p.n >= 1 && p.n <= 720
  return p.n >= 0 && p.n <= 180
}

/** The built-in "1-2-3" rule (a region without profiles). */
export const BUILTIN_STEPS = {
  contact: { n: 1, unit: 'workdays' },
  verify: { n: 1, unit: 'workdays' },
  classify: { n: 1, unit: 'workdays' },
  fix_now: { n: 2, unit: 'workdays' },
  listed_max: { n: 3, unit: 'workdays' },
  explain: { n: 2, unit: 'workdays' },
  followup: { n: 1, unit: 'workdays' },
  rate: { n: 1, unit: 'workdays' },
}

/** A step profile in words: 1 个工作日 / 当天 / 48 小时. */
export function stepProfileText(t, p) {
  if (!p) return '—'
  if (p.n === 0 && p.unit !== 'hours') return t('evalSup.profiles.sameDay')
  return t(`evalSup.profiles.unitN.${p.unit}`, { n: p.n })
}
