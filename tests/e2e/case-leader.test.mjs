// Cases (办件) from above and from outside, end to end. Run through tests/e2e/run.sh (a
// fresh demo database; e2eadmin at /dist).
//
// - a citizen looks a case up on the portal (办件查询) by number and query code; a wrong
//   code is told as "not found" and shows nothing of the case;
// - a leader approves a handler's extension request on the board (督办看板): the request
//   leaves the list and the case's promised due date moves;
// - an overdue completion opens an accountability record against the handler; the leader
//   decides it on the board (批评); the handler reads it in 我的责任记录; the efficiency
//   statistics count it as late; the follow-up call it scheduled is recorded;
// - the administrator saves the case settings; an out-of-range value is refused at the
//   field and nothing is saved;
// - the bell in the top bar shows the leader's unread notifications; opening one marks it
//   read.
//
// Set-up through the API: a staff member (the handler) and a leader, both at the district
// hall, so the leader is the handler's nearest one. The item is 个体工商户设立登记
// (SCJG-GT-001: a 承诺件, promised 3 working days, legal 15). Cases are registered
// directly (no ticket) with every required material; the overdue one is back-dated.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ADMIN, BASE_URL, Admin, withPage, submitLogin } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const WEB_SRC = path.resolve(here, '../../web/src')
const leaderUtils = await import(pathToFileURL(path.join(WEB_SRC, 'utils/caseLeader.js')))
const { addDays, hallNow } = await import(pathToFileURL(path.join(WEB_SRC, 'utils/appointment.js')))

const HALL_NAME = '区政务服务中心'
const ITEM = 'SCJG-GT-001'
const RUN = Date.now().toString(36)
const PASSWORD = 'e2e-Cases-Passw0rd!'
const HANDLER = { login: `e2e_case_staff_${RUN}`, name: '办件测试员', password: PASSWORD }
const LEADER = { login: `e2e_case_leader_${RUN}`, name: '督办测试领导', password: PASSWORD }
const phone = (n) => `138${String(Date.now()).slice(-7)}${n}`

// The case page (#/cases/{id}) belongs to the staff console's pages; the bell's link is
// followed there only when the app has that route.
const HAS_CASE_PAGE = /['"`]\/?cases\/:id/.test(
  fs.readFileSync(path.join(WEB_SRC, 'menu.js'), 'utf8') + fs.readFileSync(path.join(WEB_SRC, 'router.js'), 'utf8'),
)

const admin = new Admin()
const handler = new Admin()
const leader = new Admin()
const pub = new Admin()
let setup // { hallId, item, required, handlerId, leaderId }
let settingsBefore = null

before(async () => {
  await admin.login()
  const halls = await admin.ok('GET', '/api/org/nodes?kind=hall&per_page=100')
  const hall = halls.items.find((h) => h.name === HALL_NAME)
  assert.ok(hall, `demo hall ${HALL_NAME}`)
  const item = await pub.ok('GET', `/api/catalog/items/${ITEM}`)
  assert.equal(item.kind, 'promised', `${ITEM} is a 承诺件`)
  const required = (item.materials || []).filter((m) => m.required !== false).map((m) => m.id)
  assert.ok(required.length > 0, 'the item lists required materials with ids')
  const h = await admin.ok('POST', '/api/staff', { ...HANDLER, role: 'staff', node_id: hall.id })
  const l = await admin.ok('POST', '/api/staff', { ...LEADER, role: 'leader', node_id: hall.id })
  await handler.login(HANDLER.login, HANDLER.password)
  await leader.login(LEADER.login, LEADER.password)
  setup = { hallId: hall.id, item, required, handlerId: h.id, leaderId: l.id }
  const cs = await admin.req('GET', '/api/case-settings')
  settingsBefore = cs.status === 200 ? cs.json : null
})

after(async () => {
  if (settingsBefore) {
    const { region_id: _, ...body } = settingsBefore
    await admin.req('PUT', '/api/case-settings', body)
  }
})

/** Register a case as the handler: { case, query_code }. */
async function register(extra = {}) {
  return handler.ok(
    'POST',
    '/api/cases',
    {
      item_code: ITEM,
      applicant: { kind: 'person', name: '王小明', phone: phone(1) },
      materials: setup.required,
      ...extra,
    },
    [201],
  )
}

