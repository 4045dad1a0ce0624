// 三比 scoring (issue 7, docs/api.md "Scorecards 量化考核 …"): the pure helpers of the
// score pages — the scorecard definition's inputs, the DOMAIN.md §7 templates, the
// editor's form ⇄ definition, the live checks the server repeats, period keys, the
// ranking's movement, the drill-down's arithmetic and the charts' distributions.
//
// Pure module (no Vue, no Element Plus): checked by tests/e2e/score-utils.test.mjs.

export const SUBJECTS = ['window', 'staff']
export const PERIOD_KINDS = ['month', 'quarter', 'year']
export const GROUPS = ['all', 'hall', 'unit', 'industry']
export const FLAG_GROUPS = ['all', 'hall', 'unit']
export const VETOES = ['', 'period', 'year']
export const EVENT_STATES = ['pending', 'confirmed', 'voided']
export const CODE_RE = /^[a-z0-9_]{1,32}$/
export const LIMITS = { items: 32, rules: 8, events: 48, name: 100, abs: 10000, evidence: 2000, reason: 500, qtyMax: 1000 }

/**
 * The inputs a rule or a scaled item may read (docs/api.md): `kind` count (a number of
 * things in the period), rate (0–1) or value; `only` the subject it exists for.
 * Two families take a code: `event:<code>` (a declared manual event type) and
 * `review:<group code>` (a review round group's mean, 0–100).
 */
export const INPUTS = [
  { name: 'eval_active', group: 'eval', kind: 'count' },
  { name: 'eval_good', group: 'eval', kind: 'count' },
  { name: 'eval_bad', group: 'eval', kind: 'count' },
  { name: 'eval_unrated', group: 'eval', kind: 'count' },
  { name: 'eval_defaulted', group: 'eval', kind: 'count' },
  { name: 'satisfaction', group: 'eval', kind: 'rate' },
  { name: 'bad_rectified_rate', group: 'eval', kind: 'rate' },
  { name: 'case_done', group: 'case', kind: 'count' },
  { name: 'case_ontime', group: 'case', kind: 'count' },
  { name: 'case_late', group: 'case', kind: 'count' },
  { name: 'case_overdue', group: 'case', kind: 'count' },
  { name: 'case_returned', group: 'case', kind: 'count' },
  { name: 'ontime_rate', group: 'case', kind: 'rate' },
  { name: 'served', group: 'queue', kind: 'count' },
  { name: 'noshow', group: 'queue', kind: 'count' },
  { name: 'svc_timeout', group: 'queue', kind: 'count' },
  { name: 'noshow_rate', group: 'queue', kind: 'rate' },
  { name: 'commit_due', group: 'commit', kind: 'count' },
  { name: 'commit_fulfilled', group: 'commit', kind: 'count' },
  { name: 'commit_missed', group: 'commit', kind: 'count' },
  { name: 'commit_rate', group: 'commit', kind: 'rate' },
  { name: 'review', group: 'review', kind: 'value' },
  { name: 'staff_avg', group: 'other', kind: 'value', only: 'window' },
  { name: 'chief_loss', group: 'other', kind: 'count', only: 'staff' },
]
export const INPUT_GROUPS = ['eval', 'case', 'queue', 'commit', 'review', 'other', 'event']
const INPUT_BY_NAME = new Map(INPUTS.map((i) => [i.name, i]))

/** The inputs a subject's card may use (`event:` ones from its declared events). */
export function inputsFor(subject, events = []) {
  const out = INPUTS.filter((i) => !i.only || i.only === subject).map((i) => ({ ...i, value: i.name }))
  for (const ev of events || []) {
    if (ev && CODE_RE.test(ev.code || '')) out.push({ name: `event:${ev.code}`, group: 'event', kind: 'count', label: ev.name || ev.code, value: `event:${ev.code}` })
  }
  return out
}

/** Whether `name` is an input a card for `subject` with these event codes may read; an
 * empty answer means yes, else the reason: 'unknown', 'subject' or 'event'. */
