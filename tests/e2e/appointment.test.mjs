// Appointments (预约) end to end: a citizen books on the portal, reads the code off the
// page, looks the booking up, checks in at the kiosk by typing the code on its keypad and
// gets an appointment ticket; the same code a second time is refused as already used.
// Cancelling works from 我的预约, and the kiosk refuses a cancelled or unknown code. Run
// through tests/e2e/run.sh (a fresh demo database; e2eadmin at /dist, a root node).
//
// The demo has no appointment slots, so the set-up makes them through the admin API. The
// check-in window is 30 minutes before to 15 minutes after a slot's start, on its day, so:
// - the citizen's slot starts at the current minute of the hall's day (Asia/Shanghai):
//   its check-in is open now and stays open for 15 minutes;
// - today must be a working day: when the calendar has it off, the test makes it a working
//   day for its run (and puts the calendar back after); the day-off message is tested on
//   another day off in the booking window;
// - in the last ten minutes before the hall's midnight the booking would turn into a
//   no-show under the test's feet, so then the citizen books the next working day and the
//   kiosk must refuse the check-in naming its window (the run says so; CK_E2E_APPT_LATE=1
//   takes this path at any hour).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { BASE_URL, Admin, withPage } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const appt = await import(pathToFileURL(path.resolve(here, '../../web/src/utils/appointment.js')))
const { hallNow, addDays, minuteText, normalizeCode, isCode, groupCode, codeChar, slotState, CODE_ALPHABET } = appt
const { spokenCode } = await import(pathToFileURL(path.resolve(here, '../../web/src/utils/queue.js')))

const HALL_NAME = '区政务服务中心'
// 居民身份证换领: appointable, served at window w01 of the district hall only (demo.c)
const ITEM = { code: 'GA-SFZ-001', name: '居民身份证换领' }
const LAST_CHECKIN_MINUTE = 1430 // 23:50: a check-in after this may cross the hall's midnight
const CODE_RE = new RegExp(`^[${CODE_ALPHABET}]{8}$`)

// mobile numbers of this run (each phone may hold one booking per item and day)
const RUN = String(Date.now() % 1e7).padStart(7, '0')
const phone = (n) => `139${RUN}${n}`

const admin = new Admin()
const pub = new Admin() // no login: the public
let setup // { hallId, token, today, bookDay, checkinToday, slotA, slotB, bFull, offDay }
let restoreCalendar = null

const slotsOf = (day) => pub.req('GET', `/api/halls/${setup.hallId}/slots?item_code=${ITEM.code}&day=${day}`)
const bookApi = (day, slot, ph, name = '测试人') =>
  pub.ok('POST', '/api/appointments', { hall_id: setup.hallId, item_code: ITEM.code, day, slot_start: slot, name, phone: ph }, [201])

// Today a working day for the run: a weekend becomes a make-up day, a weekday holiday goes.
async function makeWorkday(day) {
  const year = Number(day.slice(0, 4))
  const cal = await pub.ok('GET', `/api/calendar/${year}`)
  assert.ok(cal.known, `the calendar of ${year} is known`)
  const had = (cal.days || []).find((d) => d.date === day) || null
  const weekend = [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())
  if (weekend) await admin.ok('PUT', `/api/calendar/days/${day}`, { is_off: false, name: 'e2e 预约签到' })
  else await admin.ok('DELETE', `/api/calendar/days/${day}`, undefined, [204])
  return async () => {
    if (had) await admin.ok('PUT', `/api/calendar/days/${day}`, { is_off: had.is_off, name: had.name })
    else await admin.ok('DELETE', `/api/calendar/days/${day}`, undefined, [204])
  }
}