// Sign in through the login page and land on `landing` (the login page's ?redirect=; a
// page opened by hand right after login could be replaced by the start page's own
// address update).
async function loginAs(page, who, landing) {
  await page.goto(`${BASE_URL}/#/login?redirect=${encodeURIComponent(landing)}`)
  await submitLogin(page, who.login, who.password)
  await page.waitForURL(new RegExp(`#${landing.replace(/[/?]/g, '\\$&')}`))
}

/** The board as the leader, on one of its tabs. */
async function openBoard(page, tab) {
  await loginAs(page, LEADER, '/leader/board')
  await page.locator('[data-test=board-counts] [data-test=board-count-open][data-count]:not([data-count=""])').waitFor()
  if (tab) await page.locator(`[data-test=board-tab-${tab}]`).click()
}

test('the pure helpers: clock words, CSV, periods, query inputs', () => {
  const { clockText, toCsv, csvCell, statsCsv, percent, outcomeBar, thisMonth, lastMonth, normalizeCaseNumber, normalizeQueryCode, settingInRange } = leaderUtils
  const t = (k, p = {}) => `${k}${p.n !== undefined ? `:${p.n}` : ''}`
  assert.equal(clockText(t, { has_clock: true, unit: 'workdays', remaining: 3, paused: false }), 'caseClock.left.workdays:3')
  assert.equal(clockText(t, { has_clock: true, unit: 'workdays', remaining: 0 }), 'caseClock.dueToday')
  assert.equal(clockText(t, { has_clock: true, unit: 'days', remaining: -2 }), 'caseClock.over.days:2')
  assert.equal(clockText(t, { has_clock: true, unit: 'workdays', remaining: 5, paused: true }), 'caseClock.paused')
  assert.equal(clockText(t, { has_clock: false }), 'caseClock.none')
  assert.equal(csvCell('a,b'), '"a,b"')
  assert.equal(csvCell('say "hi"'), '"say ""hi"""')
  assert.equal(csvCell('=SUM(A1)'), "'=SUM(A1)", 'a formula is defused')
  assert.equal(csvCell('-12.5%'), '-12.5%', 'a negative number stays a number')
  assert.equal(toCsv([['a', 1], ['b', null]]), '\uFEFFa,1\r\nb,\r\n')
  const csv = statsCsv(['h'], [{ label: '甲', completed: 4, early: 1, on_time: 2, late: 1, early_rate: 0.25, on_time_rate: 0.75, late_rate: 0.25, avg_used: 2.5, avg_promised: 3 }], { completed: 4, early: 1, on_time: 2, late: 1, early_rate: 0.25, on_time_rate: 0.75, late_rate: 0.25, avg_used: 2.5, avg_promised: 3 }, '合计')
  assert.equal(csv.split('\r\n')[1], '甲,4,1,25.0%,2,75.0%,1,25.0%,2.5,3.0')
  assert.equal(csv.split('\r\n')[2].split(',')[0], '合计')
  assert.equal(percent(null), '—')
  assert.deepEqual(outcomeBar({ completed: 4, early: 1, on_time: 2, late: 1 }), { early: 25, on_time: 50, late: 25 })
  // 16:30 UTC on 31 March is 1 April in the hall
  assert.deepEqual(thisMonth(Date.UTC(2026, 2, 31, 16, 30)), { from: '2026-04-01', to: '2026-04-01' })
  assert.deepEqual(lastMonth(Date.UTC(2026, 2, 3, 4)), { from: '2026-02-01', to: '2026-02-28' })
  assert.equal(normalizeCaseNumber(' 2026 1129 000123 '), '2026-1129-000123')
  assert.equal(normalizeCaseNumber('2026-1129-000123'), '2026-1129-000123')
  assert.equal(normalizeQueryCode(' k7q-2px '), 'K7Q2PX')
  assert.ok(settingInRange('yellow_pct', 80) && !settingInRange('yellow_pct', 100) && !settingInRange('yellow_pct', 80.5))
})

