// 好差评 (evaluations, docs/api.md "好差评 evaluations …"): the five levels, what an event's
// state means for the evaluation pages, the answer bodies, the browser's own device id,
// and a live stream for the window tablet that can send a device token.
//
// Pure module apart from DeviceStream (fetch, timers) and browserDeviceId (localStorage),
// so the rest can be checked outside the browser.

/**
 * The five levels, in the order they are shown (非常满意 first). `key` names the
 * locale text (evaluation.level.<key>), `color` the face, `ink` a text colour on white
 * with enough contrast (WCAG AA for large text).
 */
export const LEVELS = [
  { level: 5, key: 'verySatisfied', color: '#1e8e3e', ink: '#0f6b2b' },
  { level: 4, key: 'satisfied', color: '#5ba83a', ink: '#2f6f16' },
  { level: 3, key: 'basic', color: '#f2b21b', ink: '#7a5600' },
  { level: 2, key: 'dissatisfied', color: '#ef7b22', ink: '#a3480a' },
  { level: 1, key: 'veryDissatisfied', color: '#d93025', ink: '#a31f16' },
]

export const CHANNELS = ['tablet', 'qr', 'web', 'window_qr', 'staff_qr', 'hotline', 'paper', 'sms', 'system']
// channels a member of staff may type in (POST /api/evaluations/entry)
export const ENTRY_CHANNELS = ['hotline', 'paper']
export const TEXT_MAX = 500
export const REASONS_MAX = 8

/** The level's description ({ level, key, color, ink }) or null. */
export function levelInfo(level) {
  return LEVELS.find((l) => l.level === Number(level)) || null
}

/** Levels 1–2 are 差评 and need a reason. */
export function isBad(level) {
  const n = Number(level)
  return n === 1 || n === 2
}

/**
 * What an evaluation page can do with an event (the API's event object):
 * 'open' (evaluate now), 'followup' (rated, one 追评 allowed), 'rated' (done),
 * 'pending' (the service has not ended), 'expired' (the window closed: unrated,
 * defaulted), 'void' (never served), or '' for nothing.
 */
export function eventStatus(ev) {
  if (!ev || typeof ev !== 'object') return ''
  if (ev.can_evaluate) return 'open'
  if (ev.can_followup) return 'followup'
  switch (ev.state) {
    case 'pending':
      return 'pending'
    case 'rated':
      return 'rated'
    case 'unrated':
    case 'defaulted':
      return 'expired'
    case 'void':
      return 'void'
    case 'open':
      // open but not evaluable here: its window has passed
      return ev.evaluated_at ? 'rated' : 'expired'
    default:
      return ''
  }
}

/**
 * Why an evaluation request failed, as one of the page's own situations, or '':
 * 'notFound' (404: unknown token, no such case or ticket), 'notYet' (409 token: the
 * service has not ended), 'used' (409 token: already evaluated), 'noFollowup' (409
 * followup), 'expired' (410: the window closed or the service never happened).
 * Anything else ('') is shown with the server's own sentence (errorMessages.js).
 */
export function failureKind(err) {
  if (!err || typeof err !== 'object') return ''
  const msg = String(err.message || '')
  if (err.status === 404 && (!err.field || ['token', 'case_number', 'name', 'ticket', 'window_id', 'staff_id'].includes(err.field))) {
    return 'notFound'
  }
  if (err.status === 410) return 'expired'
  if (err.status === 409) {
    if (err.field === 'followup' || /follow-?up|追评/i.test(msg)) return 'noFollowup'
    if (/not yet|has not ended|not ended|before the service/i.test(msg)) return 'notYet'
    if (/already|evaluated|replay|rated/i.test(msg)) return 'used'
    if (err.field === 'token') return 'used'
  }
  return ''
}

/** The status a failure leaves the page in (the same words as eventStatus), or ''. */
export function statusOfFailure(kind) {
  return { notYet: 'pending', used: 'rated', expired: 'expired', noFollowup: 'rated' }[kind] || ''
}

