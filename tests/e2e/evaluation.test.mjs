// 好差评 end to end. Run through tests/e2e/run.sh (a fresh demo database; e2eadmin at
// /dist).
//
// 1. The window tablet: an evaluator device bound to window w06 of the district hall
//    (its token created through the API) shows who opened the window; the staff member
//    calls and finishes a ticket at the console → the tablet shows the staff card and the
//    five faces within a second of the finish's answer → 不满意 without a reason is
//    refused by the server and the refusal is shown → with a reason it is accepted (the
//    thank-you screen, then idle again) → the 差评 work order is there for the unit
//    (GET /api/bad-reviews) → the staff member finds it in 我的评价.
// 2. The staff member cannot type in a hotline evaluation of a service they delivered:
//    the server's refusal shows in the entry dialog.
// 3. The public page: a kiosk ticket's evaluation QR code carries the token; before the
//    service ends its link says so; after it, 满意 is accepted; opening the link again
//    shows 已评价; an unknown token is told plainly.
//
// Set-up through the admin API as e2eadmin: a staff member of the hall (a new login per
// run, so the file also runs twice against one database) assigned to w06, w06's profile
// serving every series of the hall, an evaluator device bound to w06, a kiosk device.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, Admin, withPage, submitLogin } from './helpers.mjs'

const HALL_NAME = '区政务服务中心'
const WINDOW = 'w06'
const RUN = Date.now().toString(36)
const STAFF = {
  login: `e2e_eval_${RUN}`,
  name: `评价测试${RUN.slice(-3)}`,
  password: 'e2e-Eval-Passw0rd!',
  badge_no: `E${RUN.slice(-5)}`,
  post: '公积金经办岗',
  party_member: true,
}

const admin = new Admin()
const staffApi = new Admin()
let setup // { hallId, windowId, windowName, staffId, seriesId, evaluatorToken, kioskToken }

before(async () => {
  await admin.login()
  const halls = await admin.ok('GET', '/api/org/nodes?kind=hall&per_page=100')
  const hall = halls.items.find((h) => h.name === HALL_NAME)
  assert.ok(hall, `demo hall ${HALL_NAME}`)
  const win = (await admin.ok('GET', `/api/org/nodes/${hall.id}/windows`)).items.find((w) => w.code === WINDOW)
  assert.ok(win, `window ${WINDOW}`)
  const staff = await admin.ok('POST', '/api/staff', { ...STAFF, role: 'staff', node_id: hall.id })
  await admin.ok('POST', `/api/staff/${staff.id}/assignments`, { window_id: win.id })
  const series = (await admin.ok('GET', `/api/halls/${hall.id}/series`)).items.filter((s) => s.active !== false)
  assert.ok(series.length, 'the hall has ticket series')
  await admin.ok('PUT', `/api/windows/${win.id}/profile`, { series_ids: series.map((s) => s.id), mode: 'longest_wait' })
  const evaluator = await admin.ok('POST', '/api/devices', { kind: 'evaluator', name: `e2e评价器${RUN}`, node_id: win.id })
  const kiosk = await admin.ok('POST', '/api/devices', { kind: 'kiosk', name: `e2e评价取号机${RUN}`, node_id: hall.id })
  assert.ok(evaluator.token && kiosk.token, 'device tokens are shown once')
  await staffApi.login(STAFF.login, STAFF.password)
  setup = {
    hallId: hall.id,
    windowId: win.id,
    windowName: win.name,
    staffId: staff.id,
    seriesId: series[0].id,
    evaluatorToken: evaluator.token,
    kioskToken: kiosk.token,
  }

  // a ticket left at w06 by an earlier run is finished first, and a service still
  // waiting there for its evaluation (the tablet would show it at once) is evaluated by
  // the administrator, as if by telephone
  const status = (await admin.ok('GET', `/api/halls/${hall.id}/windows/status`)).items.find((w) => w.window_id === win.id)
  const left = status && status.current
  if (left) {
    if (left.status === 'called') await admin.ok('POST', `/api/tickets/${left.id}/start`)
    await admin.ok('POST', `/api/tickets/${left.id}/finish`)
  }
  for (let i = 0; i < 20; i++) {
    const r = await fetch(`${BASE_URL}/api/evaluator/state`, { headers: { Authorization: `Device ${evaluator.token}` } })
    assert.equal(r.status, 200, 'the evaluator reads its state')
    const pending = (await r.json()).pending
    if (!pending) break
    await admin.ok('POST', '/api/evaluations/entry', { event_id: pending.id, channel: 'hotline', level: 5 })
  }
})

