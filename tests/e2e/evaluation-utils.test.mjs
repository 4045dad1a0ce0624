// Unit checks (no browser, no server) of web/src/utils/evaluation.js: the event stream
// parser and the window tablet's DeviceStream (events, Last-Event-ID on reconnect, a
// refused token, a silent connection), the evaluation body, what an event's state and a
// refusal mean for the pages.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const ev = await import(pathToFileURL(path.resolve(here, '../../web/src/utils/evaluation.js')))

test('SseParser: events, ids, comments, CRLF, split chunks', () => {
  const p = new ev.SseParser()
  assert.deepEqual(p.push('retry: 3000\n\n: comment\n'), [])
  assert.deepEqual(p.push('event: ping\ndata: {}\n\n'), [{ type: 'ping', data: '{}', id: '' }])
  const out = p.push('id: 7\nevent: evaluation.invite\ndata: {"event":\ndata: {"id":3}}\n\nid: 8\r\nevent: evaluation.done\r\n')
  assert.deepEqual(out, [{ type: 'evaluation.invite', data: '{"event":\n{"id":3}}', id: '7' }])
  assert.equal(p.lastId, '7')
  // the rest of event 8 comes in two pieces, one ending in a lone \r
  assert.deepEqual(p.push('data: {"event_id":3,"level":2}\r'), [])
  assert.deepEqual(p.push('\n\r\n'), [{ type: 'evaluation.done', data: '{"event_id":3,"level":2}', id: '8' }])
  assert.equal(p.lastId, '8')
  // data without an event name is a `message`; an event without data is not dispatched
  assert.deepEqual(p.push('event: x\n\ndata: hi\n\n'), [{ type: 'message', data: 'hi', id: '8' }])
})

// A fake fetch: each call takes the next scripted answer; the stream's chunks are pushed
// by the test. Records the headers of every request.
function fakeServer() {
  const calls = []
  const answers = []
  async function fetchImpl(url, init) {
    const call = { url, headers: { ...init.headers }, controller: null }
    calls.push(call)
    const next = answers.shift() || { status: 200 }
    if (next.status !== 200) return { ok: false, status: next.status, body: null }
    const body = new ReadableStream({
      start(c) {
        call.controller = c
        init.signal?.addEventListener('abort', () => {
          try {
            c.error(new Error('aborted'))
          } catch {
            /* closed already */
          }
        })
      },
    })
    return { ok: true, status: 200, body }
  }
  const enc = new TextEncoder()
  return {
    calls,
    answers,
    fetch: fetchImpl,
    send: (i, text) => calls[i].controller.enqueue(enc.encode(text)),
    end: (i) => calls[i].controller.close(),
  }
}

