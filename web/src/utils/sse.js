// A live event stream (Server-Sent Events) that keeps itself alive for days.
//
// EventSource reconnects by itself after most drops (and sends Last-Event-ID, so the
// server replays what was missed). Two cases it does not cover are handled here:
// - the browser gives up (readyState CLOSED, e.g. after an HTTP error answer): reopen
//   after a back-off (2 s doubling to 30 s);
// - a half-open connection that never reports an error (a dead Wi-Fi, a sleeping proxy):
//   a watchdog closes and reopens when nothing has arrived for `watchdogMs` (40 s, with
//   the server's heartbeat every 15 s). Only events reach JavaScript: a heartbeat sent
//   as an SSE comment (`: ping`) is invisible to EventSource, so the server's heartbeat
//   counts only when it is a named event (`ping`, `heartbeat`) or data.
// A stream opened again here cannot send the Last-Event-ID header, so the last id seen
// goes in the query (`?last_event_id=`, which the server reads when the header is
// absent) and the server replays what was missed. After every (re)connection but the
// first, `onreconnect` runs as well: the page reloads its state, in case the gap was
// longer than the server keeps events.
//
// One EventSource at a time, one timer of each kind, all released by close().

const HEARTBEAT_EVENTS = ['ping', 'heartbeat']

export class LiveStream {
  /**
   * url: the stream; opts: { events: [names] (besides `message`), onevent(type, data,
   * lastEventId) with data parsed from JSON when it is JSON, onopen(), onreconnect(),
   * onstate('connecting'|'open'|'down'), watchdogMs (40000) }
   */
  constructor(url, opts = {}) {
    this.url = url
    this.events = opts.events || []
    this.onevent = opts.onevent || null
    this.onopen = opts.onopen || null
    this.onreconnect = opts.onreconnect || null
    this.onstate = opts.onstate || null
    this.watchdogMs = opts.watchdogMs || 40000
    this.es = null
    this.watchdog = null
    this.retryTimer = null
    this.backoff = 2000
    this.opened = false // an open has happened before (so the next one is a reconnect)
    this.downSinceOpen = false
    this.closed = false
    this.state = 'connecting'
    this.lastSeen = 0
    this.lastId = '' // the id of the last event received
    this._onOpen = this._onOpen.bind(this)
    this._onError = this._onError.bind(this)
    this._onAny = this._onAny.bind(this)
    this._onBeat = this._onBeat.bind(this)
    this._check = this._check.bind(this)
  }

  start() {
    this.closed = false
    this._open()
    return this
  }

  close() {
    this.closed = true
    this._drop()
    clearTimeout(this.retryTimer)
    this.retryTimer = null
    clearInterval(this.watchdog)
    this.watchdog = null
    this.onevent = this.onopen = this.onreconnect = this.onstate = null
  }

  _setState(s) {
    if (this.state === s) return
    this.state = s
    if (this.onstate) this.onstate(s)
  }

  _open() {
    if (this.closed) return
    this._drop()
    this._setState('connecting')
    let es
    try {
      es = new EventSource(this._url())
    } catch {
      this._retry()
      return
    }
    this.es = es
    es.addEventListener('open', this._onOpen)
    es.addEventListener('error', this._onError)
    es.addEventListener('message', this._onAny)
    for (const name of this.events) es.addEventListener(name, this._onAny)
    for (const name of HEARTBEAT_EVENTS) es.addEventListener(name, this._onBeat)
    this.lastSeen = Date.now()
    if (!this.watchdog) this.watchdog = setInterval(this._check, Math.min(5000, this.watchdogMs / 4))
  }

  _url() {
    if (!this.lastId) return this.url
    const sep = this.url.includes('?') ? '&' : '?'
    return `${this.url}${sep}last_event_id=${encodeURIComponent(this.lastId)}`
  }

  _drop() {
    const es = this.es
    if (!es) return
    es.removeEventListener('open', this._onOpen)
    es.removeEventListener('error', this._onError)
    es.removeEventListener('message', this._onAny)
    for (const name of this.events) es.removeEventListener(name, this._onAny)
    for (const name of HEARTBEAT_EVENTS) es.removeEventListener(name, this._onBeat)
    es.close()
    this.es = null
  }

  _onOpen() {
    this.lastSeen = Date.now()
    this.backoff = 2000
    const again = this.opened
    this.opened = true
    this._setState('open')
    if (this.onopen) this.onopen()
    if (again && this.onreconnect) this.onreconnect()
  }

  _onError() {
    this._setState('down')
    // CONNECTING: EventSource retries by itself; CLOSED: it gave up, so do it here
    if (this.es && this.es.readyState === 2) this._retry()
  }

  _onBeat() {
    this.lastSeen = Date.now()
  }

  _onAny(ev) {
    this.lastSeen = Date.now()
    if (ev.lastEventId) this.lastId = ev.lastEventId
    if (!this.onevent) return
    let data = ev.data
    if (typeof data === 'string' && data && (data[0] === '{' || data[0] === '[')) {
      try {
        data = JSON.parse(data)
      } catch {
        /* leave it as text */
      }
    }
    this.onevent(ev.type, data, ev.lastEventId)
  }

  _retry() {
    this._drop()
    this._setState('down')
    if (this.closed || this.retryTimer) return
    const wait = this.backoff
    this.backoff = Math.min(30000, this.backoff * 2)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this._open()
    }, wait)
  }

  _check() {
    if (this.closed || this.retryTimer) return
    if (Date.now() - this.lastSeen > this.watchdogMs) {
      // silent too long: the connection may be dead without telling; start over
      this._open()
    }
  }
}
