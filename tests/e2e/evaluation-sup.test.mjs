// 好差评 as leaders and supervisors see it. Run through tests/e2e/run.sh (a fresh demo
// database; e2eadmin at /dist).
//
// 1. The pure helpers (utils/evalAdmin.js): metric bases, level counts, drill-down
//    queries, the work order's timeline and step bodies, settings and profile checks.
// 2. The dashboard as the demo's leader (马建国): the demo's evaluations give the level
//    distribution (a drawn chart, counts equal to GET /api/evaluations/metrics) and the
//    six metric cards with numbers; grouped by staff, a row's 明细 opens its evaluations
//    in a drawer; the month's window ranking is listed.
// 3. A 差评 work order as the demo's inspector (林晓, supervisor): the list shows the
//    demo's 差评 orders; one opened, 联系评价人 is recorded by phone with a note; the
//    timeline shows the step done and the order is 已联系 (also through the API).
// 4. A fraud flag: a staff member finishes a ticket at window w07 and the ticket's QR
//    evaluation (real-name) comes at once from the same address (fast_console); the
//    inspector opens it in 异常评价, reads the evaluator's identity (查看身份, audited)
//    and dismisses the flag with a note.
//
// The demo accounts' password is random: e2eadmin sets a known one for leader and
// inspector (PATCH /api/staff/{id}).
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { BASE_URL, Admin, withPage, submitLogin } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const U = await import(pathToFileURL(path.join(here, '../../web/src/utils/evalAdmin.js')))

const HALL_NAME = '区政务服务中心'
const WINDOW = 'w07'
const RUN = Date.now().toString(36)
const PASSWORD = 'e2e-EvalSup-Passw0rd!'
const LEADER = { login: 'leader', password: PASSWORD }
const INSPECTOR = { login: 'inspector', password: PASSWORD }
const CLERK = { login: `e2e_evsup_${RUN}`, name: `督评测试${RUN.slice(-3)}`, password: PASSWORD, role: 'staff' }

const admin = new Admin()
const inspector = new Admin()
const leader = new Admin()
const clerk = new Admin()
let setup // { hallId, windowId, seriesId }

before(async () => {
  await admin.login()
  for (const who of [LEADER, INSPECTOR]) {
    const found = (await admin.ok('GET', `/api/staff?q=${who.login}&per_page=50`)).items.find((s) => s.login === who.login)
    assert.ok(found, `demo account ${who.login}`)
    await admin.ok('PATCH', `/api/staff/${found.id}`, { password: PASSWORD })
  }
  await inspector.login(INSPECTOR.login, PASSWORD)
  await leader.login(LEADER.login, PASSWORD)

  const halls = await admin.ok('GET', '/api/org/nodes?kind=hall&per_page=100')
  const hall = halls.items.find((h) => h.name === HALL_NAME)
  assert.ok(hall, `demo hall ${HALL_NAME}`)
  const win = (await admin.ok('GET', `/api/org/nodes/${hall.id}/windows`)).items.find((w) => w.code === WINDOW)
  assert.ok(win, `window ${WINDOW}`)
  const staff = await admin.ok('POST', '/api/staff', { ...CLERK, node_id: hall.id })
  await admin.ok('POST', `/api/staff/${staff.id}/assignments`, { window_id: win.id })
  const series = (await admin.ok('GET', `/api/halls/${hall.id}/series`)).items.filter((s) => s.active !== false)
  assert.ok(series.length, 'the hall has ticket series')
  await admin.ok('PUT', `/api/windows/${win.id}/profile`, { series_ids: series.map((s) => s.id), mode: 'longest_wait' })
  await clerk.login(CLERK.login, PASSWORD)
  setup = { hallId: hall.id, windowId: win.id, seriesId: series[0].id }
})

async function loginAs(page, who, landing) {
  await page.goto(`${BASE_URL}/#/login?redirect=${encodeURIComponent(landing)}`)
  await submitLogin(page, who.login, who.password)
  await page.waitForURL(new RegExp(`#${landing.replace(/[/?]/g, '\\$&')}`))
}