/**
 * The body of an evaluation from the page's answers:
 * form { level, reasons:[code], text, dims:{code:1..5}, followup? }, indicators: the
 * event's indicator items ([{code}]). Dimension scores go only when every indicator has
 * one (the API takes all of the set or none): { body, dimsIncomplete } tells the page
 * when some, not all, were given. Reasons and text go as they are (the server judges a
 * 差评 without a reason).
 */
export function evaluationBody(form, indicators = []) {
  const body = { level: Number(form.level) }
  const reasons = Array.isArray(form.reasons) ? form.reasons.filter((c) => typeof c === 'string' && c) : []
  if (reasons.length) body.reasons = reasons.slice(0, REASONS_MAX)
  const text = typeof form.text === 'string' ? form.text.trim() : ''
  if (text) body.text = text.slice(0, TEXT_MAX)
  const dims = {}
  let given = 0
  const codes = (indicators || []).map((i) => i && i.code).filter(Boolean)
  for (const code of codes) {
    const v = Number(form.dims && form.dims[code])
    if (Number.isInteger(v) && v >= 1 && v <= 5) {
      dims[code] = v
      given++
    }
  }
  const dimsIncomplete = given > 0 && given < codes.length
  if (given && given === codes.length) body.dims = dims
  if (form.followup) body.followup = true
  return { body, dimsIncomplete }
}

/** A rate 0..1 as a percentage ('98.5%'), '—' for null. */
export function percent(rate, digits = 1) {
  if (rate === null || rate === undefined || !Number.isFinite(Number(rate))) return '—'
  const v = Number(rate) * 100
  const s = v.toFixed(digits)
  return `${s.replace(/\.0+$/, '')}%`
}

/** An average level (1..5) with one decimal, '—' for null. */
export function average(v) {
  if (v === null || v === undefined || !Number.isFinite(Number(v))) return '—'
  return Number(v).toFixed(1)
}

/** 'YYYY-MM-DD' of today and of the month's first day, in the hall's time zone. */
export function monthRange(now = new Date(), timeZone = 'Asia/Shanghai') {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
  return { from: `${parts.slice(0, 8)}01`, to: parts, month: parts.slice(0, 7) }
}

/** The public evaluation page of a token (what a printed QR code leads to). */
export function evaluationUrl(base, token) {
  return `${String(base || '').replace(/#.*$/, '')}#/e/${encodeURIComponent(token)}`
}

/** The QR image of a token's evaluation page (image/svg+xml from the server). */
export function evaluationQrSrc(token) {
  return `/api/public/evaluations/qr?token=${encodeURIComponent(token)}`
}

/** A ticket code as typed: capitals and digits only (a012 → A012). */
export function normalizeTicketCode(v) {
  return String(v || '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .slice(0, 8)
}

/** A reason's label in the language (zh, else en, else the code). */
export function reasonLabel(reason, locale) {
  if (!reason) return ''
  if (locale === 'en' && reason.label_en) return reason.label_en
  return reason.label_zh || reason.label_en || reason.code || ''
}

/** An indicator's name in the language. */
export function indicatorName(item, locale) {
  if (!item) return ''
  if (locale === 'en' && item.name_en) return item.name_en
  return item.name_zh || item.name_en || item.code || ''
}

// ---- the browser's own id (public pages send it as "device") ----

const DEVICE_KEY = 'ck.evalDevice'
const ID_RE = /^[A-Za-z0-9_-]{16,64}$/
let memoryId = ''

function randomId() {
  const bytes = new Uint8Array(16)
  const c = typeof globalThis !== 'undefined' ? globalThis.crypto : null
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes)
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256)
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  let s = 'b-'
  for (const b of bytes) s += abc[b & 63] + abc[(b >> 6) & 3]
  return s
}

