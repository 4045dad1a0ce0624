// 评优推荐 in the browser (run through tests/e2e/run.sh, which passes the database as
// CK_E2E_DB): a scorecard's closed year with its frozen results is written with SQL (as
// closing a period leaves it); a unit's leader opens a 先锋服务窗口 nomination over it in
// the create dialog (top 3, 20 % → 1 winner, vote), votes on the detail page, a
// colleague votes through the API, the leader closes it; the winner is marked and shows
// on the portal's honour list (#/portal/honours), with no voting data there.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { BASE_URL, Admin, withPage, submitLogin } from './helpers.mjs'

const RUN = Date.now().toString(36)
const PASSWORD = 'e2e-Nominate-Passw0rd!'
const DB = process.env.CK_E2E_DB || ''
const CARD = `评优E2E-${RUN}`

const admin = new Admin()
const colleague = new Admin()
let unit
const win = []
let leader
let cardId

function sql(text) {
  assert.ok(DB.startsWith('sqlite:'), 'CK_E2E_DB names the SQLite database (tests/e2e/run.sh)')
  return execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 5000', DB.slice('sqlite:'.length), text]).toString().trim()
}

async function staff(role, nodeId, name) {
  const login = `e2e_nom_${role}_${RUN}_${Math.random().toString(36).slice(2, 6)}`
  const s = await admin.ok('POST', '/api/staff', { login, name, password: PASSWORD, role, node_id: nodeId })
  return { ...s, login }
}

before(async () => {
  await admin.login()
  const dist = (await admin.ok('GET', '/api/org/nodes?per_page=500')).items.find((n) => n.code === 'dist' && n.parent_id == null)
  assert.ok(dist, 'demo region /dist')
  unit = await admin.ok('POST', '/api/org/nodes', { parent_id: dist.id, kind: 'unit', code: `nom${RUN}`, name: `评优测试局${RUN.slice(-3)}` })
  const hall = await admin.ok('POST', '/api/org/nodes', { parent_id: unit.id, kind: 'hall', code: 'h', name: '评优大厅' })
  for (const i of [1, 2, 3]) win.push(await admin.ok('POST', '/api/org/nodes', { parent_id: hall.id, kind: 'window', code: `w${i}`, name: `评优${i}号窗口` }))
  leader = await staff('leader', unit.id, '评优局长')
  const c = await staff('staff', hall.id, '评优同事')
  await colleague.login(c.login, PASSWORD)

  const now = Math.floor(Date.now() / 1000)
  cardId = Number(sql(`INSERT INTO score_card (node_id, subject, name, periods, created_at, updated_at)
    VALUES (${unit.id}, 'window', '${CARD}', '["year"]', ${now}, ${now}) RETURNING id`))
  sql(`INSERT INTO score_period (card_id, period, kind, state, closed_at) VALUES (${cardId}, '2025', 'year', 'closed', ${now})`)
  const scores = [9600, 9400, 9100]
  win.forEach((w, i) =>
    sql(`INSERT INTO score_result (card_id, period, kind, subject_id, version_id, score, stars, hall_id, unit_id,
      rank_all, inputs, updated_at) VALUES (${cardId}, '2025', 'window', ${w.id}, 1, ${scores[i]}, 5, ${hall.id},
      ${unit.id}, ${i + 1}, '{}', ${now})`),
  )
})

test('a leader opens a nomination, the staff vote, the leader closes it, the portal shows the winner', async () => {
  await withPage('nomination', async (page) => {
    await page.goto(`${BASE_URL}/#/login`)
    await submitLogin(page, leader.login, PASSWORD)
    await page.waitForURL((u) => !u.hash.startsWith('#/login'))
    await page.goto(`${BASE_URL}/#/nominations`)
    await page.locator('[data-test=nom-new]').click()
    const dialog = page.locator('.el-dialog', { has: page.locator('[data-test=nom-create]') })
    await dialog.waitFor()
    // the scorecard: picked from the list when GET /api/scorecards answers, else typed
    const select = dialog.locator('[data-test=nom-card]')
    const typed = dialog.locator('[data-test=nom-card-id] input')
    await select.or(typed).first().waitFor()
    if (await select.isVisible()) {
      await select.click()
      await page.locator('.el-select-dropdown__item', { hasText: CARD }).click()
    } else {
      await typed.fill(String(cardId))
      await typed.blur()
    }
    const periodInput = dialog.locator('[data-test=nom-period]')
    if (await periodInput.isVisible().catch(() => false)) await periodInput.fill('2025')
    const top = dialog.locator('[data-test=nom-top] input')
    await top.fill('3')
    await top.blur()
    await dialog.locator('[data-test=nom-create]').click()
    await page.waitForURL(/#\/nominations\/\d+/)
    const id = Number(/#\/nominations\/(\d+)/.exec(page.url())[1])

    await assert.doesNotReject(page.locator('[data-test=nom-state][data-state=open]').waitFor())
    const names = await page.locator('[data-test=nom-cand-name]').allTextContents()
    assert.deepEqual(names, win.map((w) => w.name), 'the top 3 by score')
    // 20 % of 3 → 1: the leader votes for window 2
    await page.locator(`[data-test=nom-pick-${win[1].id}]`).click()
    await page.locator('[data-test=nom-vote]').click()
    await page.locator('[data-test=nom-you-voted]').waitFor()
    assert.equal(await page.locator('[data-test=nom-ballots]').textContent(), '1')
    assert.deepEqual(await page.locator('[data-test=nom-votes]').allTextContents(), ['—', '—', '—'], 'secret until closed')

    await colleague.ok('POST', `/api/nominations/${id}/ballot`, { candidate_ids: [win[1].id] })
    await page.reload()
    await page.locator('[data-test=nom-voters] .el-tag').nth(1).waitFor()
    assert.equal(await page.locator('[data-test=nom-voters] .el-tag').count(), 2, 'the owner sees who voted')

    await page.locator('[data-test=nom-close]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('[data-test=nom-state][data-state=closed]').waitFor()
    assert.match(await page.locator('[data-test=nom-winners]').textContent(), new RegExp(win[1].name))
    assert.deepEqual(await page.locator('[data-test=nom-votes]').allTextContents(), ['0', '2', '0'])

    // the public honour list
    await page.goto(`${BASE_URL}/#/portal/honours?node=${unit.id}`)
    const honour = page.locator(`[data-test=portal-honour][data-id="${id}"]`)
    await honour.waitFor()
    assert.match(await honour.textContent(), /2025/)
    assert.deepEqual(await honour.locator('[data-test=portal-honour-winner] strong').allTextContents(), [win[1].name])
    assert.doesNotMatch(await honour.textContent(), /票/, 'no votes on the portal')
    await page.locator('[data-test=portal-nav-honours]').waitFor()
  })
})