export function checkInput(name, subject, eventCodes = []) {
  const s = String(name || '')
  const ev = /^event:(.*)$/.exec(s)
  if (ev) return CODE_RE.test(ev[1]) && eventCodes.includes(ev[1]) ? '' : 'event'
  const rv = /^review:(.*)$/.exec(s)
  if (rv) return CODE_RE.test(rv[1]) ? '' : 'unknown'
  const known = INPUT_BY_NAME.get(s)
  if (!known) return 'unknown'
  if (known.only && subject && known.only !== subject) return 'subject'
  return ''
}

/** The kind of an input (count, rate or value), for the scale's hints. */
export function inputKind(name) {
  const s = String(name || '')
  if (s.startsWith('event:')) return 'count'
  if (s.startsWith('review:')) return 'value'
  return INPUT_BY_NAME.get(s)?.kind || 'count'
}

// ---- templates: the schemes of DOMAIN.md §7 ----

const STARS = [95, 90, 80, 70]
const E = (code, name) => ({ code, name })

/** The schemes a leader may start from: { key, subject, periods, def }. Names are Chinese
 * (they are the card's data, shown as written). */
export const TEMPLATES = [
  {
    key: 'window_monthly',
    subject: 'window',
    periods: ['month'],
    def: {
      weighted: false,
      base: 100,
      cap: 110,
      floor: 0,
      items: [
        { code: 'attendance', name: '考勤', points: 20, rules: [{ input: 'event:absent_half_day', per: -3 }] },
        { code: 'intake', name: '收件与退件', points: 15, rules: [{ input: 'case_returned', per: -2 }] },
        { code: 'fees', name: '收费', points: 10, rules: [{ input: 'event:unauthorised_fee', per: -5 }] },
        { code: 'timelimit', name: '时限承诺', points: 15, rules: [{ input: 'case_overdue', per: -5 }] },
        { code: 'accuracy', name: '办结与准确率', points: 15, input: 'ontime_rate', zero: 0.8, full: 1, empty: 'full' },
        { code: 'archives', name: '档案管理', points: 3, rules: [{ input: 'event:archive_defect', per: -1 }] },
        { code: 'hygiene', name: '环境卫生', points: 2, rules: [{ input: 'event:hygiene_defect', per: -1 }] },
        { code: 'covert', name: '暗访', points: 15, veto: 'year', rules: [{ input: 'event:covert_negative', per: -15 }] },
        { code: 'bonus', name: '加分', points: 0, bonus: 10, rules: [{ input: 'event:praise_letter', per: 1 }] },
      ],
      events: [
        E('absent_half_day', '缺勤(半天)'),
        E('unauthorised_fee', '违规收费'),
        E('archive_defect', '档案不规范'),
        E('hygiene_defect', '卫生不达标'),
        E('covert_negative', '暗访负面通报'),
        E('praise_letter', '表扬信'),
      ],
      stars: STARS,
      red_flag: { month: 1, group: 'all' },
      summons: { group: 'all', bottom: 1, streak: 2 },
    },
  },
  {
    key: 'staff',
    subject: 'staff',
    periods: ['month', 'year'],
    def: {
      weighted: false,
      base: 100,
      cap: 100,
      floor: 0,
      items: [
        { code: 'attendance', name: '考勤', points: 30, rules: [{ input: 'event:absent_half_day', per: -3 }] },
        {
          code: 'discipline',
          name: '工作纪律',
          points: 30,
          rules: [
            { input: 'event:discipline', per: -5 },
            { input: 'chief_loss', per: -0.5 },
          ],
        },
        {
          code: 'business',
          name: '业务工作',
          points: 30,
          input: 'satisfaction',
          zero: 0.8,
          full: 1,
          empty: 'full',
          rules: [{ input: 'case_overdue', per: -5 }],
        },
        { code: 'full_attendance', name: '全勤', points: 10, rules: [{ input: 'event:absent_half_day', per: -10 }] },
      ],
      events: [E('absent_half_day', '缺勤(半天)'), E('discipline', '违反工作纪律')],
      stars: STARS,
      summons: { group: 'all', bottom: 1, streak: 2 },
    },
  },
  {
    key: 'window',
    subject: 'window',
    periods: ['month', 'quarter', 'year'],
    def: {
      weighted: false,
      base: 100,
      cap: 100,
      floor: 0,
      items: [
        { code: 'standard', name: '窗口规范化', points: 20, rules: [{ input: 'event:non_standard', per: -2 }] },
        {
          code: 'cases',
          name: '办件情况',
          points: 20,
          rules: [
            { input: 'case_overdue', per: -5 },
            { input: 'case_returned', per: -2 },
          ],
        },
        { code: 'fees', name: '收费', points: 10, rules: [{ input: 'event:unauthorised_fee', per: -5 }] },
        { code: 'staff_mgmt', name: '人员管理', points: 10, rules: [{ input: 'event:staff_mgmt', per: -2 }] },
        { code: 'staff_scores', name: '人员考核', points: 30, input: 'staff_avg', zero: 60, full: 100, empty: 'full' },
        { code: 'public', name: '群众评价', points: 10, input: 'satisfaction', zero: 0.8, full: 1, empty: 'full' },
      ],
      events: [E('non_standard', '窗口不规范'), E('unauthorised_fee', '违规收费'), E('staff_mgmt', '人员管理问题')],
      stars: STARS,
      red_flag: { month: 1, quarter: 1, year: 1, group: 'all' },
      summons: { group: 'all', bottom: 1, streak: 2 },
    },
  },
  {
    key: 'red_flag',
    subject: 'window',
    periods: ['month', 'quarter', 'year'],
    def: {
      weighted: true,
      base: 100,
      cap: 100,
      floor: 0,
      items: [
        { code: 'efficiency', name: '窗口效率', weight: 30, input: 'ontime_rate', zero: 0.8, full: 1, empty: 'full' },
        { code: 'staff', name: '人员考核', weight: 30, input: 'staff_avg', zero: 60, full: 100, empty: 'full' },
        { code: 'duty_votes', name: '值班领导投票', weight: 20, input: 'review:duty', zero: 0, full: 100, empty: 'zero' },
        { code: 'citizen_votes', name: '群众投票', weight: 20, input: 'review:public', zero: 0, full: 100, empty: 'zero' },
      ],
      events: [],
      stars: STARS,
      red_flag: { month: 5, quarter: 2, year: 1, group: 'all' },
      summons: { group: 'all', bottom: 1, streak: 2 },
    },
  },
]

