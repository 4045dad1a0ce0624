// Cases (办件) and first inquiries (首问登记) in the staff console, end to end. Run through
// tests/e2e/run.sh (a fresh demo database; e2eadmin at /dist).
//
// 1. A staff member at window w04 of the district hall calls a ticket for a 承诺件
//    (个体工商户设立登记, 3 working days promised, 15 legal), registers a case from the
//    called ticket in the console (a bad phone is refused at its field first), reads the
//    case number and the query code once, prints the receipt, and on the case page
//    requests 补正, records the supplement, accepts, decides and completes it — checking
//    the state shown after each step. The clocks shown are checked against the engine
//    (GET /api/calendar/due) for the same received day and limits: the promised and legal
//    due dates, the remaining working days; after 补正 the promised due date shows as
//    paused; after the supplement it has moved by the paused working days.
// 2. A staff member records a first inquiry and hands it over to a colleague; the
//    colleague finds it in their inbox and accepts it, becoming its owner.
// 3. A first inquiry becomes a case through its 转为办件 button: the registration form
//    comes prefilled, the inquiry closes as converted, its owner is the case's
//    first-inquiry owner.
//
// Set-up through the admin API as e2eadmin: two staff members of the hall (new logins per
// run, so the file also runs twice against one database), the first assigned to w04 with
// w04's profile serving the item's series.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, Admin, withPage, submitLogin } from './helpers.mjs'

const HALL_NAME = '区政务服务中心'
const WINDOW = 'w04'
const ITEM = 'SCJG-GT-001' // 个体工商户设立登记: 承诺件, promised 3 working days, legal 15
const RUN = Date.now().toString(36)
const STAFF = { login: `e2e_case_${RUN}`, name: `办件测试${RUN.slice(-3)}`, password: 'e2e-Case-Passw0rd!' }
const COLLEAGUE = { login: `e2e_case2_${RUN}`, name: `接收测试${RUN.slice(-3)}`, password: 'e2e-Case2-Passw0rd!' }
// a valid resident ID (GB 11643 check character X) and mobile numbers of this run
const ID_NUMBER = '11010519491231002X'
const PHONE = `138${String(Date.now()).slice(-8)}`

const admin = new Admin()
const pub = new Admin() // the public: the calendar engine
let setup // { hallId, windowId, windowName, item, staffId, colleagueId }

before(async () => {
  await admin.login()
  const halls = await admin.ok('GET', '/api/org/nodes?kind=hall&per_page=100')
  const hall = halls.items.find((h) => h.name === HALL_NAME)
  assert.ok(hall, `demo hall ${HALL_NAME}`)
  const win = (await admin.ok('GET', `/api/org/nodes/${hall.id}/windows`)).items.find((w) => w.code === WINDOW)
  assert.ok(win, `window ${WINDOW}`)
  const item = await admin.ok('GET', `/api/catalog/items/${ITEM}`)
  assert.equal(item.kind, 'promised', `${ITEM} is a 承诺件`)
  assert.equal(item.promised_limit.unit, 'workdays')
  assert.equal(item.legal_limit.unit, 'workdays')
  assert.ok(item.materials.filter((m) => m.required !== false).length >= 3, 'the item lists required materials')

  const staff = await admin.ok('POST', '/api/staff', { ...STAFF, role: 'staff', node_id: hall.id })
  await admin.ok('POST', `/api/staff/${staff.id}/assignments`, { window_id: win.id })
  const colleague = await admin.ok('POST', '/api/staff', { ...COLLEAGUE, role: 'staff', node_id: hall.id })
  const series = (await admin.ok('GET', `/api/halls/${hall.id}/series`)).items.filter((s) => s.active !== false)
  const own = series.filter((s) => (s.item_codes || []).includes(ITEM))
  assert.ok(own.length, `a series of the hall serves ${ITEM}`)
  await admin.ok('PUT', `/api/windows/${win.id}/profile`, { series_ids: own.map((s) => s.id), mode: 'longest_wait' })
  setup = { hallId: hall.id, windowId: win.id, windowName: win.name, item, staffId: staff.id, colleagueId: colleague.id }

  // a ticket left at w04 by an earlier run is finished (an administrator in scope may act there)
  const status = (await admin.ok('GET', `/api/halls/${hall.id}/windows/status`)).items.find((w) => w.window_id === win.id)
  const left = status && status.current
  if (left) {
    if (left.status === 'called') await admin.ok('POST', `/api/tickets/${left.id}/start`)
    await admin.ok('POST', `/api/tickets/${left.id}/finish`)
  }
})

