// 三比 scoring (issue 7) in the browser. Run through tests/e2e/run.sh (a fresh demo
// database; e2eadmin at /dist).
//
// 1. e2eadmin defines a window scorecard for the demo hall 区政务服务中心 through the
//    editor: a new card from the monthly template, its definition replaced in the JSON
//    tab (one conduct item, −1 per 失职 event; a bonus item, +1 per 表扬 up to 10; the red
//    flag to 1 window a month), the weighted check seen and undone, a preview, saved as
//    version 2.
// 2. The month before last: the demo's inspector (supervisor) enters a 表扬 for w01 and
//    two 失职 for w02 on the events page; the leader's first close is refused with the
//    pending count shown (409 inputs); the leader confirms both and closes the month:
//    w01 ranks first with the red flag, w02 last.
// 3. Last month: a deduction for the flag holder w01 (5 × 失职) and a 表扬 for w03,
//    confirmed, the month closed: the flag moves to w03 (↑), w01 falls (↓6); the drill-
//    down of w01 adds up by hand; the flag history lists both months; the portal's
//    窗口星级与流动红旗 shows w03 with the flag.
//
// The demo accounts' password is random: e2eadmin sets a known one for leader and
// inspector (PATCH /api/staff/{id}).
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { BASE_URL, ADMIN, Admin, withPage, submitLogin } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const S = await import(pathToFileURL(path.join(here, '../../web/src/utils/score.js')))

const HALL_NAME = '区政务服务中心'
const PASSWORD = 'e2e-Score-Passw0rd!'
const LEADER = { login: 'leader', password: PASSWORD }
const INSPECTOR = { login: 'inspector', password: PASSWORD }
const CARD_NAME = `窗口月度考核 e2e ${Date.now().toString(36)}`
const THIS_MONTH = S.periodOf('month')
const M2 = S.periodShift(THIS_MONTH, 2) // the month before last
const M1 = S.periodShift(THIS_MONTH, 1) // last month
const DEF = {
  weighted: false,
  base: 100,
  cap: 110,
  floor: 0,
  items: [
    { code: 'conduct', name: '服务规范', points: 100, rules: [{ input: 'event:lapse', per: -1 }] },
    { code: 'bonus', name: '加分', points: 0, bonus: 10, rules: [{ input: 'event:praise', per: 1 }] },
  ],
  events: [
    { code: 'lapse', name: '失职' },
    { code: 'praise', name: '表扬' },
  ],
  stars: [102, 100, 98, 90],
  red_flag: { month: 1, group: 'all' },
  summons: { group: 'all', bottom: 1, streak: 2 },
}

const admin = new Admin()
let setup // { hallId, windows: { w01: {id,name}, … }, cardId }

before(async () => {
  await admin.login()
  for (const who of [LEADER, INSPECTOR]) {
    const found = (await admin.ok('GET', `/api/staff?q=${who.login}&per_page=50`)).items.find((s) => s.login === who.login)
    assert.ok(found, `demo account ${who.login}`)
    await admin.ok('PATCH', `/api/staff/${found.id}`, { password: PASSWORD })
  }
  const halls = await admin.ok('GET', '/api/org/nodes?kind=hall&per_page=100')
  const hall = halls.items.find((h) => h.name === HALL_NAME)
  assert.ok(hall, `demo hall ${HALL_NAME}`)
  const wins = (await admin.ok('GET', `/api/org/nodes/${hall.id}/windows`)).items
  const windows = {}
  for (const w of wins) windows[w.code] = { id: w.id, name: w.name }
  for (const c of ['w01', 'w02', 'w03']) assert.ok(windows[c], `window ${c}`)
  setup = { hallId: hall.id, windows }
})

async function loginAs(page, who, landing) {
  await page.goto(`${BASE_URL}/#/login?redirect=${encodeURIComponent(landing)}`)
  await submitLogin(page, who.login, who.password)
  await page.waitForURL(new RegExp(`#${landing.replace(/[/?]/g, '\\$&')}`))
}

const isPost = (r, tail) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(tail)