/** This browser's id (made once, kept in localStorage; for the server's fraud checks). */
export function browserDeviceId(storage = typeof window !== 'undefined' ? window.localStorage : null) {
  try {
    const kept = storage && storage.getItem(DEVICE_KEY)
    if (kept && ID_RE.test(kept)) return kept
    const id = memoryId || randomId()
    if (storage) storage.setItem(DEVICE_KEY, id)
    memoryId = id
    return id
  } catch {
    if (!memoryId) memoryId = randomId()
    return memoryId
  }
}

// ---- server-sent events read with fetch (a device token needs a header) ----

const LINE_MAX = 1 << 20 // a line this long without an end is not an event stream

/**
 * Splits a text/event-stream into events. push(text) → [{ type, data, id }] for the
 * events completed by this text; `sawId` tells whether an id field came (the stream's
 * last id, for Last-Event-ID). Comments and `retry:` are skipped.
 */
export class SseParser {
  constructor() {
    this.buf = ''
    this.reset()
    this.lastId = ''
  }

  reset() {
    this.type = ''
    this.data = []
    this.id = null
  }

  push(text) {
    const out = []
    this.buf += text
    let start = 0
    for (;;) {
      const nl = this.buf.indexOf('\n', start)
      const cr = this.buf.indexOf('\r', start)
      let end = nl
      if (cr >= 0 && (nl < 0 || cr < nl)) end = cr
      if (end < 0) break
      // a \r\n pair ends one line
      let next = end + 1
      if (this.buf[end] === '\r') {
        if (end + 1 >= this.buf.length) break // wait: \n may follow
        if (this.buf[end + 1] === '\n') next = end + 2
      }
      this._line(this.buf.slice(start, end), out)
      start = next
    }
    this.buf = this.buf.slice(start)
    if (this.buf.length > LINE_MAX) this.buf = '' // a runaway line: drop it
    return out
  }

  _line(line, out) {
    if (line === '') {
      if (this.id !== null) this.lastId = this.id
      if (this.data.length) {
        const data = this.data.join('\n')
        out.push({ type: this.type || 'message', data, id: this.lastId })
      }
      this.reset()
      return
    }
    if (line[0] === ':') return
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value[0] === ' ') value = value.slice(1)
    if (field === 'event') this.type = value
    else if (field === 'data') {
      if (this.data.length < 256) this.data.push(value)
    } else if (field === 'id' && !value.includes('\0')) this.id = value
  }
}

function parseData(data) {
  if (typeof data === 'string' && data && (data[0] === '{' || data[0] === '[')) {
    try {
      return JSON.parse(data)
    } catch {
      return data
    }
  }
  return data
}

/**
 * A live event stream for a device page, kept alive for days (the window tablet).
 * EventSource cannot send `Authorization: Device <token>`, so this reads the stream with
 * fetch: it sends Last-Event-ID itself (the server replays what was missed), reopens
 * after any end or error with a back-off (1 s doubling to 15 s: a service ended
 * meanwhile should not wait long for its invitation; at once when the browser
 * comes back online), and a watchdog reopens a connection silent for `watchdogMs`
 * (40 s; the server's heartbeat comes every 15 s). After every (re)connection but the
 * first, `onreconnect` runs so the page reloads its state. A 401 or 403 stops the
 * stream and calls `onrefused(status)`: the token is no good, retrying cannot help.
 *
 * One connection, one watchdog and one retry timer at a time; close() releases all.
 * opts: { token, events: [names] (others are ignored, pings only keep it alive),
 *         onevent(type, data, id), onreconnect(), onstate('connecting'|'open'|'down'),
 *         onrefused(status), watchdogMs, fetch }
 */
export class DeviceStream {
  constructor(url, opts = {}) {
    this.url = url
    this.token = opts.token || ''
    this.events = new Set(opts.events || [])
    this.onevent = opts.onevent || null
    this.onreconnect = opts.onreconnect || null
    this.onstate = opts.onstate || null
    this.onrefused = opts.onrefused || null
    this.watchdogMs = opts.watchdogMs || 40000
    this.fetch = opts.fetch || (typeof fetch === 'function' ? fetch.bind(globalThis) : null)
    this.ctrl = null
    this.watchdog = null
    this.retryTimer = null
    this.backoff = 1000
    this.opened = false
    this.closed = true
    this.state = 'connecting'
    this.lastSeen = 0
    this.lastId = ''
    this.gen = 0 // bumps on every (re)open: an old connection's late news is ignored
    this._online = this._online.bind(this)
    this._check = this._check.bind(this)
  }