/** A deep copy of a template's definition (the editor changes its own copy). */
export function templateDef(key) {
  const tpl = TEMPLATES.find((x) => x.key === key)
  return tpl ? JSON.parse(JSON.stringify(tpl.def)) : null
}

/** An empty definition to start from. */
export function emptyDef(subject = 'window') {
  return {
    weighted: false,
    base: 100,
    cap: 100,
    floor: 0,
    items: [],
    events: [],
    stars: [...STARS],
    ...(subject === 'window' ? { red_flag: { month: 1, group: 'all' } } : {}),
    summons: { group: 'all', bottom: 1, streak: 2 },
  }
}

// ---- the editor's form ⇄ the definition ----

const num = (v) => (v === '' || v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v))

/** The editor's working copy of a definition: every field present (null when unset),
 * so the form binds to stable keys. */
export function defToForm(def, subject = 'window') {
  const d = def && typeof def === 'object' ? def : {}
  const items = Array.isArray(d.items) ? d.items : []
  const rf = d.red_flag && typeof d.red_flag === 'object' ? d.red_flag : null
  const sm = d.summons && typeof d.summons === 'object' ? d.summons : null
  const stars = Array.isArray(d.stars) ? d.stars : []
  return {
    weighted: !!d.weighted,
    base: num(d.base) ?? 100,
    cap: num(d.cap),
    floor: num(d.floor),
    items: items.map((it) => ({
      code: String(it.code || ''),
      name: String(it.name || ''),
      points: num(it.points),
      weight: num(it.weight),
      bonus: num(it.bonus),
      input: it.input ? String(it.input) : '',
      zero: num(it.zero),
      full: num(it.full),
      empty: it.empty === 'zero' ? 'zero' : 'full',
      veto: VETOES.includes(it.veto) ? it.veto : '',
      rules: (Array.isArray(it.rules) ? it.rules : []).map((r) => ({ input: String(r.input || ''), per: num(r.per) })),
    })),
    events: (Array.isArray(d.events) ? d.events : []).map((e) => ({ code: String(e.code || ''), name: String(e.name || '') })),
    stars: [0, 1, 2, 3].map((i) => num(stars[i])),
    redFlagOn: subject === 'window' && !!rf,
    red_flag: {
      month: num(rf?.month),
      quarter: num(rf?.quarter),
      year: num(rf?.year),
      group: FLAG_GROUPS.includes(rf?.group) ? rf.group : 'all',
    },
    summonsOn: !!sm,
    summons: {
      group: GROUPS.includes(sm?.group) ? sm.group : 'all',
      bottom: num(sm?.bottom) ?? 1,
      streak: num(sm?.streak) ?? 2,
    },
  }
}