// A ticket issued by the administrator (the answer carries its eval_token).
async function issueTicket() {
  const tk = await admin.ok('POST', `/api/halls/${setup.hallId}/tickets`, { series_id: setup.seriesId })
  assert.match(tk.eval_token || '', /^[A-Za-z0-9_-]{24}$/, 'the issue answer carries the evaluation token')
  return tk
}

// The staff member serves a ticket at w06 through the API: open, call by code, start, finish.
async function serveByApi(tk) {
  const open = await staffApi.req('POST', `/api/windows/${setup.windowId}/open`)
  assert.ok([200, 409].includes(open.status), `open → ${open.status} ${open.text}`)
  await staffApi.ok('POST', `/api/windows/${setup.windowId}/call`, { code: tk.code })
  await staffApi.ok('POST', `/api/tickets/${tk.id}/start`)
  await staffApi.ok('POST', `/api/tickets/${tk.id}/finish`)
}

test('the window tablet: staff card within a second of the finish, a 差评 refused without a reason, accepted with one, its work order', async () => {
  const tk = await issueTicket()
  await withPage('evaluation-tablet', async (tablet) => {
    const context = tablet.context()

    // the tablet: the token comes once in the address, then leaves it
    await tablet.goto(`${BASE_URL}/#/evaluator?device=${encodeURIComponent(setup.evaluatorToken)}`)
    await tablet.locator('[data-test=evaluator-window]', { hasText: setup.windowName }).waitFor()
    await tablet.waitForFunction(() => !location.href.includes('device='))
    await tablet.waitForFunction(() => document.querySelector('[data-test=evaluator]')?.dataset.conn === 'open')
    await tablet.locator('[data-test=evaluator-idle]').waitFor()

    // the counter: sign in, open the window; the tablet's idle card shows who is there
    const counter = await context.newPage()
    await counter.goto(`${BASE_URL}/#/login`)
    await submitLogin(counter, STAFF.login, STAFF.password)
    await counter.waitForURL(/#\/console/)
    await counter.locator('[data-test=console-window]').filter({ hasText: setup.windowName }).waitFor()
    if (await counter.locator('[data-test=console-open]').isVisible()) await counter.locator('[data-test=console-open]').click()
    await counter.locator('[data-test=console-open-state][data-state=open]').waitFor()
    const idleCard = tablet.locator('[data-test=evaluator-idle] [data-test=staff-card]')
    await idleCard.locator('[data-test=staff-card-name]', { hasText: STAFF.name }).waitFor()
    assert.match(await idleCard.locator('[data-test=staff-card-badge]').textContent(), new RegExp(STAFF.badge_no))
    await idleCard.locator('[data-test=staff-card-party]', { hasText: '党员' }).waitFor()
    await idleCard.locator('[data-test=staff-card-month]').waitFor()

    // call the ticket by its code, start it (F4), finish it with the button
    await counter.locator('[data-test=console-waiting] .c-row-code:visible', { hasText: tk.code }).waitFor()
    const alone = (await counter.locator('[data-test=console-waiting] .c-row-code:visible').count()) === 1
    await counter.locator('body').click({ position: { x: 5, y: 5 } })
    if (alone) await counter.keyboard.press('F1')
    else await counter.locator('[data-test=console-waiting] tr', { hasText: tk.code }).locator('[data-test=call-code]:visible').click()
    await counter.locator('[data-test=console-current-code]', { hasText: tk.code }).waitFor()
    await counter.keyboard.press('F4')
    await counter.locator('[data-test=console-current-status][data-status=serving]').waitFor()
    const finished = counter.waitForResponse((r) => r.url().endsWith(`/api/tickets/${tk.id}/finish`) && r.request().method() === 'POST')
    await counter.locator('[data-test=act-finish]').click()
    assert.equal((await finished).status(), 200, 'the finish answered 200')
    const t0 = Date.now()
    const invite = tablet.locator('[data-test=evaluator-invite]')
    await invite.locator('[data-test=staff-card-name]', { hasText: STAFF.name }).waitFor({ timeout: 1000 })
    console.log(`# the tablet showed the staff card ${Date.now() - t0} ms after the finish's answer`)
    assert.equal(await invite.locator('[data-test=eval-level]').count(), 5, 'five faces')
    const labels = await invite.locator('[data-test=eval-level]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))
    assert.deepEqual(labels, ['非常满意', '满意', '基本满意', '不满意', '非常不满意'])

    // 不满意 without a reason: the server refuses, the page says why
    await invite.locator('[data-test=eval-level][data-level="2"]').click()
    await invite.locator('[data-test=eval-reasons]').waitFor()
    assert.ok((await invite.locator('[data-test=eval-reason]').count()) > 0, 'the event lists reasons')
    const refused = tablet.waitForResponse((r) => r.url().endsWith('/api/evaluator/evaluations') && r.request().method() === 'POST')
    await invite.locator('[data-test=eval-submit]').click()
    const refusal = await refused
    assert.equal(refusal.status(), 400, 'a 差评 without a reason is refused')
    assert.equal((await refusal.json()).error.field, 'reasons')
    const error = invite.locator('[data-test=evaluator-error]')
    await error.waitFor()
    assert.match(await error.textContent(), /请至少选择一项不满意的原因/)

    // with a reason: accepted
    const reasonLabel = (await invite.locator('[data-test=eval-reason]').first().textContent()).trim()
    await invite.locator('[data-test=eval-reason]').first().click()
    await error.waitFor({ state: 'detached' })
    const accepted = tablet.waitForResponse((r) => r.url().endsWith('/api/evaluator/evaluations') && r.request().method() === 'POST')
    await invite.locator('[data-test=eval-submit]').click()
    const answer = await accepted
    assert.equal(answer.status(), 201, 'accepted with a reason')
    const evaluation = await answer.json()
    assert.equal(evaluation.level, 2)
    assert.equal(evaluation.bad, true)
    assert.equal(evaluation.channel, 'tablet')
    assert.equal(evaluation.reasons.length, 1)
    await tablet.locator('[data-test=evaluator-thanks]', { hasText: '感谢您的评价' }).waitFor()
    // … and back to the staff card by itself
    await tablet.locator('[data-test=evaluator-idle] [data-test=staff-card]').waitFor({ timeout: 12_000 })

    // the staff member reads it in 我的评价, and its detail
    await counter.goto(`${BASE_URL}/#/my/evaluations?bad=1`)
    const row = counter.locator('[data-test=my-eval-table] .el-table__row').filter({ has: counter.locator('[data-test=my-eval-row-level][data-level="2"]') })
    await row.first().waitFor()
    assert.equal((await row.first().locator('[data-test=my-eval-row-reasons]').textContent()).trim(), reasonLabel)
    // this month's figures: the one evaluation so far, a 差评
    await counter.locator('[data-test=my-eval-total] .me-fig-n', { hasText: /^1$/ }).waitFor()
    await counter.locator('[data-test=my-eval-bad] .me-fig-n', { hasText: /^1$/ }).waitFor()
    await counter.locator('[data-test=my-eval-levels] [data-level="2"] .me-level-n', { hasText: /^1$/ }).waitFor()
    await row.first().click()
    const drawer = counter.locator('[data-test=eval-drawer]')
    await drawer.locator('[data-test=eval-drawer-level]', { hasText: '不满意' }).waitFor()
    await drawer.locator('[data-test=eval-drawer-reasons]').waitFor()

    // the 差评 opened a work order for the unit
    const orders = await admin.ok('GET', `/api/bad-reviews?per_page=100`)
    const order = (orders.items || []).find((o) => o.evaluation_id === evaluation.id)
    assert.ok(order, `a work order for evaluation ${evaluation.id}: ${JSON.stringify(orders).slice(0, 400)}`)
    assert.equal(order.state, 'assigned')
    assert.equal(order.staff_id, setup.staffId, 'the one who delivered the service is responsible (谁办理谁负责)')
    assert.equal(order.window_id, setup.windowId)
    assert.deepEqual(order.reasons, evaluation.reasons)
    // … and the staff member's evaluation detail names it
    await drawer.locator('[data-test=eval-drawer-order]', { hasText: '已分派' }).waitFor()
  })
})

test('the staff member who delivered a service cannot type in its evaluation', async () => {
  const tk = await issueTicket()
  await serveByApi(tk)
  await withPage('evaluation-entry', async (page) => {
    await page.goto(`${BASE_URL}/#/login`)
    await submitLogin(page, STAFF.login, STAFF.password)
    await page.waitForURL(/#\/console/)
    await page.goto(`${BASE_URL}/#/my/evaluations`)
    await page.locator('[data-test=my-evaluations]').waitFor()
    await page.locator('[data-test=my-eval-entry]').click()
    const dlg = page.locator('[data-test=eval-entry-dialog]')
    await dlg.locator('[data-test=entry-find-by]').getByText('按排队号码').click()
    await dlg.locator('[data-test=entry-window]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: setup.windowName }).click()
    await dlg.locator('[data-test=entry-ticket]').fill(tk.code)
    await dlg.locator('[data-test=entry-lookup]').click()
    await dlg.locator('[data-test=entry-event]', { hasText: tk.code }).waitFor()
    await dlg.locator('[data-test=entry-level] .el-radio[data-level="4"]').click()
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/evaluations/entry') && r.request().method() === 'POST')
    await dlg.locator('[data-test=entry-submit]').click()
    assert.equal((await sent).status(), 403, 'refused: the staff member delivered it')
    await dlg.locator('[data-test=entry-error]', { hasText: '不能录入对本人所办服务的评价' }).waitFor()
  })
})

test('the public page: the ticket’s QR token → not yet → 满意 → 已评价 on a replay; an unknown token', async () => {
  await withPage('evaluation-public', async (page) => {
    // the kiosk prints the evaluation QR code with the ticket's token
    await page.goto(`${BASE_URL}/#/kiosk/${setup.hallId}?device=${encodeURIComponent(setup.kioskToken)}`)
    await page.locator('[data-test=kiosk-item]').first().click()
    const issued = page.waitForResponse((r) => r.url().endsWith(`/api/halls/${setup.hallId}/tickets`) && r.request().method() === 'POST')
    await page.locator('[data-test=kiosk-take]').click()
    const tk = await (await issued).json()
    const qr = page.locator('[data-test=ticket-eval-qr] img')
    await qr.waitFor()
    const src = await qr.getAttribute('src')
    assert.equal(src, `/api/public/evaluations/qr?token=${encodeURIComponent(tk.eval_token)}`)
    await page.locator('[data-test=ticket-eval-qr]', { hasText: '扫码评价' }).waitFor()

    // before the service ends
    await page.goto(`${BASE_URL}/#/e/${tk.eval_token}`)
    await page.locator('[data-test=eval-status][data-status=pending]', { hasText: '服务结束后才能评价' }).waitFor()
    assert.equal(await page.locator('[data-test=eval-form]').count(), 0, 'no form before the service ends')

    // served: 满意
    await serveByApi(tk)
    await page.reload()
    const form = page.locator('[data-test=eval-form]')
    await form.waitFor()
    await page.locator('[data-test=eval-event]', { hasText: tk.code }).waitFor()
    await page.locator('[data-test=eval-event] [data-test=staff-card-name]', { hasText: STAFF.name }).waitFor()
    await form.locator('[data-test=eval-level][data-level="4"]').click()
    assert.equal(await form.locator('[data-test=eval-reasons]').count(), 0, 'a good evaluation asks no reasons')
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/public/evaluations') && r.request().method() === 'POST')
    await form.locator('[data-test=eval-submit]').click()
    const answer = await sent
    assert.equal(answer.status(), 201)
    const body = JSON.parse(answer.request().postData())
    assert.equal(body.token, tk.eval_token)
    assert.equal(body.level, 4)
    assert.match(body.device, /^[A-Za-z0-9_-]{16,64}$/, 'the browser sends its own id')
    await page.locator('[data-test=eval-done]', { hasText: '已评价' }).waitFor()
    const device = await page.evaluate(() => localStorage.getItem('ck.evalDevice'))
    assert.equal(device, body.device, 'the id is kept in localStorage')

    // the same link again: evaluated (a 追评 is offered, not asked); a second first
    // evaluation is refused and the first stands
    await page.reload()
    await page.locator('[data-test=eval-status][data-status=rated]', { hasText: '该服务已评价，感谢您的反馈' }).waitFor()
    assert.equal(await page.locator('[data-test=eval-form]').count(), 0)
    const replay = await new Admin().req('POST', '/api/public/evaluations', { token: tk.eval_token, level: 1, reasons: ['attitude'] })
    assert.equal(replay.status, 409, `a replay is refused: ${replay.text}`)
    assert.equal(replay.json.error.field, 'token')
    await page.locator('[data-test=eval-followup-start]').click()
    await page.locator('[data-test=eval-form] [data-test=eval-followup]').waitFor()

    // a token nobody issued
    await page.goto(`${BASE_URL}/#/e/${'Z'.repeat(24)}`)
    await page.locator('[data-test=eval-not-found]', { hasText: '评价链接无效' }).waitFor()
  })
})
