// Unit checks (no browser, no server) of the queue pages' pure parts in web/src/utils:
// how a call is read out, the serialized speech queue (one voice at a time, a timeout
// when `end` never comes, bounded), and the live stream's watchdog (reopens a silent
// stream, resumes from the last event id, leaves no listeners behind).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const src = (p) => pathToFileURL(path.resolve(here, '../../web/src/utils', p))
const q = await import(src('queue.js'))
const { SpeechQueue } = await import(src('speech.js'))
const { LiveStream } = await import(src('sse.js'))

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

test('a call is written and said the way a hall says it', () => {
  assert.equal(q.chineseNumber(3), '三')
  assert.equal(q.chineseNumber(10), '十')
  assert.equal(q.chineseNumber(12), '十二')
  assert.equal(q.chineseNumber(20), '二十')
  assert.equal(q.chineseNumber(105), '一百零五')
  assert.equal(q.chineseNumber(1010), '一千零一十')
  assert.equal(q.spokenCode('A012'), 'A零一二')
  assert.deepEqual(q.windowPhrase('3号窗口 综合受理', 'w03'), { written: '3 号窗口', spoken: '三号窗口' })
  assert.deepEqual(q.windowPhrase('综合受理', 'x1'), { written: '综合受理窗口', spoken: '综合受理窗口' })
  assert.deepEqual(q.windowPhrase('', 'w12'), { written: '12 号窗口', spoken: '十二号窗口' })
  const tpl = (p) => `请 ${p.code} 号到 ${p.window}办理`
  assert.deepEqual(q.announcement({ code: 'A012', window_name: '3号窗口 不动产登记' }, tpl), {
    text: '请 A012 号到 3 号窗口办理',
    speech: '请 A零一二 号到 三号窗口办理',
  })
  assert.equal(q.aheadOf({ position: 1 }), 0)
  assert.equal(q.aheadOf({ position: 4 }), 3)
  assert.equal(q.aheadOf({ position: null }), null)
  assert.equal(q.formatHallTime(0), '1970-01-01 08:00')
})

test('counter buttons follow the ticket state', () => {
  const none = q.allowedActions({ open: true, current: null, parked: null })
  assert.equal(none.callNext, true)
  assert.equal(none.finish, false)
  const called = q.allowedActions({ open: true, current: { status: 'called' }, parked: null })
  assert.deepEqual(
    Object.keys(called).filter((k) => called[k]).sort(),
    ['noShow', 'recall', 'start', 'transfer', 'withdraw'],
  )
  const serving = q.allowedActions({ open: true, current: { status: 'serving' }, parked: { status: 'parked' } })
  assert.deepEqual(
    Object.keys(serving).filter((k) => serving[k]).sort(),
    ['finish', 'park', 'transfer', 'withdraw'],
  )
  const closed = q.allowedActions({ open: false, current: null, parked: null })
  assert.ok(Object.values(closed).every((v) => v === false), 'nothing while the window is closed')
  assert.equal(q.allowedActions({ open: true, current: null, parked: { status: 'parked' } }).resume, true)
})

// A speech engine that records and lets the test end utterances.
function fakeSynth({ autoEndMs = null } = {}) {
  const s = {
    spoken: [],
    active: 0,
    maxActive: 0,
    current: null,
    listeners: 0,
    speak(u) {
      s.spoken.push(u.text)
      s.active++
      s.maxActive = Math.max(s.maxActive, s.active)
      s.current = u
      if (autoEndMs !== null) setTimeout(() => s.end(), autoEndMs)
    },
    end() {
      const u = s.current
      if (!u) return
      s.current = null
      s.active--
      if (u.onend) u.onend({})
    },
    cancel() {
      if (s.current) {
        s.current = null
        s.active--
      }
    },
    getVoices: () => [{ lang: 'zh-CN', name: 'zh' }],
    addEventListener: () => s.listeners++,
    removeEventListener: () => s.listeners--,
  }
  return s
}
globalThis.SpeechSynthesisUtterance = class {
  constructor(text) {
    this.text = text
    this.onend = null
    this.onerror = null
  }
}

test('announcements are said one at a time, the next only after the end', async () => {
  const synth = fakeSynth()
  const shown = []
  const sq = new SpeechQueue({ synth, onspeak: (item) => shown.push(item.text) })
  sq.enqueue({ text: '一', speech: 'one' })
  sq.enqueue({ text: '二', speech: 'two' })
  sq.enqueue({ text: '三', speech: 'three' })
  await sleep(20)
  assert.deepEqual(synth.spoken, ['one'], 'only the first is being said')
  synth.end()
  await sleep(20)
  assert.deepEqual(synth.spoken, ['one', 'two'])
  synth.end()
  await sleep(20)
  synth.end()
  await sleep(20)
  assert.deepEqual(synth.spoken, ['one', 'two', 'three'])
  assert.equal(synth.maxActive, 1, 'never two at once')
  assert.deepEqual(shown, ['一', '二', '三'])
  sq.destroy()
  assert.equal(synth.listeners, 0, 'voiceschanged listener removed')
})