before(async () => {
  await admin.login()
  const halls = await admin.ok('GET', '/api/org/nodes?kind=hall&per_page=100')
  const hall = halls.items.find((h) => h.name === HALL_NAME)
  assert.ok(hall, `demo hall ${HALL_NAME}`)
  const dev = await admin.ok('POST', '/api/devices', { kind: 'kiosk', name: 'e2e预约签到机', node_id: hall.id })
  setup = { hallId: hall.id, token: dev.token }

  const now = hallNow()
  const today = now.day
  const checkinToday = now.minute <= LAST_CHECKIN_MINUTE && process.env.CK_E2E_APPT_LATE !== '1'
  // the citizen's slot A (5 places) starts now; B (1 place) is filled up by someone else
  const start = checkinToday ? now.minute : 1410
  const slotA = { start, end: Math.min(start + 30, 1440), capacity: 5 }
  const slotB = start + 60 <= 1440 ? { start: start + 30, end: start + 60, capacity: 1 } : { start: start - 30, end: start, capacity: 1 }
  await admin.ok('PUT', `/api/halls/${hall.id}/slots`, { item_code: ITEM.code, slots: [slotA, slotB] })

  let r = await slotsOf(today)
  if (r.status === 409 && checkinToday) {
    restoreCalendar = await makeWorkday(today)
    r = await slotsOf(today)
  }
  if (checkinToday) assert.equal(r.status, 200, `today is a working day now: ${r.text}`)
  else assert.ok([200, 409].includes(r.status), `today's slots: ${r.text}`)

  // the day to book, and a day off in the booking window for the day-off message
  let bookDay = checkinToday ? today : null
  let offDay = null
  for (let i = 1; i <= 30 && (!bookDay || !offDay); i++) {
    const d = addDays(today, i)
    const s = await slotsOf(d)
    if (s.status === 200 && !bookDay) bookDay = d
    if (s.status === 409 && !offDay) offDay = d
  }
  assert.ok(bookDay, 'a working day to book within 30 days')
  assert.ok(offDay, 'a day off within 30 days (a weekend at least)')

  // B: full when it can still be booked; on today a B before A is over already
  const bOver = bookDay === today && slotB.end <= hallNow().minute
  if (!bOver) await bookApi(bookDay, slotB.start, phone(9), '别人')
  Object.assign(setup, { today, bookDay, checkinToday, slotA, slotB, bFull: !bOver, offDay })
  if (!checkinToday) {
    console.log(`# ${now.minute} minutes into the hall's day: booking ${bookDay}; the kiosk must refuse the check-in outside its window`)
  }
})

after(async () => {
  if (restoreCalendar) await restoreCalendar()
})

// The kiosk with speech that records instead of talking, and print that only counts.
async function openKiosk(context) {
  const kiosk = await context.newPage()
  await kiosk.addInitScript(() => {
    window.__spoken = []
    window.__printed = 0
    window.print = () => {
      window.__printed++
    }
    const synth = {
      speaking: false,
      pending: false,
      paused: false,
      speak(u) {
        window.__spoken.push(u.text)
        setTimeout(() => typeof u.onend === 'function' && u.onend(new Event('end')), 20)
      },
      cancel() {},
      pause() {},
      resume() {},
      getVoices: () => [],
      addEventListener() {},
      removeEventListener() {},
    }
    Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true })
    if (typeof window.SpeechSynthesisUtterance !== 'function') {
      window.SpeechSynthesisUtterance = function (text) {
        this.text = text
      }
    }
  })
  await kiosk.goto(`${BASE_URL}/#/kiosk/${setup.hallId}?device=${encodeURIComponent(setup.token)}`)
  await kiosk.locator('[data-test=kiosk-hall]', { hasText: HALL_NAME }).waitFor()
  await kiosk.waitForFunction(() => !location.href.includes('device='))
  return kiosk
}

// 预约签到 → the code, half on the on-screen keypad, half on the keyboard in lower case
async function checkIn(kiosk, code) {
  await kiosk.locator('[data-test=kiosk-appointment]').click()
  await kiosk.locator('[data-test=kiosk-codepad]').waitFor()
  for (const ch of code.slice(0, 4)) await kiosk.locator(`[data-test=kiosk-code-key][data-key="${ch}"]`).click()
  await kiosk.keyboard.type(code.slice(4).toLowerCase())
  assert.equal(await kiosk.locator('[data-test=kiosk-code]').getAttribute('data-code'), code, 'the code as typed')
  await kiosk.locator('[data-test=kiosk-checkin-submit]').click()
}

async function lookUp(page, code, ph) {
  await page.locator('[data-test=appt-code]').fill(code)
  await page.locator('[data-test=appt-phone]').fill(ph)
  await page.locator('[data-test=appt-lookup]').click()
}

