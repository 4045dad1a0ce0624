// 亮承诺 in the browser. Run through tests/e2e/run.sh (a fresh demo database; e2eadmin
// at /dist).
//
// 1. A window clerk of the demo (陈静, d05, hall-d) makes a public commitment due today on
//    the board (#/commitments), then reports evidence on it: the row shows 待确认.
// 2. The demo's leader (马建国) confirms it as fulfilled: the row shows 已践诺, and the
//    践诺率 table lists 陈静 at 100.0% (her only commitment due so far), with the chart.
// 3. The portal's commitments page (#/portal/commitments?node=<hall-d>, no login) lists
//    the commitment as 已践诺 and 陈静's 践诺率 as 100.0%, the same as the API's.
//
// The demo accounts' password is random: e2eadmin sets a known one (PATCH /api/staff/{id}).
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, Admin, withPage, submitLogin } from './helpers.mjs'

const RUN = Date.now().toString(36)
const PASSWORD = 'e2e-Commit-Passw0rd!'
const CLERK = { login: 'd05', password: PASSWORD }
const LEADER = { login: 'leader', password: PASSWORD }
const TEXT = `窗口办件“一次办好”承诺 ${RUN}`

const admin = new Admin()
let hallId
let clerkId

function today() {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
}

async function loginAs(page, who, landing) {
  await page.goto(`${BASE_URL}/#/login?redirect=${encodeURIComponent(landing)}`)
  await submitLogin(page, who.login, who.password)
  await page.waitForURL(new RegExp(`#${landing.replace(/[/?]/g, '\\$&')}`))
}

// el-input puts its attributes on the native input (or textarea), other wrappers on
// their root: either way
function field(page, name, tag) {
  return page.locator(`${tag}[data-test=${name}], [data-test=${name}] ${tag}`).first()
}

function row(page) {
  return page.locator('[data-test=cm-table] .el-table__body tr', { hasText: TEXT }).first()
}

before(async () => {
  await admin.login()
  for (const who of [CLERK, LEADER]) {
    const found = (await admin.ok('GET', `/api/staff?q=${who.login}&per_page=50`)).items.find((s) => s.login === who.login)
    assert.ok(found, `demo account ${who.login}`)
    await admin.ok('PATCH', `/api/staff/${found.id}`, { password: PASSWORD })
    if (who === CLERK) clerkId = found.id
  }
  const halls = (await admin.ok('GET', '/api/catalog/halls')).items
  hallId = halls.find((h) => h.name === '区政务服务中心').id
})

test('a clerk commits and reports, a leader confirms, the 践诺率 and the portal show it', async () => {
  await withPage('commitment-clerk', async (page) => {
    await loginAs(page, CLERK, '/commitments')
    await page.locator('[data-test=commitments][data-loaded="1"]').waitFor()
    await page.locator('[data-test=cm-new]').click()
    await field(page, 'cm-f-text', 'textarea').fill(TEXT)
    await field(page, 'cm-f-target-text', 'input').fill('一次办好率')
    await field(page, 'cm-f-target-value', 'input').fill('98.5')
    await field(page, 'cm-f-target-unit', 'input').fill('%')
    const due = field(page, 'cm-f-due-day', 'input')
    await due.fill(today())
    await due.press('Enter')
    await page.locator('[data-test=cm-save]').click()
    await row(page).locator('[data-test=cm-state][data-state=open]').waitFor()

    await row(page).locator('[data-test=cm-report]').click()
    await field(page, 'cm-a-evidence', 'textarea').fill('本月办件均一次办好，见台账')
    await field(page, 'cm-a-links', 'textarea').fill('https://example.org/ledger')
    await page.locator('[data-test=cm-a-submit]').click()
    await row(page).locator('[data-test=cm-state][data-state=reported]').waitFor()
    // the owner does not confirm their own
    assert.equal(await row(page).locator('[data-test=cm-confirm]').count(), 0)
  })

  const mine = (await admin.ok('GET', `/api/commitments?owner_kind=staff&owner_id=${clerkId}&per_page=50`)).items.find((c) => c.text === TEXT)
  assert.ok(mine, 'the commitment is stored')
  assert.equal(mine.state, 'reported')
  assert.equal(mine.target_value, 98.5)
  assert.equal(mine.due_day, today())

  await withPage('commitment-leader', async (page) => {
    await loginAs(page, LEADER, '/commitments')
    await page.locator('[data-test=commitments][data-loaded="1"]').waitFor()
    await row(page).locator('[data-test=cm-confirm]').click()
    await page.locator('[data-test=cm-a-result-fulfilled]').click()
    await field(page, 'cm-a-note', 'textarea').fill('经核查台账属实')
    await page.locator('[data-test=cm-a-submit]').click()
    await row(page).locator('[data-test=cm-state][data-state=fulfilled]').waitFor()
    // the 践诺率 of this year: 陈静 has one commitment due and fulfilled
    const fig = page.locator('[data-test=cm-figures-table] .el-table__body tr', { hasText: '陈静' }).first()
    await fig.waitFor()
    assert.equal((await fig.locator('[data-test=cm-fig-rate]').textContent()).trim(), '100.0%')
    await page.locator('[data-test=cm-chart] canvas').first().waitFor()
  })

  const pub = await new Admin().ok('GET', `/api/public/commitments?node_id=${hallId}`)
  const owner = pub.owners.find((o) => o.owner_kind === 'staff' && o.owner_id === clerkId)
  assert.deepEqual([owner.due, owner.fulfilled, owner.rate], [1, 1, 1])

  await withPage('commitment-portal', async (page) => {
    await page.goto(`${BASE_URL}/#/portal/commitments?node=${hallId}`)
    await page.locator('[data-test=portal-commitments][data-loaded="1"]').waitFor()
    const item = page.locator('[data-test=pc-item]', { hasText: TEXT })
    await item.waitFor()
    assert.equal(await item.getAttribute('data-state'), 'fulfilled')
    assert.match(await item.textContent(), /已践诺/)
    const rate = page.locator('[data-test=pc-rate-row][data-owner="陈静"] [data-test=pc-rate]')
    assert.equal((await rate.textContent()).trim(), '100.0%')
    // the portal's menu leads here
    await page.locator('[data-test=portal-nav-commitments]').waitFor()
  })
})