test('a lost end event does not stop the queue (timeout), and the queue is bounded', async () => {
  const synth = fakeSynth()
  const sq = new SpeechQueue({ synth, max: 3, timeoutMs: () => 60 })
  for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) sq.enqueue({ text: n })
  // 'a' is being said; of b…f only the newest three wait
  assert.equal(sq.size, 3)
  await sleep(400) // never ended by the engine: each gives way after 60 ms
  assert.deepEqual(synth.spoken, ['a', 'd', 'e', 'f'])
  sq.enqueue({ text: 'g' })
  sq.enqueue({ text: 'g' }) // the same announcement being said already: said once
  await sleep(200)
  assert.deepEqual(synth.spoken, ['a', 'd', 'e', 'f', 'g'])
  sq.destroy()
  sq.enqueue({ text: 'h' })
  await sleep(100)
  assert.equal(synth.spoken.includes('h'), false, 'nothing after destroy')
})

test('a browser that refuses to speak before a tap: asked once, then said after unblock', async () => {
  const synth = fakeSynth()
  let refuse = true
  const base = synth.speak
  synth.speak = (u) => {
    if (refuse) {
      setTimeout(() => u.onerror && u.onerror({ error: 'not-allowed' }), 0)
      return
    }
    base(u)
  }
  let asked = 0
  const sq = new SpeechQueue({ synth, onblocked: () => asked++ })
  sq.enqueue({ text: '请 A001 号' })
  await sleep(20)
  sq.enqueue({ text: '请 A002 号' })
  await sleep(20)
  assert.equal(asked, 1)
  refuse = false
  sq.unblock()
  await sleep(20)
  assert.deepEqual(synth.spoken, ['请 A001 号'])
  synth.end()
  await sleep(20)
  assert.deepEqual(synth.spoken, ['请 A001 号', '请 A002 号'])
  sq.destroy()
})

// An EventSource stand-in: counts instances and listeners.
class FakeES {
  static all = []
  constructor(url) {
    this.url = url
    this.readyState = 0
    this.listeners = new Map()
    this.closed = false
    FakeES.all.push(this)
  }
  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set())
    this.listeners.get(type).add(fn)
  }
  removeEventListener(type, fn) {
    this.listeners.get(type)?.delete(fn)
  }
  count() {
    let n = 0
    for (const s of this.listeners.values()) n += s.size
    return n
  }
  fire(type, ev = {}) {
    for (const fn of this.listeners.get(type) || []) fn({ type, ...ev })
  }
  open() {
    this.readyState = 1
    this.fire('open')
  }
  close() {
    this.readyState = 2
    this.closed = true
  }
}

test('the live stream reopens a silent connection, resumes from the last id, and cleans up', async () => {
  globalThis.EventSource = FakeES
  FakeES.all = []
  const got = []
  let reconnects = 0
  const ls = new LiveStream('/api/halls/2/events', {
    events: ['ticket.called'],
    watchdogMs: 120,
    onevent: (type, data, id) => got.push([type, data, id]),
    onreconnect: () => reconnects++,
  }).start()
  try {
    const first = FakeES.all[0]
    first.open()
    first.fire('ticket.called', { data: '{"code":"A001"}', lastEventId: '41' })
    assert.deepEqual(got, [['ticket.called', { code: 'A001' }, '41']])
    // heartbeats sent as named events keep it open
    for (let i = 0; i < 4; i++) {
      await sleep(50)
      first.fire('ping', { data: '1' })
    }
    assert.equal(FakeES.all.length, 1, 'a stream with heartbeats is kept')
    // silence: the watchdog closes it and opens a new one from the last id (on a
    // loaded machine the sleep may outlast several watchdog rounds: take the newest)
    await sleep(250)
    assert.ok(FakeES.all.length >= 2, 'reopened after silence')
    assert.equal(first.closed, true)
    assert.equal(first.count(), 0, 'no listeners left on the old stream')
    const second = FakeES.all[FakeES.all.length - 1]
    assert.equal(second.url, '/api/halls/2/events?last_event_id=41')
    second.open()
    assert.equal(reconnects, 1, 'the page is told to reload after a reconnect')
  } finally {
    ls.close()
  }
  assert.equal(FakeES.all.every((es) => es.closed), true)
  const n = FakeES.all.length
  await sleep(300)
  assert.equal(FakeES.all.length, n, 'nothing reopens after close')
  delete globalThis.EventSource
})