async function signIn(page, who) {
  await page.goto(`${BASE_URL}/#/login`)
  await submitLogin(page, who.login, who.password)
  await page.waitForURL(/#\/console/)
}

// The engine: the due date n working days after `from`, with optional pauses.
async function due(from, workdays, pauses) {
  const q = new URLSearchParams({ from, workdays: String(workdays) })
  if (pauses) q.set('pauses', pauses)
  return pub.ok('GET', `/api/calendar/due?${q}`)
}

function hallToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
}

// What the case page shows now: state, level, promised/legal due, remaining, used.
async function shown(page) {
  const clock = page.locator('[data-test=case-clock]')
  return {
    state: await page.locator('.cv-head [data-test=case-state]').getAttribute('data-state'),
    level: await clock.getAttribute('data-level'),
    promisedDue: await clock.locator('[data-test=clock-promised-due]').getAttribute('data-day'),
    promisedText: (await clock.locator('[data-test=clock-promised-due]').textContent()).trim(),
    paused: (await clock.locator('[data-test=clock-promised-due]').getAttribute('data-paused')) === '1',
    legalDue: await clock.locator('[data-test=clock-legal-due]').getAttribute('data-day'),
    remaining: Number(await clock.locator('[data-test=clock-remaining]').getAttribute('data-remaining')),
    remainingText: (await clock.locator('[data-test=clock-remaining]').textContent()).trim(),
    used: Number(await clock.locator('[data-test=clock-used]').getAttribute('data-used')),
  }
}

async function waitState(page, state) {
  await page.locator(`.cv-head [data-test=case-state][data-state=${state}]`).waitFor()
}

// Press an action button on the case page and answer its dialog or confirmation; wait
// for the request's 200.
async function act(page, caseId, name, path, fill) {
  const res = page.waitForResponse((r) => r.url().endsWith(`/api/cases/${caseId}/${path}`) && r.request().method() === 'POST')
  await page.locator(`[data-test=case-act-${name}]`).click()
  if (fill) {
    const dlg = page.locator(`[data-test=case-action-dialog][data-action=${name}]`)
    await dlg.waitFor()
    await fill(dlg)
    await dlg.locator('[data-test=action-confirm]').click()
  } else {
    const box = page.locator('.ck-confirm')
    await box.waitFor()
    await box.locator('.el-message-box__btns button', { hasText: '确认' }).click()
  }
  const r = await res
  assert.equal(r.status(), 200, `${name}: ${await r.text()}`)
  return r.json()
}