  start() {
    if (!this.closed) return this
    this.closed = false
    if (typeof window !== 'undefined') window.addEventListener('online', this._online)
    this._open()
    return this
  }

  close() {
    this.closed = true
    this.gen++
    this._abort()
    clearTimeout(this.retryTimer)
    this.retryTimer = null
    clearInterval(this.watchdog)
    this.watchdog = null
    if (typeof window !== 'undefined') window.removeEventListener('online', this._online)
    this.onevent = this.onreconnect = this.onstate = this.onrefused = null
  }

  _setState(s) {
    if (this.state === s) return
    this.state = s
    if (this.onstate) this.onstate(s)
  }

  _abort() {
    if (this.ctrl) {
      try {
        this.ctrl.abort()
      } catch {
        /* already done */
      }
      this.ctrl = null
    }
  }

  _open() {
    if (this.closed) return
    this._abort()
    const gen = ++this.gen
    this._setState('connecting')
    this.lastSeen = Date.now()
    if (!this.watchdog) this.watchdog = setInterval(this._check, Math.min(5000, this.watchdogMs / 4))
    const ctrl = typeof AbortController === 'function' ? new AbortController() : null
    this.ctrl = ctrl
    const headers = { Accept: 'text/event-stream' }
    if (this.token) headers.Authorization = `Device ${this.token}`
    if (this.lastId) headers['Last-Event-ID'] = this.lastId
    this._run(gen, headers, ctrl).catch(() => {
      if (gen === this.gen) this._retry()
    })
  }

  async _run(gen, headers, ctrl) {
    if (!this.fetch) throw new Error('no fetch')
    const res = await this.fetch(this.url, {
      method: 'GET',
      headers,
      cache: 'no-store',
      credentials: 'omit',
      signal: ctrl ? ctrl.signal : undefined,
    })
    if (gen !== this.gen) return
    if (res.status === 401 || res.status === 403) {
      const refused = this.onrefused
      this.close()
      if (refused) refused(res.status)
      return
    }
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`)
    this.lastSeen = Date.now()
    this.backoff = 1000
    const again = this.opened
    this.opened = true
    this._setState('open')
    if (again && this.onreconnect) this.onreconnect()
    const parser = new SseParser()
    parser.lastId = this.lastId
    const reader = res.body.getReader()
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (gen !== this.gen) return
        if (done) break
        this.lastSeen = Date.now()
        const events = parser.push(decoder.decode(value, { stream: true }))
        if (parser.lastId) this.lastId = parser.lastId
        for (const ev of events) {
          if (gen !== this.gen || !this.onevent) return
          if (this.events.has(ev.type)) this.onevent(ev.type, parseData(ev.data), ev.id)
        }
      }
    } finally {
      // the connection is gone or going anyway: nothing to report
      Promise.resolve()
        .then(() => reader.cancel())
        .catch(() => {})
    }
    // the server ended the stream: reconnect
    if (gen === this.gen) this._retry()
  }

  _retry() {
    this._abort()
    if (this.closed) return
    this._setState('down')
    if (this.retryTimer) return
    const wait = this.backoff
    this.backoff = Math.min(15000, this.backoff * 2)
    this.gen++ // the failed connection says nothing more
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this._open()
    }, wait)
  }

  _online() {
    if (this.closed || this.state === 'open') return
    clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.backoff = 1000
    this._open()
  }

  _check() {
    if (this.closed || this.retryTimer) return
    if (Date.now() - this.lastSeen > this.watchdogMs) {
      // silent too long: the connection may be dead without telling; start over
      this._setState('down')
      this._open()
    }
  }
}