test('a citizen looks a case up on the portal by number and query code; a wrong code finds nothing', async () => {
  const { case: c, query_code: code } = await register()
  assert.match(code, /^[0-9A-Z]{4,12}$/, 'a query code comes back once')
  await withPage('case-portal', async (page) => {
    await page.goto(`${BASE_URL}/#/portal`)
    await page.locator('[data-test=portal-nav-case]').click()
    await page.waitForURL(/#\/portal\/case/)

    // the right number and code, typed with spaces and in lower case
    await page.locator('[data-test=case-number]').fill(c.number.replace(/-/g, ' '))
    await page.locator('[data-test=case-code]').fill(code.toLowerCase())
    await page.locator('[data-test=case-lookup]').click()
    const result = page.locator('[data-test=case-result]')
    await result.waitFor()
    assert.equal((await page.locator('[data-test=case-result-number]').textContent()).trim(), c.number)
    assert.equal((await page.locator('[data-test=case-item]').textContent()).trim(), setup.item.name)
    assert.equal(await page.locator('[data-test=case-state]').getAttribute('data-state'), 'received')
    assert.equal((await page.locator('[data-test=case-state]').textContent()).trim(), '已收件')
    assert.equal((await page.locator('[data-test=case-received]').textContent()).trim(), c.received_day)
    const pubView = await pub.ok('GET', `/api/public/cases/${encodeURIComponent(c.number)}?code=${code}`)
    assert.equal((await page.locator('[data-test=case-unit]').textContent()).trim(), pubView.unit_name)
    if (pubView.expected_day) assert.equal((await page.locator('[data-test=case-expected]').textContent()).trim(), pubView.expected_day)
    const text = await result.textContent()
    assert.ok(!text.includes('王小明') && !text.includes('****'), 'nothing private on the page')

    // a wrong code: the not-found sentence, and the old result is gone
    const wrong = code[0] === 'X' ? `Y${code.slice(1)}` : `X${code.slice(1)}`
    await page.locator('[data-test=case-code]').fill(wrong)
    await page.locator('[data-test=case-lookup]').click()
    const nf = page.locator('[data-test=case-not-found]')
    await nf.waitFor()
    assert.match(await nf.textContent(), /没有查到该办件/)
    assert.equal(await result.count(), 0, 'no case shown for a wrong code')

    // a number that does not exist: the same sentence (nothing tells which part is wrong)
    await page.locator('[data-test=case-number]').fill('2000-0101-999999')
    await page.locator('[data-test=case-code]').fill(code)
    await page.locator('[data-test=case-lookup]').click()
    await nf.waitFor()
    assert.equal(await result.count(), 0)
  })
})

test('a leader approves an extension on the board and the promised due date moves', async () => {
  const { case: c } = await register()
  const before = c.clock.promised_due
  assert.ok(before, 'a promised due date')
  const asked = await handler.ok('POST', `/api/cases/${c.id}/extensions`, { days: 2, reason: '需外单位核验经营场所' }, [201])
  const ext = asked.extensions.find((x) => x.status === 'pending')
  assert.ok(ext, 'a pending extension')

  await withPage('case-board-extension', async (page) => {
    await openBoard(page, 'extensions')
    assert.ok(Number(await page.locator('[data-test=board-count-extensions_pending]').getAttribute('data-count')) >= 1)
    const row = page.locator('[data-test=board-extensions] .el-table__row', { has: page.locator(`[data-test=ext-case][data-case-id="${c.id}"]`) })
    await row.waitFor()
    assert.match(await row.textContent(), /需外单位核验经营场所/)
    await row.locator('[data-test=ext-approve]').click()
    const dlg = page.locator('[data-test=ext-decide-dialog]')
    await dlg.waitFor()
    await dlg.locator('[data-test=ext-note]').fill('同意，请告知申请人')
    await dlg.locator('[data-test=ext-decide-submit]').click()
    await page.locator('.el-message--success', { hasText: '已批准延期' }).waitFor()
    await row.waitFor({ state: 'detached' })
  })

  const after = await handler.ok('GET', `/api/cases/${c.id}`)
  assert.equal(after.clock.extension_days, 2)
  assert.ok(after.clock.promised_due > before, `promised due moved: ${before} → ${after.clock.promised_due}`)
  const decided = after.extensions.find((x) => x.id === ext.id)
  assert.equal(decided.status, 'approved')
  assert.equal(decided.decided_by_name, LEADER.name)
  assert.equal(decided.decision_note, '同意，请告知申请人')
})

test('an overdue completion: the leader decides the accountability record; the handler sees it; statistics and follow-up', async () => {
  const today = hallNow().day
  const { case: c } = await register({ received_day: addDays(today, -25) })
  for (const [action, body] of [
    ['accept', {}],
    ['start', {}],
    ['decide', { decision: 'approve' }],
    ['complete', {}],
  ]) {
    await handler.ok('POST', `/api/cases/${c.id}/${action}`, body, [200])
  }
  const done = await handler.ok('GET', `/api/cases/${c.id}`)
  assert.equal(done.state, 'completed')
  assert.equal(done.outcome, 'late', 'completed after its promised due date')
  const board = await leader.ok('GET', '/api/cases/board')
  const rec = board.accountability.find((r) => r.case_id === c.id)
  assert.ok(rec, 'the overdue completion opened a record against the handler, on the board')
  assert.equal(rec.source, 'overdue')
  assert.equal(rec.staff_id, setup.handlerId)
  assert.equal(rec.status, 'pending')

  await withPage('case-board-accountability', async (page) => {
    await openBoard(page, 'accountability')
    const row = page.locator('[data-test=board-accountability] .el-table__row', { has: page.locator(`[data-test=acct-decide][data-acct-id="${rec.id}"]`) })
    await row.waitFor()
    assert.match(await row.textContent(), new RegExp(`${HANDLER.name}[\\s\\S]*超期办结[\\s\\S]*${c.number}[\\s\\S]*晚于承诺办结日`))
    await row.locator('[data-test=acct-decide]').click()
    const dlg = page.locator('[data-test=acct-decide-dialog]')
    await dlg.waitFor()
    // the note is required
    await dlg.locator('[data-test=acct-outcome-criticism]').click()
    await dlg.locator('[data-test=acct-decide-submit]').click()
    await dlg.locator('.el-form-item__error', { hasText: '请填写认定意见' }).waitFor()
    await dlg.locator('[data-test=acct-note]').fill('超期两周以上，予以批评')
    await dlg.locator('[data-test=acct-decide-submit]').click()
    await page.locator('.el-message--success', { hasText: '已认定' }).waitFor()
    await row.waitFor({ state: 'detached' })

    // the statistics of this month by staff: the handler has a late completion
    await page.goto(`${BASE_URL}/#/leader/stats?group=staff`)
    const statRow = page.locator('[data-test=stats-table] .el-table__row', { has: page.locator('[data-test=stats-label]', { hasText: HANDLER.name }) })
    await statRow.waitFor()
    const stats = await leader.ok('GET', `/api/cases/stats?group=staff&from=${today.slice(0, 8)}01&to=${today}`)
    const mine = stats.items.find((r) => r.key_id === setup.handlerId)
    assert.ok(mine && mine.late >= 1, 'the statistics count the late completion')
    assert.match(await statRow.textContent(), new RegExp(leaderUtils.percent(mine.on_time_rate).replace('.', '\\.')))

    // the follow-up call scheduled at completion: recorded as reached, 4 stars
    await page.goto(`${BASE_URL}/#/leader/followups`)
    const fuRow = page.locator('[data-test=followup-table] .el-table__row', { has: page.locator('[data-test=followup-case]', { hasText: c.number }) })
    await fuRow.waitFor()
    await fuRow.locator('[data-test=followup-record]').click()
    const fdlg = page.locator('[data-test=followup-dialog]')
    await fdlg.waitFor()
    await fdlg.locator('[data-test=followup-save]').click()
    await fdlg.locator('.el-form-item__error', { hasText: '满意度' }).waitFor()
    await fdlg.locator('[data-test=followup-stars] .el-rate__item').nth(3).click()
    await fdlg.locator('[data-test=followup-notes]').fill('申请人表示满意')
    await fdlg.locator('[data-test=followup-save]').click()
    await page.locator('.el-message--success', { hasText: '回访已记录' }).waitFor()
    await fuRow.waitFor({ state: 'detached' })
    await page.locator('[data-test=followup-tab-done]').click()
    await page.locator('[data-test=followup-table] .el-table__row', { hasText: c.number }).waitFor()
  })

  const decided = (await leader.ok('GET', `/api/accountability?staff_id=${setup.handlerId}`)).items.find((r) => r.id === rec.id)
  assert.equal(decided.status, 'decided')
  assert.equal(decided.grade, 'criticism')
  assert.equal(decided.decided_by_name, LEADER.name)
  const fu = (await leader.ok('GET', '/api/followups?status=done&per_page=500')).items.find((f) => f.case_id === c.id)
  assert.ok(fu, 'the follow-up is done')
  assert.equal(fu.result, 'reached')
  assert.equal(fu.satisfaction, 4)

  // the handler reads the record in 我的责任记录
  await withPage('case-my-accountability', async (page) => {
    await loginAs(page, HANDLER, '/my/accountability')
    await page.locator('[data-test=menu-my-accountability].is-active').waitFor()
    const row = page.locator('[data-test=acct-table] .el-table__row', { hasText: c.number })
    await row.waitFor()
    assert.equal(await row.locator('[data-test=acct-grade]').getAttribute('data-grade'), 'criticism')
    assert.match(await row.textContent(), /批评[\s\S]*超期两周以上，予以批评/)
    assert.equal(await page.locator('[data-test=acct-decide]').count(), 0, 'a staff member decides nothing')
  })
})

test('the administrator saves the case settings; an out-of-range value is refused at the field', async () => {
  const start = await admin.ok('GET', '/api/case-settings')
  const minutes = start.escalate_minutes === 150 ? 160 : 150
  await withPage('case-settings', async (page) => {
    await loginAs(page, ADMIN, '/admin/case-settings')
    const yellow = page.locator('[data-test=cs-yellow_pct]')
    await yellow.waitFor()
    await page.waitForFunction((v) => document.querySelector('[data-test=cs-yellow_pct]')?.value === String(v), start.yellow_pct)

    // 100 % is out of range: the error is under the field and nothing is saved
    await yellow.fill('100')
    await page.locator('[data-test=cs-save]').click()
    const err = page.locator('[data-test=cs-item-yellow_pct] .el-form-item__error')
    await err.waitFor()
    assert.match(await err.textContent(), /黄牌预警比例.*50.*99/)
    assert.equal((await admin.ok('GET', '/api/case-settings')).yellow_pct, start.yellow_pct, 'nothing saved')

    // a good value saves; a reload shows it
    await yellow.fill(String(start.yellow_pct))
    await page.locator('[data-test=cs-escalate_minutes]').fill(String(minutes))
    await page.locator('[data-test=cs-save]').click()
    await page.locator('.el-message--success', { hasText: '已保存' }).waitFor()
    await err.waitFor({ state: 'detached' })
    const saved = await admin.ok('GET', '/api/case-settings')
    assert.equal(saved.escalate_minutes, minutes)
    assert.equal(saved.yellow_pct, start.yellow_pct)
    await page.reload()
    await page.waitForFunction((v) => document.querySelector('[data-test=cs-escalate_minutes]')?.value === String(v), minutes)
  })
  // the server refuses it too, naming the field
  const r = await admin.req('PUT', '/api/case-settings', { yellow_pct: 100, escalate_minutes: minutes, followup_sample_pct: start.followup_sample_pct, followup_days: start.followup_days })
  assert.equal(r.status, 400)
  assert.equal(r.json.error.field, 'yellow_pct')
})

test('the bell shows the leader\'s unread notifications; opening one marks it read', async () => {
  // a handler's extension request tells their leader
  const { case: c } = await register()
  await handler.ok('POST', `/api/cases/${c.id}/extensions`, { days: 1, reason: '等待外部核验' }, [201])
  const list = await leader.ok('GET', '/api/notifications?unread=1&per_page=500')
  const note = list.items.find((n) => n.case_id === c.id)
  assert.ok(note, 'the leader has an unread notification about the case')

  await withPage('case-bell', async (page) => {
    await loginAs(page, LEADER, '/leader/board')
    const bell = page.locator('[data-test=bell]')
    await page.waitForFunction((n) => Number(document.querySelector('[data-test=bell]')?.dataset.unread) >= n, list.unread)
    assert.equal(await bell.locator('.el-badge__content').isVisible(), true, 'the count is shown')
    await bell.click()
    const item = page.locator(`[data-test=bell-item][data-id="${note.id}"]`)
    await item.waitFor()
    assert.match(await item.textContent(), new RegExp(c.number))
    const read = page.waitForResponse((r) => r.url().includes(`/api/notifications/${note.id}/read`) && r.request().method() === 'POST')
    await item.click()
    assert.equal((await read).status(), 200)
    if (HAS_CASE_PAGE) await page.waitForURL(new RegExp(`#/cases/${c.id}$`))
  })
  const afterList = await leader.ok('GET', '/api/notifications?unread=1&per_page=500')
  assert.ok(!afterList.items.some((n) => n.id === note.id), 'the notification is read')
})