async function pickOption(page, text) {
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

/** Enter one score event on the events page (the page is open). */
async function enterEvent(page, { win, type, day, qty, evidence }) {
  await page.locator('[data-test=score-ev-new]').click()
  const dlg = page.locator('[data-test=score-ev-dialog]')
  await dlg.waitFor()
  const search = page.waitForResponse((r) => r.url().includes('/api/org/nodes?') && r.url().includes('kind=window'))
  await dlg.locator('[data-test=score-ev-window]').click()
  await search
  await page.locator('.el-select-dropdown__item:visible', { hasText: win.name }).filter({ hasText: HALL_NAME }).first().click()
  // the types come from the card that applies to the window
  await dlg.locator(`[data-test=score-ev-card][data-card="${setup.cardId}"]`).waitFor()
  await dlg.locator('[data-test=score-ev-type]').click()
  await pickOption(page, type)
  const dayInput = dlg.locator('[data-test=score-ev-day] input')
  await dayInput.fill(day)
  await dayInput.press('Enter')
  await page.waitForFunction((d) => document.querySelector('[data-test=score-ev-day] input')?.value === d, day)
  await dlg.locator('[data-test=score-ev-qty] input').fill(String(qty))
  await dlg.locator('[data-test=score-ev-evidence]').fill(evidence)
  const post = page.waitForResponse((r) => isPost(r, '/api/score-events'))
  await dlg.locator('[data-test=score-ev-submit]').click()
  const res = await post
  assert.equal(res.status(), 201, await res.text())
  const ev = await res.json()
  assert.equal(ev.state, 'pending')
  assert.equal(ev.subject_id, win.id)
  assert.equal(ev.qty, qty)
  await dlg.waitFor({ state: 'hidden' })
  return ev
}

/** Confirm every pending event of a month on the events page, as the page's user. */
async function confirmPending(page, month, ids) {
  const list = page.waitForResponse((r) => r.url().includes('/api/score-events?') && r.url().includes(`month=${month}`))
  await page.goto(`${BASE_URL}/#/scores/events?state=pending&month=${month}`)
  await list
  for (const id of ids) {
    const row = page.locator('.el-table__row', { has: page.locator(`[data-test=score-ev-row][data-id="${id}"]`) })
    const done = page.waitForResponse((r) => isPost(r, `/api/score-events/${id}/confirm`))
    await row.locator('[data-test=score-ev-confirm]').click()
    await page.locator('.ck-confirm .el-message-box__btns .el-button--primary').click()
    const res = await done
    assert.equal(res.status(), 200, await res.text())
    await page.waitForFunction(() => !document.querySelector('.el-message-box'))
  }
}

/** Open the ranking of a period and close it; answers the close's response. */
async function openRanking(page, period) {
  const ranking = page.waitForResponse((r) => r.url().includes('/api/scores?') && r.url().includes(`period=${period}`))
  await page.goto(`${BASE_URL}/#/scores?card=${setup.cardId}&period=${period}`)
  const res = await ranking
  assert.equal(res.status(), 200, await res.text())
  await page.locator(`[data-test=scores][data-period="${period}"]`).waitFor()
  return res.json()
}
async function closeShown(page, period) {
  const close = page.waitForResponse((r) => isPost(r, `/periods/${period}/close`))
  await page.locator('[data-test=score-close]').click()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  const res = await close
  await page.waitForFunction(() => !document.querySelector('.el-message-box'))
  return res
}
const row = (page, win) => page.locator(`[data-test=score-row][data-subject="${win.id}"]`)
const tableRow = (page, win) => page.locator('[data-test=score-ranking] .el-table__row', { has: row(page, win) })

test('a scorecard defined in the editor', async () => {
  await withPage('score-editor', async (page) => {
    await loginAs(page, ADMIN, '/scores/cards')
    await page.locator('[data-test=score-card-new]').click()
    const dlg = page.locator('[data-test=score-card-dialog]')
    await dlg.waitFor()
    await dlg.locator('[data-test=scope-node]').click()
    await page.keyboard.type(HALL_NAME)
    await page.locator('.el-tree-node__content:visible', { hasText: HALL_NAME }).last().click()
    await dlg.locator('[data-test=score-card-subject-window]').click()
    await dlg.locator('[data-test=score-card-template]').click()
    await page.locator('[data-test=score-template-window_monthly]:visible').click()
    await dlg.locator('[data-test=score-card-name]').fill(CARD_NAME)
    const created = page.waitForResponse((r) => isPost(r, '/api/scorecards'))
    await dlg.locator('[data-test=score-card-create]').click()
    const res = await created
    assert.equal(res.status(), 201, await res.text())
    const card = await res.json()
    assert.equal(card.subject, 'window')
    assert.equal(card.node_id, setup.hallId)
    assert.deepEqual(card.periods, ['month'])
    assert.equal(card.def.cap, 110, 'the monthly template: cap 110')
    setup.cardId = card.id
    await page.waitForURL(new RegExp(`#/scores/cards/${card.id}$`))
    const editor = page.locator('[data-test=score-card-editor]')
    await editor.locator('[data-test=def-item]').first().waitFor()
    assert.equal(await editor.locator('[data-test=def-item]').count(), 9, 'the template has nine items')

    // the definition replaced as JSON; back on the form it shows two items
    await page.locator('.el-tabs__item', { hasText: 'JSON' }).click()
    await page.locator('[data-test=score-json]').fill(JSON.stringify(DEF, null, 2))
    await page.locator('.el-tabs__item', { hasText: '表单' }).click()
    await page.waitForFunction(() => document.querySelectorAll('[data-test=def-item]').length === 2)
    assert.equal(await editor.locator('[data-test=def-item-code]').first().inputValue(), 'conduct')

    // weighted without weights: the live sum says 0 and saving is held back
    await page.locator('[data-test=def-weighted]').click()
    await page.locator('[data-test=def-weight-sum][data-sum="0"]').waitFor()
    assert.match(await page.locator('[data-test=def-top-error]').textContent(), /100/)
    assert.ok(await page.locator('[data-test=score-save]').isDisabled(), 'no saving while the weights do not add up')
    await page.locator('[data-test=def-weighted]').click()
    await page.locator('[data-test=def-points-sum]').waitFor()
    await page.waitForFunction(() => !document.querySelector('[data-test=score-problems]'))

    // the preview: every window of the hall, each at the base (no events yet)
    const pv = page.waitForResponse((r) => isPost(r, '/api/scorecards/preview'))
    await page.locator('[data-test=score-preview-run]').click()
    const pres = await pv
    assert.equal(pres.status(), 200, await pres.text())
    const preview = await pres.json()
    assert.ok(preview.rows.length >= 3, "the hall's windows")
    assert.ok(preview.rows.every((r) => Number(r.score) === 100), 'no events: every window at 100')
    await page.locator(`[data-test=score-preview-stats][data-n="${preview.rows.length}"]`).waitFor()
    assert.equal(await page.locator('[data-test=score-preview-row]').count(), preview.rows.length)

    await page.locator('[data-test=score-note]').fill('e2e: 失职与表扬')
    const saved = page.waitForResponse((r) => isPost(r, `/api/scorecards/${card.id}/versions`))
    await page.locator('[data-test=score-save]').click()
    const sres = await saved
    assert.equal(sres.status(), 201, await sres.text())
    assert.equal((await sres.json()).version, 2)
    await page.locator('[data-test=score-card-editor][data-version="2"]').waitFor()
  })
  const stored = await admin.ok('GET', `/api/scorecards/${setup.cardId}`)
  assert.deepEqual(stored.def.events.map((e) => e.code), ['lapse', 'praise'])
  assert.equal(stored.versions.length, 2)
})

test('the month before last: events entered, confirmed by another, the month closed', async () => {
  assert.ok(setup.cardId, 'the card of the first test')
  const { w01, w02 } = setup.windows
  const day = `${M2}-10`
  const ids = []
  await withPage('score-events-m2', async (page) => {
    await loginAs(page, INSPECTOR, '/scores/events')
    ids.push((await enterEvent(page, { win: w01, type: '表扬', day, qty: 2, evidence: 'e2e 群众表扬信两封' })).id)
    ids.push((await enterEvent(page, { win: w02, type: '失职', day, qty: 2, evidence: 'e2e 督查通报:脱岗两次' })).id)
    // the inspector entered them: no confirm button for a supervisor
    assert.equal(await page.locator('[data-test=score-ev-confirm]').count(), 0)
  })
  await withPage('score-close-m2', async (page) => {
    await loginAs(page, LEADER, '/scores/events')
    await openRanking(page, M2)
    // two events pending: the close is refused and says so
    const refused = await closeShown(page, M2)
    assert.equal(refused.status(), 409, await refused.text())
    await page.locator('[data-test=score-inputs-events][data-n="2"]').waitFor()

    await confirmPending(page, M2, ids)
    await openRanking(page, M2)
    const reload = page.waitForResponse((r) => r.url().includes('/api/scores?') && r.url().includes(`period=${M2}`))
    const closed = await closeShown(page, M2)
    assert.equal(closed.status(), 200, await closed.text())
    const n = (await (await reload).json()).items.length
    assert.ok(n >= 3, "the hall's windows ranked")
    await page.locator('[data-test=scores][data-state="closed"]').waitFor()
    // w01 first with the red flag (102), w02 last (98)
    await row(page, w01).locator('[data-test=score-flag]').waitFor()
    assert.equal(await row(page, w01).getAttribute('data-flag'), '1')
    assert.equal((await tableRow(page, w01).locator('[data-test=score-rank]').textContent()).trim(), '1')
    assert.equal((await tableRow(page, w01).locator('[data-test=score-score]').textContent()).trim(), '102')
    assert.equal(await tableRow(page, w01).locator('[data-test=score-stars]').getAttribute('data-stars'), '5')
    assert.equal((await tableRow(page, w02).locator('[data-test=score-rank]').textContent()).trim(), String(n))
    assert.equal((await tableRow(page, w02).locator('[data-test=score-score]').textContent()).trim(), '98')
    assert.equal(await page.locator('[data-test=score-flag]').count(), 1, 'one red flag a month')
    await page.locator(`[data-test=score-flag-row][data-period="${M2}"][data-subject="${w01.id}"]`).waitFor()
  })
})

test('last month: the flag holder loses points, the flag moves, the arrows follow', async () => {
  assert.ok(setup.cardId, 'the card of the first test')
  const { w01, w02, w03 } = setup.windows
  const day = `${M1}-05`
  const ids = []
  await withPage('score-events-m1', async (page) => {
    await loginAs(page, INSPECTOR, '/scores/events')
    ids.push((await enterEvent(page, { win: w01, type: '失职', day, qty: 5, evidence: 'e2e 暗访:服务态度差' })).id)
    ids.push((await enterEvent(page, { win: w03, type: '表扬', day, qty: 1, evidence: 'e2e 锦旗一面' })).id)
  })
  await withPage('score-close-m1', async (page) => {
    await loginAs(page, LEADER, '/scores/events')
    await confirmPending(page, M1, ids)
    await openRanking(page, M1)
    const reload = page.waitForResponse((r) => r.url().includes('/api/scores?') && r.url().includes(`period=${M1}`))
    const closed = await closeShown(page, M1)
    assert.equal(closed.status(), 200, await closed.text())
    const n = (await (await reload).json()).items.length
    await page.locator('[data-test=scores][data-state="closed"]').waitFor()

    // the flag on w03 (101) now, none on w01 (95)
    await row(page, w03).locator('[data-test=score-flag]').waitFor()
    assert.equal(await row(page, w01).getAttribute('data-flag'), '0')
    assert.equal(await page.locator('[data-test=score-flag]').count(), 1)
    assert.equal((await tableRow(page, w03).locator('[data-test=score-rank]').textContent()).trim(), '1')
    assert.equal((await tableRow(page, w01).locator('[data-test=score-score]').textContent()).trim(), '95')
    assert.equal((await tableRow(page, w01).locator('[data-test=score-rank]').textContent()).trim(), String(n))
    // the arrows: w03 up from the shared 2nd place, w01 down from first to last, w02 up
    const move = (win) => tableRow(page, win).locator('[data-test=score-move]')
    assert.equal(await move(w03).getAttribute('data-dir'), 'up')
    assert.equal(await move(w01).getAttribute('data-dir'), 'down')
    assert.equal(await move(w01).getAttribute('data-n'), String(n - 1))
    assert.equal((await move(w01).textContent()).trim(), `↓${n - 1}`)
    assert.equal(await move(w02).getAttribute('data-dir'), 'up')
    // the flag history: both months
    await page.locator(`[data-test=score-flag-row][data-period="${M1}"][data-subject="${w03.id}"]`).waitFor()
    await page.locator(`[data-test=score-flag-row][data-period="${M2}"][data-subject="${w01.id}"]`).waitFor()

    // w01's drill-down: 100 − (100 − 95) + 0 = 95, the event and its evidence listed
    const detail = page.waitForResponse((r) => r.url().includes('/api/scores/detail?'))
    await tableRow(page, w01).locator('[data-test=score-detail]').click()
    const dres = await detail
    assert.equal(dres.status(), 200, await dres.text())
    const d = await dres.json()
    assert.equal(Number(d.total), 95)
    const sum = S.recompute(d)
    assert.ok(sum.agrees, `the parts add up: ${JSON.stringify(sum)}`)
    const drawer = page.locator('[data-test=score-drawer]')
    await drawer.locator('[data-test=score-detail-sum][data-agrees="1"]').waitFor()
    assert.equal(await drawer.locator('[data-test=score-detail-total]').getAttribute('data-total'), String(d.total))
    assert.match(await drawer.locator('[data-test=score-detail-items]').textContent(), /5 × \(-1\) = -5/)
    assert.match(await drawer.locator('[data-test=score-detail-events]').textContent(), /服务态度差/)
  })

  // the portal: last month's ranking with w03's flag
  await withPage('score-portal', async (page) => {
    const pub = page.waitForResponse((r) => r.url().includes(`/api/public/scores?node_id=${setup.hallId}`))
    await page.goto(`${BASE_URL}/#/portal/scores?node=${setup.hallId}`)
    const res = await pub
    assert.equal(res.status(), 200, await res.text())
    await page.locator(`[data-test=portal-scores-row][data-subject="${w03.id}"][data-flag="1"]`).waitFor()
    assert.equal((await page.locator('[data-test=portal-scores-period]').textContent()).includes(M1), true)
    await page.locator('[data-test=portal-scores-flag]', { hasText: w03.name }).waitFor()
  })
})