/** The definition a form stands for (what is posted): unset optional fields left out. */
export function formToDef(f) {
  const def = { weighted: !!f.weighted, base: num(f.base) }
  if (num(f.cap) !== null) def.cap = num(f.cap)
  if (num(f.floor) !== null) def.floor = num(f.floor)
  def.items = (f.items || []).map((it) => {
    const out = { code: it.code, name: it.name }
    if (f.weighted) out.weight = num(it.weight)
    else out.points = num(it.points)
    if (num(it.bonus) !== null && num(it.bonus) !== 0) out.bonus = num(it.bonus)
    if (it.input) {
      out.input = it.input
      out.zero = num(it.zero)
      out.full = num(it.full)
      out.empty = it.empty === 'zero' ? 'zero' : 'full'
    }
    if (it.veto) out.veto = it.veto
    const rules = (it.rules || []).filter((r) => r.input || num(r.per) !== null)
    if (rules.length) out.rules = rules.map((r) => ({ input: r.input, per: num(r.per) }))
    return out
  })
  def.events = (f.events || []).filter((e) => e.code || e.name).map((e) => ({ code: e.code, name: e.name }))
  const stars = (f.stars || []).map(num)
  if (stars.some((s) => s !== null)) def.stars = stars
  if (f.redFlagOn) {
    const rf = {}
    for (const k of PERIOD_KINDS) if (num(f.red_flag?.[k]) !== null) rf[k] = num(f.red_flag[k])
    rf.group = f.red_flag?.group || 'all'
    def.red_flag = rf
  }
  if (f.summonsOn) def.summons = { group: f.summons.group, bottom: num(f.summons.bottom), streak: num(f.summons.streak) }
  return def
}

/** The sum of the items' weights (2 decimals), for the weighted card's live check. */
export function weightSum(items) {
  const s = (items || []).reduce((acc, it) => acc + (num(it.weight) || 0), 0)
  return Math.round(s * 100) / 100
}

/** The items' points in total (weighted: weight × base / 100). */
export function pointsSum(form) {
  const base = num(form.base) || 0
  const s = (form.items || []).reduce((acc, it) => acc + (form.weighted ? ((num(it.weight) || 0) * base) / 100 : num(it.points) || 0), 0)
  return Math.round(s * 100) / 100
}

/**
 * The checks the editor shows before anything is sent (the server makes them again and
 * has the last word): a list of { field, code, params } with the server's field paths
 * (`items[2].rules[0].input`, `weights`, `stars` …); `code` is a message key under
 * score.check.*.
 */
