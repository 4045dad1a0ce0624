// Appointment slots, phone booking and pausing a window, end to end. Run through
// tests/e2e/run.sh (a fresh demo database; e2eadmin at /dist).
//
// - the administrator generates the daily slots of an appointable demo item at the
//   district hall in Admin › 排队与预约 and saves them; a reload shows them;
// - an overlapping slot is refused: the row shows the server's error, nothing is saved;
// - a staff member books an appointment for a caller in the console and sees the code;
// - the staff member pauses the window (F8): calling is greyed out, the called ticket is
//   still served; resuming opens it again.
//
// Set-up through the admin API: a staff member of the hall assigned to window w03 (the
// window of the item used here, 不动产登记 BDC-SC-001, so the queue test's w01 is left
// alone) and w03's work profile serving the item's series.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, ADMIN, Admin, withPage, submitLogin, loginAsAdmin } from './helpers.mjs'

const HALL_NAME = '区政务服务中心'
const ITEM = 'BDC-SC-001'
const WINDOW = 'w03'
const RUN = Date.now().toString(36)
const STAFF = { login: `e2e_booking_${RUN}`, name: '预约测试', password: 'e2e-Booking-Passw0rd!' }


const admin = new Admin()
let setup // { hallId, windowId, windowName, itemName, day }

// the first working day after today (the hall's date): its slots are all still open
async function nextWorkday() {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
  for (let i = 1; i < 40; i++) {
    const d = new Date(`${today}T00:00:00Z`)
    d.setUTCDate(d.getUTCDate() + i)
    const iso = d.toISOString().slice(0, 10)
    const r = await admin.req('GET', `/api/halls/${setup.hallId}/slots?item_code=${ITEM}&day=${iso}`)
    if (r.status === 200) return iso
  }
  throw new Error('no working day in the next 40 days')
}

before(async () => {
  await admin.login(ADMIN.login, ADMIN.password)
  const halls = await admin.ok('GET', '/api/org/nodes?kind=hall&per_page=100')
  const hall = halls.items.find((h) => h.name === HALL_NAME)
  assert.ok(hall, `demo hall ${HALL_NAME}`)
  const win = (await admin.ok('GET', `/api/org/nodes/${hall.id}/windows`)).items.find((w) => w.code === WINDOW)
  assert.ok(win, `window ${WINDOW}`)
  const item = await admin.ok('GET', `/api/catalog/items/${ITEM}`)
  assert.equal(item.appointable, true, `${ITEM} takes appointments`)

  const staff = await admin.ok('POST', '/api/staff', { ...STAFF, role: 'staff', node_id: hall.id })
  await admin.ok('POST', `/api/staff/${staff.id}/assignments`, { window_id: win.id })
  const series = (await admin.ok('GET', `/api/halls/${hall.id}/series`)).items.filter((s) => s.active !== false)
  const own = series.filter((s) => (s.item_codes || []).includes(ITEM))
  await admin.ok('PUT', `/api/windows/${win.id}/profile`, { series_ids: (own.length ? own : series).map((s) => s.id), mode: 'longest_wait' })
  setup = { hallId: hall.id, windowId: win.id, windowName: win.name, itemName: item.name }
  setup.day = await nextWorkday()
})

// 09:00–17:00 every hour with the lunch break 12:00–13:30 left out
const GENERATED = [
  [540, 600],
  [600, 660],
  [660, 720],
  [840, 900],
  [900, 960],
  [960, 1020],
]

async function savedSlots() {
  const res = await admin.ok('GET', `/api/halls/${setup.hallId}/slots?item_code=${ITEM}&day=${setup.day}`)
  return res.items.map((s) => [s.start, s.end, s.capacity])
}