test('the booking code helpers', () => {
  assert.equal(normalizeCode(' ab2c-d3ef 9xyz'), 'AB2CD3EF', 'case-insensitive, separators dropped, 8 at most')
  assert.equal(normalizeCode('o0i1AB'), 'AB', 'no 0/O or 1/I in the alphabet')
  assert.equal(codeChar('h'), 'H')
  assert.equal(codeChar('I'), '')
  assert.ok(isCode('abcd2345') && !isCode('ABCD234') && !isCode('ABCD234O'))
  assert.equal(groupCode('ABCD2345'), 'ABCD 2345')
  assert.equal(minuteText(545), '09:05')
  assert.equal(minuteText(1440), '24:00')
  assert.equal(addDays('2026-12-31', 1), '2027-01-01')
  assert.equal(addDays('2028-02-28', 1), '2028-02-29')
  assert.equal(slotState({ open: true, remaining: 0 }), 'full')
  assert.equal(slotState({ open: false, remaining: 3 }), 'over')
  assert.equal(slotState({ open: true, remaining: 2 }), 'free')
  // 16:30 UTC is half past midnight of the next day in the hall
  assert.deepEqual(hallNow(Date.UTC(2026, 2, 3, 16, 30)), { day: '2026-03-04', minute: 30 })
})