export function checkForm(f, subject = 'window') {
  const out = []
  const add = (field, code, params = {}) => out.push({ field, code, params })
  const inRange = (v) => v !== null && Math.abs(v) <= LIMITS.abs
  const base = num(f.base)
  if (base === null || !inRange(base) || base <= 0) add('base', 'number')
  if (num(f.cap) !== null && base !== null && num(f.cap) < base) add('cap', 'capBelowBase')
  if (num(f.floor) !== null && num(f.floor) > (num(f.cap) ?? base ?? 0)) add('floor', 'floorAboveCap')
  const events = (f.events || []).filter((e) => e.code || e.name)
  if (events.length > LIMITS.events) add('events', 'tooMany', { n: LIMITS.events })
  const seenEv = new Set()
  events.forEach((e, i) => {
    if (!CODE_RE.test(e.code)) add(`events[${i}].code`, 'code')
    else if (seenEv.has(e.code)) add(`events[${i}].code`, 'duplicate')
    seenEv.add(e.code)
    if (!e.name || e.name.length > LIMITS.name) add(`events[${i}].name`, 'name')
  })
  const eventCodes = [...seenEv]
  const items = f.items || []
  if (!items.length) add('items', 'noItems')
  if (items.length > LIMITS.items) add('items', 'tooMany', { n: LIMITS.items })
  const seen = new Set()
  items.forEach((it, i) => {
    const p = `items[${i}]`
    if (!CODE_RE.test(it.code || '')) add(`${p}.code`, 'code')
    else if (seen.has(it.code)) add(`${p}.code`, 'duplicate')
    seen.add(it.code)
    if (!it.name || it.name.length > LIMITS.name) add(`${p}.name`, 'name')
    if (f.weighted) {
      const w = num(it.weight)
      if (w === null || w < 0 || w > 100) add(`${p}.weight`, 'weight')
    } else {
      const pts = num(it.points)
      if (pts === null || pts < 0 || !inRange(pts)) add(`${p}.points`, 'number')
    }
    if (num(it.bonus) !== null && (num(it.bonus) < 0 || !inRange(num(it.bonus)))) add(`${p}.bonus`, 'number')
    if (it.input) {
      const why = checkInput(it.input, subject, eventCodes)
      if (why) add(`${p}.input`, `input_${why}`)
      const z = num(it.zero)
      const full = num(it.full)
      if (z === null || !inRange(z)) add(`${p}.zero`, 'number')
      if (full === null || !inRange(full)) add(`${p}.full`, 'number')
      if (z !== null && full !== null && z === full) add(`${p}.full`, 'zeroFull')
    }
    const rules = (it.rules || []).filter((r) => r.input || num(r.per) !== null)
    if (rules.length > LIMITS.rules) add(`${p}.rules`, 'tooMany', { n: LIMITS.rules })
    rules.forEach((r, k) => {
      const why = checkInput(r.input, subject, eventCodes)
      if (why) add(`${p}.rules[${k}].input`, `input_${why}`)
      const per = num(r.per)
      if (per === null || per === 0 || !inRange(per)) add(`${p}.rules[${k}].per`, 'per')
    })
    if (it.veto && !rules.length) add(`${p}.veto`, 'vetoRules')
  })
  if (f.weighted && items.length && weightSum(items) !== 100) add('weights', 'weights', { sum: weightSum(items) })
  const stars = (f.stars || []).map(num)
  if (stars.some((s) => s !== null)) {
    if (stars.some((s) => s === null)) add('stars', 'starsAll')
    else if (stars.some((s, i) => i > 0 && s > stars[i - 1])) add('stars', 'starsOrder')
  }
  if (f.redFlagOn) {
    if (subject !== 'window') add('red_flag', 'redFlagStaff')
    for (const k of PERIOD_KINDS) {
      const n = num(f.red_flag?.[k])
      if (n !== null && (n < 0 || n > 100 || !Number.isInteger(n))) add(`red_flag.${k}`, 'count')
    }
  }
  if (f.summonsOn) {
    const b = num(f.summons?.bottom)
    const s = num(f.summons?.streak)
    if (b === null || b < 1 || !Number.isInteger(b)) add('summons.bottom', 'count')
    if (s === null || s < 1 || !Number.isInteger(s)) add('summons.streak', 'count')
  }
  return out
}

// ---- periods ----

/** The parts of `date` in a time zone (the halls' days are Asia/Shanghai days). */
function partsIn(date, timeZone) {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]))
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day) }
}

/** The key of the period of `kind` holding `date`: 2026-11, 2026-Q4, 2026. */
export function periodOf(kind, date = new Date(), timeZone = 'Asia/Shanghai') {
  const { y, m } = partsIn(date, timeZone)
  if (kind === 'year') return String(y)
  if (kind === 'quarter') return `${y}-Q${Math.floor((m - 1) / 3) + 1}`
  return `${y}-${String(m).padStart(2, '0')}`
}

/** The kind of a period key, or '' when it is none. */
export function periodKind(key) {
  const s = String(key || '')
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(s)) return 'month'
  if (/^\d{4}-Q[1-4]$/.test(s)) return 'quarter'
  if (/^\d{4}$/.test(s)) return 'year'
  return ''
}

