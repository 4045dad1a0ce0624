// 三评 in the browser (issue 7), through tests/e2e/run.sh (a fresh demo database; e2eadmin
// at /dist): a leader sets up a review round (the form's weights checked live) and opens
// it; a staff member rates a colleague from "my reviews" (oneself is not offered, and the
// server refuses it); the leader closes the round and sees the results with the
// individual ratings.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin, BASE_URL, submitLogin, withPage } from './helpers.mjs'

const admin = new Admin()
const PASSWORD = 'Review-e2e-pass1!'
const tag = Date.now().toString(36)

async function account(nodeId, role, name) {
  const login = `rv${role[0]}${tag}${Math.floor(Math.random() * 1000)}`
  const s = await admin.ok('POST', '/api/staff', { login, name, password: PASSWORD, role, node_id: nodeId })
  return { id: s.id, login, name }
}

async function signIn(page, who) {
  await page.goto(`${BASE_URL}/#/login`)
  await submitLogin(page, who.login, PASSWORD)
  await page.waitForURL((u) => !u.hash.startsWith('#/login'))
}

test('a leader opens a round, a staff member rates a peer, the leader closes it and sees results', async () => {
  await admin.login()
  const nodes = (await admin.ok('GET', '/api/org/nodes?per_page=500')).items
  const dist = nodes.find((n) => n.code === 'dist')
  const hall = await admin.ok('POST', '/api/org/nodes', { parent_id: dist.id, kind: 'hall', code: `rv${tag}`, name: `评议测试厅${tag}` })
  const leader = await account(hall.id, 'leader', `评议领导${tag}`)
  const s1 = await account(hall.id, 'staff', `评议甲${tag}`)
  const s2 = await account(hall.id, 'staff', `评议乙${tag}`)
  const title = `月度三评${tag}`

  // the leader sets the round up and opens it
  let roundId
  await withPage('review-leader-open', async (page) => {
    await signIn(page, leader)
    await page.goto(`${BASE_URL}/#/reviews`)
    await page.locator('[data-test=review-new]').click()
    const dialog = page.locator('[data-test=review-dialog]')
    await dialog.locator('[data-test=review-title]').fill(title)
    // the default groups follow leaders 20 %, own staff 40 %, peers 20 %, cadres 20 %
    await assert.doesNotReject(dialog.locator('[data-test=review-group-sum]', { hasText: '100%' }).waitFor())
    // a weight changed: the sum turns red and saving is disabled
    const weights = dialog.locator('[data-test=review-groups] .el-input-number input')
    await weights.first().fill('30')
    await weights.first().blur()
    await dialog.locator('[data-test=review-group-sum]', { hasText: '110%' }).waitFor()
    assert.equal(await dialog.locator('[data-test=review-save]').isDisabled(), true)
    await weights.first().fill('20')
    await weights.first().blur()
    await dialog.locator('[data-test=review-group-sum]', { hasText: '合计 100%' }).waitFor()
    await dialog.locator('[data-test=review-save]').click()
    const row = page.locator('[data-test=review-table] .el-table__row', { hasText: title })
    await row.waitFor()
    const rounds = (await admin.ok('GET', '/api/review-rounds?per_page=500')).items
    roundId = rounds.find((r) => r.title === title).id
    await row.locator(`[data-test=review-open-${roundId}]`).click()
    await page.locator('.el-message-box__btns button', { hasText: /确认|确定|OK/ }).click()
    await page.locator(`[data-test=review-state-${roundId}]`, { hasText: '评议中' }).waitFor()
  })

  // a staff member rates a colleague; oneself is not offered and is refused
  await withPage('review-staff-rates', async (page) => {
    await signIn(page, s1)
    await page.goto(`${BASE_URL}/#/reviews/todo`)
    const own = page.locator(`[data-test=todo-round-${roundId}] [data-test=todo-group-own]`)
    await own.locator(`[data-test=rate-own-${s2.id}]`).waitFor()
    assert.equal(await own.locator(`[data-test=rate-own-${s1.id}]`).count(), 0, 'oneself is not offered')
    await own.locator(`[data-test=rate-own-${s2.id}]`).click()
    await page.locator('[data-test=rate-dialog] [data-test=rate-submit]').click()
    await own.locator(`[data-test=rate-own-${s2.id}]`, { hasText: '已评' }).waitFor()
  })
  const staff = new Admin()
  await staff.login(s1.login, PASSWORD)
  const self = await staff.req('POST', `/api/review-rounds/${roundId}/ratings`, {
    group: 'own', subject_id: s1.id, scores: { attitude: 10, efficiency: 10 },
  })
  assert.equal(self.status, 403, self.text)
  assert.match(self.json.error.message, /yourself/)

  // the leader closes the round and sees the results and the individual rating
  await withPage('review-leader-results', async (page) => {
    await signIn(page, leader)
    await page.goto(`${BASE_URL}/#/reviews`)
    await page.locator(`[data-test=review-close-${roundId}]`).click()
    await page.locator('.el-message-box__btns button', { hasText: /确认|确定|OK/ }).click()
    await page.locator(`[data-test=review-results-${roundId}]`).click()
    await page.waitForURL(new RegExp(`#/reviews/${roundId}/results`))
    // defaults: both criteria at full score → 100
    await page.locator(`[data-test=results-table] [data-test=total-${s2.id}]`, { hasText: '100.00' }).waitFor()
    await page.locator('[data-test=ratings-table]', { hasText: s1.name }).waitFor()
  })
})