test('a citizen books on the portal, looks the booking up and checks in at the kiosk; the code works once', async () => {
  const { hallId, bookDay, slotA, slotB, offDay, checkinToday } = setup
  const mine = phone(1)
  await withPage('appointment-flow', async (page) => {
    const context = page.context()
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL })

    // the item's page offers 预约 and leads to the booking page with hall and item filled in
    await page.goto(`${BASE_URL}/#/portal/items/${ITEM.code}`)
    await page.locator('[data-test=portal-item-name]', { hasText: ITEM.name }).waitFor()
    await page.locator('[data-test=portal-item-book]').click()
    await page.waitForURL(new RegExp(`#/portal/book\\?.*item=${ITEM.code}`))
    await page.waitForURL(new RegExp(`hall=${hallId}`))
    await page.locator('[data-test=book-hall]', { hasText: HALL_NAME }).waitFor()
    await page.locator('[data-test=book-item]', { hasText: ITEM.name }).waitFor()

    // a day off: skipped in the list, and refused in words when asked for by address
    const off = page.locator(`[data-test=book-day][data-date="${offDay}"]`)
    await off.waitFor()
    assert.equal(await off.getAttribute('data-state'), 'off')
    assert.ok(await off.isDisabled(), 'a day off cannot be chosen')
    await page.goto(`${BASE_URL}/#/portal/book?hall=${hallId}&item=${ITEM.code}&day=${offDay}`)
    const dayError = page.locator('[data-test=book-day-field] .el-form-item__error')
    await dayError.filter({ hasText: '所选日期不是工作日' }).waitFor()
    assert.doesNotMatch(await dayError.textContent(), /working day|appointments/i)

    // the working day: its slots with what is left; the full one cannot be chosen
    await page.locator(`[data-test=book-day][data-date="${bookDay}"]`).click()
    const a = page.locator(`[data-test=book-slot][data-start="${slotA.start}"]`)
    const b = page.locator(`[data-test=book-slot][data-start="${slotB.start}"]`)
    await a.waitFor()
    assert.equal(await a.getAttribute('data-state'), 'free')
    assert.match(await a.textContent(), new RegExp(`${minuteText(slotA.start)}–${minuteText(slotA.end)}\\s*余 5 个`))
    assert.equal(await b.getAttribute('data-state'), setup.bFull ? 'full' : 'over')
    assert.match(await b.textContent(), setup.bFull ? /已约满/ : /已结束/)
    assert.ok(await b.isDisabled(), 'a full or finished slot cannot be chosen')
    await dayError.waitFor({ state: 'detached' }) // no day error on a working day

    // who books: a wrong phone is refused in Chinese under the phone field (client check)
    await a.click()
    await page.locator('[data-test=book-name]').fill('张三')
    await page.locator('[data-test=book-phone]').fill('12')
    await page.locator('[data-test=book-submit]').click()
    await page.locator('.el-form-item__error', { hasText: '手机号码须为 5–20 位数字' }).waitFor()
    await page.locator('[data-test=book-phone]').fill(mine)
    await page.locator('[data-test=book-submit]').click()

    // the answer: the code, once, large and copyable; hall, item, time and check-in window
    const result = page.locator('[data-test=book-result]')
    await result.waitFor()
    const code = await page.locator('[data-test=book-code]').getAttribute('data-code')
    assert.match(code, CODE_RE, `a booking code: ${code}`)
    assert.equal((await page.locator('[data-test=book-code]').textContent()).trim(), groupCode(code))
    assert.match(await page.locator('[data-test=book-once]').textContent(), /只显示这一次/)
    assert.equal((await page.locator('[data-test=book-result-hall]').textContent()).trim(), HALL_NAME)
    assert.equal((await page.locator('[data-test=book-result-item]').textContent()).trim(), ITEM.name)
    assert.equal(
      (await page.locator('[data-test=book-result-time]').textContent()).trim(),
      `${bookDay} ${minuteText(slotA.start)}–${minuteText(slotA.end)}`,
    )
    const win = (await page.locator('[data-test=book-result-window]').textContent()).trim()
    assert.ok(win.endsWith(minuteText(slotA.start + 15 >= 1440 ? slotA.start + 15 - 1440 : slotA.start + 15)), `check-in until start + 15 min: ${win}`)
    assert.match(await page.locator('[data-test=book-reminder]').textContent(), /自助取号机.*预约签到/)
    await page.locator('[data-test=book-copy]').click()
    await page.locator('.el-message', { hasText: '已复制' }).waitFor()

    // 我的预约: the code in lower case works; the booking is 已预约
    await page.locator('[data-test=book-mine]').click()
    await page.waitForURL(/#\/portal\/appointment/)
    await lookUp(page, code.toLowerCase(), mine)
    const status = page.locator('[data-test=appt-status]')
    await status.waitFor()
    assert.equal(await status.getAttribute('data-status'), 'booked')
    assert.equal((await status.textContent()).trim(), '已预约')
    assert.match(await page.locator('[data-test=appt-time]').textContent(), new RegExp(`${bookDay} ${minuteText(slotA.start)}`))

    // the kiosk: 预约签到 with the code
    const kiosk = await openKiosk(context)
    await checkIn(kiosk, code)
    if (checkinToday) {
      const ticketCode = kiosk.locator('[data-test=ticket-code]')
      await ticketCode.waitFor()
      const number = (await ticketCode.textContent()).trim()
      assert.match(number, /^[A-Z]{1,2}\d{3,4}$/, `a ticket number: ${number}`)
      assert.match(await kiosk.locator('[data-test=ticket-appointment]').textContent(), new RegExp(`预约签到 ${minuteText(slotA.start)}`))
      assert.match(await kiosk.locator('[data-test=ticket-slip]').textContent(), new RegExp(ITEM.name))
      assert.match(await kiosk.locator('[data-test=ticket-ahead]').textContent(), /前面还有 \d+ 人等候/)
      const qr = await kiosk.locator('[data-test=qr-code]').getAttribute('data-text')
      assert.ok(qr.includes(`#/portal/halls/${hallId}?ticket=${number}`), `QR leads to the ticket's status page: ${qr}`)
      await kiosk.locator('[data-test=kiosk-print]').click()
      assert.equal(await kiosk.evaluate(() => window.__printed), 1, 'printed once')

      // the same code again, in the elderly mode: refused in large text and in words
      await kiosk.locator('[data-test=kiosk-done]').click()
      await kiosk.locator('[data-test=kiosk-elderly]').click()
      await checkIn(kiosk, code)
      const error = kiosk.locator('[data-test=kiosk-checkin-error]')
      await error.waitFor()
      assert.match(await error.textContent(), /该预约已签到，不能重复使用/)
      await kiosk.waitForFunction(() => window.__spoken.some((x) => x.includes('已签到')))
      assert.equal(await kiosk.locator('[data-test=ticket-code]').count(), 0, 'no second ticket')

      // the booking is 已签到 now
      await page.locator('[data-test=appt-lookup]').click()
      await page.locator('[data-test=appt-status][data-status=checked_in]', { hasText: '已签到' }).waitFor()
      assert.equal(await page.locator('[data-test=appt-cancel]').count(), 0, 'a checked-in booking cannot be cancelled')
      console.log(`# checked in ${groupCode(code)} → ticket ${number} (${spokenCode(number)})`)
    } else {
      // outside the check-in window: refused naming the window, on screen and (in the
      // elderly mode) in words
      const error = kiosk.locator('[data-test=kiosk-checkin-error]')
      const refusal = new RegExp(`签到时间为 ${bookDay} ${minuteText(slotA.start - 30)}–${minuteText(slotA.start + 15)}`)
      await error.filter({ hasText: refusal }).waitFor()
      assert.equal(await kiosk.locator('[data-test=ticket-code]').count(), 0, 'no ticket')
      await kiosk.locator('[data-test=kiosk-elderly]').click()
      await kiosk.locator('[data-test=kiosk-code-clear]').click()
      await kiosk.keyboard.type(code)
      await kiosk.keyboard.press('Enter')
      await kiosk.waitForFunction(() => window.__spoken.some((x) => x.includes('签到时间为')))
      await page.locator('[data-test=appt-lookup]').click()
      await page.locator('[data-test=appt-status][data-status=booked]').waitFor()
    }
  })
})

