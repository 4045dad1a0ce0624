// Queue and calling (排队叫号): what the hall screen says, what a counter may do with a
// ticket, and how times read. Pure module (no Vue, no DOM), so it can be checked outside
// the browser.

const DIGITS = '零一二三四五六七八九'

/**
 * A whole number 0–9999 as Chinese numerals, the way a number is said: 3 → 三,
 * 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五. Other values: the digits as they are.
 */
export function chineseNumber(n) {
  n = Number(n)
  if (!Number.isInteger(n) || n < 0 || n > 9999) return String(n)
  if (n < 10) return DIGITS[n]
  if (n < 20) return `十${n % 10 ? DIGITS[n % 10] : ''}`
  const units = ['', '十', '百', '千']
  const ds = String(n).split('').map(Number)
  let out = ''
  let zero = false
  ds.forEach((d, i) => {
    const unit = units[ds.length - 1 - i]
    if (d === 0) {
      zero = true
      return
    }
    if (zero && out) out += '零'
    zero = false
    out += DIGITS[d] + unit
  })
  return out
}

/**
 * A ticket code as it is called out: the letters as they are, the number digit by digit
 * (A012 → A零一二, as halls call numbers, so 012 is never heard as 十二).
 */
export function spokenCode(code) {
  return String(code || '').replace(/\d/g, (d) => DIGITS[Number(d)])
}

/**
 * The window's number, read from its name (「3号窗口 综合受理」, 「12 号窗口」, 「3」) or
 * else its code (w03), or null.
 */
export function windowNumber(name, code) {
  const s = String(name || '')
  let m = /(\d+)\s*号\s*窗口/.exec(s) || /^\s*(\d+)\s*(号|$)/.exec(s)
  if (m) return Number(m[1])
  m = /^w0*(\d+)$/i.exec(String(code || ''))
  return m ? Number(m[1]) : null
}

/**
 * How the screen writes and the voice says a window: { written, spoken }.
 * A numbered window is 「3 号窗口」 / 「三号窗口」; otherwise its name (with 窗口 added
 * when the name does not say it).
 */
export function windowPhrase(name, code) {
  const n = windowNumber(name, code)
  if (n !== null) return { written: `${n} 号窗口`, spoken: `${chineseNumber(n)}号窗口` }
  const s = String(name || '').trim()
  const plain = s && !/窗口/.test(s) ? `${s}窗口` : s
  return { written: plain, spoken: plain }
}

/**
 * The announcement of a call in both forms, from a zh-CN template such as
 * 「请 {code} 号到 {window}办理」: { text (as written: 请 A012 号到 3 号窗口办理),
 * speech (what the voice reads: 请 A零一二 号到 三号窗口办理) }.
 * tr(params) fills the template (the zh-CN message, whatever the screen's language).
 */
export function announcement(call, tr) {
  const w = windowPhrase(call.window_name, call.window_code)
  const text = tr({ code: call.code, window: w.written }).replace(/\s+/g, ' ').trim()
  const speech = tr({ code: spokenCode(call.code), window: w.spoken }).replace(/\s+/g, ' ').trim()
  return { text, speech }
}

// ---- counter actions ----

export const ACTIONS = ['callNext', 'recall', 'noShow', 'start', 'finish', 'park', 'resume', 'transfer', 'walkDirect', 'withdraw']

/**
 * Which counter actions the state allows: { callNext, recall, … } booleans.
 * current: the ticket at the window (called, serving) or null; parked: the selected
 * parked ticket or null; open: whether the caller works at the window now (open or
 * paused); paused: the window is paused (暂停服务): nobody new is called (call next, by
 * code, walk-direct, resuming a parked ticket), the ticket at the window is still
 * served. The server decides in the end (409 naming the state); this only greys
 * buttons out.
 */
export function allowedActions({ open, paused = false, current, parked }) {
  const s = current ? current.status : null
  const busy = s === 'called' || s === 'serving'
  const calling = !!open && !paused && !busy
  return {
    callNext: calling,
    recall: !!open && s === 'called',
    noShow: !!open && s === 'called',
    start: !!open && s === 'called',
    finish: !!open && s === 'serving',
    park: !!open && s === 'serving',
    resume: calling && !!parked && parked.status === 'parked',
    transfer: !!open && busy,
    walkDirect: calling,
    withdraw: !!open && busy,
  }
}

/**
 * Keyboard shortcuts of the counter (KeyboardEvent.key → action); F8 (or the Pause key)
 * pauses the window or resumes it.
 */
export const SHORTCUTS = {
  F1: 'callNext',
  ' ': 'callNext',
  F2: 'recall',
  F3: 'noShow',
  F4: 'start',
  F5: 'finish',
  F6: 'park',
  F8: 'togglePause',
  Pause: 'togglePause',
}

// ---- figures ----

/** Seconds → { m, s } whole minutes and seconds, or null. */
export function minutesSeconds(sec) {
  const n = Number(sec)
  if (sec === null || sec === undefined || !Number.isFinite(n) || n < 0) return null
  const r = Math.round(n)
  return { m: Math.floor(r / 60), s: r % 60 }
}

/** People ahead of a waiting ticket from its 1-based position (position 1 → 0 ahead). */
export function aheadOf(ticket) {
  const p = Number(ticket && ticket.position)
  return Number.isInteger(p) && p > 0 ? p - 1 : null
}

// ---- the hall's clock ----

/** A hall's time zone (DESIGN.md: times are shown in the hall's zone, Asia/Shanghai). */
export const HALL_TZ = 'Asia/Shanghai'

let hallFmt = null
/** The formatter of the hall's clock (date, hour and minute; made once). */
export function hallClock() {
  if (!hallFmt) {
    hallFmt = new Intl.DateTimeFormat('en-CA', {
      timeZone: HALL_TZ,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
  }
  return hallFmt
}

/**
 * Epoch seconds → 'YYYY-MM-DD HH:mm' in the hall's time zone, whatever the device's own
 * zone (a kiosk or TV stick set to UTC still prints the hall's time); '' for none.
 */
export function formatHallTime(epoch) {
  if (epoch === null || epoch === undefined || epoch === '') return ''
  const d = new Date(Number(epoch) * 1000)
  if (Number.isNaN(d.getTime())) return ''
  const p = Object.fromEntries(hallClock().formatToParts(d).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}