async function chooseOption(page, select, text) {
  await page.locator(`[data-test=${select}]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

async function shownStarts(page) {
  const inputs = page.locator('[data-test=slots-table] [data-test=slot-start]')
  return inputs.evaluateAll((els) => els.map((e) => e.value))
}

test('the administrator generates and saves the appointment slots; a reload shows them; an overlap is refused on its row', async () => {
  await withPage('booking-slots-editor', async (page) => {
    await loginAsAdmin(page)
    await page.locator('[data-test=menu-admin-queue]').click()
    await page.waitForURL(/#\/admin\/queue/)
    await chooseOption(page, 'qs-hall', HALL_NAME)
    await page.waitForURL(new RegExp(`hall=${setup.hallId}`))
    await chooseOption(page, 'slots-item', setup.itemName)
    await page.waitForURL(new RegExp(`item=${ITEM}`))

    // generate: 09:00–17:00, 60 minutes, 3 each, lunch 12:00–13:30 left out
    await page.locator('[data-test=slots-generate]').click()
    const gen = page.locator('[data-test=slots-generate-dialog]')
    await gen.waitFor()
    await gen.locator('[data-test=gen-from]').fill('09:00')
    await gen.locator('[data-test=gen-to]').fill('17:00')
    await gen.locator('[data-test=gen-every]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '60 分钟' }).click()
    const cap = gen.locator('[data-test=gen-capacity] input')
    await cap.fill('3')
    await cap.press('Tab')
    await gen.locator('[data-test=gen-break-from]').fill('12:00')
    await gen.locator('[data-test=gen-break-to]').fill('13:30')
    await gen.locator('[data-test=gen-preview]', { hasText: '将生成 6 个时段' }).waitFor()
    await gen.locator('[data-test=gen-confirm]').click()
    await gen.waitFor({ state: 'hidden' })
    assert.deepEqual(await shownStarts(page), ['09:00', '10:00', '11:00', '14:00', '15:00', '16:00'])
    await page.locator('[data-test=slots-dirty]').waitFor()

    const put = page.waitForResponse((r) => r.url().endsWith(`/api/halls/${setup.hallId}/slots`) && r.request().method() === 'PUT')
    await page.locator('[data-test=slots-save]').click()
    const putRes = await put
    assert.equal(putRes.status(), 200, await putRes.text())
    await page.locator('.el-message--success', { hasText: '已保存 6 个预约时段' }).waitFor()
    await page.locator('[data-test=slots-dirty]').waitFor({ state: 'detached' })
    assert.deepEqual(await savedSlots(), GENERATED.map(([s, e]) => [s, e, 3]))

    // a reload reads them back (hall and item stay in the address)
    await page.reload()
    await page.locator('[data-test=slots-table] [data-test=slot-start]').first().waitFor()
    await page.waitForFunction(() => document.querySelectorAll('[data-test=slots-table] [data-test=slot-start]').length === 6)
    assert.deepEqual(await shownStarts(page), ['09:00', '10:00', '11:00', '14:00', '15:00', '16:00'])
    const ends = await page.locator('[data-test=slots-table] [data-test=slot-end]').evaluateAll((els) => els.map((e) => e.value))
    assert.deepEqual(ends, ['10:00', '11:00', '12:00', '15:00', '16:00', '17:00'])

    // an added slot 16:30–17:30 overlaps 16:00–17:00: the server names it, its row says so
    await page.locator('[data-test=slots-add]').click()
    const rows = page.locator('[data-test=slots-table] .el-table__body tr')
    await page.waitForFunction(() => document.querySelectorAll('[data-test=slots-table] [data-test=slot-start]').length === 7)
    await rows.nth(6).locator('[data-test=slot-start]').fill('16:30')
    await rows.nth(6).locator('[data-test=slot-end]').fill('17:30')
    const bad = page.waitForResponse((r) => r.url().endsWith(`/api/halls/${setup.hallId}/slots`) && r.request().method() === 'PUT')
    await page.locator('[data-test=slots-save]').click()
    const badRes = await bad
    assert.equal(badRes.status(), 400)
    assert.equal((await badRes.json()).error.field, 'slots[6]')
    await rows.nth(6).locator('[data-test=slot-row-error]', { hasText: '与第 6 个时段重叠' }).waitFor()
    assert.equal(await page.locator('[data-test=slot-row-error]').count(), 1, 'only that row is marked')
    await page.locator('.el-message--error', { hasText: '第 7 个时段有误' }).waitFor()
    assert.deepEqual(await savedSlots(), GENERATED.map(([s, e]) => [s, e, 3]), 'nothing saved')

    // removing the row makes the table equal to what is saved again
    await rows.nth(6).locator('[data-test=slot-remove]').click()
    await page.locator('[data-test=slots-dirty]').waitFor({ state: 'detached' })
  })
})

async function ensureSlots() {
  if ((await savedSlots()).length) return
  await admin.ok('PUT', `/api/halls/${setup.hallId}/slots`, {
    item_code: ITEM,
    slots: GENERATED.map(([start, end]) => ({ start, end, capacity: 3 })),
  })
}

async function staffConsole(page) {
  await page.goto(`${BASE_URL}/#/login`)
  await submitLogin(page, STAFF.login, STAFF.password)
  await page.waitForURL(/#\/console/)
  await page.locator('[data-test=console-window]').filter({ hasText: setup.windowName }).waitFor()
  await page.locator('[data-test=console-current]').waitFor()
}

test('a staff member books an appointment for a caller by phone and reads out the code', async () => {
  await ensureSlots()
  const phone = `139${String(Date.now()).slice(-8)}`
  await withPage('booking-phone', async (page) => {
    await staffConsole(page)
    await page.locator('[data-test=act-phone-booking]').click()
    const dlg = page.locator('[data-test=booking-dialog]')
    await dlg.waitFor()
    await chooseOption(page, 'booking-item', setup.itemName)
    // the next working day (the dialog starts at the first working day from today)
    const dayInput = dlg.locator('[data-test=booking-day] input')
    await dayInput.fill(setup.day)
    await dayInput.press('Enter')
    await page.waitForFunction((day) => document.querySelector('[data-test=booking-day] input')?.value === day, setup.day)
    const slot = dlg.locator('[data-test=booking-slot]:not(.is-disabled)').first()
    await slot.waitFor()
    const start = Number(await slot.getAttribute('data-start'))
    assert.equal(start, 540, 'the first slot, 09:00')
    assert.match(await slot.textContent(), /09:00–10:00\s*余 3/)
    await slot.click()
    await dlg.locator('[data-test=booking-name]').fill('电话预约测试')
    await dlg.locator('[data-test=booking-phone]').fill(phone)

    const post = page.waitForResponse((r) => r.url().endsWith(`/api/halls/${setup.hallId}/appointments`) && r.request().method() === 'POST')
    await dlg.locator('[data-test=booking-confirm]').click()
    const res = await post
    assert.equal(res.status(), 201, await res.text())
    const booked = await res.json()
    assert.equal(booked.channel, 'phone')
    const codeEl = dlg.locator('[data-test=booking-code]')
    await codeEl.waitFor()
    const code = (await codeEl.textContent()).trim()
    assert.match(code, /^[23456789A-HJ-NP-Z]{8}$/, `a booking code: ${code}`)
    assert.equal(code, booked.code)
    assert.match(await dlg.locator('[data-test=booking-when]').textContent(), new RegExp(`${setup.day} 09:00–10:00`))
    assert.match(await dlg.textContent(), /预约码只显示这一次/)

    // the caller can look it up with the code and phone
    const status = await admin.ok('GET', `/api/appointments/${code}?phone=${phone}`)
    assert.equal(status.status, 'booked')
    assert.equal(status.slot_start, 540)

    // the slot has one place fewer; the code is not shown again
    await dlg.locator('[data-test=booking-another]').click()
    await dlg.locator('[data-test=booking-code]').waitFor({ state: 'detached' })
    await dlg.locator('[data-test=booking-slot][data-start="540"]', { hasText: '余 2' }).waitFor()
    await dlg.locator('[data-test=booking-name]').waitFor()
    assert.equal(await dlg.locator('[data-test=booking-name]').inputValue(), '')
  })
})

test('the staff member pauses the window: nobody new is called, the called ticket is served, resuming opens it', async () => {
  await withPage('booking-pause', async (page) => {
    await staffConsole(page)
    const open = page.locator('[data-test=console-open]')
    if (await open.isVisible()) await open.click()
    await page.locator('[data-test=console-open-state][data-state=open]').waitFor()
    await page.locator('[data-test=console-no-current]').waitFor()

    // a ticket for the window's item, called at once
    await admin.ok('POST', `/api/halls/${setup.hallId}/tickets`, { item_code: ITEM })
    await page.locator('[data-test=console-waiting] .c-row-code:visible').first().waitFor()
    await page.locator('body').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('F1')
    await page.locator('[data-test=console-current-status][data-status=called]').waitFor()

    // F8 pauses
    const paused = page.waitForResponse((r) => r.url().endsWith(`/api/windows/${setup.windowId}/pause`))
    await page.keyboard.press('F8')
    assert.equal((await paused).status(), 200)
    await page.locator('[data-test=console-open-state][data-state=paused]', { hasText: '暂停服务中' }).waitFor()
    await page.locator('[data-test=console-paused]').waitFor()
    const board = await admin.ok('GET', `/api/halls/${setup.hallId}/windows/status`)
    assert.equal(board.items.find((w) => w.window_id === setup.windowId).status, 'paused')
    assert.equal(await page.locator('[data-test=act-walk-direct]').isDisabled(), true, 'walk-direct greyed out')

    // the called ticket is still served
    await page.keyboard.press('F4')
    await page.locator('[data-test=console-current-status][data-status=serving]').waitFor()
    await page.keyboard.press('F5')
    await page.locator('[data-test=console-no-current]').waitFor()
    assert.equal(await page.locator('[data-test=act-call-next]').isDisabled(), true, 'call next greyed out while paused')

    // the server refuses to call while paused
    const staff = new Admin()
    await staff.login(STAFF.login, STAFF.password)
    const refused = await staff.req('POST', `/api/windows/${setup.windowId}/call-next`)
    assert.equal(refused.status, 409, refused.text)
    assert.equal(refused.json.error.field, 'status')
    assert.equal(refused.json.error.message, 'the window is paused')

    // resume
    await page.locator('[data-test=console-unpause]').click()
    await page.locator('[data-test=console-open-state][data-state=open]').waitFor()
    await page.locator('[data-test=console-paused]').waitFor({ state: 'detached' })
    assert.equal(await page.locator('[data-test=act-call-next]').isDisabled(), false, 'calling again')
    await page.locator('[data-test=console-close]').click()
    await page.locator('[data-test=console-open]').waitFor()
  })
})
