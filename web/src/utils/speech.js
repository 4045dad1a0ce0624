// One voice at a time: announcements go through a serialized queue, so two windows
// calling at once are heard one after the other, never over each other.
//
// - The next utterance starts only after the current one's `end` (or `error`) event, or
//   after a timeout when the browser never fires either (some engines lose `end` events;
//   a stuck voice must not silence the hall for the rest of the day).
// - The queue is bounded: past `max` waiting announcements the oldest are dropped (after
//   a network gap a burst of stale calls is not worth minutes of talking).
// - The utterance being spoken is kept referenced until it ends (Chromium may collect a
//   SpeechSynthesisUtterance early and then never fire its `end`), and its handlers are
//   cleared afterwards, so nothing accumulates over days.
// - Chromium refuses to speak before the user has touched the page (autoplay policy):
//   `onblocked` is called once, so the page can ask for a tap (a hall screen can instead
//   run Chromium with --autoplay-policy=no-user-gesture-required).

const MIN_TIMEOUT_MS = 4000
const MAX_TIMEOUT_MS = 30000
const MS_PER_CHAR = 450

export class SpeechQueue {
  /**
   * opts: { lang ('zh-CN'), rate (0.9), max (waiting announcements kept, 12),
   *   synth (window.speechSynthesis), onspeak(item) when one starts, onblocked() when the
   *   browser refuses to speak without a user gesture, timeoutMs(text) the longest wait
   *   for an utterance's end (default: from its length, 4–30 s) }
   */
  constructor(opts = {}) {
    this.lang = opts.lang || 'zh-CN'
    this.rate = opts.rate || 0.9
    this.max = opts.max || 12
    this.synth = opts.synth !== undefined ? opts.synth : typeof window !== 'undefined' ? window.speechSynthesis : null
    this.onspeak = opts.onspeak || null
    this.onblocked = opts.onblocked || null
    this.timeoutMs = opts.timeoutMs || null
    this.pending = []
    this.current = null // { item, utterance, timer }
    this.voice = null
    this.blocked = false
    this.closed = false
    this._pickVoice = this._pickVoice.bind(this)
    if (this.synth && typeof this.synth.addEventListener === 'function') {
      this.synth.addEventListener('voiceschanged', this._pickVoice)
    }
    this._pickVoice()
  }

  get available() {
    return !!this.synth && typeof SpeechSynthesisUtterance !== 'undefined'
  }

  /** Queue a text to be said; item.text is shown, item.speech (or text) is said. */
  enqueue(item) {
    if (this.closed || !item) return
    if (typeof item === 'string') item = { text: item }
    // the same announcement being said or already waiting (a recall right after the
    // call): say it once
    const same = (p) => p && p.speech === item.speech && p.text === item.text
    if ((this.current && same(this.current.item)) || this.pending.some(same)) return
    this.pending.push(item)
    while (this.pending.length > this.max) this.pending.shift()
    this._next()
  }

  /** Number of announcements waiting (not counting the one being said). */
  get size() {
    return this.pending.length
  }

  /** After a user gesture: try again what the browser refused. */
  unblock() {
    this.blocked = false
    this._next()
  }

  /** Stop talking and forget everything queued. */
  clear() {
    this.pending.length = 0
    this._finish(false)
    if (this.synth) {
      try {
        this.synth.cancel()
      } catch {
        /* nothing to cancel */
      }
    }
  }

  /** Stop for good (page left): no timers, no listeners remain. */
  destroy() {
    this.closed = true
    this.clear()
    if (this.synth && typeof this.synth.removeEventListener === 'function') {
      this.synth.removeEventListener('voiceschanged', this._pickVoice)
    }
    this.onspeak = null
    this.onblocked = null
  }

  _pickVoice() {
    if (!this.synth || typeof this.synth.getVoices !== 'function') return
    let voices = []
    try {
      voices = this.synth.getVoices() || []
    } catch {
      voices = []
    }
    const want = this.lang.toLowerCase()
    const base = want.split('-')[0]
    this.voice =
      voices.find((v) => String(v.lang).toLowerCase().replace('_', '-') === want) ||
      voices.find((v) => String(v.lang).toLowerCase().startsWith(base)) ||
      null
  }

  _next() {
    if (this.closed || this.current || this.blocked || !this.pending.length) return
    const item = this.pending.shift()
    if (this.onspeak) this.onspeak(item)
    if (!this.available) return this._next()

    const text = item.speech || item.text
    const u = new SpeechSynthesisUtterance(text)
    u.lang = this.lang
    u.rate = this.rate
    if (this.voice) u.voice = this.voice
    const cur = { item, utterance: u, timer: null }
    this.current = cur
    const done = () => {
      if (this.current === cur) this._finish(true)
    }
    u.onend = done
    u.onerror = (ev) => {
      if (this.current !== cur) return
      if (ev && ev.error === 'not-allowed') {
        // refused without a user gesture: keep it for after the tap, ask once
        this.pending.unshift(item)
        const first = !this.blocked
        this.blocked = true
        this._finish(false)
        if (first && this.onblocked) this.onblocked()
        return
      }
      this._finish(true)
    }
    // the fallback when neither end nor error comes: a generous estimate of the length
    const ms = this.timeoutMs
      ? this.timeoutMs(text)
      : Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, (text.length * MS_PER_CHAR) / this.rate + 2000))
    cur.timer = setTimeout(() => {
      if (this.current !== cur) return
      try {
        this.synth.cancel()
      } catch {
        /* the engine is gone */
      }
      this._finish(true)
    }, ms)
    try {
      this.synth.speak(u)
    } catch {
      this._finish(true)
    }
  }

  _finish(goOn) {
    const cur = this.current
    if (!cur) return
    clearTimeout(cur.timer)
    cur.utterance.onend = null
    cur.utterance.onerror = null
    this.current = null
    // the next one on a fresh task: a synchronous `end` from speak() must not recurse
    if (goOn && !this.closed) setTimeout(() => this._next(), 0)
  }
}