/** The last 60 days in Asia/Shanghai: the demo's day of traffic lies in it. */
function period() {
  const day = (ms) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
  return { from: day(Date.now() - 60 * 86400_000), to: day(Date.now()) }
}

test('the pure helpers of the supervision pages', () => {
  const row = { levels: { 1: 2, 2: 3, 3: 5, 4: 10, 5: 80 }, total: 100, active: 90, services: 120, excluded: 1, bad: 4, good_rate: 0.909091, active_good_rate: 0.9, unrated_rate: 0.1, bad_reply_rate: 0.5, rectify_rate: 0.5, rectify_satisfaction_rate: 1 }
  assert.deepEqual(U.metricBase(row, 'good_rate'), { kind: 'rated', n: 99 })
  assert.deepEqual(U.metricBase(row, 'active_good_rate'), { kind: 'active', n: 89 })
  assert.deepEqual(U.metricBase(row, 'unrated_rate'), { kind: 'services', n: 119 })
  assert.deepEqual(U.metricBase(row, 'bad_reply_rate'), { kind: 'bad', n: 4 })
  assert.deepEqual(U.metricBase(row, 'rectify_satisfaction_rate'), { kind: 'rectified', n: 2 })
  assert.equal(U.metricCount(row, 'good_rate'), 90)
  assert.equal(U.metricCount({ ...row, rectify_satisfaction_rate: null }, 'rectify_satisfaction_rate'), null)
  assert.equal(U.METRICS.length, 6)
  const lc = U.levelCounts(row)
  assert.deepEqual(lc.map((l) => l.level), [5, 4, 3, 2, 1])
  assert.deepEqual(lc.map((l) => l.n), [80, 10, 5, 3, 2])
  assert.equal(lc[0].share, 0.8)
  assert.deepEqual(U.drillQuery({ from: '2026-11-01', to: '2026-11-30', window_id: 7, junk: 1, channel: null }, { level: 2 }), { from: '2026-11-01', to: '2026-11-30', window_id: 7, level: 2 })
  assert.equal(U.percent(0.8766), '87.7%')
  assert.equal(U.percent(null), '—')

  // the work order's timeline: reached steps as the API says, the rest to come
  const order = {
    open: true,
    state: 'contacted',
    actions: ['verify', 'appeal'],
    steps: [
      { step: 'contact', due_at: 10, done_at: 5, late: false, overdue: false, note: 'called' },
      { step: 'verify', due_at: 20, done_at: null, late: false, overdue: true, note: '' },
    ],
  }
  const tl = U.timeline(order)
  assert.deepEqual(tl.map((s) => s.status), ['done', 'overdue', 'todo', 'todo', 'todo', 'todo'])
  assert.deepEqual(U.stepActions(order), ['verify'])
  assert.equal(U.canAppeal(order), true)
  assert.equal(U.canDecideAppeal(order), false)
  assert.deepEqual(U.timeline({ ...order, open: false, state: 'appeal_upheld' }).map((s) => s.status), ['done', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped'])
  assert.deepEqual(U.stepBody('contact', { method: 'phone', contacted_at: null, note: ' ' }), { method: 'phone' })
  assert.deepEqual(U.stepBody('classify', { classification: 'fix_now', deadline: '2026-12-01', note: '' }), { classification: 'fix_now' })
  assert.deepEqual(U.stepBody('classify', { classification: 'listed', deadline: '2026-12-01', note: 'x' }), { classification: 'listed', deadline: '2026-12-01', note: 'x' })
  assert.deepEqual(U.classificationsFor('false'), ['explain'])

  // settings, indicator sets and deadline profiles are checked as the server checks them
  assert.ok(U.settingOk('window_days', 90) && !U.settingOk('window_days', 91) && !U.settingOk('burst_n', 1))
  assert.equal(U.settingsBody(1, { followup: 0 }).followup, false)
  assert.deepEqual(U.indicatorProblems([{ code: 'a', name_zh: '甲', name_en: 'A' }]), [])
  assert.deepEqual(U.indicatorProblems([{ code: 'A', name_zh: '甲', name_en: 'A' }, { code: 'b', name_zh: '', name_en: 'B' }]), [
    { index: 0, field: 'code' },
    { index: 1, field: 'name_zh' },
  ])
  assert.ok(U.stepProfileOk('contact', { n: 0, unit: 'workdays' }))
  assert.ok(!U.stepProfileOk('contact', { n: 0, unit: 'hours' }))
  assert.ok(!U.stepProfileOk('listed_max', { n: 0, unit: 'days' }))
  assert.ok(!U.stepProfileOk('listed_max', { n: 5, unit: 'hours' }))
  const t = (k, p) => `${k}${p ? JSON.stringify(p) : ''}`
  assert.match(U.evidenceText(t, { kind: 'burst_ip', evidence: { ip: '10.0.0.1', count: 12, window_s: 600, threshold: 10 } }), /10\.0\.0\.1.*"count":12/)
  assert.equal(U.reasonLabel([{ code: 'wait', label_zh: '等候时间长', label_en: 'Long wait' }], 'wait', 'en'), 'Long wait')
  assert.equal(U.reasonLabel([], 'nope', 'zh-CN'), 'nope')
})

test('the dashboard: the demo’s distribution and six metrics, a grouped row’s evaluations, the ranking', async () => {
  const { from, to } = period()
  const metrics = await leader.ok('GET', `/api/evaluations/metrics?from=${from}&to=${to}&by=staff`)
  assert.ok(metrics.total.total > 0, 'the demo seeded evaluations')
  await withPage('eval-dashboard', async (page) => {
    await loginAs(page, LEADER, `/eval/dashboard?from=${from}&to=${to}`)
    await page.locator('[data-test=eval-dashboard][data-loaded="1"]').waitFor()
    // the distribution: a chart drawn on a canvas, the counts as the API gives them
    await page.locator('[data-test=eval-levels-chart] canvas').first().waitFor()
    for (const l of [5, 4, 3, 2, 1]) {
      const n = await page.locator(`[data-test=eval-level-${l}]`).getAttribute('data-count')
      assert.equal(Number(n), metrics.total.levels[l], `level ${l} count`)
    }
    // the six metrics: numbers (the demo has 差评, so even the reply rate has a base)
    for (const key of ['good_rate', 'active_good_rate', 'unrated_rate', 'bad_reply_rate', 'rectify_rate']) {
      const card = page.locator(`[data-test=eval-metric-${key}]`)
      assert.notEqual(await card.getAttribute('data-value'), '', `${key} has a value`)
      assert.match(await card.textContent(), /\d+\.\d%/, `${key} shows a percentage`)
    }
    await page.locator('[data-test=eval-metric-rectify_satisfaction_rate]').waitFor()
    const good = await page.locator('[data-test=eval-metric-good_rate] .card-n').textContent()
    assert.equal(good.trim(), U.percent(metrics.total.good_rate))

    // grouped by staff: the table lists the API's rows; a row's 明细 lists its evaluations
    await page.locator('[data-test=eval-by-staff]').click()
    await page.waitForURL(/by=staff/)
    await page.locator('[data-test=eval-group-chart] canvas').first().waitFor()
    const labels = page.locator('[data-test=eval-group-table] [data-test=eval-row-label]')
    await labels.first().waitFor()
    const first = metrics.rows[0]
    assert.equal((await labels.first().textContent()).trim(), first.label || '（未归属）')
    await page.locator('[data-test=eval-group-table] .el-table__fixed-right [data-test=eval-drill], [data-test=eval-group-table] [data-test=eval-drill]').first().click()
    const drawer = page.locator('[data-test=eval-drill-drawer]')
    await drawer.locator('[data-test=eval-drill-table] .el-table__row').first().waitFor()
    const listed = await leader.ok('GET', `/api/evaluations?${new URLSearchParams(U.drillQuery(first.drill))}&per_page=1`)
    assert.ok(listed.total >= first.total, `the drawer's list holds the row's ${first.total} evaluations`)
    await drawer.getByText(`共 ${listed.total} 条`).waitFor()
    await page.keyboard.press('Escape')

    // the month's ranking
    const month = to.slice(0, 7)
    const ranking = await leader.ok('GET', `/api/evaluations/ranking?month=${month}`)
    if (ranking.items.length) {
      await page.locator('[data-test=eval-ranking] [data-test=eval-rank]').first().waitFor()
      assert.equal((await page.locator('[data-test=eval-ranking] [data-test=eval-rank]').first().textContent()).trim(), '1')
    }
  })
})

test('a 差评 work order: the inspector records the contact and the timeline shows it', async () => {
  const list = await inspector.ok('GET', '/api/bad-reviews?state=assigned&per_page=100')
  assert.ok(list.total > 0, 'the demo’s 差评 opened work orders')
  const target = list.items.find((o) => o.step === 'contact')
  assert.ok(target, 'an order waiting for its contact')
  await withPage('eval-bad-review', async (page) => {
    await loginAs(page, INSPECTOR, '/eval/bad-reviews')
    await page.locator(`[data-test=br-table] [data-test=br-link][data-id="${target.id}"]`).waitFor()
    await page.locator('[data-test=br-count-open]').waitFor()
    await page.locator(`[data-test=br-table] [data-test=br-link][data-id="${target.id}"]`).click()
    await page.waitForURL(new RegExp(`#/eval/bad-reviews/${target.id}$`))
    await page.locator(`[data-test=bad-review][data-state=assigned]`).waitFor()
    await page.locator('[data-test=br-step][data-step=contact][data-status=current]').waitFor()
    // the evaluation is shown: its level and reasons
    await page.locator('[data-test=br-evaluation] [data-test=eval-level]').waitFor()
    assert.notEqual((await page.locator('[data-test=br-reasons]').textContent()).trim(), '')

    await page.locator('[data-test=br-act-contact]').click()
    const dialog = page.locator('[data-test=br-dialog][data-action=contact]')
    await dialog.locator('[data-test=br-method-phone]').click()
    await dialog.locator('[data-test=br-note]').fill('电话联系了评价人，了解了情况')
    await dialog.locator('[data-test=br-submit]').click()
    await page.locator('[data-test=bad-review][data-state=contacted]').waitFor()
    await page.locator('[data-test=br-step][data-step=contact][data-status=done], [data-test=br-step][data-step=contact][data-status=late]').waitFor()
    await page.locator('[data-test=br-step-note]', { hasText: '电话联系了评价人' }).waitFor()
    await page.locator('[data-test=br-step][data-step=verify]').waitFor()
  })
  const after = await inspector.ok('GET', `/api/bad-reviews/${target.id}`)
  assert.equal(after.state, 'contacted')
  assert.equal(after.contact.method, 'phone')
  assert.equal(after.steps[0].note, '电话联系了评价人，了解了情况')
})

test('a fraud flag: a ticket evaluated at once from the console’s address; the inspector dismisses it', async () => {
  // the clerk serves a ticket at w07, and its QR evaluation comes from the same address
  const tk = await admin.ok('POST', `/api/halls/${setup.hallId}/tickets`, { series_id: setup.seriesId })
  assert.match(tk.eval_token || '', /^[A-Za-z0-9_-]{24}$/)
  const open = await clerk.req('POST', `/api/windows/${setup.windowId}/open`)
  assert.ok([200, 409].includes(open.status), `open → ${open.status} ${open.text}`)
  await clerk.ok('POST', `/api/windows/${setup.windowId}/call`, { code: tk.code })
  await clerk.ok('POST', `/api/tickets/${tk.id}/start`)
  await clerk.ok('POST', `/api/tickets/${tk.id}/finish`)
  const ev = await new Admin().ok('POST', '/api/public/evaluations', { token: tk.eval_token, level: 5, evaluator: { name: '张三丰', phone: '13812345678' } })
  const flags = await inspector.ok('GET', '/api/eval-flags?status=open&kind=fast_console&per_page=100')
  const flag = flags.items.find((f) => f.evaluation_id === ev.id)
  assert.ok(flag, 'the evaluation was flagged fast_console')

  await withPage('eval-flag', async (page) => {
    await loginAs(page, INSPECTOR, '/eval/flags')
    await page.locator(`[data-test=flag-table] [data-test=flag-open][data-id="${flag.id}"]`).click()
    await page.waitForURL(new RegExp(`flag=${flag.id}`))
    const drawer = page.locator('[data-test=flag-drawer]')
    await drawer.locator('[data-test=flag-drawer-status][data-status=open]').waitFor()
    assert.match(await drawer.locator('[data-test=flag-evidence]').textContent(), /秒/)
    await drawer.locator('[data-test=flag-evaluations] .el-table__row').first().waitFor()
    // the real-name evaluator: masked, and read in full on demand (audited, confirmed first)
    const row = drawer.locator('[data-test=flag-evaluations] .el-table__row', { hasText: String(ev.id) })
    assert.doesNotMatch(await row.textContent(), /13812345678/)
    await row.locator('[data-test=identity-show]').click()
    await page.locator('.ck-confirm .el-message-box__btns .el-button--primary').click()
    await row.locator('[data-test=identity-text]', { hasText: '13812345678' }).waitFor()
    const audit = await admin.ok('GET', `/api/audit?entity=evaluation&entity_id=${ev.id}`)
    assert.ok(audit.items.some((a) => a.action === 'evaluation.identity'), 'reading the identity is audited')
    await drawer.locator('[data-test=flag-decision-dismissed]').click()
    await drawer.locator('[data-test=flag-note]').fill('核实为群众本人现场扫码评价')
    await drawer.locator('[data-test=flag-submit]').click()
    await drawer.locator('[data-test=flag-drawer-status][data-status=dismissed]').waitFor()
    await page.keyboard.press('Escape')
    // the open list no longer holds it
    await page.locator(`[data-test=flag-table] [data-test=flag-open][data-id="${flag.id}"]`).waitFor({ state: 'detached' })
  })
  const after = await inspector.ok('GET', `/api/eval-flags/${flag.id}`)
  assert.equal(after.status, 'dismissed')
  assert.equal(after.note, '核实为群众本人现场扫码评价')
})

test('the admin settings page: rules, reasons, indicator versions, deadline profiles and the push status', async () => {
  await withPage('eval-settings', async (page) => {
    await page.goto(`${BASE_URL}/#/login?redirect=${encodeURIComponent('/admin/eval-settings')}`)
    await submitLogin(page, 'e2eadmin', 'e2e-Passw0rd!')
    await page.waitForURL(/#\/admin\/eval-settings/)
    await page.locator('[data-test=es-window_days]').waitFor()
    assert.equal(await page.locator('[data-test=es-window_days]').inputValue(), String((await admin.ok('GET', '/api/eval-settings')).window_days))
    await page.locator('[data-test=es-tab-reasons]').click()
    await page.locator('[data-test=reason-table] [data-test=reason-code]').first().waitFor()
    await page.locator('[data-test=es-tab-indicators]').click()
    await page.locator('[data-test=ind-set][data-current="1"]').first().waitFor()
    await page.locator('[data-test=es-tab-profiles]').click()
    await page.locator('[data-test=profile-current]').waitFor()
    await page.locator('[data-test=es-tab-push]').click()
    await page.locator('[data-test=push-status]').waitFor()
  })
})