test('a 承诺件 registered from the called ticket goes through 补正, supplement, 受理, decision and 办结; the clocks shown match the engine', async () => {
  const ticket = await admin.ok('POST', `/api/halls/${setup.hallId}/tickets`, { item_code: ITEM }, [201])
  const promised = setup.item.promised_limit.value
  const legal = setup.item.legal_limit.value
  const required = setup.item.materials.filter((m) => m.required !== false)
  const missing = required[required.length - 1] // left out at registration, asked for by 补正

  await withPage('case-flow', async (page) => {
    await page.addInitScript(() => {
      window.__printed = 0
      window.print = () => {
        window.__printed++
      }
    })
    await signIn(page, STAFF)

    // the console: open the window, call the ticket by its code
    await page.locator('[data-test=console-window]').filter({ hasText: setup.windowName }).waitFor()
    const open = page.locator('[data-test=console-open]')
    await page.locator('[data-test=console-open-state]').waitFor()
    if (await open.isVisible()) await open.click()
    await page.locator('[data-test=console-open-state][data-state=open]').waitFor()
    assert.equal(await page.locator('[data-test=act-register-case]').isDisabled(), true, 'no ticket at the window: nothing to register')
    const row = page.locator('[data-test=console-waiting] tr', { has: page.locator(`.c-row-code[data-code="${ticket.code}"]`) })
    await row.locator('[data-test=call-code]:visible').click()
    await page.locator('[data-test=console-current-code]', { hasText: ticket.code }).waitFor()
    await page.locator('[data-test=console-current-status][data-status=called]').waitFor()

    // register a case from it: the ticket's item is preselected with its materials
    await page.locator('[data-test=act-register-case]').click()
    const dlg = page.locator('[data-test=case-register-dialog]')
    await dlg.waitFor()
    await dlg.locator('[data-test=case-register-ticket]', { hasText: ticket.code }).waitFor()
    await dlg.locator('[data-test=case-register-item-kind][data-kind=promised]').waitFor()
    assert.match(await dlg.locator('[data-test=case-register-item-kind]').textContent(), new RegExp(`承诺件.*承诺时限 ${promised} 个工作日`))
    await dlg.locator('[data-test=register-material]').first().waitFor()
    assert.equal(await dlg.locator('[data-test=register-material]').count(), setup.item.materials.length, 'one checkbox per material')
    await dlg.locator('[data-test=applicant-name]').fill('张三')
    await dlg.locator('[data-test=applicant-phone]').fill('12345')
    await dlg.locator('[data-test=applicant-id-number]').fill(ID_NUMBER)
    for (const m of required) if (m.id !== missing.id) await dlg.locator(`[data-test=register-material][data-material="${m.id}"]`).click()
    await dlg.locator('[data-test=materials-missing]', { hasText: '还有 1 项必需材料未收' }).waitFor()
    await dlg.locator('[data-test=case-modes] [data-mode=entrusted]').click()

    // a bad phone: refused, the message under the phone field, nothing registered
    let post = page.waitForResponse((r) => r.url().endsWith('/api/cases') && r.request().method() === 'POST')
    await dlg.locator('[data-test=case-register-submit]').click()
    let res = await post
    assert.equal(res.status(), 400)
    assert.equal((await res.json()).error.field, 'applicant.phone')
    const phoneItem = dlg.locator('.el-form-item', { has: page.locator('[data-test=applicant-phone]') })
    const phoneError = phoneItem.locator('.el-form-item__error')
    await phoneError.waitFor()
    const phoneErrorText = await phoneError.textContent()
    assert.match(phoneErrorText, /[\u4e00-\u9fff]/, `a Chinese message: ${phoneErrorText}`)
    assert.doesNotMatch(phoneErrorText, /[A-Za-z]{3,}/, `no English: ${phoneErrorText}`)

    // the right phone: registered; the number and the query code shown once
    await dlg.locator('[data-test=applicant-phone]').fill(PHONE)
    post = page.waitForResponse((r) => r.url().endsWith('/api/cases') && r.request().method() === 'POST')
    await dlg.locator('[data-test=case-register-submit]').click()
    res = await post
    assert.equal(res.status(), 201, await res.text())
    const reg = await res.json()
    const body = JSON.parse(res.request().postData())
    assert.equal(body.ticket_id, ticket.id, 'registered from the called ticket')
    assert.deepEqual(body.modes, ['entrusted'])
    assert.equal(body.applicant.id_number, ID_NUMBER)
    assert.equal(body.materials.length, required.length - 1)
    const kase = reg.case
    assert.equal(kase.ticket_id, ticket.id)
    assert.equal(kase.state, 'received')
    assert.match(reg.query_code, /^[A-Z0-9]{4,12}$/)
    await dlg.locator('[data-test=case-number]', { hasText: kase.number }).waitFor()
    assert.equal((await dlg.locator('[data-test=case-query-code]').textContent()).trim(), reg.query_code)
    assert.match(await dlg.textContent(), /查询码只显示这一次/)

    // the receipt: printed once, with number, code, due date and the portal address
    await dlg.locator('[data-test=case-print]').click()
    assert.equal(await page.evaluate(() => window.__printed), 1, 'printed once')
    const receipt = page.locator('.ck-print-area [data-test=case-receipt]')
    assert.equal((await receipt.locator('[data-test=receipt-number]').textContent()).trim(), kase.number)
    assert.equal((await receipt.locator('[data-test=receipt-code]').textContent()).trim(), reg.query_code)
    assert.equal((await receipt.locator('[data-test=receipt-due]').textContent()).trim(), kase.clock.promised_due)
    assert.match(await receipt.locator('[data-test=receipt-url]').textContent(), new RegExp(`#/portal/case\\?number=${kase.number}`))

    // the case page
    await dlg.locator('[data-test=case-open]').click()
    await page.waitForURL(new RegExp(`#/cases/${kase.id}$`))
    await waitState(page, 'received')
    assert.equal((await page.locator('[data-test=case-view-number]').textContent()).trim(), kase.number)
    assert.match(await page.locator('[data-test=case-phone]').textContent(), /^138\*{4}\d{4}$/, 'the phone masked')
    assert.equal(await page.locator('[data-test=case-material][data-received="0"]').count(), setup.item.materials.length - (required.length - 1))

    // clocks at registration = the engine for the received day and the limits
    const from = kase.received_day
    const base = await due(from, promised)
    const legalDue = await due(from, legal)
    let s = await shown(page)
    assert.equal(s.promisedDue, base.due, 'promised due date = engine')
    assert.equal(s.promisedText, base.due)
    assert.equal(s.legalDue, legalDue.due, 'legal due date = engine')
    const today = hallToday()
    assert.ok(s.remaining >= 1 && s.remaining <= promised, `remaining ${s.remaining}`)
    assert.equal((await due(today, s.remaining)).due, base.due, `${s.remaining} working days from today reach the due date`)
    assert.equal(s.remainingText, `剩余 ${s.remaining} 个工作日`)
    assert.equal(s.used, promised - s.remaining)

    // the show-number button: the full phone, from POST …/contact
    const contact = page.waitForResponse((r) => r.url().endsWith(`/api/cases/${kase.id}/contact`))
    await page.locator('[data-test=case-show-phone]').click()
    assert.equal((await contact).status(), 200)
    await page.locator('[data-test=case-phone]', { hasText: PHONE }).waitFor()

    // 受理 with a required material missing: refused, the reason in Chinese, nothing changed
    const refused = page.waitForResponse((r) => r.url().endsWith(`/api/cases/${kase.id}/accept`))
    await page.locator('[data-test=case-act-accept]').click()
    await page.locator('.ck-confirm .el-message-box__btns button', { hasText: '确认' }).click()
    assert.equal((await refused).status(), 409)
    await page.locator('.el-message--error', { hasText: '还有 1 项必需材料未收到，请先一次性告知补正' }).waitFor()
    await waitState(page, 'received')

    // 补正: ask for the missing material; the clock stops
    await act(page, kase.id, 'supplement_request', 'supplement-request', async (d) => {
      await d.locator(`[data-test=action-material][data-material="${missing.id}"]`).click()
      await d.locator('[data-test=action-note]').fill('经营场所使用证明缺少产权人签字')
    })
    await waitState(page, 'supplement_requested')
    s = await shown(page)
    assert.equal(s.paused, true, 'the promised due date shows as paused')
    assert.equal(s.promisedText, '暂停计时')
    assert.equal(s.level, 'paused')
    await page.locator(`[data-test=case-material][data-requested="1"]`, { hasText: missing.name }).waitFor()

    // the supplement: the clock restarts; the due date moves by the paused working days
    await act(page, kase.id, 'supplement', 'supplement', async (d) => {
      const box = d.locator(`[data-test=action-material][data-material="${missing.id}"]`)
      await box.waitFor()
      assert.match((await box.getAttribute('class')) || '', /is-checked/, 'the requested material is ticked')
    })
    await waitState(page, 'supplemented')
    const after = await admin.ok('GET', `/api/cases/${kase.id}`)
    assert.equal(after.pauses.length, 1, 'one pause, closed')
    const p = after.pauses[0]
    assert.ok(p.stop_day && p.resume_day, `the pause is closed: ${JSON.stringify(p)}`)
    const moved = await due(from, promised, `${p.stop_day}:${p.resume_day}`)
    assert.ok(Number.isInteger(moved.paused_workdays), 'the engine counts the paused working days')
    s = await shown(page)
    assert.equal(s.paused, false)
    assert.equal(s.promisedDue, moved.due, 'promised due date after the supplement = engine with the pause')
    assert.equal(s.promisedDue, (await due(from, promised + moved.paused_workdays)).due, 'moved by the paused working days')
    assert.equal((await due(hallToday(), s.remaining)).due, s.promisedDue, 'remaining working days after the supplement')
    assert.equal(await page.locator('[data-test=case-material][data-received="0"][data-requested="1"]').count(), 0, 'the requested material is in')

    // 受理 → 决定 (准予) → 办结
    await act(page, kase.id, 'accept', 'accept')
    await waitState(page, 'accepted')
    await act(page, kase.id, 'decide', 'decide', async (d) => {
      await d.locator('[data-test=action-decision] label', { hasText: '准予' }).click()
    })
    await waitState(page, 'decided')
    await page.locator('[data-test=case-decision]', { hasText: '准予许可' }).waitFor()
    await act(page, kase.id, 'complete', 'complete', async (d) => {
      await d.locator('[data-test=action-note]').fill('已发放营业执照')
    })
    await waitState(page, 'completed')
    await page.locator('[data-test=case-no-actions]', { hasText: '该办件已结束' }).waitFor()

    // the timeline in Chinese, in order
    const kinds = await page.locator('[data-test=case-event]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))
    const flow = ['registered', 'supplement_request', 'supplement', 'accept', 'decide', 'complete']
    assert.deepEqual(kinds.filter((k) => flow.includes(k)), flow, `events: ${kinds}`)
    const timeline = await page.locator('[data-test=case-timeline]').textContent()
    for (const word of ['登记收件', '一次性告知补正', '补正到件', '受理', '作出决定', '办结']) assert.ok(timeline.includes(word), `timeline says ${word}`)

    // 我的办件: the open cases I handle — a completed one has left; 我首问的 (all states) has it
    await page.locator('[data-test=menu-cases]').click()
    await page.waitForURL(/#\/cases/)
    await page.locator('[data-test=cases-tab-mine].is-active').waitFor()
    const rowOf = (n) => page.locator('[data-test=cases-table] tr', { has: page.locator('[data-test=case-row-number]', { hasText: n }) })
    await page.locator('[data-test=cases-tab-first]').click()
    await page.locator('[data-test=cases-state-filter]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '全部' }).click()
    await rowOf(kase.number).locator('[data-test=case-state][data-state=completed]').waitFor()
    const mineRes = page.waitForResponse((r) => /\/api\/cases\?/.test(r.url()) && r.url().includes('view=mine'))
    await page.locator('[data-test=cases-tab-mine]').click()
    const mineList = await (await mineRes).json()
    assert.ok(!mineList.items.some((c) => c.id === kase.id), `a completed case is not in my open cases: ${(await mineRes).url()} ${JSON.stringify(mineList.items.map((c) => [c.id, c.state, c.open]))}`)
    await page.locator('[data-test=cases-state-filter]').waitFor({ state: 'detached' })
    await rowOf(kase.number).waitFor({ state: 'detached' })
  })
})

test('a first inquiry is recorded, handed over to a colleague, and the colleague accepts it from the inbox', async () => {
  const citizen = `李四${RUN.slice(-4)}`
  let inquiryId
  await withPage('inquiry-record-handover', async (page) => {
    await signIn(page, STAFF)
    await page.locator('[data-test=menu-inquiries]').click()
    await page.waitForURL(/#\/inquiries/)
    await page.locator('[data-test=inquiry-new]').click()
    const dlg = page.locator('[data-test=inquiry-record-dialog]')
    await dlg.waitFor()
    await dlg.locator('[data-test=inquiry-name]').fill(citizen)
    await dlg.locator('[data-test=inquiry-phone]').fill(`139${String(Date.now()).slice(-8)}`)
    await dlg.locator('[data-test=inquiry-question]').fill('开办餐饮店需要办理哪些许可？')
    await dlg.locator('[data-test=inquiry-channel] label', { hasText: '电话' }).click()
    const post = page.waitForResponse((r) => r.url().endsWith('/api/inquiries') && r.request().method() === 'POST')
    await dlg.locator('[data-test=inquiry-record-submit]').click()
    const res = await post
    assert.equal(res.status(), 201, await res.text())
    const inq = await res.json()
    inquiryId = inq.id
    assert.equal(inq.owner_id, setup.staffId, 'the recorder owns it')
    assert.equal(inq.channel, 'phone')

    // the drawer opens on it; my list has it
    const drawer = page.locator('[data-test=inquiry-drawer]')
    await drawer.locator('[data-test=inquiry-status][data-status=open]').waitFor()
    await drawer.locator('[data-test=inquiry-owner]', { hasText: STAFF.name }).waitFor()
    await page.locator('[data-test=inquiry-table] [data-test=inquiry-row-name]', { hasText: citizen }).waitFor()

    // hand it over to the colleague
    await drawer.locator('[data-test=inquiry-act-handover]').click()
    const form = drawer.locator('[data-test=inquiry-action-form][data-action=handover]')
    await form.waitFor()
    await form.locator('[data-test=staff-picker]').click()
    await page.keyboard.type(COLLEAGUE.name)
    await page.locator('.el-select-dropdown__item:visible', { hasText: COLLEAGUE.name }).click()
    await form.locator('[data-test=inquiry-note]').fill('属市场监管业务，请协助答复')
    const handover = page.waitForResponse((r) => r.url().endsWith(`/api/inquiries/${inq.id}/handover`))
    await form.locator('[data-test=inquiry-action-confirm]').click()
    const hr = await handover
    assert.equal(hr.status(), 200, await hr.text())
    assert.deepEqual(JSON.parse(hr.request().postData()).staff_id, setup.colleagueId)
    // pending: still mine until accepted
    await drawer.locator('[data-test=inquiry-pending]', { hasText: `待 ${COLLEAGUE.name} 接收` }).waitFor()
    await drawer.locator('[data-test=inquiry-owner]', { hasText: STAFF.name }).waitFor()
    await drawer.locator('[data-test=inquiry-event][data-kind=handover]').waitFor()
    const now = await admin.ok('GET', `/api/inquiries/${inq.id}`)
    assert.equal(now.owner_id, setup.staffId, 'the owner stays responsible while the handover is pending')
    assert.equal(now.pending && now.pending.staff_id, setup.colleagueId)
  })

  await withPage('inquiry-accept', async (page) => {
    await signIn(page, COLLEAGUE)
    await page.locator('[data-test=menu-inquiries]').click()
    await page.waitForURL(/#\/inquiries/)
    await page.locator('[data-test=inquiry-inbox-count]').waitFor()
    await page.locator('[data-test=inquiry-tab-inbox]').click()
    const row = page.locator('[data-test=inquiry-table] tr', { has: page.locator('[data-test=inquiry-row-name]', { hasText: citizen }) })
    await row.waitFor()
    await row.locator('[data-test=inquiry-row-pending]').waitFor()
    const accept = page.waitForResponse((r) => r.url().endsWith(`/api/inquiries/${inquiryId}/accept`))
    await row.locator('[data-test=inquiry-row-accept]').click()
    assert.equal((await accept).status(), 200)
    await page.locator('.el-message--success', { hasText: '已接收' }).waitFor()
    await row.waitFor({ state: 'detached' })

    // now the colleague's own
    await page.locator('[data-test=inquiry-tab-mine]').click()
    const mine = page.locator('[data-test=inquiry-table] tr', { has: page.locator('[data-test=inquiry-row-name]', { hasText: citizen }) })
    await mine.waitFor()
    await mine.click()
    const drawer = page.locator('[data-test=inquiry-drawer]')
    await drawer.locator('[data-test=inquiry-owner]', { hasText: COLLEAGUE.name }).waitFor()
    await drawer.locator('[data-test=inquiry-event][data-kind=accepted]').waitFor()
    assert.equal(await drawer.locator('[data-test=inquiry-pending]').count(), 0, 'no handover pending')
  })
  const done = await admin.ok('GET', `/api/inquiries/${inquiryId}`)
  assert.equal(done.owner_id, setup.colleagueId, 'the colleague owns it now')
  assert.equal(done.pending, null)
  assert.equal(done.first_owner_id, setup.staffId, 'the first owner is kept')
})

test('a first inquiry becomes a case in one step: the form is prefilled, the recorder stays the first-inquiry owner', async () => {
  const citizen = `王五${RUN.slice(-4)}`
  const inq = await (async () => {
    const staff = new Admin()
    await staff.login(STAFF.login, STAFF.password)
    return staff.ok('POST', '/api/inquiries', {
      citizen_name: citizen,
      phone: `137${String(Date.now()).slice(-8)}`,
      question: '个体工商户设立需要什么材料？',
      item_code: ITEM,
      channel: 'window',
    }, [201])
  })()
  await withPage('inquiry-to-case', async (page) => {
    await signIn(page, STAFF)
    await page.goto(`${BASE_URL}/#/inquiries`)
    const row = page.locator('[data-test=inquiry-table] tr', { has: page.locator('[data-test=inquiry-row-name]', { hasText: citizen }) })
    await row.click()
    const drawer = page.locator('[data-test=inquiry-drawer]')
    await drawer.locator('[data-test=inquiry-status][data-status=open]').waitFor()
    await drawer.locator('[data-test=inquiry-act-case]').click()
    const dlg = page.locator('[data-test=case-register-dialog]')
    await dlg.waitFor()
    // prefilled from the inquiry: the citizen's name and the item with its materials
    assert.equal(await dlg.locator('[data-test=applicant-name]').inputValue(), citizen)
    await dlg.locator('[data-test=case-register-item-kind][data-kind=promised]').waitFor()
    await dlg.locator('[data-test=applicant-phone]').fill(`137${String(Date.now()).slice(-8)}`)
    await dlg.locator('[data-test=materials-all]').click()
    const post = page.waitForResponse((r) => r.url().endsWith(`/api/inquiries/${inq.id}/case`) && r.request().method() === 'POST')
    await dlg.locator('[data-test=case-register-submit]').click()
    const res = await post
    assert.equal(res.status(), 201, await res.text())
    const out = await res.json()
    assert.equal(JSON.parse(res.request().postData()).ticket_id, undefined, 'no ticket with an inquiry')
    await dlg.locator('[data-test=case-number]', { hasText: out.case.number }).waitFor()
    assert.equal((await dlg.locator('[data-test=case-query-code]').textContent()).trim(), out.query_code)
    await dlg.locator('[data-test=case-register-close]').click()
    // the inquiry is closed as converted, with a link to its case
    await drawer.locator('[data-test=inquiry-status][data-status=converted]').waitFor()
    await drawer.locator('[data-test=inquiry-event][data-kind=converted]').waitFor()
    await drawer.locator('[data-test=inquiry-case-link]').click()
    await page.waitForURL(new RegExp(`#/cases/${out.case.id}$`))
    await page.locator('[data-test=case-first-owner]', { hasText: STAFF.name }).waitFor()
    await page.locator('.cv-head [data-test=case-state][data-state=received]').waitFor()
  })
  const kase = await admin.ok('GET', `/api/cases/${(await admin.ok('GET', `/api/inquiries/${inq.id}`)).case_id}`)
  assert.equal(kase.first_owner_id, setup.staffId, 'the inquiry’s owner is the case’s first-inquiry owner')
  assert.equal(kase.inquiry_id, inq.id)
  assert.equal(kase.applicant_name, citizen)
})