/** The period `n` steps before `key` (n may be negative: after). */
export function periodShift(key, n) {
  const kind = periodKind(key)
  const s = String(key)
  if (kind === 'year') return String(Number(s) - n)
  if (kind === 'quarter') {
    const idx = Number(s.slice(0, 4)) * 4 + Number(s.slice(6)) - 1 - n
    return `${Math.floor(idx / 4)}-Q${(idx % 4) + 1}`
  }
  if (kind === 'month') {
    const idx = Number(s.slice(0, 4)) * 12 + Number(s.slice(5)) - 1 - n
    return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`
  }
  return ''
}

/** The first and last day of a period (YYYY-MM-DD). */
export function periodDays(key) {
  const kind = periodKind(key)
  const s = String(key)
  const y = Number(s.slice(0, 4))
  let m0 = 1
  let m1 = 12
  if (kind === 'month') m0 = m1 = Number(s.slice(5))
  else if (kind === 'quarter') {
    m0 = (Number(s.slice(6)) - 1) * 3 + 1
    m1 = m0 + 2
  } else if (kind !== 'year') return null
  const last = new Date(Date.UTC(y, m1, 0)).getUTCDate()
  const pad = (n) => String(n).padStart(2, '0')
  return { from: `${y}-${pad(m0)}-01`, to: `${y}-${pad(m1)}-${pad(last)}` }
}

/**
 * The periods a card's period picker offers: the server's list (closed and open ones
 * with results) with the current period of each of the card's kinds and the `back`
 * periods before it added when missing (open: not closed yet), and `extra` (a period
 * key from the address) when it is one of the card's kinds; newest first within each
 * kind. items: GET …/periods `items`.
 */
export function periodChoices(items, kinds = ['month'], now = new Date(), back = 0, extra = '') {
  const out = (items || []).map((p) => ({ ...p }))
  const add = (period, kind, current) => {
    if (!out.some((p) => p.period === period)) out.push({ period, kind, state: 'open', ...(current ? { current: true } : {}) })
  }
  for (const kind of kinds || []) {
    const cur = periodOf(kind, now)
    add(cur, kind, true)
    for (let i = 1; i <= back; i++) add(periodShift(cur, i), kind, false)
  }
  if (extra && (kinds || []).includes(periodKind(extra))) add(extra, periodKind(extra), false)
  const order = (k) => PERIOD_KINDS.indexOf(k)
  return out.sort((a, b) => order(a.kind || periodKind(a.period)) - order(b.kind || periodKind(b.period)) || (a.period < b.period ? 1 : a.period > b.period ? -1 : 0))
}

/** The period a card's page opens on: the latest closed one, else the current one of
 * the card's first kind. */
export function defaultPeriod(items, kinds = ['month'], now = new Date()) {
  const kind = (kinds && kinds[0]) || 'month'
  const closed = (items || []).filter((p) => p.state === 'closed' && (p.kind || periodKind(p.period)) === kind)
  closed.sort((a, b) => (a.period < b.period ? 1 : -1))
  return closed.length ? closed[0].period : periodOf(kind, now)
}

// ---- the ranking ----

/** A row's movement since the last period: { dir: 'up'|'down'|'same'|'new', n, text }. */
export function movement(row) {
  const m = row ? row.movement : null
  if (m === null || m === undefined || row.prev_rank === null || row.prev_rank === undefined) return { dir: 'new', n: 0, text: 'new' }
  const n = Number(m)
  if (n > 0) return { dir: 'up', n, text: `↑${n}` }
  if (n < 0) return { dir: 'down', n: -n, text: `↓${-n}` }
  return { dir: 'same', n: 0, text: '–' }
}

/** A score as shown: 2 decimals at most, no trailing zeros (95.5, 100, 88.25). */
export function fmtScore(v) {
  if (v === null || v === undefined || v === '' || !Number.isFinite(Number(v))) return '—'
  return String(Math.round(Number(v) * 100) / 100)
}

/** A signed number for the arithmetic (+1, −3, −0.5). */
export function signed(v) {
  const n = Math.round(Number(v || 0) * 100) / 100
  return n < 0 ? `−${-n}` : `+${n}`
}

/** How many rows have 0 (disqualified) … 5 stars: [n0, n1, …, n5]. */
export function starsDistribution(rows) {
  const out = [0, 0, 0, 0, 0, 0]
  for (const r of rows || []) {
    const s = Number(r.stars)
    if (Number.isInteger(s) && s >= 0 && s <= 5) out[s]++
  }
  return out
}

/**
 * The scores binned for a histogram: bins of `width` from the lowest multiple of width at
 * or below min(scores, lo) up to hi (the top bin holds hi itself).
 * → [{ from, to, n }]; empty when there are no scores.
 */
export function histogram(scores, { width = 5, lo = null, hi = null } = {}) {
  const xs = (scores || []).map(Number).filter(Number.isFinite)
  if (!xs.length) return []
  const w = width > 0 ? width : 5
  const min = Math.min(...xs, lo ?? Infinity)
  const max = Math.max(...xs, hi ?? -Infinity)
  const start = Math.floor(min / w) * w
  // the top edge belongs to the last bin
  const count = Math.max(1, Math.ceil((max - start) / w))
  const bins = Array.from({ length: count }, (_, i) => ({ from: start + i * w, to: start + (i + 1) * w, n: 0 }))
  for (const x of xs) {
    let i = Math.floor((x - start) / w)
    if (i >= count) i = count - 1
    bins[i].n++
  }
  return bins
}

// ---- the drill-down's arithmetic ----

const r2 = (x) => Math.round(Number(x || 0) * 100) / 100

/**
 * The drill-down recomputed from its own parts (GET /api/scores/detail), so the page
 * shows — and a test checks — that total = clamp(base − Σ(points − value) + Σ added):
 * { lost, added, before, total, cap, floor, agrees } with `agrees` true when the sums
 * match the server's `total_before_clamp` and `total` (to the cent).
 */
export function recompute(detail) {
  if (!detail) return null
  const base = Number(detail.base)
  const cap = detail.cap === null || detail.cap === undefined ? base : Number(detail.cap)
  const floor = detail.floor === null || detail.floor === undefined ? 0 : Number(detail.floor)
  let lost = 0
  let added = 0
  for (const it of detail.items || []) {
    lost += Number(it.points || 0) - Number(it.value || 0)
    added += Number(it.added || 0)
  }
  lost = r2(lost)
  added = r2(added)
  const before = r2(base - lost + added)
  const total = r2(Math.min(cap, Math.max(floor, before)))
  const agrees =
    Math.abs(before - Number(detail.total_before_clamp)) < 0.011 && Math.abs(total - Number(detail.total)) < 0.011
  return { base, lost, added, before, total, cap, floor, agrees }
}

/** A rule's line: count × per = amount (amount as the server capped it, when given). */
export function ruleLine(rule) {
  const count = r2(rule.count)
  const per = r2(rule.per)
  const amount = rule.amount === undefined || rule.amount === null ? r2(count * per) : r2(rule.amount)
  return `${count} × ${per < 0 ? `(${per})` : per} = ${amount}`
}

/** An item's start explained: the points, or points × scale for a scaled input. */
export function startLine(item) {
  if (item.input && item.scale !== null && item.scale !== undefined) {
    return `${r2(item.points)} × ${Math.round(Number(item.scale) * 10000) / 10000} = ${r2(item.start)}`
  }
  return String(r2(item.start ?? item.points))
}

/** An input's value as shown: rates as percentages, values with 2 decimals. */
export function inputValue(name, v) {
  if (v === null || v === undefined) return '—'
  const n = Number(v)
  if (!Number.isFinite(n)) return String(v)
  if (inputKind(name) === 'rate') return `${Math.round(n * 1000) / 10}%`
  return String(r2(n))
}

/**
 * The card that applies to a subject: among the active cards for `subject`, the one whose
 * node is nearest up the tree of the subject's node path (`/1/2/5/`). null when none.
 */
export function nearestCard(cards, subject, path) {
  const ids = String(path || '')
    .split('/')
    .filter(Boolean)
    .map(Number)
  let best = null
  let bestDepth = -1
  for (const c of cards || []) {
    if (c.subject !== subject || c.active === false) continue
    const depth = ids.lastIndexOf(Number(c.node_id))
    if (depth > bestDepth) {
      best = c
      bestDepth = depth
    }
  }
  return best
}

/** Today as YYYY-MM-DD in the halls' time zone. */
export function today(now = new Date(), timeZone = 'Asia/Shanghai') {
  const { y, m, d } = partsIn(now, timeZone)
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}