const until = async (fn, ms = 3000) => {
  const t0 = Date.now()
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('DeviceStream: token header, events, Last-Event-ID after the server ends the stream, reconnect callback', async () => {
  const srv = fakeServer()
  const got = []
  let reconnects = 0
  const states = []
  const s = new ev.DeviceStream('/api/windows/5/events', {
    token: 'tok',
    events: ['evaluation.invite', 'evaluation.done'],
    fetch: srv.fetch,
    onevent: (type, data, id) => got.push({ type, data, id }),
    onreconnect: () => reconnects++,
    onstate: (x) => states.push(x),
  }).start()
  try {
    await until(() => srv.calls.length === 1 && srv.calls[0].controller)
    assert.equal(srv.calls[0].headers.Authorization, 'Device tok')
    assert.equal(srv.calls[0].headers['Last-Event-ID'], undefined)
    srv.send(0, 'event: ping\ndata: {}\n\nid: 41\nevent: evaluation.invite\ndata: {"event":{"id":9}}\n\n')
    await until(() => got.length === 1)
    assert.deepEqual(got[0], { type: 'evaluation.invite', data: { event: { id: 9 } }, id: '41' })
    assert.equal(s.state, 'open')
    // the server closes: the stream comes back (after 1 s) with the last id
    srv.end(0)
    await until(() => srv.calls.length === 2 && srv.calls[1].controller, 4000)
    assert.equal(srv.calls[1].headers['Last-Event-ID'], '41')
    await until(() => reconnects === 1)
    srv.send(1, 'id: 42\nevent: evaluation.done\ndata: {"event_id":9,"level":5}\n\n')
    await until(() => got.length === 2)
    assert.deepEqual(got[1].data, { event_id: 9, level: 5 })
    assert.ok(states.includes('down'), 'it said it was down meanwhile')
  } finally {
    s.close()
  }
})

test('DeviceStream: a refused token stops it; a silent connection is reopened by the watchdog', async () => {
  const srv = fakeServer()
  srv.answers.push({ status: 401 })
  let refused = 0
  const s = new ev.DeviceStream('/x', { token: 't', fetch: srv.fetch, onrefused: (st) => (refused = st) }).start()
  await until(() => refused === 401)
  await new Promise((r) => setTimeout(r, 1300))
  assert.equal(srv.calls.length, 1, 'no retry after a 401')
  assert.equal(s.closed, true)

  const quiet = fakeServer()
  const w = new ev.DeviceStream('/y', { token: 't', fetch: quiet.fetch, watchdogMs: 300 }).start()
  try {
    await until(() => quiet.calls.length >= 2, 3000)
  } finally {
    w.close()
  }
  const n = quiet.calls.length
  await new Promise((r) => setTimeout(r, 500))
  assert.equal(quiet.calls.length, n, 'nothing runs after close()')
})

test('evaluationBody: dims all or none, reasons and text as given, followup', () => {
  const inds = [{ code: 'speed' }, { code: 'attitude' }]
  assert.deepEqual(ev.evaluationBody({ level: 2, reasons: [], text: ' ', dims: {} }, inds), { body: { level: 2 }, dimsIncomplete: false })
  assert.deepEqual(ev.evaluationBody({ level: 1, reasons: ['slow'], text: ' 太慢 ', dims: { speed: 2 } }, inds), {
    body: { level: 1, reasons: ['slow'], text: '太慢' },
    dimsIncomplete: true,
  })
  assert.deepEqual(ev.evaluationBody({ level: 5, dims: { speed: 5, attitude: 4 }, followup: true }, inds).body, {
    level: 5,
    dims: { speed: 5, attitude: 4 },
    followup: true,
  })
})

test('eventStatus and failureKind', () => {
  assert.equal(ev.eventStatus({ state: 'open', can_evaluate: true }), 'open')
  assert.equal(ev.eventStatus({ state: 'rated', can_evaluate: false, can_followup: true }), 'followup')
  assert.equal(ev.eventStatus({ state: 'rated' }), 'rated')
  assert.equal(ev.eventStatus({ state: 'pending' }), 'pending')
  assert.equal(ev.eventStatus({ state: 'defaulted' }), 'expired')
  assert.equal(ev.eventStatus({ state: 'void' }), 'void')
  const e = (status, field, message) => ({ status, field, message })
  assert.equal(ev.failureKind(e(409, 'token', 'not yet valid: the service has not ended, it can be evaluated when it ends')), 'notYet')
  assert.equal(ev.failureKind(e(409, 'token', 'this service was already evaluated')), 'used')
  assert.equal(ev.failureKind(e(410, 'token', 'the evaluation period of this service has ended')), 'expired')
  assert.equal(ev.failureKind(e(409, 'followup', 'a 追评 is not allowed here')), 'noFollowup')
  assert.equal(ev.failureKind(e(404, 'token', 'no such service to evaluate')), 'notFound')
  assert.equal(ev.failureKind(e(400, 'reasons', 'a 差评 (level 1 or 2) needs at least one reason')), '')
  assert.equal(ev.percent(0.985), '98.5%')
  assert.equal(ev.percent(1), '100%')
  assert.equal(ev.percent(null), '—')
  assert.equal(ev.normalizeTicketCode(' a-012 '), 'A012')
  assert.match(ev.evaluationUrl('http://h/index.html#/x', 'abc_DEF'), /^http:\/\/h\/index\.html#\/e\/abc_DEF$/)
})