test('my booking: a wrong phone finds nothing, cancelling asks first and frees the code; the kiosk refuses it', async () => {
  const { bookDay, slotA } = setup
  const ph = phone(2)
  const booked = await bookApi(bookDay, slotA.start, ph, '李四')
  const code = booked.code
  assert.match(code, CODE_RE)
  const freeBefore = (await slotsOf(bookDay)).json.items.find((s) => s.start === slotA.start).remaining

  await withPage('appointment-cancel', async (page) => {
    // from the portal's header
    await page.goto(`${BASE_URL}/#/portal`)
    await page.locator('[data-test=portal-nav-appointment]').click()
    await page.waitForURL(/#\/portal\/appointment/)

    await lookUp(page, code, '13800000000')
    const codeError = page.locator('.el-form-item__error', { hasText: '预约码与手机号码不符' })
    await codeError.waitFor()
    assert.equal(await page.locator('[data-test=appt-result]').count(), 0)

    await lookUp(page, code, ph)
    await page.locator('[data-test=appt-status][data-status=booked]').waitFor()
    await codeError.waitFor({ state: 'detached' }) // the error goes with a good look-up

    // cancel: a confirmation first; saying no changes nothing
    await page.locator('[data-test=appt-cancel]').click()
    const box = page.locator('.ck-confirm')
    await box.waitFor()
    assert.match(await box.textContent(), new RegExp(`${bookDay} ${minuteText(slotA.start)}`))
    await box.locator('.el-message-box__btns button', { hasText: '取消' }).click()
    await box.waitFor({ state: 'hidden' })
    assert.equal(await page.locator('[data-test=appt-status]').getAttribute('data-status'), 'booked')

    await page.locator('[data-test=appt-cancel]').click()
    await box.waitFor()
    await box.locator('.el-message-box__btns button', { hasText: '确认' }).click()
    await page.locator('[data-test=appt-status][data-status=cancelled]', { hasText: '已取消' }).waitFor()
    await page.locator('[data-test=appt-cancelled-at]').waitFor()
    assert.equal(await page.locator('[data-test=appt-cancel]').count(), 0, 'nothing left to cancel')

    // the place is free again, and the code is no good at the kiosk
    const freeAfter = (await slotsOf(bookDay)).json.items.find((s) => s.start === slotA.start).remaining
    assert.equal(freeAfter, freeBefore + 1, 'the cancelled place is free again')
    const kiosk = await openKiosk(page.context())
    await checkIn(kiosk, code)
    const error = kiosk.locator('[data-test=kiosk-checkin-error]')
    await error.filter({ hasText: '该预约已取消' }).waitFor()

    // an unknown code: said so, and no ticket
    let other = 'ABCDEFGH'
    if (other === code) other = 'HGFEDCBA'
    await kiosk.locator('[data-test=kiosk-code-clear]').click()
    for (const ch of other) await kiosk.locator(`[data-test=kiosk-code-key][data-key="${ch}"]`).click()
    assert.ok(await kiosk.locator('[data-test=kiosk-code-key]').first().isDisabled(), 'the keypad stops at 8 characters')
    await kiosk.locator('[data-test=kiosk-checkin-submit]').click()
    await error.filter({ hasText: '没有找到这个预约码' }).waitFor()
    assert.equal(await kiosk.locator('[data-test=ticket-code]').count(), 0)
  })
})
